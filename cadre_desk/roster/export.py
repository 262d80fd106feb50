"""Write the register as a roster workbook (花名册, domain.md §10), and write
the problem list of an import as a workbook.

The export uses the canonical header names of ``columns`` and every
questionnaire field, ID numbers and household numbers as text cells and
several values joined with 、, so that importing the file into an empty
database gives back every household and member field. Columns an earlier
import kept aside (``members.roster_extra``) are written after the known ones.
XlsxWriter's ``constant_memory`` mode writes row by row, so a county of
100,000 people is exported without holding the sheet in memory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


from .. import places
from ..errors import CadreDeskError
from ..questionnaire import display
from ..storage import Store
from ..values import from_storage
from ..xlsx import close_workbook, open_workbook
from .columns import CADRE, COUNTY, IGNORED_HEADERS, SEX, TOWN, VILLAGE, Column, roster_format

SHEET_NAME = "花名册"
_RELATION_ORDER = "CASE m.relation WHEN '户主' THEN 0 WHEN '配偶' THEN 1 ELSE 2 END"
_WIDE = {"户编号": 20, "证件号码": 21, "户主证件号码": 21, "就业单位": 24, "务工企业名称": 24}


def _column_sql(col: Column) -> str:
    if col.field is not None:
        table = "h" if col.field.level == "household" else "m"
        return f"{table}.[{col.field.key}]"
    return {
        COUNTY: "c.name", TOWN: "t.name", VILLAGE: "v.name", SEX: "m.sex",
        CADRE: ("(SELECT cd.name FROM pairings p JOIN cadres cd ON cd.id = p.cadre_id "
                "WHERE p.household_id = h.id AND p.deleted = 0 AND p.until IS NULL "
                "ORDER BY p.since DESC LIMIT 1)"),
    }[col.key]


def _scope(store: Store, town: str | None, village: str | None) -> tuple[str, list]:
    if not town and not village:
        return "", []
    ids = [v["id"] for v in places.find_villages(store, town=town, village=village)]
    if not ids:
        return " AND 0", []
    return f" AND h.village_id IN ({', '.join('?' * len(ids))})", ids


def _cell(col: Column, stored: Any) -> Any:
    """The value for the sheet: numbers stay numbers, everything else is text."""
    if stored is None:
        return None
    fld = col.field
    if fld is None:
        return str(stored)
    value = from_storage(fld, stored)
    if fld.type in ("int", "number") and isinstance(value, (int, float)):
        return value
    return display(fld, value)


def export_roster(store: Store, path: str | Path, *, town: str | None = None,
                  village: str | None = None) -> int:
    """Write the members (of one town or village, or all) to ``path``; return how many."""
    path = Path(path)
    fmt = roster_format(store.questionnaire)
    where, params = _scope(store, town, village)
    joins = ("JOIN households h ON h.id = m.household_id JOIN villages v ON v.id = h.village_id "
             "JOIN towns t ON t.id = v.town_id JOIN counties c ON c.id = t.county_id")
    live = f"m.deleted = 0 AND h.deleted = 0{where}"
    extra_headers = [r["key"] for r in store.rows(
        f"SELECT j.key AS key, MIN(m.rowid) AS first FROM members m {joins}, json_each(m.roster_extra) j "
        f"WHERE {live} AND json_valid(m.roster_extra) GROUP BY j.key ORDER BY first", params)]
    columns = list(fmt.columns)
    known = {c.header for c in columns} | set(IGNORED_HEADERS)
    extra_headers = [h for h in extra_headers if h not in known]

    if not path.parent.exists():
        raise CadreDeskError(f"文件夹 {path.parent} 不存在，请先创建它或换一个保存位置")
    workbook = open_workbook(path, {"constant_memory": True})
    sheet = workbook.add_worksheet(SHEET_NAME)
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                "align": "center", "valign": "vcenter"})
    text = workbook.add_format({"num_format": "@"})
    headers = [IGNORED_HEADERS[0], *(c.header for c in columns), *extra_headers]
    sheet.set_column(0, 0, 6)
    for i, h in enumerate(headers[1:], start=1):
        sheet.set_column(i, i, _WIDE.get(h, max(8, min(16, len(h) * 2 + 2))), text)
    sheet.freeze_panes(1, 0)
    for i, h in enumerate(headers):
        sheet.write_string(0, i, h, head)

    select = ", ".join(_column_sql(c) for c in columns)
    sql = (f"SELECT {select}, m.roster_extra FROM members m {joins} WHERE {live} "
           f"ORDER BY t.code, v.code, h.number, {_RELATION_ORDER}, m.birth_date, m.rowid")
    count = 0
    cursor = store.db.execute(sql, params)
    for record in cursor:
        count += 1
        sheet.write_number(count, 0, count)
        for i, (col, stored) in enumerate(zip(columns, record), start=1):
            value = _cell(col, stored)
            if value is None or value == "":
                continue
            if isinstance(value, (int, float)):
                sheet.write_number(count, i, value)
            else:
                sheet.write_string(count, i, value)
        extras = record[len(columns)]
        if extras and extra_headers:
            kept = json.loads(extras)
            for j, h in enumerate(extra_headers, start=1 + len(columns)):
                if kept.get(h) not in (None, ""):
                    sheet.write_string(count, j, str(kept[h]))
    sheet.autofilter(0, 0, max(count, 1), len(headers) - 1)
    close_workbook(workbook, path)
    return count


def write_error_report(path: str | Path, result) -> None:
    """The problems of an import as a workbook: 工作表, 行号, 列, 问题, then the
    original row's cells under the file's own headers."""
    path = Path(path)
    if not path.parent.exists():
        raise CadreDeskError(f"文件夹 {path.parent} 不存在，无法保存问题清单")
    workbook = open_workbook(path)
    sheet = workbook.add_worksheet("问题清单")
    head = workbook.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
    sub = workbook.add_format({"italic": True, "bg_color": "#F2F2F2"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    fixed = ["工作表", "行号", "列", "问题"]
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 6)
    sheet.set_column(2, 2, 14)
    sheet.set_column(3, 3, 60, wrap)
    sheet.freeze_panes(1, 0)
    sheets = list(dict.fromkeys(b.sheet for b in result.bad_rows))
    first_header = result.headers.get(sheets[0], []) if sheets else []
    for i, h in enumerate([*fixed, *(_text(c) for c in first_header)]):
        sheet.write_string(0, i, h, head)
    row = 1
    current = first_header
    for bad in result.bad_rows:
        header = result.headers.get(bad.sheet, [])
        if header and header != current:
            # Another sheet with other columns: repeat its header so the cells line up.
            for i, h in enumerate(header):
                sheet.write_string(row, len(fixed) + i, _text(h), sub)
            row += 1
            current = header
        sheet.write_string(row, 0, bad.sheet)
        if bad.row:
            sheet.write_number(row, 1, bad.row)
        sheet.write_string(row, 2, bad.column)
        sheet.write_string(row, 3, bad.reason)
        for i, cell in enumerate(result.bad_cells.get((bad.sheet, bad.row), [])):
            if cell is None or cell == "":
                continue
            if isinstance(cell, (int, float)) and not isinstance(cell, bool):
                sheet.write_number(row, len(fixed) + i, cell)
            else:
                sheet.write_string(row, len(fixed) + i, _text(cell))
        row += 1
    close_workbook(workbook, path)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
