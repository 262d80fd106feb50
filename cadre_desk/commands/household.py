"""``cadre-desk household new|set|head``: a new household with its head, and
household facts changed, from the county's scripts (the window's 户 → 新建户
and 编辑户信息 do the same through ``cadre_desk.households``)."""

from __future__ import annotations

from ..errors import CadreDeskError, ValidationFailed
from .common import action, action_group, explain, explained, id_number, member_named, print_warnings, set_answers

FIELD_HELP = "列名=值（列名同花名册，如 联系电话=13905350001、脱贫状态=未脱贫），可重复"
NEW_FIELD_HELP = FIELD_HELP + "；户主本人的调查项也可这样给出（如 健康状况=健康、劳动技能=普通劳动力）"


def register(subparsers) -> None:
    actions = action_group(subparsers, "household", help="新建户、修改户信息、更换户主",
                           description="新建户（含户主）、修改户的基本情况和收入、更换户主。", dest="household_command")

    n = action(actions, "new", run_new, creates_db=True, help="新建一户（同时登记户主）",
               description="新建一户并登记户主（与户主关系为户主）。没有县里的户编号时用 --provisional "
                           "先给一个临时编号（临时0001…），县里的编号到了再用 household set 改。")
    n.add_argument("--town", required=True, metavar="T", help="乡镇（街道），如 烟店镇")
    n.add_argument("--village", required=True, metavar="V", help="行政村")
    number = n.add_mutually_exclusive_group(required=True)
    number.add_argument("--number", metavar="N", help="户编号")
    number.add_argument("--provisional", action="store_true", help="先用临时户编号")
    n.add_argument("--head", required=True, metavar="NAME", help="户主姓名")
    n.add_argument("--head-id", required=True, metavar="ID", help="户主证件号码")
    n.add_argument("--field", action="append", default=[], metavar="列名=值", help=NEW_FIELD_HELP)

    s = action(actions, "set", run_set, help="修改户信息", description="修改一户的基本情况或收入；没有给出的栏目不变。"
               "值不合规时什么也不保存，提示与调查表相同。")
    s.add_argument("number", metavar="NUMBER", help="户编号")
    s.add_argument("--field", action="append", required=True, metavar="列名=值", help=FIELD_HELP)

    h = action(actions, "head", run_head, help="更换户主", description="把本户的一名成员设为户主，原户主改为 --old-relation。")
    h.add_argument("number", metavar="NUMBER", help="户编号")
    id_number(h, "新户主的证件号码")
    h.add_argument("--old-relation", default="其他", metavar="关系", help="原户主的与户主关系（默认 其他）")


def run_new(args, ctx) -> int:
    from .. import households

    store = ctx.store
    part = store.questionnaire.household
    answers, head_answers = households.split_pairs(store, args.field)
    try:
        hid, _, warnings = households.new_household(
            store, town=args.town, village=args.village, number=None if args.provisional else args.number,
            head_name=args.head, head_id=args.head_id, answers=answers, head_answers=head_answers)
    except ValidationFailed as exc:
        error = explain(exc, part)
        if any(p.message.startswith("户主：请填写") for p in exc.problems):
            error = CadreDeskError(f"{error.message}。户主的调查项也用 --field 给出，如 --field 健康状况=健康 "
                                   "--field 劳动技能=普通劳动力")
        raise error from None
    h = store.get("households", hid)
    mark = "（临时编号，县里的户编号到了请用 household set 修改）" if households.is_provisional(h["number"]) else ""
    print(f"已新建户：户编号 {h['number']}{mark}，户主 {args.head}")
    print_warnings(warnings)
    return 0


def run_set(args, ctx) -> int:
    from .. import households, register

    store = ctx.store
    part = store.questionnaire.household
    h = register.household_by_number(store, args.number)
    return set_answers(part, args.field, lambda given: households.set_household(store, h["id"], given),
                       lambda labels: f"已修改户编号 {store.get('households', h['id'])['number']} 的{labels}")


def run_head(args, ctx) -> int:
    from .. import households, register

    store = ctx.store
    h = register.household_by_number(store, args.number)
    m = member_named(ctx, args)
    with explained(store.questionnaire.member):
        households.change_head(store, h["id"], m["id"], old_head_relation=args.old_relation)
    print(f"户编号 {h['number']} 的户主已改为 {m['name']}")
    return 0
