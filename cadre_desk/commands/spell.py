"""``cadre-desk spell add|list|end|delete`` (work spells, 务工), ``cadre-desk yulu``
(雨露计划) and ``cadre-desk transport-subsidy`` (一次性交通补助)."""

from __future__ import annotations

import datetime as dt
import json

from ..errors import CadreDeskError
from .common import action, action_group, id_number, json_flag, member_named, problems_as_error
from .stats import parse_date


def register(subparsers) -> None:
    actions = action_group(subparsers, "spell", help="登记、列出、结束务工记录（务工所在地、开始和结束时间、渠道、月收入）",
                           description="务工记录：一人可有多段务工，同一人同一开始月份是同一段（再次登记即修改）。"
                                       "务工所在地写到县（市、区），如 临清市、江苏省苏州市昆山市；"
                                       "同名的县区（如 朝阳区）请加上省份。")

    a = action(actions, "add", run_add, help="登记或修改一段务工（同一开始月份即修改）",
               description="登记一段务工；同一人已有同一开始月份的务工时修改它（没有给出的栏目不变）。"
                           "年月可写 2023-03、202303 或 2023年03月。")
    id_number(a)
    a.add_argument("--start", required=True, metavar="年月", help="开始时间，如 2023-03")
    a.add_argument("--end", metavar="年月", help="结束时间（仍在务工时不填）")
    a.add_argument("--place", metavar="地点", help="务工所在地，写到县（市、区），如 昆山市、江苏省苏州市昆山市")
    a.add_argument("--province", metavar="省份", help="务工所在省份（地名有重名时用来区分，如 吉林省）")
    a.add_argument("--channel", metavar="渠道", help="就业渠道：企业就业、帮扶车间、居家就业、有组织劳务输出、"
                   "自主创业、乡村公益性岗位、以工代赈、灵活就业")
    a.add_argument("--employer", metavar="名称", help="务工企业名称")
    a.add_argument("--industry", metavar="行业", help="所属行业")
    a.add_argument("--income", metavar="元", help="务工月收入（元）")
    a.add_argument("--point-to-point", metavar="是/否", help="是否点对点输送")
    a.add_argument("--transport-subsidy", metavar="元", help="年度交通费补助（元）")
    a.add_argument("--note", help="备注")

    ls = action(actions, "list", run_list, help="列出一名成员的务工记录（含编号和县内/省内县外/省外）")
    id_number(ls)
    json_flag(ls)

    e = action(actions, "end", run_end, help="结束一段务工（写明结束的年月）")
    e.add_argument("spell_id", metavar="SPELL_ID", help="务工记录编号（spell list 列出，写前 8 位即可）")
    e.add_argument("month", metavar="年月", help="结束时间，如 2023-08")

    d = action(actions, "delete", run_delete, help="删除一段登记错了的务工记录（可在修改历史中恢复）")
    d.add_argument("spell_id", metavar="SPELL_ID", help="务工记录编号（spell list 列出）")

    y = action(subparsers, "yulu", run_yulu, help="登记雨露计划补助（中职、高职在校生，每人每年一次）",
               description="为脱贫户或风险未消除监测户的中职、高职在校生登记雨露计划补助并记入补贴发放。"
                           "金额默认取该年的设置 yulu_amount.YYYY。")
    id_number(y, "学生的证件号码")
    _payment_arguments(y, "金额（默认该年的补助标准）")
    y.add_argument("--school", metavar="学校", help="就读学校和专业")

    t = action(subparsers, "transport-subsidy", run_transport, help="登记一次性交通补助（县外务工满规定月数，按该年档次）",
               description="为一段县外务工登记一次性交通补助：按该年的档次（transport_subsidy_tiers.YYYY）"
                           "和务工月数计算金额，记入补贴发放和该段务工的年度交通费补助。")
    t.add_argument("spell_id", metavar="SPELL_ID", help="务工记录编号（spell list 列出）")
    _payment_arguments(t, "县里另定的金额（默认按档次计算）")


def _payment_arguments(parser, amount_help: str) -> None:
    """The year, day and amount of a subsidy paid."""
    parser.add_argument("--year", required=True, type=int, metavar="YYYY", help="补助年度")
    parser.add_argument("--on", metavar="YYYY-MM-DD", help="发放日期（默认今天）")
    parser.add_argument("--amount", type=float, metavar="元", help=amount_help)


def _print_problems(problems) -> None:
    for p in problems:
        print(f"提示：{p.message}")


def _spell_line(s: dict) -> str:
    from .. import months

    span = f"{months.display(s['start_month'])}—{months.display(s.get('end_month')) or '至今'}"
    income = f"{s['monthly_income']:,.0f} 元/月" if s.get("monthly_income") is not None else ""
    parts = [s["id"][:8], span, s.get("place") or "（地点未填）", s.get("scope") or "", s.get("channel") or "",
             s.get("employer") or "", income]
    return "  ".join(p for p in parts if p)


def run_add(args, ctx) -> int:
    from .. import spells

    store = ctx.store
    m = member_named(ctx, args)
    given = {"end_month": args.end, "place": args.place, "channel": args.channel, "employer": args.employer,
             "industry": args.industry, "monthly_income": args.income, "point_to_point": args.point_to_point,
             "transport_subsidy": args.transport_subsidy, "note": args.note}
    row = spells.SpellRow(member_id=m["id"], start_month=args.start, province_hint=args.province,
                          **{k: v for k, v in given.items() if v is not None})
    result = spells.save_spells(store, [row])
    if not result.ok:
        raise CadreDeskError("；".join(p.message for _, p in result.errors) + "。没有保存")
    done = "已登记" if result.created else ("已修改" if result.updated else "没有变化：")
    spell = spells.get_spell(store, result.ids[0])
    print(f"{done} {m['name']} 的务工：{_spell_line({**spell, 'scope': _scope(store, spell)})}")
    _print_problems(p for _, p in result.warnings)
    return 0


def _scope(store, spell) -> str | None:
    from .. import gazetteer, spells

    home, aliases = spells.home_county(store)
    return gazetteer.scope(spell.get("county_code"), home, province_code=spell.get("province_code"),
                           home_aliases=aliases)


def run_list(args, ctx) -> int:
    from .. import spells

    store = ctx.store
    m = member_named(ctx, args)
    rows = spells.spells_of(store, m["id"])
    if args.json:
        keys = ("id", "start_month", "end_month", "place", "county_code", "province_code", "scope", "channel",
                "employer", "industry", "monthly_income", "point_to_point", "transport_subsidy", "offer_id", "note")
        print(json.dumps([{k: r.get(k) for k in keys} for r in rows], ensure_ascii=False, indent=1))
        return 0
    status = spells.employment_status_on(store, m["id"], dt.date.today())
    print(f"{m['name']}：{len(rows)} 段务工，本月{status or '就业状态未填'}")
    for r in rows:
        print(_spell_line(r))
    return 0


def run_end(args, ctx) -> int:
    from .. import months, spells

    store = ctx.store
    spell = spells.find_spell(store, args.spell_id)
    warnings = spells.end_spell(store, spell["id"], args.month)
    print(f"已结束务工 {spell['id'][:8]}：{months.display(spell['start_month'])}—"
          f"{months.display(months.parse(args.month))}")
    _print_problems(warnings)
    return 0


def run_delete(args, ctx) -> int:
    from .. import spells

    store = ctx.store
    spell = spells.find_spell(store, args.spell_id)
    spells.delete_spell(store, spell["id"])
    print(f"已删除务工记录 {spell['id'][:8]}（{spell.get('place') or ''}）")
    return 0


def run_yulu(args, ctx) -> int:
    from ..jobs import measures as jm

    store = ctx.store
    m = member_named(ctx, args)
    with problems_as_error():
        jm.add_yulu(store, m["id"], year=args.year, paid_on=parse_date(args.on), school=args.school,
                    amount_yuan=args.amount)
    paid = store.rows("SELECT amount_yuan FROM subsidies WHERE member_id = ? AND kind = ? AND deleted = 0 "
                      "ORDER BY created_at DESC LIMIT 1", [m["id"], jm.YULU])[0]["amount_yuan"]
    print(f"已登记 {m['name']} {args.year} 年雨露计划补助 {paid:,.2f} 元")
    return 0


def run_transport(args, ctx) -> int:
    from .. import spells
    from ..jobs import measures as jm

    store = ctx.store
    spell = spells.find_spell(store, args.spell_id)
    with problems_as_error():
        jm.add_transport_subsidy(store, spell["id"], year=args.year, paid_on=parse_date(args.on),
                                 amount_yuan=args.amount)
    paid = spells.get_spell(store, spell["id"])["transport_subsidy"]
    print(f"已登记 {args.year} 年一次性交通补助 {paid:,.2f} 元（{spell.get('place') or ''}）")
    return 0
