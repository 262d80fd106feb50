"""``cadre-desk restore BACKUP``: put a checked backup in place of the database."""

from __future__ import annotations

from pathlib import Path

from .. import audit, users
from ..backup import restore_backup
from ..errors import CadreDeskError


def register(sub) -> None:
    p = sub.add_parser("restore", help="从备份恢复数据库",
                       description="检查备份（完整、确实是这个数据库的备份），把当前的数据库文件留在一旁，"
                                   "再用备份替换它，并说明备份中的数据截至哪一天。")
    p.add_argument("backup", metavar="BACKUP.db", help="备份文件")
    p.set_defaults(handler=run)


def run(args, ctx) -> int:
    from ..storage import default_db_path, file_kind, open_store

    path = Path(ctx.db_path) if ctx.db_path else default_db_path()
    creds = users.credentials_from_env(getattr(args, "user", None), ask=True)
    key, database_id = None, None
    if file_kind(path) == "encrypted":
        key, kf, _ = users.unlock(path, creds)
        database_id = kf.database_id
        try:
            current = ctx.store
            users.check_command(current, run)
        except users.NotAllowed:
            raise
        except CadreDeskError:
            pass  # a damaged database: the key file still proves who this is
        ctx.close()
    info = restore_backup(path, args.backup, key, database_id, creds)
    store = open_store(path, credentials=creds)
    try:
        audit.record(store, "restore", {"file": Path(args.backup).name, "data_from": info["made"]},
                     people=info["members"])
    finally:
        store.db.conn.close()
    made = info["made"][:16].replace("T", " ")
    print(f"已从备份恢复：备份中的数据截至 {made}（UTC），{info['households']} 户、{info['members']} 人。"
          f"这之后的修改需要重新录入或重新同步。原来的数据库文件保留为 {info['kept'].name}")
    return 0
