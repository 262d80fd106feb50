"""The SQLite driver and what depends on it alone: SQLCipher (every
connection goes through it), the exception tuples that catch both drivers'
errors, their Chinese explanations, and the NULL-binding shortcut of bulk
writes. ``storage`` opens connections with it; ``store`` writes through it."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher  # (SQLCipher 4 on SQLite 3.51)

# CPython 3.11's sqlite3 binds int, float, str and bytes directly but sends
# every other parameter, None included, through the adaptation protocol: an
# adapter-registry miss and two failed attribute look-ups per NULL. A member
# row binds about thirty NULLs (unanswered survey fields), so that was half
# the cost of inserting a 100,000-member roster. An adapter for None
# (``{}.get`` is a C function that returns None) turns the miss into a hit;
# what is bound is still None, i.e. NULL. sqlite3's adapters are one registry
# for the whole process, so it is registered only while a bulk write runs
# (``fast_nulls``), not when this module is imported. The SQLCipher driver is
# a copy of the same module with its own registry and gets the same adapter.
_NONE_KEYS = ((sqlite3.adapters, (type(None), sqlite3.PrepareProtocol)),
              (sqlcipher.adapters, (type(None), sqlcipher.PrepareProtocol)))
_fast_nulls_lock = threading.Lock()
_fast_nulls_users = 0


@contextlib.contextmanager
def fast_nulls() -> Iterator[None]:
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
    if "closed database" in text:  # a page still working after its window closed the database
        return "数据库已经关闭（窗口已关闭或已切换到另一个数据库），这次操作没有进行。请在当前窗口里重新操作"
    if "unable to open" in text:
        return f"无法打开数据库文件{where}。请检查文件夹是否存在、是否有读写权限，或换一个位置"
    return f"数据库出错{where}：{exc}。请重试；如果反复出现，请先备份数据库再联系县就业办"

