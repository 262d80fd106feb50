"""``Store``: an open database with its identity (device, user), clock and
questionnaire, and the write path that stamps every edit and records it in
the change log.

Every row users edit carries a UUID, ``created_at``/``updated_at``, the device
that changed it last and a soft-delete flag. Every change to such a row is also
written to ``change_log`` (table, row, field, old, new, who, device, when, and a
hybrid-logical-clock stamp): it is a member's history, the basis of undo, and
what sync merges field by field. A new row is logged once, as field ``*``
(``insert_tuples`` says why without its values), which keeps bulk imports fast.
Connections are opened by ``storage``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import operator
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .clock import HybridClock
from .errors import DatabaseError, NotFound
from .lazydb import Database
from .questionnaire import Questionnaire, default_questionnaire
from .sqlite_driver import OPERATIONAL_ERRORS, explain_sqlite_error, fast_nulls

CREATE_FIELD = "*"
SYSTEM_COLUMNS = {"id", "created_at", "updated_at", "device_id"}

DEFAULT_SETTINGS = {
    "working_age_min": 16,
    "working_age_max": 60,
    "user_name": "",
    "device_name": "",
}


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

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Store]:
        """Reads that see one state of the database (a household and its
        members, measures and visits as they were at one moment, even while
        a sync import writes from another window). A deferred read
        transaction: in WAL mode it blocks no writer, and its queries skip
        the per-statement transaction start. Inside a transaction: that one."""
        if self.db.conn.in_transaction:
            yield self
            return
        self.db.conn.execute("BEGIN")
        try:
            yield self
        finally:
            if self.db.conn.in_transaction:
                self.db.conn.execute("COMMIT")

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
        with self.transaction(), fast_nulls():
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
        with self.transaction(), fast_nulls():
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
        with self.transaction(), fast_nulls():
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
