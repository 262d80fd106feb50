"""``cadre-desk restore BACKUP``: put a checked backup in place of the database."""

from __future__ import annotations

from pathlib import Path

from .. import users
from ..backup import RestoreFailed, restore_in_place, restore_message
from ..errors import CadreDeskError
from .common import action


def register(sub) -> None:
    p = action(sub, "restore", run, help="从备份恢复数据库",
               description="检查备份（完整、确实是这个数据库的备份），把当前的数据库文件留在一旁，"
                           "再用备份替换它，并说明备份中的数据截至哪一天。")
    p.add_argument("backup", metavar="BACKUP.db", help="备份文件")


def run(args, ctx) -> int:
    from ..storage import default_db_path, file_kind

    path = Path(ctx.db_path) if ctx.db_path else default_db_path()
    creds = users.credentials_from_env(getattr(args, "user", None), ask=True)
    if file_kind(path) == "encrypted":
        users.unlock(path, creds)  # a wrong password is refused (and counted) before the database is opened
        try:
            users.check_command(ctx.store, run)
        except users.NotAllowed:
            raise
        except CadreDeskError:
            pass  # a damaged database: the key file still proves who this is
    try:
        store, info = restore_in_place(path, args.backup, creds, close=ctx.close)
    except RestoreFailed as exc:
        if exc.store is not None:
            exc.store.db.conn.close()
        raise
    store.db.conn.close()
    print(restore_message(info))
    return 0
