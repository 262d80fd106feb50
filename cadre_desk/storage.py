"""The database: the one place connections are opened, and the write path that
stamps every edit and records it in the change log.

Every row users edit carries a UUID, ``created_at``/``updated_at``, the device
that changed it last and a soft-delete flag. Every change to such a row is also
written to ``change_log`` (table, row, field, old, new, who, device, when, and a
hybrid-logical-clock stamp): it is a member's history, the basis of undo, and
what sync merges field by field. A new row is logged once, as field ``*``
(``insert_tuples`` says why without its values), which keeps bulk imports fast.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import operator
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import migrations
from .clock import HybridClock
from .errors import DatabaseError, NotFound
from .lazydb import Database
from .paths import default_db_path
from .questionnaire import Questionnaire, default_questionnaire

CREATE_FIELD = "*"
SYSTEM_COLUMNS = {"id", "created_at", "updated_at", "device_id"}

DEFAULT_SETTINGS = {
    "working_age_min": 16,
    "working_age_max": 60,
    "user_name": "",
    "device_name": "",
}


import sqlcipher3.dbapi2 as sqlcipher  # noqa: E402  (SQLCipher 4 on SQLite 3.51)

# CPython 3.11's sqlite3 binds int, float, str and bytes directly but sends
# every other parameter, None included, through the adaptation protocol: an
# adapter-registry miss and two failed attribute look-ups per NULL. A member
# row binds about thirty NULLs (unanswered survey fields), so that was half
# the cost of inserting a 100,000-member roster. An adapter for None
# (``{}.get`` is a C function that returns None) turns the miss into a hit;
# what is bound is still None, i.e. NULL. sqlite3's adapters are one registry
# for the whole process, so it is registered only while a bulk write runs
# (``_fast_nulls``), not when this module is imported. The SQLCipher driver is
# a copy of the same module with its own registry and gets the same adapter.
_NONE_KEYS = ((sqlite3.adapters, (type(None), sqlite3.PrepareProtocol)),
              (sqlcipher.adapters, (type(None), sqlcipher.PrepareProtocol)))
_fast_nulls_lock = threading.Lock()
_fast_nulls_users = 0


@contextlib.contextmanager
def _fast_nulls() -> Iterator[None]:
    global _fast_nulls_users
    with _fast_nulls_lock:
        _fast_nulls_users += 1
        if _fast_nulls_users == 1:
            for registry, key in _NONE_KEYS:
                registry[key] = {}.get
    try:
        yield
    finally:
        with _fast_nulls_lock:
            _fast_nulls_users -= 1
            if _fast_nulls_users == 0:
                for registry, key in _NONE_KEYS:
                    registry.pop(key, None)


# The two drivers have their own exception classes: catch these tuples.
SQLITE_ERRORS = (sqlite3.Error, sqlcipher.Error)
DATABASE_ERRORS = (sqlite3.DatabaseError, sqlcipher.DatabaseError)
OPERATIONAL_ERRORS = (sqlite3.OperationalError, sqlcipher.OperationalError)
INTEGRITY_ERRORS = (sqlite3.IntegrityError, sqlcipher.IntegrityError)

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 256 * 1024


def connect(path: str | Path, key: bytes | None = None, *, read_only: bool | None = None):
    """Open a raw connection: the one place connections are opened.

    Every connection goes through SQLCipher; ``key`` (32 raw bytes) opens an
    encrypted file, None a plaintext one (the demo county's file, or a file of
    the previous version about to be encrypted). A new file is created
    user-only (0600; SQLite gives its -wal and -shm files the same mode). A
    file on a read-only medium, or that the user may not write, is opened
    read-only and immutable (no -shm needed), so it can still be read."""
    path = Path(path)
    try:
        if read_only is None:
            read_only = path.exists() and not _writable(path)
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        if read_only:
            uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
            conn = sqlcipher.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        else:
            conn = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=False)
        if key is not None:
            conn.execute(_key_pragma(key))
        # A wrong key or a damaged file shows here, before anything else runs.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if not read_only:
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # SQLCipher decrypts (and checks the HMAC of) every page it takes from
        # the OS: with SQLite's default 2 MB page cache the county figures
        # decrypted the members table on every count, 3.7x slower than
        # plaintext. A cache that can hold the decrypted working set brings it
        # back to plaintext speed; it only grows as pages are read (a cadre's
        # laptop database is a few MB).
        conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    except DATABASE_ERRORS as exc:
        raise DatabaseError(explain_sqlite_error(exc, path)) from exc
    except OSError as exc:
        raise DatabaseError(f"无法在 {path} 创建数据库：{exc.strerror}。请换一个有写权限的位置") from exc
    return conn


def _key_pragma(key: bytes) -> str:
    from .keys import sqlcipher_key_pragma

    return sqlcipher_key_pragma(key)


def _writable(path: Path) -> bool:
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        return False
    try:
        return not os.statvfs(path).f_flag & os.ST_RDONLY
    except (AttributeError, OSError):
        return True


def file_kind(path: Path) -> str:
    """"new" (missing or empty), "plain" (an SQLite file) or "encrypted"
    (anything else: SQLCipher's pages look like random bytes)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except FileNotFoundError:
        return "new"
    except OSError as exc:
        raise DatabaseError(f"无法读取数据库文件 {path}：{exc.strerror}。请检查文件权限") from exc
    if not head:
        return "new"
    return "plain" if head == SQLITE_HEADER else "encrypted"


def explain_sqlite_error(exc: BaseException, path: Path | str | None = None) -> str:
    text = str(exc).lower()
    where = f"（{path}）" if path else ""
    if "full" in text:
        return "磁盘已满，这次的修改没有保存；已保存的数据不受影响。请清理磁盘空间后重试"
    if "not a database" in text or "malformed" in text or "file is encrypted" in text:
        return f"数据库文件{where}已损坏或不是帮扶工作台的数据库。请用备份恢复，或换一个文件"
    if "locked" in text or "busy" in text:
        return "数据库正被另一个程序使用。请关闭其他打开此数据库的窗口后重试"
    if "readonly" in text or "read-only" in text:
        return f"数据库文件{where}是只读的，无法保存。请检查文件权限或换一个位置"
    return f"数据库出错{where}：{exc}。请重试；如果反复出现，请先备份数据库再联系县就业办"


@dataclass(frozen=True)
class Change:
    seq: int
    table_name: str
    row_id: str
    field: str
    old_value: Any
    new_value: Any
    user: str
    device_id: str
    at: str
    hlc: str


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class Store:
    """An open database with its identity (device, user), clock and questionnaire."""

    def __init__(self, db: Database, path: Path | None = None, *, key: bytes | None = None,
                 read_only: bool = False):
        self.db = db
        self.path = path
        # The raw database key of an encrypted file (None: the demo's plaintext
        # file, or memory); backups and password changes need it.
        self.key = key
        self.read_only = read_only
        self.signed_in = None  # users.SignedIn once someone signed in
        self.notices: list[str] = []  # said once to the user after opening (e.g. just encrypted)
        self.device_id = self._setting_or_init("device_id", lambda: uuid.uuid4().hex[:12])
        self.clock = HybridClock(self.device_id, self.get_setting("hlc_last"))
        self.questionnaire: Questionnaire = default_questionnaire()
        sync_questionnaire_columns(self.db, self.questionnaire)

    # ------------------------------------------------------------ settings
    def get_setting(self, key: str, default: Any = None) -> Any:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        if row is None:
            return DEFAULT_SETTINGS.get(key, default)
        return json.loads(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        self.db.execute("INSERT INTO settings(key, value) VALUES (?, ?) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        [key, json.dumps(value, ensure_ascii=False)])

    def _setting_or_init(self, key: str, make) -> Any:
        value = self.get_setting(key)
        if value is None:
            value = make()
            self.set_setting(key, value)
        return value

    @property
    def user(self) -> str:
        """Who the change log and the audit trail name: the signed-in user."""
        if self.signed_in is not None:
            return self.signed_in.name
        return self.get_setting("user_name") or ""

    # ------------------------------------------------------------ transactions
    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """All-or-nothing. Nested use becomes a savepoint. SQLite errors such as
        a full disk are turned into a Chinese ``DatabaseError``; the rollback
        leaves what was saved before untouched."""
        outermost = not self.db.conn.in_transaction
        try:
            if outermost:
                # IMMEDIATE takes the write lock now, waiting up to the busy
                # timeout for another writer. A deferred BEGIN that reads and
                # then writes gets SQLITE_BUSY at once in WAL mode (SQLite
                # cannot wait there without risking a deadlock).
                self.db.conn.execute("BEGIN IMMEDIATE")
            try:
                with self.db.atomic():
                    yield self
                    if outermost:
                        self.set_setting("hlc_last", self.clock.last)
            except BaseException:
                if outermost and self.db.conn.in_transaction:
                    self.db.conn.execute("ROLLBACK")
                raise
            if outermost:
                self.db.conn.execute("COMMIT")
        except OPERATIONAL_ERRORS as exc:
            if outermost and self.db.conn.in_transaction:
                self.db.conn.execute("ROLLBACK")
            raise DatabaseError(explain_sqlite_error(exc, self.path)) from exc

    # ------------------------------------------------------------ writes
    def _log(self, rows: Iterable[tuple]) -> None:
        self.db.conn.executemany(
            "INSERT INTO change_log(table_name, row_id, field, old_value, new_value, user, device_id, at, hlc) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def insert(self, table: str, values: Mapping[str, Any], *, row_id: str | None = None) -> str:
        return self.insert_many(table, [values], row_ids=[row_id] if row_id else None)[0]

    def insert_many(self, table: str, rows: list[Mapping[str, Any]], *, row_ids: list[str] | None = None
                    ) -> list[str]:
        """Insert rows (all with the same keys) in one statement, logging each as a creation."""
        if not rows:
            return []
        keys = list(rows[0].keys())
        cells = operator.itemgetter(*keys)
        if len(keys) == 1:
            def cells(r, _key=keys[0]):
                return (r[_key],)
        ids = row_ids or [uuid.uuid4().hex for _ in rows]
        return self.insert_tuples(table, keys, map(cells, rows), ids)

    def insert_tuples(self, table: str, columns: list[str], rows: Iterable[tuple], row_ids: list[str]
                      ) -> list[str]:
        """``insert_many`` for rows already laid out as tuples in ``columns``
        order (bulk imports build them without a dict per row).

        The creations are logged in one set-based statement: one change-log
        row per new row (field ``*``, no value: the row itself holds what was
        created, and each later change logs the value it replaced), all with
        one clock stamp (they happened together). Building that log row by
        row in Python cost about as much as the inserts themselves."""
        if not row_ids:
            return []
        now, device = utc_now(), self.device_id
        names = ["id", "created_at", "updated_at", "device_id", "deleted", *columns]
        sql = (f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in names)}) "
               f"VALUES ({', '.join('?' * len(names))})")
        conn = self.db.conn
        with self.transaction(), _fast_nulls():
            before = conn.execute(f"SELECT coalesce(max(rowid), 0) FROM [{table}]").fetchone()[0]
            conn.executemany(sql, ((rid, now, now, device, 0, *row) for rid, row in zip(row_ids, rows)))
            conn.execute(
                "INSERT INTO change_log(table_name, row_id, field, old_value, new_value, user, device_id, at, hlc) "
                f"SELECT ?, id, ?, NULL, NULL, ?, ?, ?, ? FROM [{table}] WHERE rowid > ? ORDER BY rowid",
                [table, CREATE_FIELD, self.user, device, now, self.clock.now(), before])
        return row_ids

    def update(self, table: str, row_id: str, changes: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
        """Write the fields that really change; return ``{field: (old, new)}``."""
        with self.transaction():
            current = self.get(table, row_id, include_deleted=True)
            diff = {k: (current.get(k), v) for k, v in changes.items()
                    if k not in SYSTEM_COLUMNS and current.get(k) != v}
            if not diff:
                return {}
            now, user = utc_now(), self.user
            assignments = ", ".join(f"[{k}] = ?" for k in diff)
            self.db.execute(f"UPDATE [{table}] SET {assignments}, updated_at = ?, device_id = ? WHERE id = ?",
                            [*(new for _, new in diff.values()), now, self.device_id, row_id])
            self._log((table, row_id, k, old, new, user, self.device_id, now, self.clock.now())
                      for k, (old, new) in diff.items())
        return diff

    def update_many(self, table: str, changes: list[tuple[str, Mapping[str, Any]]]
                    ) -> list[dict[str, tuple[Any, Any]]]:
        """``update`` for many rows: the current rows are read 500 at a time
        (not one query per row), only the fields that really change are
        written and logged. Returns each row's ``{field: (old, new)}``."""
        if not changes:
            return []
        now, user, device = utc_now(), self.user, self.device_id
        diffs: list[dict[str, tuple[Any, Any]]] = []
        with self.transaction(), _fast_nulls():
            for start in range(0, len(changes), 500):
                block = changes[start:start + 500]
                ids = [row_id for row_id, _ in block]
                cursor = self.db.execute(f"SELECT * FROM [{table}] WHERE id IN ({', '.join('?' * len(ids))})", ids)
                names = [d[0] for d in cursor.description]
                current = {r[0]: dict(zip(names, r)) for r in cursor.fetchall()}
                grouped: dict[tuple, list] = {}
                log = []
                for row_id, values in block:
                    if row_id not in current:
                        raise NotFound(f"找不到这条记录（{table_label(table)}），它可能已被删除")
                    row = current[row_id]
                    diff = {k: (row.get(k), v) for k, v in values.items() if k not in SYSTEM_COLUMNS and row.get(k) != v}
                    diffs.append(diff)
                    if not diff:
                        continue
                    row.update({k: new for k, (_, new) in diff.items()})  # a row listed twice sees the first
                    grouped.setdefault(tuple(diff), []).append([*(new for _, new in diff.values()), now, device,
                                                                row_id])
                    log.extend((table, row_id, k, old, new, user, device, now, self.clock.now())
                               for k, (old, new) in diff.items())
                for keys, params in grouped.items():
                    assignments = ", ".join(f"[{k}] = ?" for k in keys)
                    self.db.conn.executemany(f"UPDATE [{table}] SET {assignments}, updated_at = ?, device_id = ? "
                                             "WHERE id = ?", params)
                self._log(log)
        return diffs

    def write_remote(self, table: str, *, new_rows: list[Mapping[str, Any]] = (),
                     updates: Iterable[tuple[str, Mapping[str, Any], str, str]] = (),
                     log: list[tuple] = ()) -> None:
        """Write what sync received from another device (cadre_desk/sync/merge.py).

        ``new_rows`` are whole rows, system columns included, inserted as they
        are; ``updates`` are ``(row_id, {field: value}, at, device_id)``;
        ``log`` holds change_log tuples as in ``_log`` carrying the REMOTE
        stamps and devices, so that a field's clock travels with its value. The
        clock moves past every stamp received."""
        with self.transaction(), _fast_nulls():
            by_keys: dict[tuple, list] = {}
            for row in new_rows:
                by_keys.setdefault(tuple(row), []).append(row)
            for keys, rows in by_keys.items():
                self.db.conn.executemany(
                    f"INSERT INTO [{table}] ({', '.join(f'[{k}]' for k in keys)}) "
                    f"VALUES ({', '.join('?' * len(keys))})", ([r[k] for k in keys] for r in rows))
            grouped: dict[tuple, list] = {}
            for row_id, changes, at, device in updates:
                grouped.setdefault(tuple(changes), []).append([*changes.values(), at, device, row_id])
            for keys, params in grouped.items():
                assignments = ", ".join(f"[{k}] = ?" for k in keys)
                self.db.conn.executemany(
                    f"UPDATE [{table}] SET {assignments}, updated_at = max(updated_at, ?), device_id = ? "
                    "WHERE id = ?", params)
            if log:
                self._log(log)
                self.clock.observe(max(entry[8] for entry in log))

    def delete(self, table: str, row_id: str) -> None:
        """Soft delete: the row stays (sync must carry the deletion), flagged."""
        self.update(table, row_id, {"deleted": 1})

    def restore(self, table: str, row_id: str) -> None:
        self.update(table, row_id, {"deleted": 0})

    # ------------------------------------------------------------ reads
    def get(self, table: str, row_id: str, *, include_deleted: bool = False) -> dict[str, Any]:
        cursor = self.db.execute(f"SELECT * FROM [{table}] WHERE id = ?", [row_id])
        row = cursor.fetchone()
        if row is None or (row_by_name(cursor, row).get("deleted") and not include_deleted):
            raise NotFound(f"找不到这条记录（{table_label(table)}），它可能已被删除")
        return row_by_name(cursor, row)

    def rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.db.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r)) for r in cursor.fetchall()]

    def rows_in(self, sql: str, keys: Iterable[Any], params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        """``rows`` for a query over many keys: ``sql`` has one ``IN ({})``
        that is given the keys 500 at a time (SQLite's parameter limit), after
        ``params``; the blocks' rows in order, keys sorted."""
        ordered, before, out = sorted(set(keys)), list(params), []
        for start in range(0, len(ordered), 500):
            block = ordered[start:start + 500]
            out += self.rows(sql.format(", ".join("?" * len(block))), before + block)
        return out

    def id_by_prefix(self, table: str, key: str, *, what: str, listing: str, measure: str = "条") -> str:
        """The id of the live row of ``table`` whose id is ``key`` or begins
        with it (at least 4 characters, as the lists show 8). ``NotFound``
        otherwise, naming ``what`` (务工记录) and the command that lists the ids."""
        key = (key or "").strip().lower()
        if len(key) < 4:
            raise NotFound(f"{what}编号至少要写前 4 位，请用 {listing} 查看编号")
        rows = self.rows(f"SELECT id FROM [{table}] WHERE deleted = 0 AND id >= ? AND id < ? LIMIT 2",
                         [key, key + "\U0010ffff"])
        if not rows:
            raise NotFound(f"没有编号以 {key} 开头的{what}，请用 {listing} 查看编号")
        if len(rows) > 1:
            raise NotFound(f"编号以 {key} 开头的{what}不止一{measure}，请多写几位")
        return rows[0]["id"]

    def history(self, table: str, row_id: str) -> list[Change]:
        """Every change of one row, oldest first."""
        return [Change(**r) for r in self.rows(
            "SELECT * FROM change_log WHERE table_name = ? AND row_id = ? ORDER BY hlc, seq", [table, row_id])]

    def revert(self, seq: int) -> dict[str, tuple[Any, Any]]:
        """Undo one logged field change by writing its old value back, as a new
        change (history is never rewritten)."""
        rows = self.rows("SELECT * FROM change_log WHERE seq = ?", [seq])
        if not rows:
            raise NotFound("找不到要撤销的修改记录")
        change = Change(**rows[0])
        if change.field == CREATE_FIELD:
            with self.transaction():
                self.delete(change.table_name, change.row_id)
            return {"deleted": (0, 1)}
        return self.update(change.table_name, change.row_id, {change.field: change.old_value})


def row_by_name(cursor: sqlite3.Cursor, row: tuple) -> dict[str, Any]:
    return {d[0]: v for d, v in zip(cursor.description, row)}


_TABLE_LABELS = {"households": "户", "members": "成员", "cadres": "帮扶责任人", "visits": "走访记录",
                 "openings": "岗位", "policies": "政策", "measures": "帮扶措施", "subsidies": "补贴发放",
                 "work_spells": "务工记录"}


def table_label(table: str) -> str:
    return _TABLE_LABELS.get(table, table)


def sync_questionnaire_columns(db: Database, q: Questionnaire) -> None:
    """Add a column for every questionnaire field the tables do not have yet
    (a newer questionnaire from the county adds fields; none are dropped)."""
    for table, part in (("households", q.household), ("members", q.member)):
        existing = set(db.columns_of(table))
        for fld in part.fields:
            if fld.key not in existing:
                db[table].add_column(fld.key, fld.sql_type)


def open_store(path: str | Path | None = None, *, credentials=None, plaintext: bool = False) -> Store:
    """Open (creating if needed) the database at ``path`` or the default
    location, signed in, upgrade its schema, and return a ``Store``.

    ``credentials`` (``users.Credentials``) default to ``CADRE_DESK_USER`` and
    ``CADRE_DESK_PASSWORD``. A new file is created encrypted with that user as
    its first user (县就业办管理员); without them the answer is
    ``users.LoginRequired``. A plaintext file of the previous version is
    encrypted first (``encrypt_plaintext``). ``plaintext=True`` is for the
    demo county's own file only: it is neither encrypted nor signed in to."""
    from . import users

    path = Path(path) if path else default_db_path()
    if plaintext:
        return _open_plain(path)
    creds = credentials if credentials is not None else users.credentials_from_env()
    kind = file_kind(path)
    if kind == "new":
        if creds is None:
            raise users.LoginRequired(users.login_required_message())
        return users.create_encrypted_database(path, creds.user, creds.password, "admin")
    notices = []
    if kind == "plain":
        _refuse_foreign_plain(path)
        if creds is None:
            raise users.LoginRequired(users.login_required_message() +
                                      "（这是旧版本的未加密数据库，登录时会把它加密）")
        encrypt_plaintext(path, creds)
        notices.append("数据库已加密。之前做的备份和拷贝（U 盘、其他电脑上的）仍是未加密的，请删除或妥善保管")
    from .keys import KeyFileError, keys_path

    if not keys_path(path).exists():
        try:
            connect(path, read_only=True).close()
        except DatabaseError:
            pass
        raise KeyFileError(explain_sqlite_error(sqlcipher.DatabaseError("file is not a database"), path) +
                           f"（也找不到它的密钥文件 {keys_path(path).name}）")
    key, kf, name = users.unlock(path, creds)
    try:
        store = open_keyed(path, key, kf.database_id)
    except DatabaseError as exc:
        raise DatabaseError(exc.message + damaged_hint(path)) from exc
    try:
        users.finish_sign_in(store, kf, name)
    except BaseException:
        store.db.conn.close()
        raise
    store.notices.extend(notices)
    return store


def damaged_hint(path: Path) -> str:
    """For a database that cannot be read: the newest automatic backup that
    passes its integrity check, offered (the damaged file is left as it is)."""
    from .backup import automatic_backups, check_backup

    for candidate in automatic_backups(path):
        try:
            from .keys import KeyFile
            from .users import credentials_from_env

            kf = KeyFile.load(candidate)
            creds = credentials_from_env()
            key = kf.unwrap_for_user(creds.user, creds.password) if creds else None
            info = check_backup(candidate, key, None)
        except Exception:  # noqa: BLE001 - any unreadable backup is simply not offered
            continue
        return (f"。最新的完好备份是 {candidate}（{info['made'][:10]}），可以用 cadre-desk restore {candidate} "
                "或 文件 → 从备份恢复 恢复；损坏的文件会保留在一旁")
    return ""


def open_keyed(path: Path, key: bytes | None, database_id: str | None = None) -> Store:
    """Open with a known key (after sign-in, or a new database), upgrade the
    schema and return the ``Store`` (not yet signed in)."""
    read_only = path.exists() and not _writable(path)
    conn = connect(path, key, read_only=read_only)
    db = Database(conn)
    try:
        if not read_only:
            migrations.apply(db)
        store = Store(db, path, key=key, read_only=read_only)
        if database_id and not read_only and store.get_setting("database_id") != database_id:
            store.set_setting("database_id", database_id)
        return store
    except DATABASE_ERRORS as exc:
        conn.close()
        raise DatabaseError(explain_sqlite_error(exc, path)) from exc
    except BaseException:
        conn.close()
        raise


def _open_plain(path: Path) -> Store:
    conn = connect(path)
    db = Database(conn)
    try:
        with db.atomic():
            tables = db.table_names()
            if tables and "_sqlite_migrations" not in tables:
                raise DatabaseError(f"{path} 不是帮扶工作台的数据库。请选择正确的数据库文件，或换一个新文件名")
        migrations.apply(db)
        return Store(db, path)
    except DATABASE_ERRORS as exc:
        conn.close()
        raise DatabaseError(explain_sqlite_error(exc, path)) from exc
    except DatabaseError:
        conn.close()
        raise


def _refuse_foreign_plain(path: Path) -> None:
    """A plaintext SQLite file that is not ours is left untouched."""
    conn = connect(path, read_only=True)
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except DATABASE_ERRORS as exc:
        raise DatabaseError(explain_sqlite_error(exc, path)) from exc
    finally:
        conn.close()
    if "_sqlite_migrations" not in names:
        raise DatabaseError(f"{path} 不是帮扶工作台的数据库。请选择正确的数据库文件，或换一个新文件名")


def _counts(conn) -> dict[str, int]:
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return {t: conn.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0] for t in tables}


def encrypt_plaintext(path: Path, creds) -> None:
    """Encrypt a database of the previous version in place: copy it into a new
    encrypted file (``sqlcipher_export``), check that copy (integrity, the
    row count of every table), write the key file, and only then replace the
    plaintext file. ``creds`` becomes its first user (县就业办管理员)."""
    from . import keys, users

    users.check_name(creds.user)
    users.check_password(creds.user, creds.password)
    key = keys.new_database_key()
    tmp = path.with_name(path.name + ".encrypting")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    plain = connect(path)
    try:
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = _counts(plain)
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        plain.execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{key.hex()}'\"", [str(tmp)])
        plain.execute("SELECT sqlcipher_export('encrypted')")
        plain.execute("DETACH DATABASE encrypted")
    except DATABASE_ERRORS as exc:
        plain.close()
        tmp.unlink(missing_ok=True)
        raise DatabaseError(explain_sqlite_error(exc, path)) from exc
    plain.close()
    check = connect(tmp, key)
    try:
        ok = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        after = _counts(check)
        check.execute("PRAGMA journal_mode=DELETE")
    finally:
        check.close()
    if not ok or after != before:
        tmp.unlink(missing_ok=True)
        raise DatabaseError("加密数据库时复制结果与原文件不一致，原文件没有改动。请先备份，再联系县就业办")
    kf = keys.KeyFile.new(path)
    kf.wrap_for_user(creds.user, creds.password, key)
    kf.save()
    os.replace(tmp, path)
    for stale in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    store = open_keyed(path, key, kf.database_id)
    try:
        from . import audit

        store.signed_in = users.SignedIn(creds.user, "admin")
        with store.transaction():
            if not store.db.execute("SELECT 1 FROM users WHERE name = ?", [creds.user]).fetchone():
                users._insert_user(store, creds.user, "admin", by=creds.user)
            audit.record(store, "user_change", {"change": "created", "name": creds.user, "role": "admin",
                                                "encrypted_old_database": True})
    finally:
        store.db.conn.close()


def memory_store() -> Store:
    """An in-memory database (tests)."""
    conn = sqlcipher.connect(":memory:", isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA foreign_keys=ON")
    db = Database(conn)
    migrations.apply(db)
    return Store(db)
