"""The check rules over the register (``cadre-desk check``): what the county's
data-check tools find in a national export, found here before it is sent.

The rules are the questionnaire's (``resources/questionnaire.json``, the
``rules`` arrays of the household and member parts, in the rule language of
``rules.py``): the same ones the survey form shows as warnings while a cadre
types and the import reports for the rows it read. This module runs them over
stored records — households and members in blocks through the validation
engine (``validation.check_rows``), the household-level rules (one head …,
``questionnaire.household_problems``) — and adds the work-spell rules of
``spells.spell_warnings`` (overlap, income under 400, county missing,
帮扶车间/公益性岗位 outside the county, a start after this month or before
the person was 16), which live with the spells.

A finding names the household number, town and village, the member (name
and ID number) when it is a member's, the rule and its message.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from . import rules, validation
from .domain import working_age_bounds
from .idnumber import mask_id
from .questionnaire import Part, household_problems
from .storage import Store
from .values import from_storage

BLOCK = 2000


@dataclass(frozen=True)
class Finding:
    household_number: str
    town: str
    village: str
    member: str | None  # the member's name (None for a household's finding)
    id_number: str | None
    level: str  # "household", "member" or "spell"
    rule: str
    field: str | None
    message: str
    severity: str = "warning"

    def to_json(self) -> dict:
        return {"household_number": self.household_number, "town": self.town, "village": self.village,
                "member": self.member, "id_number": self.id_number, "level": self.level, "rule": self.rule,
                "field": self.field, "message": self.message, "severity": self.severity}

    def line(self, *, masked: bool = False) -> str:
        """One Chinese line; ``masked``: the ID number's first 6 and last 4 only."""
        number = mask_id(self.id_number) if masked and self.id_number else self.id_number
        who = f"{self.member}（{number}）" if self.member else "本户"
        return f"{self.town}{self.village} 户编号 {self.household_number} {who}：{self.message}"


def rule_ids(store: Store) -> dict[str, set[str]]:
    """The ids of the questionnaire's consistency rules, by part."""
    q = store.questionnaire
    return {"household": {r["id"] for r in q.household.rules},
            "member": {r["id"] for r in q.member.rules} | {r["id"] for r in q.household_rules}}


def rule_fields(part: Part) -> list[str]:
    """The fields the part's consistency rules read, with the fields their
    relevance depends on (an irrelevant answer is emptied before the rules
    see it), and the ID number when a rule reads the age."""
    wanted: set[str] = set()
    for r in part.rules:
        wanted |= rules.fields_of(r.get("when")) | rules.fields_of(r.get("assert"))
    if wanted & {"age", "working_age"}:
        wanted.add("id_number")
    todo = list(wanted)
    while todo:
        fld = part.by_key.get(todo.pop())
        if fld is not None and fld.relevant:
            for key in rules.fields_of(fld.relevant) - wanted:
                wanted.add(key)
                todo.append(key)
    return [f.key for f in part.fields if f.key in wanted]


def _decoded_columns(part: Part, keys: list[str], rows: list[tuple], first: int) -> dict[str, list]:
    """Stored cells (``rows[i][first + j]`` is field ``keys[j]``) decoded
    column by column, once per distinct stored value."""
    out = {}
    for j, key in enumerate(keys):
        fld = part.by_key[key]
        memo: dict = {}
        column = []
        for r in rows:
            stored = r[first + j]
            if stored not in memo:
                memo[stored] = from_storage(fld, stored)
            column.append(memo[stored])
        out[key] = column
    return out


_HOUSEHOLD_SQL = ("SELECT h.id, h.number, t.name, v.name, t.code, v.code{cols} FROM households h "
                  "JOIN villages v ON v.id = h.village_id JOIN towns t ON t.id = v.town_id WHERE h.deleted = 0")


def _households(store: Store, numbers: set[str] | None, keys: list[str]) -> list[tuple]:
    sql = _HOUSEHOLD_SQL.format(cols="".join(f", h.[{k}]" for k in keys))
    if numbers is None:
        return store.db.execute(sql + " ORDER BY t.code, v.code, h.number").fetchall()
    out = []
    values = sorted(numbers)
    for start in range(0, len(values), 500):
        block = values[start:start + 500]
        out.extend(store.db.execute(sql + f" AND h.number IN ({', '.join('?' * len(block))})", block).fetchall())
    return sorted(out, key=lambda r: (r[4] or "", r[5] or "", r[1]))


def check_register(store: Store, *, household_numbers: Iterable[str] | None = None, as_of: dt.date | None = None,
                   spells: bool = True) -> list[Finding]:
    """Every finding of the check rules over the register (or over the
    households numbered ``household_numbers``), in town, village and
    household order. ``spells``: add the work-spell rules' findings (the
    import has its own for the spell rows it read). Only the columns the
    rules read are read and checked, a block at a time, column by column
    (``validation.check_columns``), as the import checks its rows."""
    q = store.questionnaire
    day = as_of or dt.date.today()
    bounds = working_age_bounds(store)
    ids = rule_ids(store)
    numbers = None if household_numbers is None else set(household_numbers)
    part = q.household
    keys = rule_fields(part)
    households = _households(store, numbers, keys)
    # id -> (number, town, village)
    by_id = {h[0]: (h[1], h[2], h[3]) for h in households}
    found: dict[str, list[Finding]] = defaultdict(list)  # only the households with a finding

    for start in range(0, len(households), BLOCK):
        block = households[start:start + BLOCK]
        raw = _decoded_columns(part, keys, block, 6)
        checked = validation.check_columns(part, raw, len(block), as_of=day)
        for h, problems in zip(block, checked.problems):
            for p in problems:
                if p.rule in ids["household"]:
                    found[h[0]].append(Finding(h[1], h[2], h[3], None, None, "household", p.rule, p.field,
                                               p.message, p.severity))

    part = q.member
    keys = rule_fields(part)
    cols = "".join(f", [{k}]" for k in keys if k not in ("id_number", "relation"))
    keys = [k for k in keys if k not in ("id_number", "relation")]
    # member id -> (household id, name, ID number), for naming the spells'
    # findings: not kept without them (100,000 people are ≈30 MB at an import)
    people: dict[str, tuple] = {}
    household_ids = list(by_id)
    for start in range(0, len(household_ids), 500):
        chunk = household_ids[start:start + 500]
        rows = store.db.execute(
            f"SELECT id, household_id, name, id_number, sex, relation{cols} FROM members "
            f"WHERE deleted = 0 AND left_on IS NULL AND household_id IN ({', '.join('?' * len(chunk))}) "
            "ORDER BY household_id, CASE relation WHEN '户主' THEN 0 WHEN '配偶' THEN 1 ELSE 2 END, birth_date, rowid",
            chunk).fetchall()
        if not rows:
            continue
        raw = _decoded_columns(part, keys, rows, 6)
        raw["id_number"] = [r[3] for r in rows]
        raw["relation"] = [r[5] for r in rows]
        checked = validation.check_columns(part, raw, len(rows), as_of=day, working_age=bounds)
        family: dict[str, list[dict]] = {}
        for r, problems in zip(rows, checked.problems):
            if spells:
                people[r[0]] = (r[1], r[2], r[3])
            family.setdefault(r[1], []).append({"relation": r[5], "sex": r[4]})
            number, town, village = by_id[r[1]]
            for p in problems:
                if p.rule in ids["member"]:
                    found[r[1]].append(Finding(number, town, village, r[2], r[3], "member", p.rule, p.field,
                                               p.message, p.severity))
        for hid, members in family.items():
            number, town, village = by_id[hid]
            for p in household_problems(q, members):
                found[hid].append(Finding(number, town, village, None, None, "household", p.rule or "", p.field,
                                          p.message, p.severity))

    if spells:
        from .spells import spell_warnings

        for spell, p in spell_warnings(store, None if numbers is None else list(people)):
            person = people.get(spell["member_id"])
            if person is None:
                continue  # a member who left, or outside the households asked for
            hid, name, id_number = person
            number, town, village = by_id[hid]
            found[hid].append(Finding(number, town, village, name, id_number, "spell", f"spell_{p.rule}", p.field,
                                      p.message, p.severity))
    return [f for h in households if h[0] in found for f in found[h[0]]]


def summary(findings: list[Finding]) -> dict:
    """Counts: findings, households, members, and per rule."""
    by_rule: dict[str, int] = {}
    for f in findings:
        by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
    return {"findings": len(findings), "households": len({f.household_number for f in findings}),
            "members": len({f.id_number for f in findings if f.id_number}), "by_rule": by_rule}
