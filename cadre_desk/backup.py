"""Backups: a consistent copy of the open database while it is in use
(SQLite's online backup API through SQLCipher, so the copy is encrypted with
the database's own key), written beside the chosen name and renamed only when
complete, so a failed or cancelled backup never leaves a broken file. A copy
of the key file goes beside it (``NAME.keys``): the wraps hold no key in the
clear, and the backup opens with the passwords of the day it was made.

Automatic backups (``automatic_backup``): at most one a day, made when the
window closes, the newest 7 kept in ``backups/`` beside the database.
``restore_backup`` checks a backup and puts it in place of the database,
keeping the current file aside.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

from . import keys
from .errors import CadreDeskError, DatabaseError, os_error_reason
from .storage import DATABASE_ERRORS, SQLITE_ERRORS, Store, connect, explain_sqlite_error, file_kind

PAGES_PER_STEP = 2048
KEEP_AUTOMATIC = 7
AUTO_PREFIX = "自动备份-"
BACKED_UP_AT = "backup_made_at"


def backup_database(store: Store, dest: str | Path, progress=None, cancelled=None, *, record: bool = True
                    ) -> Path:
    """Copy the open database to ``dest``; ``progress(done, total, text)`` and
    ``cancelled() -> bool`` are called between steps. Returns the path written."""
    dest = Path(dest)
    if store.path is not None and dest.resolve() == Path(store.path).resolve():
        raise CadreDeskError("不能备份到正在使用的数据库文件本身，请换一个文件名")
    if not dest.parent.exists():
        raise CadreDeskError(f"文件夹 {dest.parent} 不存在，请换一个位置")
    tmp = dest.with_name(dest.name + ".part")
    tmp_keys = keys.keys_path(tmp)

    def step(status, remaining, total):
        if progress is not None:
            progress(total - remaining, total, "正在备份")
        if cancelled is not None and cancelled():
            raise CadreDeskError("备份已取消，没有生成备份文件")

    def clean():
        for leftover in (tmp, tmp_keys, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)

    clean()
    target = None
    try:
        target = connect(tmp, store.key)
        target.execute("PRAGMA journal_mode=DELETE")
        store.db.conn.backup(target, pages=PAGES_PER_STEP, progress=step)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        target.execute("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                       "SET value = excluded.value", [BACKED_UP_AT, f'"{now}"'])
        target.close()
        target = None
        if store.key is not None and store.path is not None:
            shutil.copyfile(keys.keys_path(store.path), tmp_keys)
            os.chmod(tmp_keys, 0o600)
            os.replace(tmp_keys, keys.keys_path(dest))
        os.replace(tmp, dest)
    except SQLITE_ERRORS as exc:
        if target is not None:
            target.close()
        clean()
        raise CadreDeskError(explain_sqlite_error(exc, dest)) from exc
    except OSError as exc:
        if target is not None:
            target.close()
        clean()
        if exc.errno == 28:
            raise CadreDeskError("磁盘已满，备份没有完成，也没有留下不完整的文件。请清理磁盘空间后重试") from exc
        raise
    except BaseException:
        if target is not None:
            target.close()
        clean()
        raise
    if record:
        from . import audit

        audit.record(store, "backup", {"file": dest.name})
    return dest


def default_backup_name(now: dt.datetime | None = None) -> str:
    return f"帮扶工作台备份-{(now or dt.datetime.now()):%Y%m%d-%H%M}.db"


# ------------------------------------------------------------ automatic
def backup_folder(db_path: str | Path) -> Path:
    return Path(db_path).parent / "backups"


def automatic_backups(db_path: str | Path) -> list[Path]:
    """The automatic backups of the database at ``db_path``, newest first."""
    folder = backup_folder(db_path)
    if not folder.is_dir():
        return []
    stem = Path(db_path).stem
    return sorted(folder.glob(f"{AUTO_PREFIX}{stem}-*.db"), reverse=True)


def automatic_backup(store: Store, now: dt.datetime | None = None) -> Path | None:
    """Make today's backup unless there is one already; keep the newest 7.
    Returns the file made, or None."""
    if store.path is None or store.read_only:
        return None
    now = now or dt.datetime.now()
    existing = automatic_backups(store.path)
    stem = Path(store.path).stem
    today = f"{AUTO_PREFIX}{stem}-{now:%Y%m%d}"
    if existing and existing[0].name.startswith(today):
        return None
    folder = backup_folder(store.path)
    folder.mkdir(mode=0o700, exist_ok=True)
    made = backup_database(store, folder / f"{today}-{now:%H%M%S}.db")
    for old in automatic_backups(store.path)[KEEP_AUTOMATIC:]:
        old.unlink(missing_ok=True)
        keys.keys_path(old).unlink(missing_ok=True)
    return made


# ------------------------------------------------------------ checking and restoring
def _open_backup(path: Path, key: bytes | None, creds=None):
    """A connection to a backup, with the current key or, failing that, the
    backup's own key file and the same credentials."""
    kind = file_kind(path)
    if kind == "new":
        raise CadreDeskError(f"{path.name} 是空的，不是备份文件")
    if kind == "plain":
        return connect(path, None, read_only=True), None
    try:
        if key is None:
            raise DatabaseError("no key")
        return connect(path, key, read_only=True), key
    except DatabaseError:
        kp = keys.keys_path(path)
        if creds is None or not kp.exists():
            raise CadreDeskError(f"{path.name} 打不开：它不是这个数据库的备份，或已损坏") from None
        other = keys.KeyFile.load(path).unwrap_for_user(creds.user, creds.password)
        if other is None:
            raise CadreDeskError(f"{path.name} 打不开：当前的用户名和密码不能打开这个备份") from None
        return connect(path, other, read_only=True), other


def check_backup(path: str | Path, key: bytes | None, database_id: str | None, creds=None) -> dict:
    """Integrity, and that it is this database's backup. Returns what it holds:
    ``{"made": ISO time or None, "households": n, "members": n, "key": key}``."""
    path = Path(path)
    if not path.is_file():
        raise CadreDeskError(f"找不到备份文件 {path}")
    conn, used = _open_backup(path, key, creds)
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise CadreDeskError(f"备份文件 {path.name} 已损坏（完整性检查没有通过），不能用它恢复")

        def setting(name):
            row = conn.execute("SELECT value FROM settings WHERE key = ?", [name]).fetchone()
            return row[0].strip('"') if row else None

        backup_id = setting("database_id")
        if database_id and backup_id and backup_id != database_id:
            raise CadreDeskError(f"{path.name} 是另一台电脑或另一个县的数据库的备份，不是这个数据库的，不能用它恢复")
        info = {"made": setting(BACKED_UP_AT), "key": used, "audit_last": _last_audit_entry(conn),
                "households": conn.execute("SELECT count(*) FROM households WHERE deleted = 0").fetchone()[0],
                "members": conn.execute("SELECT count(*) FROM members WHERE deleted = 0").fetchone()[0]}
    except DATABASE_ERRORS as exc:
        raise CadreDeskError(f"备份文件 {path.name} 已损坏或不是帮扶工作台的备份（{exc}）") from exc
    finally:
        conn.close()
    if info["made"] is None:
        info["made"] = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat(timespec="seconds")
    return info


def _last_audit_entry(conn) -> tuple[int, str] | None:
    """The backup's last audit entry (seq, hash): where the restored chain
    continues, recorded with the restore for the county."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'audit_log'").fetchone():
        return None
    row = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), row[1]) if row else None


def restore_backup(db_path: str | Path, backup: str | Path, key: bytes | None, database_id: str | None,
                   creds=None) -> dict:
    """Put ``backup`` in place of the (closed) database at ``db_path``; the
    current file and its key file are kept aside as ``NAME.before-restore-…``.
    Returns ``check_backup``'s answer plus ``"kept": Path``."""
    db_path, backup = Path(db_path), Path(backup)
    if backup.resolve() == db_path.resolve():
        raise CadreDeskError("不能用正在使用的数据库文件恢复它自己")
    info = check_backup(backup, key, database_id, creds)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = db_path.with_name(f"{db_path.name}.before-restore-{stamp}")
    tmp = db_path.with_name(db_path.name + ".restoring")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    try:
        shutil.copyfile(backup, tmp)
        os.chmod(tmp, 0o600)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    kp = keys.keys_path(db_path)
    if db_path.exists():
        os.replace(db_path, aside)
        for suffix in ("-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        if kp.exists():
            shutil.copyfile(kp, keys.keys_path(aside))
    os.replace(tmp, db_path)
    if info["key"] is not None and info["key"] != key:
        # The backup has another key (made before this database was
        # re-created): its own key file goes with it.
        shutil.copyfile(keys.keys_path(backup), kp)
        os.chmod(kp, 0o600)
    info["kept"] = aside
    return info


# ------------------------------------------------------------ the whole restore (CLI and window)
class RestoreFailed(CadreDeskError):
    """The restore did not happen; the current database is in place again and
    open (``store``), so the window can go on with it."""

    def __init__(self, message: str, store: Store | None):
        super().__init__(message)
        self.store = store


def open_store_for_restore(path: Path, creds) -> Store:
    from .storage import open_store

    return open_store(path, credentials=creds)


def check_restore(db_path: str | Path, backup: str | Path, creds) -> dict:
    """Everything that can refuse a restore, checked while the current
    database is still open and untouched: the password (counted like a
    sign-in), the backup whole and this database's. Returns ``check_backup``'s
    answer plus the current key and database id."""
    from . import users

    db_path, backup = Path(db_path), Path(backup)
    if backup.exists() and backup.resolve() == db_path.resolve():
        raise CadreDeskError("不能用正在使用的数据库文件恢复它自己，请选择备份文件")
    key = database_id = None
    if file_kind(db_path) == "encrypted":
        key, kf, _ = users.unlock(db_path, creds)
        database_id = kf.database_id
    info = check_backup(backup, key, database_id, creds)
    info.update(db_key=key, database_id=database_id)
    return info


def restore_in_place(db_path: str | Path, backup: str | Path, creds, *, close=None) -> tuple[Store, dict]:
    """Check, close the current database (``close()``), put the backup in its
    place (the current file kept aside), reopen and record it. Returns the
    restored store and what it holds. Nothing is lost on failure: a refusal
    comes before anything is closed; a failure after it puts the current
    file back and raises ``RestoreFailed`` with it reopened."""
    from . import audit

    db_path = Path(db_path)
    checked = check_restore(db_path, backup, creds)
    if close is not None:
        close()
    try:
        info = restore_backup(db_path, backup, checked["db_key"], checked["database_id"], creds)
    except CadreDeskError as exc:
        raise RestoreFailed(f"恢复没有完成：{exc.message}。原来的数据库没有改动", _reopen(db_path, creds)) from exc
    except OSError as exc:
        raise RestoreFailed(f"恢复没有完成：{os_error_reason(exc)}。原来的数据库没有改动",
                            _reopen(db_path, creds)) from exc
    try:
        store = open_store_for_restore(db_path, creds)
    except (CadreDeskError, OSError, *SQLITE_ERRORS) as exc:
        _put_back(db_path, info["kept"])
        why = getattr(exc, "message", None) or str(exc)
        raise RestoreFailed(f"恢复没有完成：恢复后的数据库打不开（{why}）。原来的数据库已放回原处，没有丢失任何数据",
                            _reopen(db_path, creds)) from exc
    audit.record(store, "restore", {"file": Path(backup).name, **audit.restore_detail(info["audit_last"], info["made"])},
                 people=info["members"])
    return store, info


def _reopen(db_path: Path, creds) -> Store | None:
    try:
        return open_store_for_restore(db_path, creds)
    except (CadreDeskError, OSError):
        return None


def _put_back(db_path: Path, aside: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    if aside.exists():
        os.replace(aside, db_path)
    if keys.keys_path(aside).exists():
        os.replace(keys.keys_path(aside), keys.keys_path(db_path))


def restore_message(info: dict) -> str:
    made = str(info["made"])[:16].replace("T", " ")
    return (f"已从备份恢复：备份中的数据截至 {made}（UTC），{info['households']} 户、{info['members']} 人。"
            f"这之后的修改需要重新录入或重新同步。原来的数据库文件保留为 {info['kept'].name}")
