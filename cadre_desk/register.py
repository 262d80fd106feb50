"""The household register: households, members, cadres and their pairings,
visits. Every write goes through the questionnaire's validation and the
store's change log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .errors import DuplicateIdNumber, NotFound, ValidationFailed
from .idnumber import parse_id_number
from .questionnaire import ERROR, Part, Problem, from_column, to_column, validate
from .storage import Store


# ---------------------------------------------------------------- reading

def decode(part: Part, row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored row with questionnaire columns turned back into Python values."""
    out = dict(row)
    for fld in part.fields:
        if fld.key in out:
            out[fld.key] = from_column(fld, out[fld.key])
    return out


def encode(part: Part, values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (to_column(part.by_key[k], v) if k in part.by_key else v) for k, v in values.items()}


def household_by_number(store: Store, number: str) -> dict:
    rows = store.rows("SELECT * FROM households WHERE number = ? AND deleted = 0", [str(number).strip()])
    if not rows:
        raise NotFound(f"没有户编号为“{number}”的户，请检查户编号")
    return decode(store.questionnaire.household, rows[0])


def household(store: Store, household_id: str) -> dict:
    return decode(store.questionnaire.household, store.get("households", household_id))


def household_place(store: Store, household_id: str) -> dict:
    rows = store.rows(
        "SELECT c.name AS county, t.name AS town, v.name AS village, v.id AS village_id, t.id AS town_id "
        "FROM households h JOIN villages v ON v.id = h.village_id JOIN towns t ON t.id = v.town_id "
        "JOIN counties c ON c.id = t.county_id WHERE h.id = ?", [household_id])
    return rows[0] if rows else {}


def members_of(store: Store, household_id: str) -> list[dict]:
    rows = store.rows("SELECT * FROM members WHERE household_id = ? AND deleted = 0 "
                      "ORDER BY CASE relation WHEN '户主' THEN 0 WHEN '配偶' THEN 1 ELSE 2 END, birth_date",
                      [household_id])
    return [decode(store.questionnaire.member, r) for r in rows]


def member(store: Store, member_id: str) -> dict:
    return decode(store.questionnaire.member, store.get("members", member_id))


def member_by_id_number(store: Store, raw_id: str) -> dict:
    value = parse_id_number(raw_id).value
    rows = store.rows("SELECT * FROM members WHERE id_number = ? AND deleted = 0", [value])
    if not rows:
        raise NotFound(f"没有证件号码为 {value[:6]}…{value[-4:]} 的成员")
    return decode(store.questionnaire.member, rows[0])


def describe_member_place(store: Store, member_id: str) -> str:
    """'烟店镇 李庄村 户编号 3715810001 张三' – to name where a record lives."""
    rows = store.rows(
        "SELECT m.name, h.number, v.name AS village, t.name AS town FROM members m "
        "JOIN households h ON h.id = m.household_id JOIN villages v ON v.id = h.village_id "
        "JOIN towns t ON t.id = v.town_id WHERE m.id = ?", [member_id])
    if not rows:
        return ""
    r = rows[0]
    return f"{r['town']}{r['village']} 户编号 {r['number']} {r['name']}"


# ---------------------------------------------------------------- writing

def _raise_errors(problems: list[Problem]) -> list[Problem]:
    errors = [p for p in problems if p.severity == ERROR]
    if errors:
        raise ValidationFailed(errors)
    return [p for p in problems if p.severity != ERROR]


def save_household(store: Store, answers: Mapping[str, Any], *, village_id: str | None = None,
                   household_id: str | None = None) -> tuple[str, list[Problem]]:
    """Create (with ``village_id``) or update a household. Raises
    ``ValidationFailed`` on errors; returns the id and the warnings."""
    part = store.questionnaire.household
    values, problems = validate(part, answers)
    warnings = _raise_errors(problems)
    values["questionnaire_version"] = store.questionnaire.version
    with store.transaction():
        dupes = store.rows("SELECT id FROM households WHERE number = ? AND deleted = 0 AND id IS NOT ?",
                           [values.get("number"), household_id])
        if values.get("number") and dupes:
            raise ValidationFailed([Problem("number", f"户编号 {values['number']} 已被另一户使用，请检查")])
        if household_id is None:
            if not village_id:
                raise ValueError("a new household needs a village")
            household_id = store.insert("households", {"village_id": village_id, **encode(part, values)})
        else:
            store.update("households", household_id, encode(part, values))
    return household_id, warnings


def save_member(store: Store, answers: Mapping[str, Any], *, household_id: str | None = None,
                member_id: str | None = None, as_of: dt.date | None = None) -> tuple[str, list[Problem]]:
    """Create (in ``household_id``) or update a member from survey answers.

    Errors (a bad ID number, a missing required answer, the same ID number in
    another household) raise ``ValidationFailed``/``DuplicateIdNumber`` and
    write nothing; warnings are returned."""
    part = store.questionnaire.member
    if member_id is not None:
        # Fields not in ``answers`` keep their stored values (relevance and
        # consistency rules must see the whole record).
        merged = {k: v for k, v in member(store, member_id).items() if k in part.by_key}
        merged.update(answers)
        answers = merged
    values, problems = validate(part, answers, as_of=as_of)
    warnings = _raise_errors(problems)
    ident = parse_id_number(values["id_number"])
    values.update(sex=ident.sex, birth_date=ident.birth_date.isoformat(),
                  questionnaire_version=store.questionnaire.version,
                  surveyed_at=dt.date.today().isoformat())
    with store.transaction():
        check_unique_id_number(store, ident.value, member_id)
        if member_id is None:
            if not household_id:
                raise ValueError("a new member needs a household")
            member_id = store.insert("members", {"household_id": household_id, **encode(part, values)})
        else:
            store.update("members", member_id, encode(part, values))
    return member_id, warnings


def check_unique_id_number(store: Store, id_number: str, member_id: str | None) -> None:
    rows = store.rows("SELECT id FROM members WHERE id_number = ? AND deleted = 0 AND id IS NOT ?",
                      [id_number, member_id])
    if rows:
        where = describe_member_place(store, rows[0]["id"])
        raise DuplicateIdNumber(f"证件号码 {id_number} 已登记在 {where}，同一证件号码在全县只能出现一次。"
                                "请核对号码，或到原户中修改")


def remove_member(store: Store, member_id: str) -> None:
    store.delete("members", member_id)


# ---------------------------------------------------------------- cadres, pairings, visits

def ensure_cadre(store: Store, name: str, **details: Any) -> str:
    rows = store.rows("SELECT id FROM cadres WHERE name = ? AND deleted = 0", [name.strip()])
    if rows:
        if details:
            store.update("cadres", rows[0]["id"], details)
        return rows[0]["id"]
    return store.insert("cadres", {"name": name.strip(), **details})


def pair_cadre(store: Store, household_id: str, cadre_id: str, since: dt.date | None = None) -> str | None:
    """Make ``cadre_id`` the household's cadre from ``since``; the previous
    pairing is closed and stays in the history. No-op if already paired."""
    since_s = (since or dt.date.today()).isoformat()
    with store.transaction():
        current = current_pairing(store, household_id)
        if current and current["cadre_id"] == cadre_id:
            return None
        if current:
            store.update("pairings", current["id"], {"until": since_s})
        return store.insert("pairings", {"household_id": household_id, "cadre_id": cadre_id,
                                         "since": since_s, "until": None})


def current_pairing(store: Store, household_id: str) -> dict | None:
    rows = store.rows("SELECT * FROM pairings WHERE household_id = ? AND deleted = 0 AND until IS NULL "
                      "ORDER BY since DESC LIMIT 1", [household_id])
    return rows[0] if rows else None


def cadre_history(store: Store, household_id: str) -> list[dict]:
    """Pairings of a household with the cadre's details, the current one first."""
    return store.rows(
        "SELECT p.since, p.until, c.* FROM pairings p JOIN cadres c ON c.id = p.cadre_id "
        "WHERE p.household_id = ? AND p.deleted = 0 ORDER BY p.until IS NOT NULL, p.since DESC",
        [household_id])


def add_visit(store: Store, household_id: str, *, visit_date: dt.date, content: str,
              problems_solved: str = "", cadre_id: str | None = None) -> str:
    if not content.strip():
        raise ValidationFailed([Problem("content", "请填写走访内容")])
    if cadre_id is None:
        pairing = current_pairing(store, household_id)
        cadre_id = pairing["cadre_id"] if pairing else None
    return store.insert("visits", {"household_id": household_id, "cadre_id": cadre_id,
                                   "visit_date": visit_date.isoformat(), "content": content.strip(),
                                   "problems_solved": problems_solved.strip()})


def visits_of(store: Store, household_id: str) -> list[dict]:
    return store.rows("SELECT v.*, c.name AS cadre_name FROM visits v LEFT JOIN cadres c ON c.id = v.cadre_id "
                      "WHERE v.household_id = ? AND v.deleted = 0 ORDER BY v.visit_date", [household_id])
