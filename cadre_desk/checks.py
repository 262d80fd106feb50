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
帮扶车间/公益性岗位 outside the county), which live with the spells.

A finding names the household number, town and village, the member (name
and ID number) when it is a member's, the rule and its message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from . import register, validation
from .domain import working_age_bounds
from .questionnaire import household_problems
from .storage import Store

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

    def line(self) -> str:
        who = f"{self.member}（{self.id_number}）" if self.member else "本户"
        return f"{self.town}{self.village} 户编号 {self.household_number} {who}：{self.message}"


def rule_ids(store: Store) -> dict[str, set[str]]:
    """The ids of the questionnaire's consistency rules, by part."""
    q = store.questionnaire
    return {"household": {r["id"] for r in q.household.rules},
            "member": {r["id"] for r in q.member.rules} | {r["id"] for r in q.household_rules}}


def _households(store: Store, numbers: set[str] | None) -> list[dict]:
    sql = ("SELECT h.*, t.name AS town_name, v.name AS village_name, t.code AS town_code, v.code AS village_code, "
           "v.rowid AS village_row FROM households h "
           "JOIN villages v ON v.id = h.village_id JOIN towns t ON t.id = v.town_id WHERE h.deleted = 0")
    if numbers is None:
        return store.rows(sql + " ORDER BY t.code, v.code, h.number")
    out = []
    values = sorted(numbers)
    for start in range(0, len(values), 500):
        block = values[start:start + 500]
        out.extend(store.rows(sql + f" AND h.number IN ({', '.join('?' * len(block))})", block))
    return sorted(out, key=lambda r: (r["town_code"] or "", r["village_code"] or "", r["number"]))


def check_register(store: Store, *, household_numbers: Iterable[str] | None = None, as_of: dt.date | None = None,
                   spells: bool = True) -> list[Finding]:
    """Every finding of the check rules over the register (or over the
    households numbered ``household_numbers``), in town, village and
    household order. ``spells``: add the work-spell rules' findings (the
    import has its own for the spell rows it read)."""
    q = store.questionnaire
    day = as_of or dt.date.today()
    bounds = working_age_bounds(store)
    ids = rule_ids(store)
    numbers = None if household_numbers is None else set(household_numbers)
    households = _households(store, numbers)
    by_id = {h["id"]: h for h in households}
    found: dict[str, list[Finding]] = {h["id"]: [] for h in households}

    part = q.household
    for start in range(0, len(households), BLOCK):
        block = households[start:start + BLOCK]
        answers = [{k: v for k, v in register.decode(part, h).items() if k in part.by_key} for h in block]
        for h, (_, problems) in zip(block, validation.check_rows(part, answers, as_of=day).rows()):
            for p in problems:
                if p.rule in ids["household"]:
                    found[h["id"]].append(Finding(h["number"], h["town_name"], h["village_name"], None, None,
                                                  "household", p.rule, p.field, p.message, p.severity))

    members: dict[str, list[dict]] = {}
    people: dict[str, dict] = {}  # member id -> row
    keys = list(by_id)
    part = q.member
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        rows = store.rows(f"SELECT * FROM members WHERE deleted = 0 AND left_on IS NULL AND household_id IN "
                          f"({', '.join('?' * len(chunk))}) ORDER BY household_id, "
                          "CASE relation WHEN '户主' THEN 0 WHEN '配偶' THEN 1 ELSE 2 END, birth_date, rowid", chunk)
        answers = [{k: v for k, v in register.decode(part, m).items() if k in part.by_key} for m in rows]
        for m, a in zip(rows, answers):
            members.setdefault(m["household_id"], []).append({**a, "sex": m["sex"]})
            people[m["id"]] = m
        checked = validation.check_rows(part, answers, as_of=day, working_age=bounds).rows() if rows else []
        for m, (_, problems) in zip(rows, checked):
            h = by_id[m["household_id"]]
            for p in problems:
                if p.rule in ids["member"]:
                    found[h["id"]].append(Finding(h["number"], h["town_name"], h["village_name"], m["name"],
                                                  m["id_number"], "member", p.rule, p.field, p.message, p.severity))
    for hid, household_members in members.items():
        h = by_id[hid]
        for p in household_problems(q, household_members):
            found[hid].append(Finding(h["number"], h["town_name"], h["village_name"], None, None, "household",
                                      p.rule or "", p.field, p.message, p.severity))

    if spells:
        from .spells import spell_warnings

        for spell, p in spell_warnings(store, None if numbers is None else list(people)):
            m = people.get(spell["member_id"])
            if m is None:
                continue  # a member who left, or outside the households asked for
            h = by_id[m["household_id"]]
            found[h["id"]].append(Finding(h["number"], h["town_name"], h["village_name"], m["name"], m["id_number"],
                                          "spell", f"spell_{p.rule}", p.field, p.message, p.severity))
    return [f for h in households for f in found[h["id"]]]


def summary(findings: list[Finding]) -> dict:
    """Counts: findings, households, members, and per rule."""
    by_rule: dict[str, int] = {}
    for f in findings:
        by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
    return {"findings": len(findings), "households": len({f.household_number for f in findings}),
            "members": len({f.id_number for f in findings if f.id_number}), "by_rule": by_rule}
