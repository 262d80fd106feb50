"""Small helpers for roster tests: valid ID numbers and workbooks written with
XlsxWriter the way county offices send them (title row, notes row, IDs typed
as numbers when asked)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import xlsxwriter

from cadre_desk.idnumber import check_character, is_valid, parse_id_number

HEADERS = ["序号", "县(市、区)", "乡镇", "行政村", "户编号", "户主姓名", "成员姓名", "身份证号码", "性别",
           "与户主关系", "民族", "文化程度", "在校生状况", "健康状况", "残疾类别", "残疾等级", "劳动能力",
           "务工状况", "务工时间（月）", "贫困户属性", "主要致贫原因", "脱贫状态", "联系电话", "帮扶责任人",
           "技能特长", "就业意愿", "不能外出原因", "培训需求", "就业状态", "就业渠道", "就业单位", "带动就业人数",
           "备注"]


def make_id(birth: str, seq: int, area: str = "371581") -> str:
    """A valid 18-digit ID number born on ``birth`` (YYYYMMDD); odd ``seq`` is male."""
    body = f"{area}{birth}{seq:03d}"
    return body + check_character(body)


def member(number: str, name: str, id_number: Any, *, relation: str = "户主", town: str = "烟店镇",
           village: str = "程小集村", head: str | None = None, **extra: Any) -> dict:
    """One roster row as {header: value}; household columns repeat per member."""
    sex = parse_id_number(id_number).sex if is_valid(id_number) else ""
    row = {"县(市、区)": "临清市", "乡镇": town, "行政村": village, "户编号": number, "户主姓名": head or name,
           "成员姓名": name, "身份证号码": id_number, "性别": sex, "与户主关系": relation, "民族": "汉族",
           "文化程度": "初中", "在校生状况": "非在校生", "健康状况": "健康", "劳动能力": "普通劳动力",
           "贫困户属性": "一般贫困户", "主要致贫原因": "因病", "脱贫状态": "已脱贫（享受政策）",
           "联系电话": "13905350001", "帮扶责任人": "刘玉哲"}
    row.update(extra)
    return row


def family(number: str = "37158110900100001", **kw: Any) -> list[dict]:
    """A household of three: head, spouse, son."""
    head = kw.pop("head_name", "张建国")
    n = int(number[-2:]) * 10  # different households get different ID numbers
    return [
        member(number, head, make_id("19700312", n + 1), head=head, **kw),
        member(number, "李秀英", make_id("19720508", n + 2), relation="配偶", head=head, **kw),
        member(number, "张伟", make_id("19980101", n + 3), relation="之子", head=head, **kw),
    ]


def write_roster(path: Path, rows: list[dict], *, headers: list[str] | None = None,
                 title: str | None = "临清市建档立卡贫困人口花名册", notes: str | None = "填表说明：本表由就业办汇总。",
                 sheet: str = "花名册", numeric_ids: bool = False, extra_sheets: dict | None = None) -> Path:
    """Write ``rows`` ({header: value}) under ``headers``; a merged title row
    above and a notes row (after one blank row) below, as real exports have.
    With ``numeric_ids`` the ID column is typed as numbers (Excel's float
    corruption)."""
    headers = headers or HEADERS
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    r = 0
    if title:
        ws.merge_range(0, 0, 0, len(headers) - 1, title)
        r = 1
    for c, h in enumerate(headers):
        ws.write_string(r, c, h)
    for i, row in enumerate(rows, start=1):
        r += 1
        for c, h in enumerate(headers):
            value = i if h == "序号" else row.get(h)
            if value is None or value == "":
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.write_number(r, c, value)
            elif isinstance(value, dt.date):  # a cell Excel typed as a date
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            elif numeric_ids and h in ("身份证号码", "证件号码") and str(value).isdigit():
                ws.write_number(r, c, int(value))
            else:
                ws.write_string(r, c, str(value))
    if notes:
        ws.write_string(r + 2, 0, notes)
    for name, cells in (extra_sheets or {}).items():
        other = wb.add_worksheet(name)
        for rr, line in enumerate(cells):
            for c, v in enumerate(line):
                other.write(rr, c, v)
    wb.close()
    return path


def snapshot(store) -> dict[str, list]:
    """Every row of every table (ordered), to prove a failed import changed nothing."""
    tables = [r["name"] for r in store.rows(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")]
    return {t: sorted(store.rows(f"SELECT * FROM [{t}]"), key=repr) for t in tables}
