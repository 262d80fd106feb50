"""What a household's employment assistance handbook (就业帮扶手册) shows,
read from the database: ``collect`` gathers one household's data
(``HandbookData``; the jobs tables are read directly: recommendations, offers,
openings, enterprises), ``shared`` what every handbook of a batch reads alike.
Survey labels come from the questionnaire definition, never from this module.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import places, register, terms
from ..domain import SURVEY_SECTIONS, member_age, working_age_bounds
from ..households import size_of
from ..policies import Policy, in_terms, list_policies, policies_for_household
from ..questionnaire import display
from ..storage import Store

TRAINING_KIND = "培训"
DEFAULT_ISSUER = "{county}人力资源和社会保障局"


@dataclass
class MemberPage:
    member: dict
    age: int | None
    survey: list[tuple[str, str]]
    offers: list[dict]
    training: list[dict]
    other_measures: list[dict]


@dataclass
class HandbookData:
    household: dict
    place: dict
    members: list[dict]
    ages: dict[str, int | None]
    cadres: list[dict]
    working_age: list[MemberPage]
    policies: list[tuple[Policy, list[str]]]
    visits: list[dict]
    measures: list[dict]
    as_of: dt.date
    issuer: str
    age_min: int
    age_max: int
    member_labels: dict[str, str] = field(default_factory=dict)
    household_labels: dict[str, str] = field(default_factory=dict)
    # 防止返贫监测 (issue 14): (label, value) pairs of the household's monitoring
    # answers, empty when the household has none; every member's work spells.
    monitoring: list[tuple[str, str]] = field(default_factory=list)
    spells: list[dict] = field(default_factory=list)
    # the county's terms (terms.py): 建档立卡贫困户 (2020) or 脱贫户（含监测户） (2021)
    households_term: str = "建档立卡贫困户"

    @property
    def number(self) -> str:
        return self.household.get("number") or ""

    @property
    def head_name(self) -> str:
        return self.household.get("head_name") or ""


# ---------------------------------------------------------------- reading the data

def issuer_of(store: Store, county_name: str) -> str:
    text = store.get_setting("print_issuer") or DEFAULT_ISSUER
    return str(text).replace("{county}", county_name)


@dataclass(frozen=True)
class Shared:
    """What every handbook of a batch reads alike: the date, the policies (as
    printed under the county's terms), the working-age bounds, the county's
    terms and the questionnaire's labels. Read once per batch (``shared``)
    instead of once per household."""

    as_of: dt.date
    policies: list[Policy]
    age_min: int
    age_max: int
    wording: str
    households_term: str
    member_labels: dict[str, str]
    household_labels: dict[str, str]
    has_spells: bool
    county_name: str
    issuers: dict[str, str] = field(default_factory=dict)  # county name -> issuer

    def issuer(self, store: Store, county_name: str) -> str:
        text = self.issuers.get(county_name)
        if text is None:
            text = self.issuers[county_name] = issuer_of(store, county_name)
        return text


def shared(store: Store, *, as_of: dt.date | None = None, policies: list[Policy] | None = None) -> Shared:
    q = store.questionnaire
    age_min, age_max = working_age_bounds(store)
    wording = terms.current(store)
    return Shared(
        as_of=as_of or dt.date.today(),
        policies=[in_terms(p, wording) for p in (list_policies(store) if policies is None else policies)],
        age_min=age_min, age_max=age_max, wording=wording,
        households_term=HOUSEHOLDS_TERM.get(wording) or terms.term(store, "households"),
        member_labels={f.key: f.label for f in q.member.fields},
        household_labels={f.key: f.label for f in q.household.fields},
        has_spells=_has_spells(store), county_name=places.county(store)["name"])


def collect(store: Store, household_id: str, *, as_of: dt.date | None = None,
            policies: list[Policy] | None = None, common: Shared | None = None) -> HandbookData:
    """Everything one household's handbook shows (``common``: what the batch
    shares, read here when not given)."""
    with store.snapshot():
        return _collect(store, household_id, as_of=as_of, policies=policies, common=common)


def _collect(store: Store, household_id: str, *, as_of: dt.date | None, policies: list[Policy] | None,
             common: Shared | None) -> HandbookData:
    s = common or shared(store, as_of=as_of, policies=policies)
    as_of = s.as_of
    q = store.questionnaire
    hh = register.household(store, household_id)
    members = register.members_of(store, household_id)
    # One 家庭人口数 for the page, 人均纯收入 and this handbook (issue 11 §2).
    hh = {**hh, "size": size_of(hh, members, as_of).size}
    place = register.household_place(store, household_id) or {}
    ages = {m["id"]: member_age(m, as_of) for m in members}
    age_min, age_max = s.age_min, s.age_max
    ids = [m["id"] for m in members]
    measures = _measures(store, household_id, ids)
    offers = _rows_for_members(store, _OFFERS_SQL, ids)
    spells = _rows_for_members(store, _SPELLS_SQL, ids) if s.has_spells else []
    pages = []
    for m in members:
        age = ages[m["id"]]
        if age is None or not (age_min <= age < age_max):
            continue
        if m.get("left_on") and str(m["left_on"]) <= as_of.isoformat():
            continue  # left the household: in the member table only
        relevant = q.member.relevant_keys(m)
        survey = [(f.label, display(f, m.get(f.key))) for f in q.member.fields
                  if f.section in SURVEY_SECTIONS and f.key in relevant]
        mine = [x for x in measures if x.get("member_id") == m["id"]]
        pages.append(MemberPage(
            member=m, age=age, survey=survey, offers=[o for o in offers if o["member_id"] == m["id"]],
            training=[x for x in mine if x["kind"] == TRAINING_KIND],
            other_measures=[x for x in mine if x["kind"] != TRAINING_KIND]))
    county_name = place.get("county") or s.county_name
    return HandbookData(
        household=hh, place=place, members=members, ages=ages,
        cadres=register.cadre_history(store, household_id), working_age=pages,
        policies=policies_for_household(store, hh, members, as_of, s.policies, bounds=(age_min, age_max)),
        visits=register.visits_of(store, household_id), measures=measures, as_of=as_of,
        issuer=s.issuer(store, county_name), age_min=age_min, age_max=age_max,
        member_labels=s.member_labels, household_labels=s.household_labels,
        monitoring=monitoring_pairs(q, hh), spells=spells, households_term=s.households_term,
    )


# How the handbook names the households it is for, by the county's terms.
HOUSEHOLDS_TERM = {"2021": "脱贫户（含监测户）", "2020": "建档立卡贫困户"}

# The household's 防止返贫监测 answers, in the questionnaire's order (issue 14 §1).
MONITORING_KEYS = ("household_type", "monitoring_category", "monitoring_since", "risk_cleared", "risk_clear_method",
                   "risk_cleared_on")
RISK_KEYS = tuple(f"risk_{i}" for i in range(1, 6))


def month_text(value: Any) -> str:
    """2023-06 → 2023年6月 (other text as it is)."""
    text = "" if value is None else str(value)
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-\d{2})?", text)
    return f"{m.group(1)}年{int(m.group(2))}月" if m else text


def monitoring_pairs(q, hh: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of the monitoring block: 户类型, 监测对象类别, the dates,
    风险是否已消除 and how, and the risks 1-5 joined (main one first). Empty when
    the questionnaire has no such fields or the household answered none."""
    fields = {f.key: f for f in q.household.fields}
    if not any(k in fields for k in MONITORING_KEYS):
        return []
    pairs: list[tuple[str, str]] = []
    for key in MONITORING_KEYS:
        f = fields.get(key)
        if f is None:
            continue
        value = hh.get(key)
        text = month_text(value) if f.type == "month" else display(f, value)
        pairs.append((f.label, text))
    risks = [display(fields[k], hh.get(k)) for k in RISK_KEYS if k in fields and hh.get(k) not in (None, "")]
    if any(k in fields for k in RISK_KEYS):
        pairs.append(("致贫/返贫风险", "、".join(risks)))
    if not any(v for _, v in pairs):
        return []
    return pairs


_OFFERS_SQL = (
    "SELECT o.member_id, o.rank, o.status, o.status_reason, o.status_on, r.recommended_on, "
    "op.title AS opening, op.location, op.pay, op.pay_unit, op.route, e.name AS enterprise "
    "FROM offers o LEFT JOIN recommendations r ON r.id = o.recommendation_id "
    "LEFT JOIN openings op ON op.id = o.opening_id LEFT JOIN enterprises e ON e.id = op.enterprise_id "
    "WHERE o.deleted = 0 AND o.member_id IN ({}) ORDER BY r.recommended_on, o.recommendation_id, o.rank")


_SPELLS_SQL = ("SELECT * FROM work_spells WHERE deleted = 0 AND member_id IN ({}) ORDER BY start_month, created_at")


def _has_spells(store: Store) -> bool:
    return bool(store.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'work_spells'")
                .fetchone())


def _measures(store: Store, household_id: str, member_ids: list[str]) -> list[dict]:
    """The members' measures, then the household's own (no member), each in
    date order: one query."""
    members = f"member_id IN ({', '.join('?' * len(member_ids))})" if member_ids else "0"
    rows = store.rows(f"SELECT *, member_id IS NULL AS household_own FROM measures WHERE deleted = 0 AND "
                      f"({members} OR (member_id IS NULL AND household_id = ?)) "
                      f"ORDER BY household_own, start_date, created_at", [*member_ids, household_id])
    for r in rows:
        del r["household_own"]
    return rows


def _rows_for_members(store: Store, sql: str, ids: list[str]) -> list[dict]:
    if not ids:
        return []
    return store.rows(sql.format(", ".join("?" * len(ids))), ids)
