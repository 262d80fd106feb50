"""``cadre-desk work-stats`` (务工规模 by month, from the work spells),
``cadre-desk set-target`` (the year's target) and ``cadre-desk notice`` (the
public notice list of a subsidy, PDF or Excel)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ..errors import CadreDeskError
from .common import action, json_flag


def _year(text: str) -> int:
    try:
        year = int(str(text).strip().rstrip("年"))
    except ValueError:
        raise CadreDeskError(f"年份“{text}”无效，请写四位年份，例如 2026") from None
    if not 1900 < year < 2200:
        raise CadreDeskError(f"年份“{text}”无效，请写四位年份，例如 2026")
    return year


def register(sub) -> None:
    p = action(
        sub, "work-stats", run_work_stats, help="务工监测：按月统计务工规模（县内、省内县外、省外，分渠道，上年同月，年度目标）",
        description="按务工记录统计某年每个月的务工人数（每人每月只计一次），分县内、省内县外、省外和就业渠道，"
                    "并列出上年同月人数和年度目标。当年只统计到本月。")
    p.add_argument("--year", metavar="YYYY", help="统计年份（默认今年），如 2026")
    p.add_argument("--town", metavar="NAME", help="只统计这个乡镇（街道）")
    p.add_argument("--village", metavar="NAME", help="只统计这个行政村（可与 --town 同用以区分同名村）")
    json_flag(p, "输出一个 JSON 对象（供其他程序读取）")
    p.add_argument("--xlsx", metavar="OUT.xlsx", help="同时把统计表写成 Excel 工作簿（可打印存档）")

    p = action(
        sub, "work-ended", run_work_ended, help="务工结束后没有新务工记录的人员（帮扶干部的待办名单）",
        description="列出务工记录都已结束（最后一段的结束时间不晚于截止日期所在月）、又没有正在进行或之后开始的"
                    "务工记录的人员：村、户编号、姓名、最后一段务工的时间、地点和渠道、已有几个月、帮扶责任人。")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="截止日期（默认今天）")
    p.add_argument("--town", metavar="NAME", help="只看这个乡镇（街道）")
    p.add_argument("--village", metavar="NAME", help="只看这个行政村")
    json_flag(p, "输出 JSON（一个列表）")

    p = action(sub, "set-target", run_set_target, help="设定某年的务工规模目标（人）",
               description="设定全县某年的务工规模目标人数，work-stats 和务工监测页面按它计算目标完成情况。")
    p.add_argument("--year", required=True, metavar="YYYY", help="年份，如 2026")
    p.add_argument("people", metavar="N", help="目标人数；写 clear 清除这一年的目标")

    from ..notice import KINDS

    p = action(
        sub, "notice", run_notice, help="生成补贴发放公示名单（PDF 或 Excel）",
        description="按补贴类别和年度生成公示名单：乡镇、村、姓名、户编号（可隐去部分）、补贴类别、金额和期间，"
                    "公示期和公示单位。名单不含身份证号码、电话、银行账号和健康状况。"
                    f"类别：{'、'.join(KINDS)}。")
    p.add_argument("--kind", required=True, metavar="KIND", help=f"补贴类别：{' / '.join(KINDS)}")
    p.add_argument("--year", required=True, metavar="YYYY", help="发放年度，如 2026")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="输出文件：.pdf 或 .xlsx（按后缀）")
    p.add_argument("--format", choices=("pdf", "xlsx"), help="输出格式（默认按文件后缀）")
    p.add_argument("--town", metavar="NAME", help="只列这个乡镇（街道）的人")
    p.add_argument("--village", metavar="NAME", help="只列这个行政村的人（村内公示）")
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="公示开始日期（默认今天）")
    p.add_argument("--days", type=int, default=7, metavar="N", help="公示天数（默认 7 天）")
    p.add_argument("--issuer", metavar="TEXT", help="公示单位（默认为打印设置中的单位，如 临清市人力资源和社会保障局）")
    p.add_argument("--phone", metavar="TEXT", help="监督电话（默认取政策汇编中该类政策的咨询电话）")
    p.add_argument("--full-numbers", action="store_true", help="户编号完整显示（默认隐去中间几位）")


def run_work_stats(args, ctx) -> int:
    from .. import work_stats as ws
    from ..work_stats_workbook import export_monthly, scope_name

    year = _year(args.year) if args.year else dt.date.today().year
    store = ctx.store
    if args.xlsx:
        figures = export_monthly(store, Path(args.xlsx), year, town=args.town, village=args.village)
        from ..audit import record

        record(store, "export", {"what": "work-stats", "file": Path(args.xlsx).name, "year": year,
                                 "town": args.town, "village": args.village})
    else:
        figures = ws.monthly(store, year, town=args.town, village=args.village)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        print(format_table(figures, scope_name(store, args.town, args.village)))
        if args.xlsx:
            print(f"已写出 Excel：{args.xlsx}")
    return 0


def format_table(f: dict, scope: str) -> str:
    from .stats import _pad, _width

    head = ["月份", "务工人数", "县内", "省内县外", "省外", "上年同月"]
    rows = [[m["month"], *(f"{m[k]:,}" for k in ("total", "县内", "省内县外", "省外", "same_month_last_year"))]
            for m in f["months"]]
    widths = [max(_width(r[i]) for r in [head, *rows]) + 2 for i in range(len(head))]
    lines = [f"{scope} {f['year']}年务工规模（人）" + (f"，年度目标 {f['target']:,} 人" if f["target"] else ""),
             "-" * sum(widths)]
    def line(cells: list[str]) -> str:  # the month left, the numbers right-aligned
        return _pad(cells[0], widths[0]) + "".join(" " * (w - _width(c)) + c for c, w in zip(cells[1:], widths[1:]))

    lines.append(line(head))
    lines += [line(r) for r in rows]
    if not rows:
        lines.append(f"{f['year']}年还没有可统计的月份")
    return "\n".join(lines)


def run_work_ended(args, ctx) -> int:
    from .. import work_stats as ws
    from .stats import _pad, _width, parse_date

    as_of = parse_date(args.as_of)
    rows = ws.ended_without_new(ctx.store, as_of, town=args.town, village=args.village)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    head = ["乡镇", "行政村", "户编号", "姓名", "最后务工", "地点", "渠道", "已有月数", "帮扶责任人"]
    table = [[r["town"] or "", r["village"] or "", r["household_number"] or "", r["name"] or "",
              f"{r['start_month']}至{r['end_month']}", r["place"] or "", r["channel"] or "", str(r["idle_months"]),
              r["cadre"] or ""] for r in rows]
    print(f"务工结束后没有新务工记录的人员（截至 {as_of.isoformat()}）：{len(rows)} 人")
    if table:
        widths = [max(_width(x[i]) for x in [head, *table]) + 2 for i in range(len(head))]
        print("".join(_pad(h, w) for h, w in zip(head, widths)))
        for r in table:
            print("".join(_pad(c, w) for c, w in zip(r, widths)))
    return 0


def run_set_target(args, ctx) -> int:
    from .. import work_stats as ws

    year = _year(args.year)
    store = ctx.store
    if str(args.people).strip().lower() in ("clear", "none", "清除"):
        store.set_setting(ws.TARGET_SETTING.format(year=year), None)
        print(f"已清除 {year} 年的务工规模目标")
        return 0
    try:
        people = int(str(args.people).replace(",", "").replace("，", "").strip())
    except ValueError:
        raise CadreDeskError(f"目标人数“{args.people}”无效，请写整数，例如 52000") from None
    ws.set_target(store, year, people)
    print(f"已设定 {year} 年务工规模目标：{people:,} 人")
    return 0


def run_notice(args, ctx) -> int:
    from .. import notice

    store = ctx.store
    year = _year(args.year)
    path = Path(args.output)
    fmt = args.format or path.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "xlsx"):
        raise CadreDeskError(f"输出文件“{args.output}”应以 .pdf 或 .xlsx 结尾（或用 --format 指定）")
    if path.suffix.lower() != f".{fmt}":
        raise CadreDeskError(f"输出文件“{path.name}”与格式 {fmt} 不符，请改成 {path.stem}.{fmt}")
    start = dt.date.today()
    if args.start:
        try:
            start = dt.date.fromisoformat(args.start.strip())
        except ValueError:
            raise CadreDeskError(f"日期“{args.start}”无效，请按 YYYY-MM-DD 填写，例如 2026-12-02") from None
    if not 1 <= args.days <= 60:
        raise CadreDeskError(f"公示天数应在 1 到 60 之间，现为 {args.days}")
    data = notice.collect(store, args.kind, year, town=args.town, village=args.village, start=start,
                          days=args.days, issuer=args.issuer, phone=args.phone, mask_numbers=not args.full_numbers)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "pdf":
        pages = notice.write_pdf(data, path)
        what = f"{pages} 页"
    else:
        notice.write_xlsx(data, path)
        what = "Excel"
    from ..audit import record

    record(store, "print", {"what": "notice", "kind": data.kind, "year": year, "file": path.name,
                            "town": args.town, "village": args.village}, people=len(data.rows))
    print(f"已生成{data.kind}公示名单（{len(data.rows)} 人，合计 {data.total_text} 元，{what}）：{path}")
    return 0
