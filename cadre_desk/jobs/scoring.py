"""The hard constraints and the score of matching (see ``matching``), over
all openings at once: ``OpeningSet`` holds the openings as numpy arrays, so
ranking one person is a few dozen vector operations instead of a Python loop
per opening; ``Ranking`` is what it chose for one person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..codes import code_list
from ..domain import EDUCATION_LEVEL
from . import ABLE_LABOUR, HOME_ROUTE, PUBLIC_WELFARE_ROUTE, ROUTES
from .openings import DEFAULT_WORK_DAYS_PER_MONTH, monthly_pay
from .people import Person

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
_ROUTE_INDEX = {name: i for i, name in enumerate(ROUTES)}


def skill_bits(skills: Iterable[str]) -> int:
    bits = 0
    for s in skills or ():
        bits |= _SKILL_BIT.get(s, 0)
    return bits



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
        self.edu_min = np.array([EDUCATION_LEVEL.get(x.get("min_education"), 0) for x in o], dtype=np.int8)
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
        level = EDUCATION_LEVEL.get(p.education or "", 0)
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

