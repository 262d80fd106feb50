"""The 务工监测 figures as a workbook (``work-stats --xlsx``, the window's
export): sheet 务工规模 (each month's people working by place, the same month
last year, the target), sheet 分渠道 (by 就业渠道) and, per town or village,
the month's workers by area; titled, dated and signed by the office. The
figures themselves are ``work_stats``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import places
from .storage import Store
from .codes import code_list
from .work_stats import IN_COUNTY, IN_PROVINCE, OUT_OF_PROVINCE, PLACE_UNKNOWN, monthly, workers_by_area


def scope_name(store: Store, town: str | None, village: str | None) -> str:
    name = places.county(store)["name"]
    if town:
        name += places.town_by_name(store, town)["name"] if places.town_by_name(store, town) else town
    if village:
        name += village.strip()
    return name


def _issuer(store: Store) -> str:
    from .printing.handbook import issuer_of

    return issuer_of(store, places.county(store)["name"])


def export_monthly(store: Store, path, year: int, *, town: str | None = None, village: str | None = None,
                   today: dt.date | None = None) -> dict[str, Any]:
    """The ``monthly`` figures as a workbook to file (.xlsx): sheet 务工规模
    (each month's people working, 县内 / 省内县外 / 省外, the same month last year
    and the change, the target and how far it is reached), sheet 分渠道 (each
    month by 就业渠道), titled, dated and signed by the office, printed A4
    landscape on one page width. Returns the figures."""
    from pathlib import Path

    from .xlsx import close_workbook, open_workbook, print_setup, text_width

    figures = monthly(store, year, town=town, village=village, today=today)
    scope = scope_name(store, town, village)
    path = Path(path)
    wb = open_workbook(path)
    f_title = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    f_sub = wb.add_format({"font_size": 10, "align": "left"})
    f_sub_r = wb.add_format({"font_size": 10, "align": "right"})
    f_head = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1, "text_wrap": True,
                            "bg_color": "#DDEBF7"})
    f_cell = wb.add_format({"border": 1, "align": "center", "num_format": "#,##0"})
    f_month = wb.add_format({"border": 1, "align": "center"})
    f_pct = wb.add_format({"border": 1, "align": "center", "num_format": "0.0%"})
    f_signed = wb.add_format({"border": 1, "align": "center", "num_format": "+#,##0;-#,##0;0"})
    f_note = wb.add_format({"font_size": 9, "text_wrap": True, "valign": "top"})
    made = (today or dt.date.today())

    ws = wb.add_worksheet("务工规模")
    unknown = sum(m.get(PLACE_UNKNOWN, 0) for m in figures["months"])
    places_ = [IN_COUNTY, IN_PROVINCE, OUT_OF_PROVINCE, *([PLACE_UNKNOWN] if unknown else [])]
    headers = ["月份", "务工人数", *places_, "上年同月", "同比增减", "同比增长", "年度目标", "目标完成"]
    widths = [11, 10, *([10] * len(places_)), 10, 10, 10, 10, 10]
    for col, w in enumerate(widths):
        ws.set_column(col, col, w)
    last = len(headers) - 1
    ws.merge_range(0, 0, 0, last, f"{scope}{figures['year']}年务工规模月度统计表", f_title)
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, 5, f"统计范围：{scope}    单位：人", f_sub)
    ws.merge_range(1, 6, 1, last, f"制表日期：{made.year}年{made.month}月{made.day}日", f_sub_r)
    ws.set_row(2, 30)
    ws.write_row(2, 0, headers, f_head)
    goal = figures["target"]
    row = 3
    c = 2 + len(places_)  # the column of 上年同月
    for m in figures["months"]:
        y, mo = m["month"].split("-")
        ws.write_string(row, 0, f"{y}年{int(mo)}月", f_month)
        for col, key in enumerate(("total", *places_, "same_month_last_year"), 1):
            ws.write_number(row, col, m.get(key, 0), f_cell)
        ws.write_number(row, c + 1, m["total"] - m["same_month_last_year"], f_signed)
        if m["same_month_last_year"]:
            ws.write_number(row, c + 2, m["total"] / m["same_month_last_year"] - 1, f_pct)
        else:
            ws.write_string(row, c + 2, "—", f_month)
        if goal:
            ws.write_number(row, c + 3, goal, f_cell)
            ws.write_number(row, c + 4, m["total"] / goal, f_pct)
        else:
            ws.write_string(row, c + 3, "未设定", f_month)
            ws.write_string(row, c + 4, "—", f_month)
        row += 1
    if not figures["months"]:
        ws.merge_range(row, 0, row, last, f"{figures['year']}年还没有可统计的月份", f_month)
        row += 1
    notes = [
        "说明：1. 务工人数为当月有务工记录（开始时间不晚于当月、结束时间为空或不早于当月）的人数，每人只计一次；"
        "同一人当月有两段务工记录重叠的，按开始时间较晚的一段计算务工地点和就业渠道。",
        "2. 县内、省内县外、省外按务工所在县的行政区划代码与本县比较确定。"
        + ("“地点不详”为务工所在县没有填写或无法确定的人数，计入务工人数，请补填务工所在县。" if unknown else ""),
        "3. 上年同月按同样口径统计；年度目标为县就业办设定的全年务工规模目标人数，目标完成为当月务工人数占年度目标的比例"
        + ("，乡镇、村的统计表不列目标。" if (town or village) else "。"),
    ]
    row += 1
    usable = sum(widths) - 2
    for text in notes:
        ws.merge_range(row, 0, row, last, text, f_note)
        ws.set_row(row, 13 * (text_width(text) * 9 // 11 // usable + 1) + 4)  # 9-point text
        row += 1
    row += 1
    ws.merge_range(row, 0, row, 4, "制表人：", f_sub)
    ws.merge_range(row, 5, row, last, f"制表单位：{_issuer(store)}", f_sub)
    print_setup(ws, header_rows=3)
    ws.hide_gridlines(2)  # a finished table: its own borders, no grid around the notes

    ws2 = wb.add_worksheet("分渠道")
    channels: list[str] = []
    for m in figures["months"]:
        for ch in m["by_channel"]:
            if ch not in channels:
                channels.append(ch)
    if not channels:
        channels = list(code_list("employment_channel").values)
    last2 = len(channels) + 1
    ws2.set_column(0, 0, 11)
    ws2.set_column(1, last2, 10)
    ws2.merge_range(0, 0, 0, last2, f"{scope}{figures['year']}年务工人员分就业渠道统计表", f_title)
    ws2.set_row(0, 30)
    ws2.merge_range(1, 0, 1, last2, f"统计范围：{scope}    单位：人", f_sub)
    ws2.set_row(2, 30)
    ws2.write_row(2, 0, ["月份", "务工人数", *channels], f_head)
    row = 3
    for m in figures["months"]:
        y, mo = m["month"].split("-")
        ws2.write_string(row, 0, f"{y}年{int(mo)}月", f_month)
        ws2.write_number(row, 1, m["total"], f_cell)
        for col, ch in enumerate(channels, 2):
            ws2.write_number(row, col, m["by_channel"].get(ch, 0), f_cell)
        row += 1
    row += 1
    ws2.merge_range(row, 0, row, last2, "说明：就业渠道取当月计算地点所用的那段务工记录；未填写就业渠道的列为“未填写”。",
                    f_note)
    print_setup(ws2, header_rows=3)
    ws2.hide_gridlines(2)
    if figures["months"] and not village:
        _area_sheet(wb, store, figures["months"][-1]["month"], town, scope,
                    (f_title, f_sub, f_head, f_cell, f_month, f_note))
    close_workbook(wb, path)
    return figures


def _area_sheet(wb, store: Store, month: str, town: str | None, scope: str, formats) -> None:
    """Sheet 分乡镇 (or 分村 for a town): the last month's figures per town or village."""
    from .xlsx import print_setup

    f_title, f_sub, f_head, f_cell, f_month, f_note = formats
    day = dt.date(int(month[:4]), int(month[5:7]), 1)
    rows = workers_by_area(store, day, town=town)
    unit = "村" if town else "乡镇"
    ws = wb.add_worksheet(f"分{unit}")
    unknown = any(r.get(PLACE_UNKNOWN) for r in rows)
    headers = ["乡镇（街道）", *(["行政村"] if town else []), "务工人数", "县内", "省内县外", "省外",
               *([PLACE_UNKNOWN] if unknown else [])]
    last = len(headers) - 1
    ws.set_column(0, last, 12)
    ws.merge_range(0, 0, 0, last, f"{scope}{int(month[:4])}年{int(month[5:])}月务工规模分{unit}统计表", f_title)
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, last, f"统计范围：{scope}    单位：人", f_sub)
    ws.write_row(2, 0, headers, f_head)
    keys = ["total", IN_COUNTY, IN_PROVINCE, OUT_OF_PROVINCE, *([PLACE_UNKNOWN] if unknown else [])]
    row = 3
    for r in rows:
        names = [r["town"], *([r["village"]] if town else [])]
        for col, name in enumerate(names):
            ws.write_string(row, col, name or "", f_month)
        for col, key in enumerate(keys, len(names)):
            ws.write_number(row, col, r.get(key, 0), f_cell)
        row += 1
    names_n = 2 if town else 1
    ws.merge_range(row, 0, row, names_n - 1, "合计", f_month) if names_n > 1 else ws.write_string(row, 0, "合计",
                                                                                                   f_month)
    for col, key in enumerate(keys, names_n):
        ws.write_number(row, col, sum(r.get(key, 0) for r in rows), f_cell)
    ws.merge_range(row + 2, 0, row + 2, last, f"说明：按{int(month[5:])}月的务工记录统计，口径同“务工规模”表。", f_note)
    print_setup(ws, header_rows=3, landscape=False)
    ws.hide_gridlines(2)

