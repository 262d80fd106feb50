"""``cadre-desk export-warehouse DIR``: the county's register as Parquet files
for the province's analytical engine (see cadre_desk/warehouse.py and
docs/province.md). DuckDB is imported only when the command runs."""

from __future__ import annotations

from pathlib import Path

from .stats import parse_date
from .common import action


def register(subparsers) -> None:
    p = action(
        subparsers, "export-warehouse", run, help="导出供省（市）汇总分析的 Parquet 文件（人员假名化）",
        description="把本县的台账（户、成员、岗位申请、推荐结果、帮扶措施、补贴发放）导出为 Parquet 文件，"
                    "每张表一个文件，另有 schema.json 说明各列。人员以省里下发的密钥对身份证号码做 HMAC 得到的"
                    "假名键（person_key）标识，同一人在各县的键相同；文件中没有姓名、身份证号码和电话，除非加 --full。"
                    "省（市）用 DuckDB 等分析引擎一次读取各县的文件，见 docs/province.md。")
    p.add_argument("dir", metavar="DIR", help="导出到的文件夹（不存在时新建；已有的同名文件被替换）")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="截止日期（默认今天）：年龄按此日计算，此日以后的记录不导出")
    p.add_argument("--key-file", metavar="PATH",
                   help="省里下发的密钥文件（64 位十六进制数）；不给时读环境变量 CADRE_DESK_PROVINCE_KEY_FILE")
    p.add_argument("--full", action="store_true",
                   help="同时导出姓名、身份证号码、电话、出生日期等（仅限县就业办按规定使用）")


def run(args, ctx) -> int:
    from ..warehouse import export_warehouse, load_key

    as_of = parse_date(args.as_of)
    key = load_key(args.key_file)
    from .. import audit, users

    if args.full:  # names, ID numbers and phones leave the county: only its own office may
        users.require(ctx.store, "warehouse.full")
    s = export_warehouse(ctx.store, args.dir, as_of=as_of, key=key, full=args.full)
    audit.record(ctx.store, "export", {"what": "warehouse", "folder": Path(args.dir).name, "as_of": str(s.as_of),
                                       "ids": "full" if s.full else "pseudonymous", "key": s.key_id},
                 people=s.rows.get("members", 0))
    counts = "、".join(f"{name} {n:,} 行" for name, n in s.rows.items())
    kind = "含姓名、身份证号码和电话（--full）" if s.full else "人员已假名化，不含姓名、身份证号码和电话"
    print(f"已导出 {s.county_name}（{s.county_code}）截至 {s.as_of} 的台账到 {s.folder}：{counts}；{kind}；"
          f"密钥指纹 {s.key_id}。")
    return 0
