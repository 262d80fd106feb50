"""``cadre-desk backup``: a consistent copy of the database while it is in use."""

from __future__ import annotations

from pathlib import Path

from .common import action


def register(sub) -> None:
    p = action(sub, "backup", run, help="备份数据库（程序运行中也可备份）",
               description="把数据库完整复制到一个新文件；不指定文件名时在当前文件夹生成带日期的备份文件。")
    p.add_argument("output", nargs="?", metavar="OUT.db", help="备份文件名")


def run(args, ctx) -> int:
    from ..backup import backup_database, default_backup_name
    dest = Path(args.output) if args.output else Path(default_backup_name())
    written = backup_database(ctx.store, dest)
    print(f"已备份到 {written}")
    return 0
