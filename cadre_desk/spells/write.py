"""The one write path of work spells (``save_spells``, see the package
docstring) and its one-row cases: each row's person found, its values coerced
(``values``), its place resolved and its warnings found (``checks``), then
new spells inserted and stored ones updated by (member, start month), and
the members' 就业状态 brought in line (``status``)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from .. import months, register
from ..errors import InvalidIdNumber
from ..idnumber import parse_id_number
from ..questionnaire import ERROR, Problem
from ..storage import Store
from .checks import births, overlaps, repeated, resolve_place, row_warnings, timing_warnings
from .read import home_county
from .rows import COLUMNS, EMPLOYED, KEEP, TABLE, UNEMPLOYED, SpellError, SpellResult, SpellRow
from .status import follow_employment, month_of
from .values import coerce_row


def _member_ids(store: Store, rows: Sequence[SpellRow], problems: list[list[Problem]]) -> list[str | None]:
    """Each row's member id (``member_id`` checked, ``id_number`` looked up)."""
    numbers: dict[int, str] = {}
    given: dict[int, str] = {}
    for i, row in enumerate(rows):
        if row.member_id:
            given[i] = row.member_id
        elif row.id_number:
            try:
                numbers[i] = parse_id_number(row.id_number).value
            except InvalidIdNumber as exc:
                problems[i].append(Problem("id_number", exc.message, ERROR, "id_number"))
        elif not row.spell_id:
            problems[i].append(Problem("id_number", "请写明是哪位成员的务工记录（证件号码）", ERROR, "member"))
    found_numbers = _lookup(store, "id_number", set(numbers.values()))
    found_ids = _lookup(store, "id", set(given.values()))
    out: list[str | None] = [None] * len(rows)
    for i, mid in given.items():
        if mid in found_ids:
            out[i] = mid
        else:
            problems[i].append(Problem("member_id", "找不到这名成员，它可能已被删除", ERROR, "member"))
    for i, number in numbers.items():
        if number in found_numbers:
            out[i] = found_numbers[number]
        else:
            problems[i].append(Problem("id_number", f"没有证件号码为 {number[:6]}…{number[-4:]} 的成员，"
                                       "请先导入或登记该成员再登记务工", ERROR, "member"))
    return out


def _lookup(store: Store, column: str, values: set[str]) -> dict[str, str]:
    return {r["k"]: r["id"] for r in store.rows_in(
        f"SELECT id, {column} AS k FROM members WHERE deleted = 0 AND {column} IN ({{}})", values)}


def check_spells(store: Store, rows: Sequence[SpellRow]) -> SpellResult:
    """What ``save_spells`` would say about ``rows``, writing nothing (live
    hints in a dialog): ``written`` is False, ``ids`` the spells they would
    update (None: a new one)."""
    return save_spells(store, rows, _dry_run=True)


def save_spells(store: Store, rows: Sequence[SpellRow], *, skip_bad: bool = False,
                as_of: dt.date | None = None, follow_status: bool = True, _dry_run: bool = False) -> SpellResult:
    """Write work spells: the one write path (see the package docstring).
    All or nothing: when any row has an error and ``skip_bad`` is False,
    nothing is written (``written`` False); with ``skip_bad`` the good rows
    are written. ``as_of``: the day whose month decides the members'
    就业状态 afterwards (default today); ``follow_status=False`` leaves the
    members' answers alone (a caller that writes them itself)."""
    rows = list(rows)
    problems: list[list[Problem]] = [[] for _ in rows]
    member_ids = _member_ids(store, rows, problems)
    values = [coerce_row(row, problems[i]) for i, row in enumerate(rows)]
    home, aliases = home_county(store)
    stored = _stored(store, rows, member_ids, values)
    born = births(store, list(member_ids) + [s["member_id"] for s in stored if s])
    this_month = month_of(as_of)
    final: list[dict[str, Any] | None] = [None] * len(rows)
    for i, row in enumerate(rows):
        current = stored[i]
        if row.spell_id and current is None:
            problems[i].append(Problem(None, "找不到这条务工记录，它可能已被删除", ERROR, "spell"))
            continue
        if member_ids[i] is None and current is not None:
            member_ids[i] = current["member_id"]
        if member_ids[i] is None:
            continue
        merged = {k: (current or {}).get(k) for k in COLUMNS}
        merged.update(values[i])
        merged["member_id"] = member_ids[i]
        if not merged.get("start_month"):
            if not any(p.field == "start_month" for p in problems[i]):
                problems[i].append(Problem("start_month", "请填写务工开始时间（年月，如 2023-03）", ERROR, "required"))
            continue
        if current is not None and row.spell_id and merged["start_month"] != current["start_month"]:
            clash = _by_start(store, merged["member_id"], merged["start_month"])
            if clash is not None and clash["id"] != current["id"]:
                problems[i].append(Problem("start_month", f"这名成员已有 {months.display(merged['start_month'])} 开始的务工，"
                                           "同一人同一开始月份只能有一段，请改开始时间或修改那一段", ERROR, "duplicate"))
        if merged.get("end_month") and merged["end_month"] < merged["start_month"]:
            problems[i].append(Problem("end_month", f"结束时间 {months.display(merged['end_month'])} 早于开始时间 "
                                       f"{months.display(merged['start_month'])}，请检查", ERROR, "order"))
        place_given = row.place is not KEEP or row.county_code is not KEEP
        if place_given and row.county_code in (KEEP, None) and "place" not in {p.field for p in problems[i]}:
            resolve_place(merged, row, problems[i])
        row_warnings(merged, problems[i], home, aliases)
        timing_warnings(merged, problems[i], this_month, born.get(merged["member_id"]))
        final[i] = merged
    repeated(rows, final, problems)
    overlaps(store, rows, final, stored, problems)
    bad = [i for i, ps in enumerate(problems) if any(p.severity == ERROR for p in ps)]
    result = SpellResult([None] * len(rows), problems)
    if _dry_run:
        result.written = False
        result.ids = [s["id"] if s else None for s in stored]
        return result
    if bad and not skip_bad:
        result.written = False
        return result
    bad_set = set(bad)
    writes = [(i, final[i]) for i in range(len(rows)) if final[i] is not None and i not in bad_set]
    given = {i: _given_keys(rows[i], values[i]) for i, _ in writes}
    with store.transaction():
        _write(store, writes, stored, result, given)
        if follow_status:
            touched = {merged["member_id"] for _, merged in writes}
            follow_employment(store, touched, as_of=as_of)
    return result


def _given_keys(row: SpellRow, values: dict[str, Any]) -> set[str]:
    """The columns a row sets: those it gave, and the codes its place decides."""
    keys = set(values)
    if "place" in keys or "county_code" in keys:
        keys |= {"county_code", "province_code"}
    return keys


def _write(store: Store, writes: list[tuple[int, dict[str, Any]]], stored: list[dict[str, Any] | None],
           result: SpellResult, given: dict[int, set[str]]) -> None:
    """New spells inserted in one statement, stored ones updated field by field
    (only real changes written and logged); a spell given twice in the batch
    (same person and start month) is written once, the later row winning."""
    new_rows: dict[tuple[str, str], dict[str, Any]] = {}
    new_ids: dict[tuple[str, str], str] = {}
    updates: dict[str, dict[str, Any]] = {}
    order: list[tuple[int, str, bool]] = []  # (row, spell id, new)
    for i, merged in writes:
        values = {k: merged[k] for k in COLUMNS}
        current = stored[i]
        key = (merged["member_id"], merged["start_month"])
        if current is None and key in new_rows:
            new_rows[key].update({k: v for k, v in values.items() if k in given[i]})
            order.append((i, new_ids[key], False))
        elif current is None:
            new_rows[key] = values
            new_ids[key] = uuid.uuid4().hex
            order.append((i, new_ids[key], True))
        elif current["id"] in updates:
            updates[current["id"]].update({k: v for k, v in values.items() if k in given[i]})
            order.append((i, current["id"], False))
        else:
            updates[current["id"]] = values
            order.append((i, current["id"], False))
    if new_rows:
        store.insert_many(TABLE, list(new_rows.values()), row_ids=list(new_ids.values()))
    diffs = dict(zip(updates, store.update_many(TABLE, list(updates.items())))) if updates else {}
    for i, spell_id, created in order:
        result.ids[i] = spell_id
        if created:
            result.created += 1
            result.changed.add(spell_id)
        elif diffs.get(spell_id):
            result.updated += 1
            result.changed.add(spell_id)
        else:
            result.unchanged += 1


def _stored(store: Store, rows: Sequence[SpellRow], member_ids: list[str | None],
            values: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """The stored spell each row updates (by id, else by person and start
    month), read 500 ids at a time."""
    out: list[dict[str, Any] | None] = [None] * len(rows)
    by_id = _read_in(store, "id", {row.spell_id for row in rows if row.spell_id})
    members = {member_ids[i] for i, row in enumerate(rows) if not row.spell_id and member_ids[i]}
    by_start = {(r["member_id"], r["start_month"]): r for r in _read_in(store, "member_id", members).values()}
    for i, row in enumerate(rows):
        if row.spell_id:
            out[i] = by_id.get(row.spell_id)
        elif member_ids[i] and values[i].get("start_month"):
            out[i] = by_start.get((member_ids[i], values[i]["start_month"]))
    return out


def _read_in(store: Store, column: str, keys: set[str]) -> dict[str, dict[str, Any]]:
    """Live spells whose ``column`` is one of ``keys``, by id."""
    return {r["id"]: r for r in store.rows_in(
        f"SELECT * FROM work_spells WHERE deleted = 0 AND [{column}] IN ({{}})", keys)}


def _by_start(store: Store, member_id: str, start: str) -> dict[str, Any] | None:
    found = store.rows("SELECT * FROM work_spells WHERE member_id = ? AND start_month = ? AND deleted = 0",
                       [member_id, start])
    return found[0] if found else None


def end_spell(store: Store, spell_id: str, month: Any, *, as_of: dt.date | None = None) -> list[Problem]:
    """End a running spell in ``month`` (YYYY-MM or any accepted form);
    returns the warnings, raises ``SpellError`` with the Chinese message."""
    result = save_spells(store, [SpellRow(spell_id=spell_id, end_month=month)], as_of=as_of)
    if not result.ok:
        raise SpellError("；".join(p.message for _, p in result.errors))
    return [p for _, p in result.warnings]


def delete_spell(store: Store, spell_id: str, *, as_of: dt.date | None = None) -> None:
    """Delete a spell (soft: sync carries it; the change log can undo it)."""
    spell = store.get(TABLE, spell_id)
    mid = spell["member_id"]
    with store.transaction():
        store.delete(TABLE, spell_id)
        if store.rows("SELECT 1 FROM work_spells WHERE member_id = ? AND deleted = 0 LIMIT 1", [mid]):
            follow_employment(store, {mid}, as_of=as_of)
            return
        # The person's last spell, entered by mistake: the 已就业 it set goes with it.
        m = store.rows("SELECT employment_status, employer FROM members WHERE id = ?", [mid])
        if m and m[0]["employment_status"] == EMPLOYED and m[0]["employer"] == spell["employer"]:
            register.save_members(store, [register.MemberRow(
                {"employment_status": UNEMPLOYED, "employment_channel": None, "employer": None,
                 "monthly_income": None}, member_id=mid)], as_of=as_of, surveyed=False, block_missing=False)


def save_spell(store: Store, row: SpellRow, *, as_of: dt.date | None = None) -> tuple[str, list[Problem]]:
    """One spell: returns its id and the warnings; raises ``SpellError``."""
    result = save_spells(store, [row], as_of=as_of)
    if not result.ok:
        raise SpellError("；".join(p.message for _, p in result.errors))
    return result.ids[0], [p for _, p in result.warnings]

