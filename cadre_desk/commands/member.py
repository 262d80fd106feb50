"""``cadre-desk member move|leave|set``: a member moves to another household
(分户, 婚嫁), leaves the household (死亡 / 迁出 / 其他), or has answers changed."""

from __future__ import annotations

from .common import action, action_group, explained, id_number, member_named, set_answers
from .household import FIELD_HELP


def register(subparsers) -> None:
    actions = action_group(subparsers, "member", help="成员迁移到另一户、离开本户、修改调查项",
                           description="成员迁入另一户（分户、婚嫁）、离开本户（死亡、迁出、其他）、修改调查项。",
                           dest="member_command")

    m = action(actions, "move", run_move, help="迁到另一户（户编号不存在时新建一户，本人为户主）",
               description="把成员迁到户编号为 NUMBER 的户。没有这个户编号时新建一户（默认在原村），本人为户主。")
    id_number(m)
    m.add_argument("--to", required=True, metavar="NUMBER", help="迁入的户编号")
    m.add_argument("--relation", metavar="关系", help="在新户中的与户主关系（如 之儿媳）")
    m.add_argument("--town", metavar="T", help="新建户所在的乡镇（默认原户的乡镇）")
    m.add_argument("--village", metavar="V", help="新建户所在的行政村（默认原户的村）")

    lv = action(actions, "leave", run_leave, help="离开本户（死亡、迁出、其他）",
                description="记下成员离开本户的原因和日期：从这一天起不再计入家庭人口数和各项统计，"
                            "但仍保留在修改历史和帮扶手册的记录中。")
    id_number(lv)
    lv.add_argument("--reason", required=True, choices=["死亡", "迁出", "其他"], help="离开原因")
    lv.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="离开日期")

    s = action(actions, "set", run_set, help="修改成员的调查项", description="修改成员的调查项；没有给出的栏目不变。"
               "值不合规时什么也不保存，提示与调查表相同。")
    id_number(s)
    s.add_argument("--field", action="append", required=True, metavar="列名=值", help=FIELD_HELP)


def run_move(args, ctx) -> int:
    from .. import households

    store = ctx.store
    m = member_named(ctx, args)
    with explained(store.questionnaire.member):
        done = households.move_member(store, m["id"], args.to, relation=args.relation, town=args.town,
                                      village=args.village)
    made = "（新建的户，本人为户主）" if done["created"] else f"，与户主关系：{done['relation']}"
    print(f"{m['name']} 已迁到户编号 {args.to.strip()}{made}")
    return _head_hint(done["source_without_head"], "原户现在没有户主")


def run_leave(args, ctx) -> int:
    from .. import households
    from .stats import parse_date

    store = ctx.store
    m = member_named(ctx, args)
    done = households.leave_member(store, m["id"], args.reason, parse_date(args.date))
    print(f"已记下：{m['name']} 于 {args.date} {args.reason}，从这一天起不再计入家庭人口数")
    return _head_hint(done["head_left"], "离开的是户主")


def run_set(args, ctx) -> int:
    from .. import households

    store = ctx.store
    part = store.questionnaire.member
    m = member_named(ctx, args)
    return set_answers(part, args.field, lambda given: households.set_member(store, m["id"], given),
                       lambda labels: f"已修改 {m['name']} 的{labels}")


def _head_hint(needed: bool, why: str) -> int:
    """After a move or a leave that took a household's head away: how to name a new one."""
    if needed:
        print(f"提示：{why}，请用 household head 户编号 证件号码 指定新户主")
    return 0
