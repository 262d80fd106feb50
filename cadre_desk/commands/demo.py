"""``cadre-desk demo``: a synthetic demo county, in the demo's own file beside
the default database (or in the database ``--db`` names)."""

from __future__ import annotations

from ..errors import CadreDeskError
from .stats import parse_date
from .common import action

# The demo's defaults, here so that ``cadre-desk --help`` need not load the
# demo builder; tests/test_startup.py checks they equal cadre_desk.demo's.
DEFAULT_HOUSEHOLDS = 300
DEFAULT_SEED = 2020


def register(subparsers) -> None:
    p = action(
        subparsers, "demo", run, help="生成演示数据（虚构的临清市贫困户、成员、岗位和政策）",
        description="在数据库中生成一个虚构的临清市演示县：村、贫困户和成员（身份证号码有效、新旧地址码都有）、"
                    "调查、就业、帮扶责任人、走访、企业和岗位、推荐与申请、帮扶措施与补贴、政策样例。"
                    "同一种子生成的数据完全相同。不加 --db 时保存在默认数据库旁单独的演示文件（demo.db）中，"
                    "不会混入您的数据库；窗口中选“先看看演示”即打开它。数据库中已有真实数据时拒绝执行，除非加 --force。")
    p.add_argument("--households", type=int, default=DEFAULT_HOUSEHOLDS, metavar="N",
                   help=f"户数（默认 {DEFAULT_HOUSEHOLDS}）")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="S", help=f"随机种子（默认 {DEFAULT_SEED}）")
    p.add_argument("--as-of", metavar="YYYY-MM-DD",
                   help="演示数据的基准日期（年龄、就业、补贴都以此日为准；默认今天）")
    p.add_argument("--force", action="store_true", help="数据库中已有户时仍然添加演示数据")


def run(args, ctx) -> int:
    import os

    from .. import places
    from ..demo import build_demo, check_can_build
    from ..first_start import open_demo_file
    from ..paths import DB_ENV

    if args.households < 1 or args.households > 200_000:
        raise CadreDeskError(f"户数应在 1 到 200000 之间，现为 {args.households}")
    as_of = parse_date(args.as_of)
    own_file = not (args.db or os.environ.get(DB_ENV))
    # Without --db the demo goes to its own file beside the default database
    # (the one the window's 先看看演示 opens), never into the user's database.
    store = open_demo_file(None) if own_file else ctx.store
    try:
        places.ensure_county(store)
        check_can_build(store, force=args.force)
        s = build_demo(store, households=args.households, seed=args.seed, as_of=as_of)
    finally:
        if own_file:
            store.db.conn.close()
    policies = f"政策样例 {s.policies} 条" if s.policies is not None else "政策样例未加载（没有找到政策样例文件）"
    print(f"已生成演示数据（种子 {args.seed}，基准日期 {as_of.isoformat()}）：{s.villages} 个村、{s.households} 户、"
          f"{s.members} 人、帮扶责任人 {s.cadres} 名、企业 {s.enterprises} 家、岗位 {s.openings} 个、{policies}，"
          f"用时 {s.seconds:.1f} 秒。这些数据都是虚构的，仅供演示和培训。")
    if own_file:
        print(f"演示县保存在单独的文件 {store.path} 中，不会混入您的数据库。打开窗口后选“先看看演示”即可查看"
              f"（命令行：cadre-desk --db {store.path} …）")
    return 0
