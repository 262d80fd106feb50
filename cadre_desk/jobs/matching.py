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

The openings are held as numpy arrays (``OpeningSet``) so that ranking one
person is a few dozen vector operations over all openings instead of a Python
loop per opening; a whole county (about 70,000 working-age people × 2,000
openings) is ranked in seconds (benchmarks/bench_matching.py).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..codes import code_list
from ..errors import CadreDeskError, NotFound
from ..storage import Store
from . import ABLE_LABOUR, EDUCATION_LEVEL, HOME_ROUTE, PLACES, PUBLIC_WELFARE_ROUTE, ROUTES
from .openings import DEFAULT_WORK_DAYS_PER_MONTH, list_openings, monthly_pay, pay_label, work_days_per_month

OFFERS_PER_PERSON = 3

CONSTRAINTS = (
    ("expired", "已过期或未到招聘时间"),
    ("full", "已招满"),
    ("ability", "劳动技能不符"),
    ("age", "年龄不符"),
    ("education", "文化程度不够"),
    ("disabled", "不适合残疾人"),
    ("home_bound", "不是居家或本村岗位（本人不能外出）"),
    ("place", "超出可接受的工作地点"),
    ("repeat", "上次已推荐过"),
)

W_INTENTION, W_SKILL, W_SKILL_NONE_WANTED, W_PAY, W_LEFT = 30.0, 25.0, 10.0, 20.0, 5.0
W_DISTANCE = np.array([15.0, 12.0, 8.0, 4.0, 2.0])
_UNKNOWN_PAY_SCORE = 5.0
_NO_LIMIT = 10**9

_SKILLS = code_list("skill").values
_SKILL_BIT = {name: 1 << i for i, name in enumerate(_SKILLS)}
_ABILITY_BIT = {name: 1 << i for i, name in enumerate(ABLE_LABOUR)}
_ALL_ABILITIES = (1 << len(ABLE_LABOUR)) - 1
_EDU_LEVEL = EDUCATION_LEVEL
_ROUTE_INDEX = {name: i for i, name in enumerate(ROUTES)}
_PLACE_INDEX = {name: i for i, name in enumerate(PLACES)}

INTENTION_LABEL = {
    "县内企业就业": "想在县内企业就业", "外出务工": "想外出务工", "居家就业": "想居家就业",
    "公益性岗位": "想要公益性岗位",
}


def skill_bits(skills: Iterable[str]) -> int:
    bits = 0
    for s in skills or ():
        bits |= _SKILL_BIT.get(s, 0)
    return bits


@dataclass
class Person:
    """What matching needs to know about a member."""

    member_id: str
    id_number: str
    name: str
    age: int | None
    education: str | None
    labour_ability: str | None
    disabled: bool
    home_bound: bool
    accepted_places: list[str]
    job_intention: str | None
    skills: list[str]
    expected_income: float | None
    village_id: str | None
    town_id: str | None
    county_code: str | None
    province_code: str | None
    training_needs: list[str] = field(default_factory=list)
    employment_status: str | None = None
    employment_channel: str | None = None

    @property
    def farthest_place(self) -> int:
        known = [_PLACE_INDEX[p] for p in self.accepted_places if p in _PLACE_INDEX]
        return max(known) if known else len(PLACES) - 1


def person_from_member(m: Mapping[str, Any], place: Mapping[str, Any], as_of: dt.date) -> Person:
    """A ``Person`` from a decoded member row and its household's place
    (``village_id``, ``town_id``, ``county_code``)."""
    age = _age(m, as_of)
    health = m.get("health") or []
    county = place.get("county_code")
    return Person(
        member_id=m["id"], id_number=m.get("id_number") or "", name=m.get("name") or "", age=age,
        education=m.get("education"), labour_ability=m.get("labour_ability"), disabled="残疾" in health,
        home_bound=bool(m.get("stay_home_reasons")) or m.get("job_intention") == HOME_ROUTE,
        accepted_places=list(m.get("accepted_places") or []), job_intention=m.get("job_intention"),
        skills=list(m.get("skills") or []), expected_income=m.get("expected_income"),
        village_id=place.get("village_id"), town_id=place.get("town_id"), county_code=county,
        province_code=(county[:2] + "0000") if county else None,
        training_needs=list(m.get("training_needs") or []),
        employment_status=m.get("employment_status"), employment_channel=m.get("employment_channel"),
    )


def _age(m: Mapping[str, Any], as_of: dt.date) -> int | None:
    """Completed years on ``as_of``, from the stored birth date (derived from the
    ID number on save), else from the ID number itself."""
    born = m.get("birth_date")
    if born:
        try:
            y, mo, d = int(born[:4]), int(born[5:7]), int(born[8:10])
        except ValueError:
            born = None
        else:
            return as_of.year - y - ((as_of.month, as_of.day) < (mo, d))
    from ..idnumber import InvalidIdNumber, parse_id_number

    try:
        return parse_id_number(m.get("id_number")).age_on(as_of)
    except (InvalidIdNumber, TypeError):
        return None


class _Codes:
    """Strings to small integers, so places compare as numbers (-1 = none)."""

    def __init__(self):
        self.ids: dict[str, int] = {}

    def __call__(self, value: str | None) -> int:
        if not value:
            return -1
        return self.ids.setdefault(value, len(self.ids))

    def get(self, value: str | None) -> int:
        return self.ids.get(value, -2) if value else -2  # -2 never equals an opening's code


class OpeningSet:
    """Openings as arrays, built once and used to rank many people."""

    def __init__(self, openings: Sequence[Mapping[str, Any]], as_of: dt.date, *,
                 days_per_month: int = DEFAULT_WORK_DAYS_PER_MONTH):
        self.openings = list(openings)
        self.as_of = as_of
        n = len(self.openings)
        self._village, self._town, self._county, self._province = _Codes(), _Codes(), _Codes(), _Codes()
        day = as_of.isoformat()
        o = self.openings
        self.village = np.array([self._village(x.get("village_id")) for x in o], dtype=np.int32)
        self.town = np.array([self._town(x.get("town_id")) for x in o], dtype=np.int32)
        self.county = np.array([self._county(x.get("county_code")) for x in o], dtype=np.int32)
        self.province = np.array([self._province(x.get("province_code")) for x in o], dtype=np.int32)
        self.route = np.array([_ROUTE_INDEX.get(x.get("route"), -1) for x in o], dtype=np.int8)
        self.home = self.route == _ROUTE_INDEX[HOME_ROUTE]
        self.valid = np.array([not (x.get("valid_until") and x["valid_until"] < day)
                               and not (x.get("valid_from") and x["valid_from"] > day) for x in o], dtype=bool)
        places = np.array([x.get("places") if x.get("places") is not None else _NO_LIMIT for x in o],
                          dtype=np.int64)
        filled = np.array([x.get("filled") or 0 for x in o], dtype=np.int64)
        self.left = places - filled
        self.not_full = self.left > 0
        self.ability = np.array([sum(_ABILITY_BIT.get(a, 0) for a in (x.get("labour_abilities") or []))
                                 or _ALL_ABILITIES for x in o], dtype=np.int8)
        self.age_min = np.array([x["age_min"] if x.get("age_min") is not None else -1 for x in o], dtype=np.int16)
        self.age_max = np.array([x["age_max"] if x.get("age_max") is not None else 999 for x in o],
                                dtype=np.int16)
        self.edu_min = np.array([_EDU_LEVEL.get(x.get("min_education"), 0) for x in o], dtype=np.int8)
        self.suitable_disabled = np.array([bool(x.get("suitable_disabled")) for x in o], dtype=bool)
        self.skills = np.array([skill_bits(x.get("skills") or []) for x in o], dtype=np.int32)
        self.wants_skill = self.skills != 0
        pay = [x["monthly_pay"] if "monthly_pay" in x else
               monthly_pay(x.get("pay"), x.get("pay_unit"), x.get("monthly_pay_estimate"), days_per_month)
               for x in o]
        self.pay = np.array([np.nan if p is None else p for p in pay], dtype=np.float64)
        self.pay_known = ~np.isnan(self.pay)
        self.left_score = np.minimum(np.clip(self.left, 0, None), 5).astype(np.float64) * (W_LEFT / 5)
        self.is_public_welfare = self.route == _ROUTE_INDEX[PUBLIC_WELFARE_ROUTE]
        self.index_of = {x["id"]: i for i, x in enumerate(o)}
        # Route/place that each 就业意愿 is after (see intention_match).
        self._enterprise_like = (self.route == _ROUTE_INDEX["企业就业"]) | (self.route == _ROUTE_INDEX["扶贫车间"])
        self._labour_export = self.route == _ROUTE_INDEX["劳务输出"]
        self.size = n
        self._open = self.valid & self.not_full
        self._all = np.ones(n, dtype=bool)
        self._pay0 = np.nan_to_num(self.pay, nan=0.0)
        self.left_list = [int(x) if x < _NO_LIMIT // 2 else None for x in self.left.tolist()]
        self.pay_list = [None if np.isnan(x) else float(x) for x in self.pay.tolist()]
        self._cache: dict[tuple, np.ndarray] = {}
        self._where: tuple | None = None
        self._village_cache: dict[tuple, np.ndarray] = {}
        self._demand: list[str] | None = None

    # -------------------------------------------------------------- per person
    # Ranking a county, most of a person's arrays are shared with others: the
    # places and what depends on them with everyone of the same village, the
    # ability/age/education mask with everyone of the same profile. Both are
    # memoised (the village part is dropped when the village changes, so ranking
    # people in village order keeps it small).

    def _memo(self, key: tuple, make) -> np.ndarray:
        value = self._cache.get(key)
        if value is None:
            if len(self._cache) >= 4096:
                self._cache.clear()
            value = self._cache[key] = make()
        return value

    def _village_memo(self, p: Person, key: tuple, make) -> np.ndarray:
        where = (p.village_id, p.town_id, p.county_code, p.province_code)
        if where != self._where:
            self._where, self._village_cache = where, {}
        value = self._village_cache.get(key)
        if value is None:
            value = self._village_cache[key] = make()
        return value

    def place_of(self, p: Person) -> np.ndarray:
        """0..4 = 本村..省外 for every opening, relative to ``p``."""
        def make():
            place = np.full(self.size, 4, dtype=np.int8)
            place[self.province == self._province.get(p.province_code)] = 3
            place[self.county == self._county.get(p.county_code)] = 2
            place[self.town == self._town.get(p.town_id)] = 1
            place[self.village == self._village.get(p.village_id)] = 0
            place[self.home] = 0
            return place
        return self._village_memo(p, ("place",), make)

    def _ability_ok(self, p: Person) -> np.ndarray:
        bit = _ABILITY_BIT.get(p.labour_ability or "", 0)
        return self._memo(("ability", bit), lambda: (self.ability & bit) != 0)

    def _age_ok(self, p: Person) -> np.ndarray:
        if p.age is None:
            return self._memo(("age", None), lambda: (self.age_min < 0) & (self.age_max >= 999))
        return self._memo(("age", p.age), lambda: (self.age_min <= p.age) & (p.age <= self.age_max))

    def _education_ok(self, p: Person) -> np.ndarray:
        # An unknown education (or 学龄前儿童) meets only the lowest minimum.
        level = _EDU_LEVEL.get(p.education or "", 0)
        return self._memo(("education", level), lambda: self.edu_min <= level)

    def _disabled_ok(self, p: Person) -> np.ndarray:
        return self.suitable_disabled if p.disabled else self._all

    def _home_ok(self, p: Person) -> np.ndarray:
        if not p.home_bound:
            return self._all
        return self._village_memo(p, ("home",), lambda: self.home | (self.place_of(p) == 0))

    def _place_ok(self, p: Person) -> np.ndarray:
        far = p.farthest_place
        return self._village_memo(p, ("far", far), lambda: self.place_of(p) <= far)

    def _repeat_ok(self, exclude: Iterable[str]) -> np.ndarray:
        idx = [self.index_of[i] for i in exclude if i in self.index_of]
        if not idx:
            return self._all
        mask = np.ones(self.size, dtype=bool)
        mask[idx] = False
        return mask

    def constraint_masks(self, p: Person, exclude: Iterable[str] = ()) -> list[tuple[str, np.ndarray]]:
        """For each hard constraint in order, the openings that pass it."""
        return [("expired", self.valid), ("full", self.not_full), ("ability", self._ability_ok(p)),
                ("age", self._age_ok(p)), ("education", self._education_ok(p)), ("disabled", self._disabled_ok(p)),
                ("home_bound", self._home_ok(p)), ("place", self._place_ok(p)),
                ("repeat", self._repeat_ok(exclude))]

    def fits(self, p: Person, exclude: Iterable[str] = ()) -> np.ndarray:
        """The openings that pass every hard constraint (same as AND-ing
        ``constraint_masks``, with the shared parts memoised)."""
        profile = self._memo(("profile", p.labour_ability, p.age, p.education, p.disabled),
                             lambda: self._open & self._ability_ok(p) & self._age_ok(p) & self._education_ok(p)
                             & self._disabled_ok(p))
        where = self._village_memo(p, ("where", p.home_bound, p.farthest_place),
                                   lambda: self._home_ok(p) & self._place_ok(p))
        ok = profile & where
        if exclude:
            ok &= self._repeat_ok(exclude)
        return ok

    def intention_match(self, p: Person, place: np.ndarray) -> np.ndarray:
        want = p.job_intention
        if want == "县内企业就业":
            return self._enterprise_like & (place <= 2)
        if want == "外出务工":
            return self._labour_export | (place >= 3)
        if want == HOME_ROUTE:
            return self.home
        if want == PUBLIC_WELFARE_ROUTE:
            return self.is_public_welfare
        return np.zeros(self.size, dtype=bool)

    def scores(self, p: Person, place: np.ndarray | None = None) -> np.ndarray:
        """The score of every opening for ``p`` (see the module docstring)."""
        base = self._village_memo(p, ("base", p.job_intention), lambda: (
            W_DISTANCE[self.place_of(p)] + self.left_score
            + np.where(self.intention_match(p, self.place_of(p)), W_INTENTION, 0.0)))
        mine = skill_bits(p.skills)
        skill = self._memo(("skill", mine), lambda: np.where(
            self.wants_skill, np.where((self.skills & mine) != 0, W_SKILL, 0.0), W_SKILL_NONE_WANTED))
        expected = float(p.expected_income) if p.expected_income and p.expected_income > 0 else None
        pay = self._memo(("pay", expected), lambda: np.where(
            self.pay_known, W_PAY * (np.clip(self._pay0 / expected, 0.0, 1.0) ** 2 if expected
                                     else np.clip(self._pay0 / 4000.0, 0.0, 1.0)), _UNKNOWN_PAY_SCORE))
        return base + skill + pay

    def rank(self, p: Person, *, exclude: Iterable[str] = (), limit: int = OFFERS_PER_PERSON) -> Ranking:
        """The best ``limit`` openings for ``p`` (best first; equal scores go to
        the opening listed first)."""
        exclude = tuple(exclude)
        if self.size == 0:
            return Ranking(p, [], 0, np.zeros(0, dtype=np.int8), self, exclude)
        place = self.place_of(p)
        fitting = np.flatnonzero(self.fits(p, exclude))
        if fitting.size == 0:
            return Ranking(p, [], 0, place, self, exclude)
        score = self.scores(p)[fitting]
        n_fit = int(fitting.size)
        if n_fit > limit:
            top = np.argpartition(-score, limit - 1)[:limit]
            fitting, score = fitting[top], score[top]
        order = np.lexsort((fitting, -score))
        return Ranking(p, fitting[order].tolist(), n_fit, place, self, exclude, score[order].tolist())

    def skills_in_demand(self, top: int = 2) -> list[str]:
        """The skills most wanted by the open openings (suggested training)."""
        if self._demand is None:
            counts: dict[str, int] = {}
            for i in np.flatnonzero(self._open):
                for skill in self.openings[int(i)].get("skills") or []:
                    counts[skill] = counts.get(skill, 0) + 1
            self._demand = [k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], _SKILLS.index(kv[0])))]
        return self._demand[:top]


@dataclass
class Ranking:
    person: Person
    chosen: list[int]
    fitting: int
    place: np.ndarray
    opening_set: OpeningSet
    exclude: tuple[str, ...] = ()
    scores: list[float] = field(default_factory=list)

    @property
    def excluded(self) -> dict[str, int]:
        """How many openings each hard constraint excluded, each counted under
        the first constraint it fails (only worked out when asked: the note of a
        short list needs it)."""
        s = self.opening_set
        if s.size == 0:
            return {}
        ok = np.ones(s.size, dtype=bool)
        out: dict[str, int] = {}
        for key, mask in s.constraint_masks(self.person, self.exclude):
            count = int(np.count_nonzero(ok & ~mask))
            if count:
                out[key] = count
            ok &= mask
        return out


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


# ---------------------------------------------------------------- from the database

_PLACE_SQL = ("SELECT h.id AS household_id, h.village_id, v.town_id, c.code AS county_code "
              "FROM households h LEFT JOIN villages v ON v.id = h.village_id "
              "LEFT JOIN towns t ON t.id = v.town_id LEFT JOIN counties c ON c.id = t.county_id ")


def load_person(store: Store, member: Mapping[str, Any], as_of: dt.date) -> Person:
    rows = store.rows(_PLACE_SQL + "WHERE h.id = ?", [member["household_id"]])
    return person_from_member(member, rows[0] if rows else {}, as_of)


def load_people(store: Store, as_of: dt.date, member_ids: Sequence[str] | None = None) -> list[Person]:
    """``Person`` records for the given members (all members when None), read in
    one query (the benchmark ranks a whole county this way)."""
    cols = ("id, household_id, id_number, birth_date, name, education, labour_ability, health, stay_home_reasons, "
            "job_intention, accepted_places, skills, expected_income, training_needs, employment_status, "
            "employment_channel")
    sql = f"SELECT {cols} FROM members WHERE deleted = 0"
    params: list[Any] = []
    if member_ids is not None:
        sql += f" AND id IN ({', '.join('?' * len(member_ids))})"
        params = list(member_ids)
    place_by_household = {r["household_id"]: r for r in store.rows(_PLACE_SQL + "WHERE h.deleted = 0")}
    out = []
    multi = ("health", "stay_home_reasons", "accepted_places", "skills", "training_needs")
    for r in store.rows(sql, params):
        for key in multi:
            r[key] = json.loads(r[key]) if r[key] else []
        out.append(person_from_member(r, place_by_household.get(r["household_id"], {}), as_of))
    return out


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
