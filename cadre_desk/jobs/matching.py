"""Ranking the open openings for a person: hard constraints first, then a
score, then a plain Chinese reason for each of the top three.

Hard constraints (an opening that fails one is never offered), checked in this
order; an excluded opening is counted under the first one it fails, which is
what the note of a short list reports:

1. 已过期或未开始: ``valid_until`` before the day, or ``valid_from`` after it;
2. 已招满: offers 录用/在岗 hold all its places;
3. 劳动技能: the person's 劳动技能 is among those the opening accepts (an empty
   list accepts 普通劳动力, 技能劳动力 and 弱劳动力或半劳动力, never 丧失/无劳动力);
4. 年龄: ``age_min <= age <= age_max`` (either bound may be empty);
5. 文化程度: at least the opening's minimum (an unknown education meets only
   the lowest, 文盲或半文盲, which is the same as no minimum);
6. 残疾: a disabled person only gets openings marked suitable for disabled workers;
7. 居家: a home-bound person (不能外出原因 given, or 就业意愿 居家就业) only gets
   居家就业 openings or work in their own village (本村);
8. 可接受工作地点: read as how far the person will go: the opening's place must
   not be farther than the farthest place they accept (ticking 本县 accepts 本村
   and 本镇 too); nothing ticked means no limit;
9. 上次已推荐: an opening in the person's most recent recorded recommendation is
   not offered again unless ``repeat`` is asked.

The place of an opening relative to a person: 本村 (same village), 本镇 (same
town), 本县 (same county code), 省内 (same province code), 省外. Home-based
piece work (居家就业) is done at home, so it counts as 本村.

Score (higher is better, ties go to the opening listed first): 就业意愿 matching
the route or place (30), the person having a skill the opening wants (25; 10 when
it wants none), pay against the expected monthly income (up to 20), distance
(本村 15, 本镇 12, 本县 8, 省内 4, 省外 2), places left (up to 5).

The constraints and the score are ``scoring`` (the openings as numpy arrays,
``OpeningSet``), the people ``people``; this module builds the offers, their
reasons and the note, and reads what it needs from the database. A whole
county (about 70,000 working-age people × 2,000 openings) is ranked in
seconds (benchmarks/bench_matching.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import CadreDeskError, NotFound
from ..storage import Store
from . import ABLE_LABOUR, HOME_ROUTE, PLACES, PUBLIC_WELFARE_ROUTE
from .openings import list_openings, pay_label, work_days_per_month
from .people import Person, load_people, load_person  # noqa: F401  (load_people: a county run's callers)
from .scoring import CONSTRAINTS, OFFERS_PER_PERSON, OpeningSet, Ranking

INTENTION_LABEL = {
    "县内企业就业": "想在县内企业就业", "外出务工": "想外出务工", "居家就业": "想居家就业",
    "公益性岗位": "想要公益性岗位",
}


def rank_many(s: OpeningSet, people: Iterable[Person]) -> Iterable[Recommendation]:
    """Recommendations for many people (a county run), ranked in village order so
    that the per-village arrays are built once; yielded in that order."""
    for p in sorted(people, key=lambda x: (x.province_code or "", x.county_code or "", x.town_id or "",
                                           x.village_id or "")):
        yield build_recommendation(s.rank(p))


# ---------------------------------------------------------------- offers and the note

@dataclass
class Offer:
    opening_id: str
    opening: str
    employer: str
    route: str
    place: str
    monthly_pay: float | None
    reason: str
    score: float = 0.0

    def as_json(self) -> dict[str, Any]:
        pay = self.monthly_pay
        return {"opening": self.opening, "employer": self.employer, "route": self.route, "place": self.place,
                "monthly_pay": (int(pay) if pay is not None and float(pay).is_integer() else pay),
                "reason": self.reason}


@dataclass
class Recommendation:
    member_id: str
    id_number: str
    name: str
    as_of: str
    offers: list[Offer]
    note: str
    excluded: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return {"id_number": self.id_number, "offers": [o.as_json() for o in self.offers], "note": self.note}


def place_label(o: Mapping[str, Any], place: int) -> str:
    """Where the work is, as a person reads it. Home piece work is done at
    home (it ranks as 本村), but the materials come from the opening's place:
    居家（来料加工，发料点：烟店镇李庄村）, never "本村" for another town's workshop."""
    if o.get("route") == HOME_ROUTE:
        where = f"{o.get('town_name') or ''}{o.get('village_name') or ''}"
        return f"居家（来料加工，发料点：{where}）" if where else "居家（来料加工）"
    return PLACES[place]


def reason_for(p: Person, o: Mapping[str, Any], place: int, left: int, monthly: float | None) -> str:
    parts = []
    overlap = [s for s in (o.get("skills") or []) if s in p.skills]
    if overlap:
        parts.append("会" + "、".join(overlap))
    want = p.job_intention
    route = o.get("route")
    if (want == HOME_ROUTE and route == HOME_ROUTE) or (want == PUBLIC_WELFARE_ROUTE and route == want) \
            or (want == "县内企业就业" and route in ("企业就业", "扶贫车间") and place <= 2) \
            or (want == "外出务工" and (route == "劳务输出" or place >= 3)):
        parts.append(INTENTION_LABEL[want])
    elif route == HOME_ROUTE:
        parts.append("居家就业")
    elif route == "扶贫车间":
        parts.append("扶贫车间")
    if p.disabled and o.get("suitable_disabled"):
        parts.append("适合残疾人")
    parts.append(place_label(o, place))
    parts.append(pay_label(o, monthly))
    if 0 < left <= 2:
        parts.append(f"仅剩 {left} 个名额")
    return "；".join(parts)


def _summary_of_exclusions(excluded: Mapping[str, int]) -> str:
    labels = dict(CONSTRAINTS)
    return "，".join(f"{n} 个{labels[k]}" for k, n in excluded.items() if n)


def build_recommendation(ranking: Ranking) -> Recommendation:
    """Offers with reasons and the note, from a ranking."""
    p, s = ranking.person, ranking.opening_set
    offers = []
    for i, score in zip(ranking.chosen, ranking.scores or [0.0] * len(ranking.chosen)):
        o = s.openings[i]
        place = int(ranking.place[i])
        left = s.left_list[i] or 0
        pay = s.pay_list[i]
        offers.append(Offer(opening_id=o["id"], opening=o["title"], employer=o.get("employer") or "",
                            route=o["route"], place=place_label(o, place), monthly_pay=pay,
                            reason=reason_for(p, o, place, left, pay), score=score))
    excluded = ranking.excluded if len(offers) < OFFERS_PER_PERSON else {}
    return Recommendation(p.member_id, p.id_number, p.name, s.as_of.isoformat(), offers,
                          _note(ranking, offers, excluded), excluded)


def _note(ranking: Ranking, offers: list[Offer], excluded: Mapping[str, int]) -> str:
    p, s = ranking.person, ranking.opening_set
    lines = []
    if p.employment_status == "已就业":
        lines.append(f"该成员已就业（{p.employment_channel or '渠道未填'}），推荐供换岗参考。")
    if p.labour_ability not in ABLE_LABOUR:
        lines.append(f"该成员劳动技能为“{p.labour_ability or '未填写'}”，不推荐岗位；如情况有变，请先更新调查表。")
        return "".join(lines)
    total = s.size
    if total == 0:
        lines.append("目前没有登记任何岗位。请先在“岗位”中添加或导入岗位。")
    elif len(offers) >= OFFERS_PER_PERSON:
        lines.append(f"共 {total} 个岗位，{ranking.fitting} 个符合条件，推荐最合适的 {len(offers)} 个。")
    else:
        fit = f"只有 {len(offers)} 个岗位符合条件" if offers else "没有符合条件的岗位"
        lines.append(f"{fit}（共 {total} 个岗位：{_summary_of_exclusions(excluded)}）。")
    if p.job_intention == "自主创业":
        lines.append("本人有创业意愿，可介绍一次性创业补贴和创业担保贷款。")
    if len(offers) < OFFERS_PER_PERSON:
        lines.append(_fallback(ranking, offers))
    return "".join(lines)


def _fallback(ranking: Ranking, offers: list[Offer]) -> str:
    """What to offer instead when fewer than three openings fit: a public-welfare
    post if one fits, else training."""
    p, s = ranking.person, ranking.opening_set
    welfare = [o for o in offers if o.route == PUBLIC_WELFARE_ROUTE]
    if welfare:
        return f"可优先安排公益性岗位“{welfare[0].opening}”（{welfare[0].employer}）。"
    if s.size and p.labour_ability in ABLE_LABOUR:
        # A public-welfare post left out only because it was offered last time
        # is still the county's fallback for this person.
        candidates = np.flatnonzero(s.fits(p) & s.is_public_welfare)
        if candidates.size:
            o = s.openings[int(candidates[0])]
            return f"可安排公益性岗位“{o['title']}”（上次已推荐过，可再次联系）。"
    if p.training_needs:
        wanted = "、".join(p.training_needs[:3])
        return f"没有合适的公益性岗位，建议先参加技能培训：{wanted}（本人有培训需求）。"
    demand = s.skills_in_demand()
    if demand:
        return f"没有合适的公益性岗位，建议先参加技能培训，如{'、'.join(demand)}（在招岗位需要较多的技能）。"
    return "没有合适的公益性岗位，建议先参加职业技能培训，并向县就业办申请公益性岗位。"


def opening_set(store: Store, as_of: dt.date) -> OpeningSet:
    return OpeningSet(list_openings(store), as_of, days_per_month=work_days_per_month(store))


def last_offered(store: Store, member_id: str) -> list[str]:
    """Opening ids of the member's most recent recorded recommendation."""
    rows = store.rows("SELECT id FROM recommendations WHERE member_id = ? AND deleted = 0 "
                      "ORDER BY recommended_on DESC, created_at DESC LIMIT 1", [member_id])
    if not rows:
        return []
    return [r["opening_id"] for r in store.rows(
        "SELECT opening_id FROM offers WHERE recommendation_id = ? AND deleted = 0", [rows[0]["id"]])]


def recommend(store: Store, member: Mapping[str, Any], *, as_of: dt.date | None = None,
              repeat: bool = False, openings: OpeningSet | None = None) -> Recommendation:
    """The top three openings for a member (a decoded member row), with
    reasons and a note. Records nothing (see ``outcomes.record_recommendation``)."""
    as_of = as_of or dt.date.today()
    if not member or not member.get("id"):
        raise NotFound("找不到这个成员")
    if openings is None:
        openings = opening_set(store, as_of)
    elif openings.as_of != as_of:
        raise CadreDeskError("内部错误：岗位表的日期与推荐日期不一致")
    person = load_person(store, member, as_of)
    exclude = () if repeat else last_offered(store, person.member_id)
    return build_recommendation(openings.rank(person, exclude=exclude))
