"""The database file: the one place connections are opened (SQLCipher, the
key, WAL, the page cache), opening or creating a signed-in ``Store``,
encrypting a plaintext file of the previous version, and the in-memory
database of the tests. ``Store`` itself (settings, transactions, the change
log) is in ``store``; its names are re-exported here, where most callers
import them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from . import migrations
from .errors import DatabaseDamaged, DatabaseError, os_error_reason
from .lazydb import Database
from .paths import default_db_path
from .sqlite_driver import (DATABASE_ERRORS, INTEGRITY_ERRORS, OPERATIONAL_ERRORS, SQLITE_ERRORS,  # noqa: F401
                            explain_sqlite_error, sqlcipher)
from .store import (CREATE_FIELD, DEFAULT_SETTINGS, SYSTEM_COLUMNS, Change, Store, row_by_name,  # noqa: F401
                    sync_questionnaire_columns, table_label, utc_now)

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
        raise DatabaseError(f"无法在 {path} 创建数据库：{os_error_reason(exc)}。请换一个有写权限的位置") from exc
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
        raise DatabaseError(f"无法读取数据库文件 {path}：{os_error_reason(exc)}。请检查文件权限") from exc
    if not head:
        return "new"
    return "plain" if head == SQLITE_HEADER else "encrypted"


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
        found = newest_good_backup(path, creds)
        if found is None:
            raise DatabaseDamaged(exc.message) from exc
        backup, made = found
        raise DatabaseDamaged(f"{exc.message}。最新的完好备份是 {backup}（{made[:10]}），可以用它恢复，"
                              "或请县就业办帮您恢复；损坏的文件会保留在一旁", backup, made) from exc
    try:
        users.finish_sign_in(store, kf, name)
    except BaseException:
        store.db.conn.close()
        raise
    store.notices.extend(notices)
    return store


def newest_good_backup(path: Path, creds) -> tuple[Path, str] | None:
    """For a database that cannot be read: the newest automatic backup that
    opens with ``creds`` and passes its integrity check, and the time it was
    made (the damaged file is left as it is)."""
    from .backup import automatic_backups, check_backup
    from .keys import KeyFile

    for candidate in automatic_backups(path):
        try:
            kf = KeyFile.load(candidate)
            key = kf.unwrap_for_user(creds.user, creds.password) if creds else None
            info = check_backup(candidate, key, None)
        except Exception:  # noqa: BLE001 - any unreadable backup is simply not offered
            continue
        return candidate, info["made"]
    return None


def _opened(path: Path, conn, make: Callable[[Database], Store]) -> Store:
    """``make`` run on a new connection's database; when it fails the
    connection is closed (a database error explained in Chinese)."""
    try:
        return make(Database(conn))
    except DATABASE_ERRORS as exc:
        conn.close()
        raise DatabaseError(explain_sqlite_error(exc, path)) from exc
    except BaseException:
        conn.close()
        raise


def open_keyed(path: Path, key: bytes | None, database_id: str | None = None) -> Store:
    """Open with a known key (after sign-in, or a new database), upgrade the
    schema and return the ``Store`` (not yet signed in)."""
    read_only = path.exists() and not _writable(path)

    def make(db: Database) -> Store:
        if not read_only:
            migrations.apply(db)
        store = Store(db, path, key=key, read_only=read_only)
        if database_id and not read_only and store.get_setting("database_id") != database_id:
            store.set_setting("database_id", database_id)
        return store

    return _opened(path, connect(path, key, read_only=read_only), make)


def _open_plain(path: Path) -> Store:
    def make(db: Database) -> Store:
        with db.atomic():
            tables = db.table_names()
            if tables and "_sqlite_migrations" not in tables:
                raise DatabaseError(f"{path} 不是帮扶工作台的数据库。请选择正确的数据库文件，或换一个新文件名")
        migrations.apply(db)
        return Store(db, path)

    return _opened(path, connect(path), make)


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

