"""Job commands: openings (Excel in and out, list), recommendations, offer
outcomes, applications, assistance measures, subsidies, and the not-employed
list / progress workbook. See docs/jobs.md."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from ..errors import CadreDeskError, ImportFailed
from ..idnumber import mask_id
from .common import action, id_number, json_flag, member_named


def _date(text: str | None, *, default_today: bool = True) -> dt.date | None:
    if text is None:
        return dt.date.today() if default_today else None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CadreDeskError(f"日期“{text}”无效，请按 YYYY-MM-DD 填写，例如 2020-05-01") from None


def _parser(sub, name, handler, help_, description=None):
    return action(sub, name, handler, help=help_, description=description or help_)


def register(sub) -> None:  # noqa: C901 - one place that lists the commands
    p = _parser(sub, "import-openings", run_import, "从 Excel 导入岗位（有错误时一个也不导入，并列出每个错误行）")
    p.add_argument("file", metavar="FILE.xlsx", help="岗位表（格式同 export-openings 导出的表）")

    p = _parser(sub, "export-openings", run_export, "把全部岗位导出为 Excel（可改后再导入）")
    p.add_argument("out", metavar="OUT.xlsx", help="输出文件")

    p = _parser(sub, "openings", run_openings, "列出岗位（编号、企业、渠道、地点、工资、名额）")
    json_flag(p)

    p = _parser(sub, "recommend", run_recommend, "为一名成员推荐三个最合适的岗位",
                "按硬性条件（劳动技能、年龄、文化程度、居家、可接受地点、残疾人适宜、有效期、名额）筛选岗位，"
                "再按就业意愿、技能、期望收入、距离和剩余名额打分，给出前三个岗位和理由。默认不保存。")
    id_number(p)
    json_flag(p)
    p.add_argument("--record", action="store_true", help="保存这次推荐（之后可跟踪每个岗位的结果）")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="按哪一天判断有效期和年龄（默认今天）")
    p.add_argument("--repeat", action="store_true", help="允许再次推荐上次已推荐过的岗位")

    p = _parser(sub, "offers", run_offers, "列出一名成员历次推荐的岗位及其状态（含推荐编号）")
    id_number(p)
    json_flag(p)

    p = _parser(sub, "offer-status", run_offer_status, "更新推荐岗位的状态：推荐→联系→面试→录用/未录用→在岗/离岗")
    p.add_argument("offer_id", metavar="OFFER_ID", help="推荐编号（cadre-desk offers 列出，写前 8 位即可）")
    p.add_argument("status", metavar="STATUS", help="新状态：联系、面试、录用、未录用、在岗、离岗")
    p.add_argument("--reason", help="原因（未录用时必填）")
    p.add_argument("--on", metavar="YYYY-MM-DD", help="日期（默认今天）")

    p = _parser(sub, "apply", run_apply, "登记成员的岗位申请")
    id_number(p)
    p.add_argument("opening_id", metavar="OPENING_ID", help="岗位编号（cadre-desk openings 列出，写前 8 位即可）")
    p.add_argument("--on", metavar="YYYY-MM-DD", help="申请日期（默认今天）")
    p.add_argument("--note", help="备注")

    p = _parser(sub, "training", run_training, "登记培训（项目、日期、是否结业、证书）")
    id_number(p)
    p.add_argument("--course", required=True, help="培训项目，如 缝纫工培训")
    p.add_argument("--start", required=True, metavar="YYYY-MM-DD", help="开始日期")
    p.add_argument("--end", metavar="YYYY-MM-DD", help="结束日期")
    p.add_argument("--completed", action="store_true", help="已结业")
    p.add_argument("--certificate", help="证书名称或编号")

    p = _parser(sub, "self-employ", run_self_employ, "登记自主创业（成员改为已就业：自主创业）")
    id_number(p)
    p.add_argument("--business", required=True, help="创业项目，如 蔬菜大棚")
    p.add_argument("--start", required=True, metavar="YYYY-MM-DD", help="开始日期")
    p.add_argument("--employs", type=int, default=0, metavar="N", help="带动就业人数（默认 0）")

    p = _parser(sub, "set-employs", run_set_employs, "修改一项自主创业的带动就业人数（成员的带动就业人数随之更新）")
    p.add_argument("measure_id", metavar="MEASURE_ID", help="措施编号（cadre-desk measures 列出）")
    p.add_argument("employs", type=int, metavar="N", help="带动就业人数")

    p = _parser(sub, "welfare-post", run_welfare_post, "安排公益性岗位（成员改为已就业：公益性岗位）")
    id_number(p)
    p.add_argument("--post", required=True, help="岗位名称，如 村保洁员")
    p.add_argument("--start", required=True, metavar="YYYY-MM-DD", help="上岗日期")
    p.add_argument("--months", required=True, type=int, help="聘用月数")

    p = _parser(sub, "pay-subsidy", run_pay_subsidy, "登记一笔补贴发放（公益性岗位补贴、一次性创业补贴、交通补贴、培训补贴等）")
    p.add_argument("--kind", required=True, help="补贴类型，如 公益性岗位补贴")
    p.add_argument("--amount", required=True, type=float, help="金额（元）")
    p.add_argument("--on", required=True, metavar="YYYY-MM-DD", help="发放日期")
    p.add_argument("--id-number", metavar="ID_NUMBER", help="领取补贴的成员证件号码")
    p.add_argument("--to", help="领取人或单位（发给企业等时填写）")
    p.add_argument("--note", help="备注")

    p = _parser(sub, "measures", run_measures, "列出一名成员的帮扶措施、补贴、岗位申请")
    id_number(p)

    for name, handler, help_ in (("not-employed", run_not_employed, "列出劳动年龄内有劳动能力但尚未就业的人员"),
                                 ("export-progress", run_export_progress, "把进度统计和未就业人员名单导出为 Excel")):
        p = _parser(sub, name, handler, help_)
        if name == "export-progress":
            p.add_argument("out", metavar="OUT.xlsx", help="输出文件")
            p.add_argument("--mask-ids", action="store_true",
                           help="证件号码只显示前 6 位和后 4 位（默认就是这样，保留此参数以兼容旧脚本）")
            p.add_argument("--full-ids", action="store_true", help="写出完整的证件号码（默认只显示前 6 位和后 4 位）")
        else:
            json_flag(p)
        p.add_argument("--as-of", metavar="YYYY-MM-DD", help="截止日期（默认今天）")
        p.add_argument("--town", metavar="NAME", help="只看这个乡镇（街道）")
        p.add_argument("--village", metavar="NAME", help="只看这个行政村")


# ---------------------------------------------------------------- handlers

def run_import(args, ctx) -> int:
    from ..jobs import openings as jo
    try:
        result = jo.import_openings(ctx.store, args.file)
    except ImportFailed as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        raise
    print(f"导入完成：新增 {result['added']} 个岗位，更新 {result['updated']} 个岗位")
    return 0


def run_export(args, ctx) -> int:
    from ..jobs import openings as jo
    n = jo.export_openings(ctx.store, args.out)
    from ..audit import record

    record(ctx.store, "export", {"what": "openings", "file": Path(args.out).name})
    print(f"已导出 {n} 个岗位到 {args.out}")
    return 0


def run_openings(args, ctx) -> int:
    from ..jobs import openings as jo
    rows = jo.list_openings(ctx.store)
    if args.json:
        keep = ("id", "title", "employer", "route", "town_name", "village_name", "county_code", "province_code",
                "pay", "pay_unit", "monthly_pay", "places", "filled", "valid_from", "valid_until")
        print(json.dumps([{k: r.get(k) for k in keep} for r in rows], ensure_ascii=False))
        return 0
    if not rows:
        print("还没有岗位。请用 cadre-desk import-openings 导入，或在程序的“岗位”页添加")
    for r in rows:
        places = f"{r['filled']}/{r['places']}" if r.get("places") is not None else f"{r['filled']}/不限"
        until = f" 至 {r['valid_until']}" if r.get("valid_until") else ""
        print(f"{r['id'][:8]}  {r.get('employer') or ''} {r['title']}  [{r['route']}]  {jo.place_label(r)}  "
              f"{jo.pay_label(r)}  名额 {places}{until}")
    return 0


def run_recommend(args, ctx) -> int:
    from ..jobs import outcomes as jout
    from ..jobs.matching import recommend
    store = ctx.store
    member = member_named(ctx, args)
    rec = recommend(store, member, as_of=_date(args.as_of), repeat=args.repeat)
    rec_id = jout.record_recommendation(store, rec) if args.record else None
    if args.json:
        print(json.dumps(rec.as_json(), ensure_ascii=False))
        return 0
    print(f"{rec.name}（{mask_id(rec.id_number)}）岗位推荐，截至 {rec.as_of}")
    for i, o in enumerate(rec.offers, start=1):
        print(f"{i}. {o.opening} — {o.employer}（{o.route}，{o.place}）")
        print(f"   理由：{o.reason}")
    print(f"说明：{rec.note}")
    if rec_id:
        print("已保存这次推荐。用 cadre-desk offers 证件号码 查看推荐编号，用 offer-status 更新结果")
    return 0


def run_offers(args, ctx) -> int:
    from ..jobs import outcomes as jout
    member = member_named(ctx, args)
    rows = jout.offers_of(ctx.store, member["id"])
    if args.json:
        keep = ("id", "recommended_on", "rank", "opening", "employer", "route", "reason", "status",
                "status_reason", "status_on")
        print(json.dumps([{k: r.get(k) for k in keep} for r in rows], ensure_ascii=False))
        return 0
    if not rows:
        print(f"{member['name']} 还没有保存过的推荐。用 cadre-desk recommend 证件号码 --record 保存推荐")
    for r in rows:
        why = f"（{r['status_reason']}）" if r.get("status_reason") else ""
        print(f"{r['id'][:8]}  {r['recommended_on']} 第{r['rank']}位  {r.get('employer') or ''} {r['opening']}  "
              f"{r['status']}{why} {r.get('status_on') or ''}")
    return 0


def run_offer_status(args, ctx) -> int:
    from ..jobs import outcomes as jout
    offer = jout.find_offer(ctx.store, args.offer_id)
    jout.set_offer_status(ctx.store, offer["id"], args.status, reason=args.reason, on=_date(args.on))
    extra = "；成员已改为已就业" if args.status.strip() == "录用" else ""
    print(f"{offer['member_name']} 的推荐岗位“{offer['opening']}”：{offer['status']} → {args.status.strip()}{extra}")
    return 0


def run_apply(args, ctx) -> int:
    from ..jobs import openings as jo
    from ..jobs import outcomes as jout
    member = member_named(ctx, args)
    opening = jo.find_opening(ctx.store, args.opening_id)
    jout.apply_for(ctx.store, member["id"], opening["id"], on=_date(args.on), note=args.note)
    print(f"已登记：{member['name']} 申请 {opening.get('employer') or ''} {opening['title']}")
    return 0


def run_training(args, ctx) -> int:
    from ..jobs import measures as jm
    member = member_named(ctx, args)
    jm.add_training(ctx.store, member["id"], course=args.course, start=_date(args.start),
                    end=_date(args.end, default_today=False), completed=args.completed, certificate=args.certificate)
    print(f"已登记 {member['name']} 的培训：{args.course}")
    return 0


def run_self_employ(args, ctx) -> int:
    from ..jobs import measures as jm
    member = member_named(ctx, args)
    jm.add_self_employment(ctx.store, member["id"], business=args.business, start=_date(args.start),
                           people_employed=args.employs)
    print(f"已登记 {member['name']} 自主创业：{args.business}，带动就业 {args.employs} 人")
    return 0


def run_set_employs(args, ctx) -> int:
    from ..jobs import measures as jm
    measure_id = ctx.store.id_by_prefix("measures", args.measure_id, what="措施",
                                        listing="cadre-desk measures 证件号码")
    jm.set_people_employed(ctx.store, measure_id, args.employs)
    print(f"带动就业人数已改为 {args.employs}")
    return 0


def run_welfare_post(args, ctx) -> int:
    from ..jobs import measures as jm
    member = member_named(ctx, args)
    jm.add_public_welfare_post(ctx.store, member["id"], post=args.post, start=_date(args.start), months=args.months)
    print(f"已安排 {member['name']} 公益性岗位：{args.post}，{args.months} 个月")
    return 0


def run_pay_subsidy(args, ctx) -> int:
    from ..jobs import measures as jm
    member = member_named(ctx, args) if args.id_number else None
    jm.pay_subsidy(ctx.store, kind=args.kind, amount_yuan=args.amount, paid_on=_date(args.on),
                   paid_to=args.to or (member["name"] if member else None),
                   member_id=member["id"] if member else None, note=args.note)
    print(f"已登记补贴：{args.kind} {args.amount:,.2f} 元")
    return 0


def run_measures(args, ctx) -> int:
    from ..jobs import measures as jm
    from ..jobs import outcomes as jout
    member = member_named(ctx, args)
    store = ctx.store
    print(f"{member['name']}（{mask_id(member['id_number'])}）")
    for m in jm.measures_of(store, member["id"]):
        detail = {"培训": f"{'已结业' if m['completed'] else '未结业'}{('，证书 ' + m['certificate']) if m['certificate'] else ''}",
                  "自主创业": f"带动就业 {m['people_employed'] or 0} 人",
                  "公益性岗位": f"{m['months']} 个月，至 {m['end_date']}"}.get(m["kind"], "")
        print(f"{m['id'][:8]}  {m['kind']}  {m['title']}  {m['start_date'] or ''}  {detail}")
    for s in jm.subsidies_of(store, member["id"]):
        print(f"补贴  {s['kind']}  {s['amount_yuan']:,.2f} 元  {s['paid_on']}  {s['paid_to'] or ''}")
    for a in jout.applications_of(store, member["id"]):
        print(f"岗位申请  {a['applied_on']}  {a.get('employer') or ''} {a.get('opening') or ''}")
    return 0


def run_not_employed(args, ctx) -> int:
    from ..jobs.progress import not_employed
    rows = not_employed(ctx.store, _date(args.as_of), town=args.town, village=args.village)
    if args.json:
        keep = ("id_number", "name", "sex", "age", "town", "village", "household_number", "labour_ability",
                "job_intention", "last_recommended")
        print(json.dumps([{k: r.get(k) for k in keep} for r in rows], ensure_ascii=False))
        return 0
    for r in rows:
        print(f"{r['town']} {r['village']} {r['household_number']} {r['name']} {mask_id(r['id_number'])} "
              f"{r['age']}岁 {r['labour_ability']} {r.get('job_intention') or '意愿未填'}")
    print(f"共 {len(rows)} 人尚未就业")
    return 0


def run_export_progress(args, ctx) -> int:
    from .. import exports
    figures = exports.progress(ctx.store, args.out, _date(args.as_of), town=args.town, village=args.village,
                               full=args.full_ids)
    print(f"已导出到 {args.out}：劳动年龄内有劳动能力 {figures['working_age_able']} 人，已就业 {figures['employed']} 人，"
          f"未就业名单 {figures['not_employed']} 人")
    return 0
