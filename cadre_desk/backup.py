"""Backups: a consistent copy of the open database while it is in use
(SQLite's online backup API), written beside the chosen name and renamed only
when complete, so a failed or cancelled backup never leaves a broken file."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

from .errors import CadreDeskError
from .storage import Store, explain_sqlite_error

PAGES_PER_STEP = 2048


def backup_database(store: Store, dest: str | Path, progress=None, cancelled=None) -> Path:
    """Copy the open database to ``dest``; ``progress(done, total, text)`` and
    ``cancelled() -> bool`` are called between steps. Returns the path written."""
    dest = Path(dest)
    if store.path is not None and dest.resolve() == Path(store.path).resolve():
        raise CadreDeskError("不能备份到正在使用的数据库文件本身，请换一个文件名")
    if not dest.parent.exists():
        raise CadreDeskError(f"文件夹 {dest.parent} 不存在，请换一个位置")
    tmp = dest.with_name(dest.name + ".part")

    def step(status, remaining, total):
        if progress is not None:
            progress(total - remaining, total, "正在备份")
        if cancelled is not None and cancelled():
            raise CadreDeskError("备份已取消，没有生成备份文件")

    target = sqlite3.connect(str(tmp))
    try:
        store.db.conn.backup(target, pages=PAGES_PER_STEP, progress=step)
        target.close()
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        target.close()
        tmp.unlink(missing_ok=True)
        raise CadreDeskError(explain_sqlite_error(exc, dest)) from exc
    except BaseException:
        target.close()
        tmp.unlink(missing_ok=True)
        raise
    return dest


def default_backup_name(now: dt.datetime | None = None) -> str:
    return f"帮扶工作台备份-{(now or dt.datetime.now()):%Y%m%d-%H%M}.db"
