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
from ..xlsx import (
    ColumnWidths, close_workbook, mask_numbers_in_text, masked, open_workbook, print_setup, row_height,
)
from .columns import CADRE, COUNTY, IGNORED_HEADERS, PAIRED_SINCE, SEX, TOWN, VILLAGE, Column, roster_format

SHEET_NAME = "花名册"
_RELATION_ORDER = "CASE m.relation WHEN '户主' THEN 0 WHEN '配偶' THEN 1 ELSE 2 END"


def _column_sql(col: Column) -> str:
    if col.field is not None:
        table = "h" if col.field.level == "household" else "m"
        return f"{table}.[{col.field.key}]"
    return {
        COUNTY: "c.name", TOWN: "t.name", VILLAGE: "v.name", SEX: "m.sex",
        CADRE: ("(SELECT cd.name FROM pairings p JOIN cadres cd ON cd.id = p.cadre_id "
                "WHERE p.household_id = h.id AND p.deleted = 0 AND p.until IS NULL "
                "ORDER BY p.since DESC LIMIT 1)"),
        PAIRED_SINCE: ("(SELECT p.since FROM pairings p WHERE p.household_id = h.id AND p.deleted = 0 "
                       "AND p.until IS NULL ORDER BY p.since DESC LIMIT 1)"),
    }[col.key]


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
    where, params = places.household_scope(store, town=town, village=village)
    joins = ("JOIN households h ON h.id = m.household_id JOIN villages v ON v.id = h.village_id "
             "JOIN towns t ON t.id = v.town_id JOIN counties c ON c.id = t.county_id")
    live = f"m.deleted = 0 AND m.left_on IS NULL AND h.deleted = 0 AND ({where})"  # left members: not re-imported
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
    # Widths follow the content (set once every row is seen); the full ID
    # numbers stay: this workbook is for re-import.
    widths = ColumnWidths(headers, low=6, high=30)
    seen = widths.widths
    print_setup(sheet, pages_wide=4)  # fifty columns: readable over four page widths, not one tiny one
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
            if 2 * len(value if isinstance(value, str) else str(value)) > seen[i]:  # cheap bound first
                widths.see(i, value)
        extras = record[len(columns)]
        if extras and extra_headers:
            kept = json.loads(extras)
            for j, h in enumerate(extra_headers, start=1 + len(columns)):
                if kept.get(h) not in (None, ""):
                    sheet.write_string(count, j, str(kept[h]))
                    widths.see(j, str(kept[h]))
    widths.see(0, count)
    widths.apply(sheet, {i: text for i in range(1, len(headers))})
    sheet.autofilter(0, 0, max(count, 1), len(headers) - 1)
    # The national lists' households, work spells and planned-work rows (issue 14).
    from .national_export import write_national_sheets

    write_national_sheets(store, workbook, head, text, where, params)
    close_workbook(workbook, path)
    return count


# The problem list's own columns (printed): where, what, and who the row is.
ERROR_FIXED = ["工作表", "行号", "列", "问题", "该格内容", "户编号", "姓名", "证件号码"]
_WHO = {"户编号": ("户编号",), "姓名": ("成员姓名", "姓名"), "证件号码": ("身份证号码", "证件号码", "公民身份号码")}


def write_error_report(path: str | Path, result, *, full_numbers: bool = False) -> None:
    """The problems of an import as a workbook: 工作表, 行号, 列, 问题, the
    cell's content and who the row is (户编号, 姓名, 证件号码) — the part that
    is printed, landscape, fit to the page width, its header on every page —
    then the original row's cells under the file's own headers (to fix on
    screen). A copy for reading: ID numbers and phone numbers are masked
    unless ``full_numbers``. Columns are as wide as their content; long
    reasons wrap and their rows are tall enough."""
    path = Path(path)
    if not path.parent.exists():
        raise CadreDeskError(f"文件夹 {path.parent} 不存在，无法保存问题清单")
    workbook = open_workbook(path)
    sheet = workbook.add_worksheet("问题清单")
    head = workbook.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True,
                                "valign": "top"})
    copied_head = workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "valign": "top"})
    sub = workbook.add_format({"italic": True, "bg_color": "#F2F2F2", "valign": "top"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    top = workbook.add_format({"valign": "top", "num_format": "@"})
    fixed = ERROR_FIXED
    n_fixed = len(fixed)
    keyed = list(dict.fromkeys(_sheet_key(b) for b in result.bad_rows))
    first_header = result.headers.get(keyed[0], []) if keyed else []

    def shown(name: str, cell: Any) -> Any:
        return cell if full_numbers else masked(name, cell)

    # What each line shows, then the widths from it.
    lines: list[tuple[str, list, list | None]] = []
    current = [_text(h) for h in first_header]
    for bad in result.bad_rows:
        header = [_text(h) for h in result.headers.get(_sheet_key(bad), [])]
        if header and header != current:
            lines.append(("header", header, None))
            current = header
        raw = result.bad_cells.get((_sheet_key(bad), bad.row), [])
        cells = [shown(current[i] if i < len(current) else "", c) for i, c in enumerate(raw)]
        by_header = {current[i]: cells[i] for i in range(min(len(current), len(cells)))}
        who = [next((by_header[h] for h in names if by_header.get(h) not in (None, "")), None)
               for names in _WHO.values()]
        reason = bad.reason if full_numbers else mask_numbers_in_text(bad.reason)
        sheet_name = f"{bad.file}：{bad.sheet}" if bad.file else bad.sheet  # several files: which one
        lines.append(("row", [sheet_name, bad.row, bad.column, reason, by_header.get(bad.column), *who], cells))
    widths = ColumnWidths([*fixed, *(_text(c) for c in first_header)], high=30, fixed={3: 44, 4: 22})
    for kind, first, cells in lines:
        if kind == "header":
            for i, h in enumerate(first):
                widths.see(n_fixed + i, h)
            continue
        for i, value in enumerate(first):
            if i not in (3, 4):  # the reason and the cell wrap in fixed widths
                widths.see(i, _text(value))
        for i, cell in enumerate(cells or []):
            widths.see(n_fixed + i, _text(cell))
    widths.apply(sheet, {3: wrap, 4: wrap})
    print_setup(sheet)
    sheet.print_area(0, 0, max(len(lines), 1), n_fixed - 1)
    sheet.freeze_panes(1, 0)
    header_cells = [*fixed, *(_text(c) for c in first_header)]
    for i, h in enumerate(header_cells):
        sheet.write_string(0, i, h, head if i < n_fixed else copied_head)

    row = 1
    for kind, first, cells in lines:
        if kind == "header":
            # Another sheet with other columns: repeat its header so the cells line up.
            for i, h in enumerate(first):
                sheet.write_string(row, n_fixed + i, h, sub)
            row += 1
            continue
        height = 1
        for col, value in enumerate([*first, *(cells or [])]):
            if value is None or value == "":
                continue
            if col == 1 and isinstance(value, int):
                sheet.write_number(row, col, value, top)
            elif isinstance(value, (int, float)) and not isinstance(value, bool) \
                    and not _looks_like_number_text(value) and col >= n_fixed:
                sheet.write_number(row, col, value, top)
            else:
                sheet.write_string(row, col, _text(value), wrap if col in (3, 4) else top)  # ID numbers stay text
            height = max(height, widths.lines(col, _text(value)))
        sheet.set_row(row, row_height(height))
        row += 1
    close_workbook(workbook, path)


def _sheet_key(bad) -> str:
    """Where a bad row's sheet header and cells are kept (see ``list_rows.sheet_key``)."""
    return f"{bad.file}｜{bad.sheet}" if bad.file else bad.sheet


def _looks_like_number_text(cell: Any) -> bool:
    """A long integer (an ID number or phone read as a number) is written as text."""
    return isinstance(cell, (int, float)) and float(cell).is_integer() and abs(cell) >= 10 ** 9


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
