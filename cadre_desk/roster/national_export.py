"""The sheets the roster export adds for what the national lists brought in
(``national.py``, ``list_kinds.py``), so that a clerk's national export survives a round trip
through the app (export → import gives back every value, extras included):

- 户信息 — one row per household that carries columns of the household list
  the questionnaire does not know (``households.roster_extra``): the place,
  the household's fields and those columns;
- 务工信息 — one row per work spell (``work_spells``, their own unknown
  columns from ``extra`` after the known ones);
- 计划外出务工信息 — one row per member with columns of the planned-work list
  the questionnaire does not know (``members.planned_extra``).

A sheet is written only when it has rows: a 2020 roster's export stays one
sheet. Each sheet's headers are the ones the import recognises, so that the
exported workbook imports back as one import of four lists.
"""

from __future__ import annotations

import json
from typing import Any

from ..questionnaire import display
from ..storage import Store
from ..values import from_storage
from .columns import COUNTY, TOWN, VILLAGE, roster_format
from .list_kinds import PLANNED_FIELDS, SPELL_HEADERS

HOUSEHOLD_SHEET = "户信息"
SPELL_SHEET = "务工信息"
PLANNED_SHEET = "计划外出务工信息"

_JOINS = ("JOIN villages v ON v.id = h.village_id JOIN towns t ON t.id = v.town_id "
          "JOIN counties c ON c.id = t.county_id")
# The spell columns written, in order (``work_spells`` column, header from list_kinds.SPELL_HEADERS).
SPELL_FIELDS = ("start_month", "end_month", "place", "channel", "employer", "industry", "monthly_income",
                "point_to_point", "transport_subsidy", "note")


def _extra_headers(store: Store, sql: str, params: list, known: set[str]) -> list[str]:
    """The keys of a JSON column over the rows of ``sql`` (which selects it as
    ``extra`` with a ``first`` rowid), in the order first seen."""
    rows = store.rows(f"SELECT j.key AS key, MIN(first) AS first FROM ({sql}) s, json_each(s.extra) j "
                      "WHERE json_valid(s.extra) GROUP BY j.key ORDER BY first", params)
    return [r["key"] for r in rows if r["key"] not in known]


def _place_headers(fmt) -> list[str]:
    return [fmt.column(k).header for k in (COUNTY, TOWN, VILLAGE)]


def _value(fld, stored: Any) -> Any:
    if stored is None:
        return None
    value = from_storage(fld, stored)
    if fld.type in ("int", "number") and isinstance(value, (int, float)):
        return value
    return display(fld, value)


def _write_row(sheet, row: int, values: list, text, widths) -> None:
    for i, value in enumerate(values):
        if value is None or value == "":
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            sheet.write_number(row, i, value)
        else:
            sheet.write_string(row, i, str(value), text)
        widths.see(i, value if isinstance(value, str) else str(value))


def _sheet(workbook, name: str, headers: list[str], head):
    from ..xlsx import ColumnWidths, print_setup

    sheet = workbook.add_worksheet(name)
    widths = ColumnWidths(headers, low=6, high=30)
    print_setup(sheet, pages_wide=2)
    sheet.freeze_panes(1, 0)
    for i, h in enumerate(headers):
        sheet.write_string(0, i, h, head)
    return sheet, widths


def _list_sheet(workbook, name: str, headers: list[str], extras: list[str], records, values_of, head, text) -> int:
    """Write one list sheet: the header row, then a row per record — its known
    cells (``values_of(record)``) and, under ``extras``, the columns kept in
    its last cell (JSON). Returns the rows written."""
    sheet, widths = _sheet(workbook, name, headers, head)
    n = 0
    for record in records:
        n += 1
        kept = json.loads(record[-1]) if record[-1] else {}
        _write_row(sheet, n, [*values_of(record), *(kept.get(h) for h in extras)], text, widths)
    widths.apply(sheet, {})
    sheet.autofilter(0, 0, max(n, 1), len(headers) - 1)
    return n


def _person_headers(fmt) -> list[str]:
    """The place, household number, name and ID number columns of a person list."""
    return [*_place_headers(fmt), fmt.column("household.number").header, fmt.column("member.name").header,
            fmt.column("member.id_number").header]


def _has(store: Store, table: str) -> bool:
    return bool(store.rows("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]))


def write_national_sheets(store: Store, workbook, head, text, where: str, params: list) -> dict[str, int]:
    """Add the sheets that have rows (households ``h`` within ``where``, the
    condition of ``places.household_scope``, as the member sheet's scope);
    returns rows written per sheet."""
    fmt = roster_format(store.questionnaire)
    q = store.questionnaire
    written = {}
    live_h = f"h.deleted = 0 AND ({where})"

    # 户信息: households with columns of the household list kept aside.
    hh_sql = f"SELECT h.rowid AS first, h.roster_extra AS extra FROM households h WHERE {live_h} AND h.roster_extra IS NOT NULL"
    fields = [f for f in q.household.fields]
    known = {fmt.column(f"household.{f.key}").header for f in fields} | set(_place_headers(fmt))
    extras = _extra_headers(store, hh_sql, params, known)
    if extras:
        headers = [*_place_headers(fmt), *(fmt.column(f"household.{f.key}").header for f in fields), *extras]
        cols = ", ".join(f"h.[{f.key}]" for f in fields)
        records = store.db.execute(
            f"SELECT c.name, t.name, v.name, {cols}, h.roster_extra FROM households h {_JOINS} "
            f"WHERE {live_h} AND h.roster_extra IS NOT NULL ORDER BY t.code, v.code, h.number", params)
        written[HOUSEHOLD_SHEET] = _list_sheet(
            workbook, HOUSEHOLD_SHEET, headers, extras, records,
            lambda r: [*r[:3], *(_value(f, v) for f, v in zip(fields, r[3:-1]))], head, text)

    # 务工信息: every work spell of a live member.
    if _has(store, "work_spells"):
        live_m = f"s.deleted = 0 AND m.deleted = 0 AND m.left_on IS NULL AND {live_h}"
        base = ("FROM work_spells s JOIN members m ON m.id = s.member_id JOIN households h ON h.id = m.household_id")
        count = store.rows(f"SELECT count(*) AS n {base} WHERE {live_m}", params)[0]["n"]
        if count:
            ident = _person_headers(fmt)
            spell_headers = [SPELL_HEADERS[k] for k in SPELL_FIELDS]
            extras = _extra_headers(store, f"SELECT s.rowid AS first, s.extra AS extra {base} WHERE {live_m}",
                                    params, set(ident) | set(spell_headers))
            cols = ", ".join(f"s.[{k}]" for k in SPELL_FIELDS)
            records = store.db.execute(
                f"SELECT c.name, t.name, v.name, h.number, m.name, m.id_number, {cols}, s.extra {base} {_JOINS} "
                f"WHERE {live_m} ORDER BY t.code, v.code, h.number, m.id_number, s.start_month", params)

            def spell_cells(record) -> list:
                spell = dict(zip(SPELL_FIELDS, record[6:-1]))
                if spell["point_to_point"] is not None:
                    spell["point_to_point"] = "是" if spell["point_to_point"] else "否"
                return [*record[:6], *(spell[k] for k in SPELL_FIELDS)]

            written[SPELL_SHEET] = _list_sheet(workbook, SPELL_SHEET, [*ident, *spell_headers, *extras], extras,
                                               records, spell_cells, head, text)

    # 计划外出务工信息: members with columns of the planned-work list kept aside.
    member_keys = {f.key for f in q.member.fields}
    planned = [k for k in PLANNED_FIELDS if k in member_keys]
    live_p = f"m.deleted = 0 AND m.left_on IS NULL AND m.planned_extra IS NOT NULL AND {live_h}"
    base = "FROM members m JOIN households h ON h.id = m.household_id"
    ident = _person_headers(fmt)
    planned_headers = [fmt.column(f"member.{k}").header for k in planned]
    extras = _extra_headers(store, f"SELECT m.rowid AS first, m.planned_extra AS extra {base} WHERE {live_p}", params,
                            set(ident) | set(planned_headers))
    if extras:
        flds = [q.member.by_key[k] for k in planned]
        cols = "".join(f", m.[{k}]" for k in planned)
        records = store.db.execute(
            f"SELECT c.name, t.name, v.name, h.number, m.name, m.id_number{cols}, m.planned_extra {base} {_JOINS} "
            f"WHERE {live_p} ORDER BY t.code, v.code, h.number, m.id_number", params)
        written[PLANNED_SHEET] = _list_sheet(
            workbook, PLANNED_SHEET, [*ident, *planned_headers, *extras], extras, records,
            lambda r: [*r[:6], *(_value(f, v) for f, v in zip(flds, r[6:-1]))], head, text)
    return written
