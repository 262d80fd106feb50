"""The demo county: a realistic, synthetic Linqing register built from a seed.

``build_demo`` fills a database with villages under the real towns of
``resources/places.json``, households and members distributed as domain.md §9
describes (about three people a household, many elderly one- and two-person
households, 因病 and 因残 the commonest causes, 10–20 % of people disabled),
ID numbers that pass the check with both the old (372502) and the new (371581)
address code, partly done surveys, employment by route, cadres with a few
changes of cadre, visits, enterprises and openings in the workshop trades of
§9, recommendations, applications, measures and subsidies (so that every figure
of ``cadre-desk stats`` has something to count), and the sample policies.

Everything comes from one ``random.Random(seed)`` and the reference date
``as_of``: the same seed and date give the same rows, ids included (ids are
drawn from a second generator seeded from the seed and the number of households
already present, so a forced second demo never collides with the first). Word
lists are data in ``resources/demo.json``; nothing here needs Faker.

All rows go through ``Store.insert_many`` in one transaction (change log
included): 300 households take a fraction of a second, 10,000 a few seconds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from .domain import ABLE_LABOUR, WEAK_LABOUR
from .errors import CadreDeskError
from .idnumber import check_character
from .paths import resource_path
from . import register
from .register import encode
from .storage import Store

DEFAULT_HOUSEHOLDS = 300
DEFAULT_SEED = 2020
NEW_CODE, OLD_CODE = "371581", "372502"
# Spouses married in from neighbouring counties keep their own address code.
NEIGHBOUR_CODES = ("371522", "371521", "371524", "130535", "130534")

ABLE = ABLE_LABOUR
WEAK = WEAK_LABOUR
CHANNELS_ABLE = {"企业就业": 24, "扶贫车间": 14, "居家就业": 9, "劳务输出": 22, "自主创业": 6, "公益性岗位": 7,
                 "灵活就业": 18}
CHANNELS_WEAK = {"企业就业": 4, "扶贫车间": 20, "居家就业": 30, "公益性岗位": 30, "灵活就业": 10, "自主创业": 6}
INTENTION_OF_CHANNEL = {"企业就业": "县内企业就业", "扶贫车间": "县内企业就业", "居家就业": "居家就业",
                        "劳务输出": "外出务工", "自主创业": "自主创业", "公益性岗位": "公益性岗位",
                        "灵活就业": "县内企业就业"}
PLACES_OF_INTENTION = {"县内企业就业": ["本村", "本镇", "本县"], "外出务工": ["本县", "省内", "省外"],
                       "居家就业": ["本村"], "公益性岗位": ["本村", "本镇"], "自主创业": ["本村", "本镇"]}
INCOME_OF_INTENTION = {"县内企业就业": (2000, 4000), "外出务工": (3500, 6000), "居家就业": (800, 2000),
                       "公益性岗位": (300, 600), "自主创业": (3000, 5000)}
WORK_STATUS_OF_CHANNEL = {"企业就业": ("乡(镇)内务工", "乡(镇)外县内务工"), "扶贫车间": ("乡(镇)内务工",),
                          "居家就业": ("乡(镇)内务工",), "劳务输出": ("县外省内务工", "省外务工"),
                          "公益性岗位": ("乡(镇)内务工",), "灵活就业": ("乡(镇)内务工", "其他")}
# Outcomes of an offer, in the words of the jobs area's status machine
# (cadre_desk/jobs/outcomes.py); the hired ones count in the figures.
OFFER_OPEN = ("推荐", "联系", "面试")
OFFER_REJECTED = "未录用"
OFFER_HIRED = ("在岗", "录用", "离岗")


@lru_cache(maxsize=1)
def word_lists() -> dict:
    return json.loads(resource_path("demo.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class DemoSummary:
    households: int
    members: int
    villages: int
    cadres: int
    enterprises: int
    openings: int
    policies: int | None  # None: the policy loader or sample file is not available
    seconds: float


class DemoRefused(CadreDeskError):
    """The database already holds households; a demo is only added with --force."""


def has_households(store: Store, *, include_deleted: bool = False) -> bool:
    where = "" if include_deleted else " WHERE deleted = 0"
    return store.db.execute(f"SELECT EXISTS (SELECT 1 FROM households{where})").fetchone()[0] == 1


def is_demo(store: Store) -> bool:
    return bool(store.get_setting("is_demo", False))


def check_can_build(store: Store, *, force: bool = False) -> None:
    """Refuse (with a Chinese message) to add a demo to a database with households, unless forced."""
    if force or not has_households(store):
        return
    if is_demo(store):
        raise DemoRefused("这个数据库里已经有演示数据。要另建一个演示县，请用 --db 指定一个新的数据库文件"
                          "（或加 --force 在现有数据中再添加一批）")
    raise DemoRefused("这个数据库里已经有真实的贫困户数据，不能生成演示数据，以免混在一起。"
                      "请用 --db 指定一个新的数据库文件；确需添加请加 --force")


def ensure_demo_county(store: Store, *, households: int = DEFAULT_HOUSEHOLDS, seed: int = DEFAULT_SEED,
                       as_of: dt.date | None = None) -> bool:
    """On first start: build the demo county when the database has never had a
    household (a county that deleted all its households does not get a demo).
    Returns True when it built one."""
    if has_households(store, include_deleted=True):
        return False
    build_demo(store, households=households, seed=seed, as_of=as_of)
    return True


def build_demo(store: Store, *, households: int = DEFAULT_HOUSEHOLDS, seed: int = DEFAULT_SEED,
               as_of: dt.date | None = None) -> DemoSummary:
    """Add a synthetic county of ``households`` households (see the module
    docstring) and mark the database as demo data. Deterministic for
    (seed, as_of, households) on a database without households."""
    if households < 1:
        raise CadreDeskError("演示户数至少为 1")
    if households > 200_000:
        raise CadreDeskError("演示户数最多 200000")
    started = time.perf_counter()
    as_of = as_of or dt.date.today()
    builder = _DemoBuilder(store, households=households, seed=seed, as_of=as_of)
    with store.transaction(), _bulk_indexing(store):
        summary = builder.build()
        store.set_setting("is_demo", True)
        # The demo is a 2020 register (建档立卡贫困户, 扶贫车间): the 2020 terms.
        from . import terms

        terms.note_import(store, "2020")
        store.set_setting("demo", {"seed": seed, "households": households, "as_of": as_of.isoformat()})
    policies = _load_sample_policies(store)
    return DemoSummary(**summary, policies=policies, seconds=time.perf_counter() - started)


def _bulk_indexing(store: Store):
    """Index the new people for search in one pass at the end (the search area's
    bulk mode) instead of row by row through its triggers."""
    try:
        from .search import bulk_inserts
    except ImportError:
        return contextlib.nullcontext()
    return bulk_inserts(store.db)


def _load_sample_policies(store: Store) -> int | None:
    """The sample policy compilation, when the policies area and its sample file exist."""
    try:
        from . import policies
    except ImportError:
        return None
    loader = getattr(policies, "load_sample_policies", None)
    sample = getattr(policies, "SAMPLE_FILE", ("policies", "sample-policies.json"))
    if loader is None or not resource_path(*sample).exists():
        return None
    loader(store)
    return store.db.execute("SELECT count(*) FROM policies WHERE deleted = 0").fetchone()[0]


# ---------------------------------------------------------------- the builder

def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    out, d = [], dt.date(start.year, start.month, 1)
    if d < start:
        d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    while d <= end:
        out.append(d)
        d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


class _DemoBuilder:
    def __init__(self, store: Store, *, households: int, seed: int, as_of: dt.date):
        self.store = store
        self.n = households
        self.as_of = as_of
        self.latest_birth = min(as_of, dt.date.today())
        self.rng = random.Random(f"cadre-desk-demo:{seed}")
        existing = store.db.execute("SELECT count(*) FROM households").fetchone()[0]
        self._id_rng = random.Random(f"cadre-desk-demo-ids:{seed}:{existing}")
        self.words = word_lists()
        self.q = store.questionnaire
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.member_rows: list[register.MemberRow] = []
        self.ids_taken = {r[0] for r in store.db.execute("SELECT id_number FROM members WHERE deleted = 0")}
        self.numbers_taken = {r[0] for r in store.db.execute("SELECT number FROM households WHERE deleted = 0")}
        self._surnames = [s for s, _ in self.words["surnames"]]
        self._surname_w = [w for _, w in self.words["surnames"]]

    # ------------------------------------------------ small helpers
    def new_id(self) -> str:
        return uuid.UUID(int=self._id_rng.getrandbits(128), version=4).hex

    def add(self, table: str, row: dict) -> str:
        row_id = self.new_id()
        self.rows[table].append({"id": row_id, **row})
        return row_id

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, weights: dict[str, float]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        span = (end - start).days
        return start + dt.timedelta(days=self.rng.randint(0, max(0, span)))

    def days_ago(self, low: int, high: int) -> dt.date:
        return self.as_of - dt.timedelta(days=self.rng.randint(low, high))

    def phone(self) -> str:
        return self.rng.choice(("13", "15", "18", "17")) + "".join(str(self.rng.randrange(10)) for _ in range(9))

    def surname(self) -> str:
        return self.rng.choices(self._surnames, weights=self._surname_w)[0]

    def name(self, surname: str, sex: str, born: dt.date) -> str:
        young = born.year >= 1985
        key = f"given_{'male' if sex == '男' else 'female'}_{'young' if young else 'old'}"
        return surname + self.rng.choice(self.words[key])

    def id_number(self, born: dt.date, sex: str, *, married_in: bool = False) -> str:
        if married_in and self.chance(0.15):
            area = self.rng.choice(NEIGHBOUR_CODES)
        elif born.year < 1990:
            area = OLD_CODE if self.chance(0.55) else NEW_CODE
        elif born.year < 1998:
            area = OLD_CODE if self.chance(0.3) else NEW_CODE
        else:
            area = NEW_CODE
        while True:
            seq = self.rng.randrange(500) * 2 + (1 if sex == "男" else 0)
            body = f"{area}{born:%Y%m%d}{seq:03d}"
            value = body + check_character(body)
            if value not in self.ids_taken:
                self.ids_taken.add(value)
                return value

    def birth_date(self, age: int) -> dt.date:
        """A birth date that makes someone exactly ``age`` on ``as_of`` (never after today)."""
        latest = _years_before(self.latest_birth, max(0, age))
        return latest - dt.timedelta(days=self.rng.randint(0, 364))

    # ------------------------------------------------ build
    def build(self) -> dict[str, int]:
        towns = self.store.rows("SELECT * FROM towns WHERE deleted = 0 ORDER BY code")
        villages = self._villages(towns)
        enterprises, openings = self._enterprises(towns, villages)
        households = self._households(villages)
        cadres = self._cadres(towns, households)
        self._pairings_and_visits(households, cadres)
        self._jobs(households, openings)
        self._measures_and_subsidies(households)
        self._encode_members(households)
        self._insert()
        return {"households": len(households), "members": len(self.member_rows),
                "villages": len(villages), "cadres": sum(len(c) for c in cadres.values()),
                "enterprises": len(enterprises), "openings": len(openings)}

    def _insert(self) -> None:
        order = ("villages", "cadres", "enterprises", "openings", "households", "members", "pairings", "visits",
                 "recommendations", "offers", "applications", "measures", "subsidies")
        for table in order:
            if table == "members":
                self._save_members()
                continue
            rows = self.rows.get(table)
            if not rows:
                continue
            ids = [r.pop("id") for r in rows]
            self.store.insert_many(table, rows, row_ids=ids)

    def _save_members(self) -> None:
        result = register.save_members(self.store, self.member_rows, as_of=self.as_of, surveyed=False)
        refused = [(row, problems) for row, problems, member_id in
                   zip(self.member_rows, result.problems, result.ids) if member_id is None]
        if refused:  # a mistake in this module, not in anything a user did
            row, problems = refused[0]
            raise AssertionError(f"demo member {row.answers.get('name')} refused: {problems}")

    # ------------------------------------------------ places
    def _villages(self, towns: list[dict]) -> list[dict]:
        count = max(len(towns), min(600, round(self.n / 8)))
        per_town = {t["id"]: 1 for t in towns}
        for t in self.rng.choices(towns, k=count - len(towns)):
            per_town[t["id"]] += 1
        prefixes = self.words["village_prefixes"]
        suffixes = [s for s, _ in self.words["village_suffixes"]]
        suffix_w = [w for _, w in self.words["village_suffixes"]]
        villages = []
        for town in towns:
            existing = {r["name"]: r for r in self.store.rows(
                "SELECT * FROM villages WHERE town_id = ? AND deleted = 0", [town["id"]])}
            running = self.store.db.execute("SELECT count(*) FROM villages WHERE town_id = ?",
                                            [town["id"]]).fetchone()[0]
            names: set[str] = set()
            while len(names) < per_town[town["id"]]:
                name = (self.rng.choice(prefixes) if self.chance(0.3) else "") + self.surname() + \
                    self.rng.choices(suffixes, weights=suffix_w)[0] + "村"
                if name in names:
                    continue
                names.add(name)
                if name in existing:  # only when forced onto a database that has this village
                    villages.append({**existing[name], "town": town})
                    continue
                running += 1
                row = {"town_id": town["id"], "code": f"{town['code']}{running:03d}", "name": name}
                row_id = self.add("villages", row)
                villages.append({"id": row_id, **row, "town": town})
        return villages

    # ------------------------------------------------ enterprises and openings
    def _enterprises(self, towns: list[dict], villages: list[dict]) -> tuple[list[str], list[dict]]:
        by_name = {t["name"]: t for t in towns}
        villages_of = defaultdict(list)
        for v in villages:
            villages_of[v["town_id"]].append(v)
        firm_words = list(self.words["firm_words"])
        self.rng.shuffle(firm_words)
        used_names: set[str] = set()
        enterprises: list[str] = []
        openings: list[dict] = []

        def firm_word() -> str:
            return firm_words[len(used_names) % len(firm_words)]

        def enterprise(name: str, town: dict, workshop: bool) -> tuple[str, str]:
            base, k = name, 2
            while name in used_names:
                name, k = f"{base}（{k}）", k + 1
            used_names.add(name)
            eid = self.add("enterprises", {"name": name, "town_id": town["id"], "contact": self.name(
                self.surname(), self.rng.choice("男女"), dt.date(1975, 1, 1)), "phone": self.phone(),
                "is_workshop": int(workshop)})
            enterprises.append(eid)
            return eid, name

        def opening(eid: str, ename: str, town: dict, village: dict | None, title: str, route: str,
                    pay: tuple[float, float], unit: str = "元/月", *, skills=(), abilities=ABLE[:2],
                    disabled=False, home=False, demands="一般体力", hours="8:00-17:00", ages=(18, 55),
                    province="370000", location=None, estimate=None) -> None:
            low, high = pay
            if unit == "计件":
                amount = round(self.rng.uniform(low, high), 2)  # 元 per piece
            elif unit == "元/天":
                amount = float(self.rng.randint(int(low), int(high)))
            else:
                amount = float(self.rng.randrange(int(low), int(high) + 1, 100))
            if self.chance(0.3):
                until = self.days_ago(10, 200)  # expired: the county must renew or retire it
            else:
                until = self.as_of + dt.timedelta(days=self.rng.randint(30, 365))
            row = {
                "enterprise_id": eid, "title": title, "route": route,
                # Work placed outside the county (labour export) is located there, not at
                # the agency's town, so that matching judges the distance right.
                "village_id": village["id"] if village and location is None else None,
                "town_id": town["id"] if location is None else None,
                "county_code": NEW_CODE if province == "370000" and location is None else None,
                "province_code": province,
                "location": location or f"临清市{town['name']}{village['name'] if village else ''}",
                "pay": amount, "pay_unit": unit, "hours": hours, "places": self.rng.randint(2, 30),
                "min_education": self.rng.choice((None, None, "小学", "初中")),
                "labour_abilities": json.dumps(list(abilities), ensure_ascii=False), "age_min": ages[0],
                "age_max": ages[1], "skills": json.dumps(list(skills), ensure_ascii=False),
                "physical_demands": demands, "suitable_disabled": int(disabled), "suitable_home_bound": int(home),
                "valid_from": (until - dt.timedelta(days=self.rng.randint(200, 500))).isoformat(),
                "valid_until": until.isoformat(),
                "description": f"{ename}招聘{title}，{_pay_text(amount, unit)}。",
            }
            if self._has_estimate:
                row["monthly_pay_estimate"] = estimate
            row_id = self.add("openings", row)
            openings.append({"id": row_id, **row, "enterprise": ename})

        self._has_estimate = "monthly_pay_estimate" in self.store.db["openings"].columns_dict
        extra = self.n // 60
        others = [t for t in towns if t["name"] not in ("烟店镇", "大辛庄街道")]

        def village_in(town: dict) -> dict | None:
            return self.rng.choice(villages_of[town["id"]]) if villages_of[town["id"]] else None

        # Bearings around 烟店镇: factories and a village workshop.
        yandian = by_name.get("烟店镇", towns[0])
        for _ in range(2 + extra // 3):
            eid, name = enterprise(f"临清市{firm_word()}轴承有限公司", yandian, False)
            opening(eid, name, yandian, None, "轴承装配工", "企业就业", (3000, 4000), skills=["其他"])
            opening(eid, name, yandian, None, "轴承磨工", "企业就业", (3200, 4200), abilities=["技能劳动力"])
        v = village_in(yandian)
        eid, name = enterprise(f"{v['name']}轴承滚子分拣扶贫车间", yandian, True)
        opening(eid, name, yandian, v, "轴承滚子分拣工", "扶贫车间", (1800, 2600), abilities=ABLE, disabled=True,
                demands="轻体力，坐姿")
        # Pickles and greenhouse vegetables in 大辛庄.
        daxin = by_name.get("大辛庄街道", towns[0])
        for _ in range(1 + extra // 4):
            eid, name = enterprise(f"临清{firm_word()}酱菜厂", daxin, False)
            opening(eid, name, daxin, None, "酱菜腌制工", "企业就业", (2500, 3200))
            opening(eid, name, daxin, None, "酱菜分拣包装工", "扶贫车间", (1500, 2400), abilities=ABLE,
                    disabled=True, demands="轻体力")
            v = village_in(daxin)
            eid, name = enterprise(f"大辛庄{firm_word()}蔬菜种植专业合作社", daxin, True)
            opening(eid, name, daxin, v, "大棚蔬菜采摘工", "扶贫车间", (80, 90), "元/天", skills=["种植"],
                    abilities=ABLE, ages=(18, 65), hours="6:00-11:00，农忙加班")
        # Gloves, garments, plush toys and electronics across the other towns.
        for i in range(4 + extra):
            town = others[i % len(others)] if others else towns[0]
            v = village_in(town)
            trade = i % 4
            if trade == 0 and v:
                eid, name = enterprise(f"{v['name']}劳保手套扶贫车间", town, True)
                opening(eid, name, town, v, "劳保手套缝制工", "扶贫车间", (1500, 2500), skills=["缝纫"],
                        abilities=ABLE, disabled=True, demands="轻体力，坐姿", hours="8:00-17:00，可弹性")
                opening(eid, name, town, v, "劳保手套来料加工（计件）", "居家就业", (0.3, 0.5), "计件",
                        abilities=ABLE, disabled=True, home=True, demands="轻体力", hours="在家，时间自由",
                        ages=(16, 70), estimate=float(self.rng.randrange(1200, 1900, 100)))
            elif trade == 1:
                eid, name = enterprise(f"临清市{firm_word()}服饰有限公司", town, False)
                opening(eid, name, town, None, "服装缝纫工", "企业就业", (2800, 3800), skills=["缝纫"])
                if v:
                    opening(eid, name, town, v, "服装锁边工（村扶贫车间）", "扶贫车间", (1600, 2600),
                            skills=["缝纫"], abilities=ABLE, disabled=True, demands="轻体力，坐姿")
            elif trade == 2 and v:
                eid, name = enterprise(f"{v['name']}毛绒玩具扶贫车间", town, True)
                opening(eid, name, town, v, "毛绒玩具缝合工", "扶贫车间", (1200, 2200), skills=["缝纫"],
                        abilities=ABLE, disabled=True, demands="轻体力，坐姿")
                opening(eid, name, town, v, "毛绒玩具手工填充（计件）", "居家就业", (0.8, 1.5), "计件",
                        abilities=ABLE, disabled=True, home=True, demands="轻体力", hours="在家，时间自由",
                        ages=(16, 70), estimate=float(self.rng.randrange(1000, 1800, 100)))
            else:
                eid, name = enterprise(f"临清市{firm_word()}电子有限公司", town, False)
                opening(eid, name, town, None, "电子组装工", "企业就业", (2600, 3600), skills=["电子组装"])
        # Organised labour export through HR agencies.
        home_town = by_name.get("青年路街道", towns[0])
        for _ in range(1 + extra // 4):
            eid, name = enterprise(f"临清市{firm_word()}人力资源服务有限公司", home_town, False)
            for employer, province, location in self.rng.sample(self.words["out_of_county_employers"], 2):
                opening(eid, name, home_town, None, f"{employer}普工", "劳务输出", (3800, 5200),
                        province=province, location=location, hours="两班倒，包吃住", ages=(18, 50))
        # Public-welfare posts offered by town governments.
        for town in self.rng.sample(towns, min(len(towns), 4 + extra // 2)):
            eid, name = enterprise(f"临清市{town['name']}人民政府", town, False)
            post = self.rng.choice(self.words["public_welfare_posts"])
            opening(eid, name, town, village_in(town), post, "公益性岗位", (300, 500), abilities=ABLE,
                    disabled=True, demands="轻体力", hours="每天2-4小时", ages=(16, 70))
        return enterprises, openings

    # ------------------------------------------------ households and members
    def _households(self, villages: list[dict]) -> list[dict]:
        kinds = {"elderly_single": 15, "elderly_couple": 18, "nuclear": 35, "three_gen": 17,
                 "elder_with_disabled_child": 10, "single_adult": 5}
        households = []
        per_village: dict[str, int] = defaultdict(int)
        for _ in range(self.n):
            village = self.rng.choice(villages)
            kind = self.pick(kinds)
            members = self._family(kind)
            number = None
            while number is None or number in self.numbers_taken:
                per_village[village["id"]] += 1
                number = f"{village['code']}{per_village[village['id']]:05d}"
            self.numbers_taken.add(number)
            hh = self._household_fields(kind, members, village, number)
            surveyed = self.chance(0.6)
            for m in members:
                self._health_and_labour(m, kind)
            for m in members:
                self._employment(m, village)
                self._survey(m, members, surveyed)
            self._household_income(hh, members)
            hid = self.add("households", hh)
            for m in members:
                m["household_id"] = hid
            households.append({"id": hid, "row": hh, "members": members, "village": village, "kind": kind})
        return households

    def _person(self, relation: str, sex: str, age: int, surname: str | None = None, *,
                married_in: bool = False) -> dict:
        born = self.birth_date(age)
        surname = surname or self.surname()
        return {"id_ref": self.new_id(), "relation": relation, "sex": sex, "age": age, "born": born,
                "surname": surname,
                "name": self.name(surname, sex, born),
                "id_number": self.id_number(born, sex, married_in=married_in)}

    def _children(self, mother_age: int, surname: str, kinds=("之子", "之女"), *, n: int | None = None) -> list[dict]:
        n = n if n is not None else self.rng.choices((1, 2, 3), weights=(45, 40, 15))[0]
        out = []
        for _ in range(n):
            age = mother_age - self.rng.randint(21, 34)
            if age < 0:
                continue
            son = self.chance(0.52)
            out.append(self._person(kinds[0] if son else kinds[1], "男" if son else "女", age, surname))
        return out

    def _family(self, kind: str) -> list[dict]:
        r = self.rng
        if kind == "elderly_single":
            sex = "女" if self.chance(0.6) else "男"
            return [self._person("户主", sex, r.randint(62, 88))]
        if kind == "elderly_couple":
            head = self._person("户主", "男", r.randint(62, 85))
            return [head, self._person("配偶", "女", head["age"] - r.randint(0, 5), married_in=True)]
        if kind == "single_adult":
            return [self._person("户主", "男" if self.chance(0.75) else "女", r.randint(32, 59))]
        if kind == "elder_with_disabled_child":
            head = self._person("户主", "男" if self.chance(0.6) else "女", r.randint(58, 80))
            family = [head]
            if head["sex"] == "男" and self.chance(0.5):
                family.append(self._person("配偶", "女", head["age"] - r.randint(0, 4), married_in=True))
            child = self._children(head["age"] if head["sex"] == "女" else head["age"] - 2, head["surname"]
                                   if head["sex"] == "男" else self.surname(), n=1)
            for c in child:
                c["force_disabled"] = True
            return family + child
        if kind == "nuclear":
            widowed = self.chance(0.12)
            head = self._person("户主", "女" if widowed and self.chance(0.6) else "男", r.randint(30, 56))
            family = [head]
            mother_age = head["age"]
            if not widowed:
                spouse = self._person("配偶", "女" if head["sex"] == "男" else "男",
                                      head["age"] - r.randint(-1, 5), married_in=True)
                family.append(spouse)
                mother_age = spouse["age"] if spouse["sex"] == "女" else head["age"]
            surname = head["surname"] if head["sex"] == "男" else self.surname()
            family += self._children(mother_age, surname)
            if self.chance(0.2):  # a widowed parent of the head lives with them
                sex = "女" if self.chance(0.7) else "男"
                family.append(self._person("之母" if sex == "女" else "之父", sex,
                                           head["age"] + r.randint(22, 32),
                                           head["surname"] if sex == "男" else None))
            return family
        # three generations: the head and spouse, a married son with his wife, grandchildren
        head = self._person("户主", "男", r.randint(50, 72))
        family = [head]
        if self.chance(0.75):
            family.append(self._person("配偶", "女", head["age"] - r.randint(0, 5), married_in=True))
        son = self._person("之子", "男", head["age"] - r.randint(22, 30), head["surname"])
        family.append(son)
        if self.chance(0.85):
            wife = self._person("之儿媳", "女", son["age"] - r.randint(-1, 4), married_in=True)
            family.append(wife)
            family += self._children(wife["age"], head["surname"], ("之孙子", "之孙女"),
                                     n=r.choices((1, 2), weights=(55, 45))[0])
        if self.chance(0.25):
            age = son["age"] - r.randint(1, 6)
            if age >= 0:
                family.append(self._person("之女", "女", age, head["surname"]))
        return family

    def _household_fields(self, kind: str, members: list[dict], village: dict, number: str) -> dict:
        head = members[0]
        if kind == "elderly_single":
            attribute = self.pick({"特困供养贫困户": 40, "低保贫困户": 40, "一般贫困户": 20})
        else:
            attribute = self.pick({"一般贫困户": 55, "低保贫困户": 40, "特困供养贫困户": 5})
        status = self.pick({"已脱贫（享受政策）": 80, "未脱贫": 12, "已脱贫（不再享受政策）": 6, "返贫": 2})
        return {"village_id": village["id"], "number": number, "head_name": head["name"],
                "head_id_number": head["id_number"], "group_name": f"{self.rng.randint(1, 8)}组",
                "size": len(members), "phone": self.phone(), "attribute": attribute, "poverty_status": status,
                "questionnaire_version": self.q.version}

    def _health_and_labour(self, m: dict, kind: str) -> None:
        age = m["age"]
        if m.get("force_disabled"):
            p_disabled = 1.0
        elif kind == "single_adult":
            p_disabled = 0.4
        else:
            p_disabled = 0.03 if age < 16 else 0.09 if age < 60 else 0.16 if age < 70 else 0.22
        health: list[str] = []
        grade = None
        if self.chance(p_disabled):
            health.append("残疾")
            m["disability_category"] = self.pick({"肢体": 40, "视力": 12, "听力": 12, "言语": 4, "智力": 14,
                                                  "精神": 12, "多重": 6})
            grade = self.pick({"一级": 10, "二级": 25, "三级": 30, "四级": 35})
            m["disability_grade"] = grade
            # 残疾人证号: the ID number, then the category's and the grade's digit.
            m["disability_certificate"] = (m["id_number"] + str("视力听力言语肢体智力精神多重".index(
                m["disability_category"]) // 2 + 1) + str("一二三四".index(grade[0]) + 1))
        if age >= 16 and self.chance(0.08 if age < 60 else 0.4):
            health.append("长期慢性病")
        if age >= 16 and self.chance(0.03 if age < 60 else 0.07):
            health.append("患有大病")
        m["health"] = health or ["健康"]
        self._education(m)
        student = m.get("school_status") not in (None, "非在校生")
        if age < 16 or (student and age < 18):
            labour = "无劳动力"
        elif student:
            labour = "无劳动力"  # a student is not counted as labour (national check rule)
        elif age < 60:
            if grade in ("一级", "二级") or ("患有大病" in health and self.chance(0.6)):
                labour = "丧失劳动力"
            elif grade or "患有大病" in health or ("长期慢性病" in health and self.chance(0.5)):
                labour = WEAK
            else:
                # A healthy person is not 弱劳动力 (national check rule); a chronic illness may make one.
                labour = self.pick({"普通劳动力": 70, "技能劳动力": 22, **({} if not health else {WEAK: 8})})
        elif age < 70:
            labour = "丧失劳动力" if health != ["健康"] and self.chance(0.6) else \
                self.pick({"普通劳动力": 30, WEAK: 50, "丧失劳动力": 20})
        else:
            labour = self.pick({"丧失劳动力": 70, "无劳动力": 30})
        m["labour_ability"] = labour
        m["ethnicity"] = "回族" if self.chance(0.05) else "汉族"

    def _education(self, m: dict) -> None:
        age, born = m["age"], m["born"]
        grades_mid = ("七年级", "八年级", "九年级")
        if age < 6:
            m["education"] = "学龄前儿童"
            m["school_status"] = "学前教育" if age >= 3 else None
        elif age < 12:
            m["school_status"] = "小学"
        elif age < 15:
            m["school_status"] = grades_mid[age - 12]
        elif age < 18:
            if self.chance(0.9):
                track = "高中" if self.chance(0.7) else "中职"
                m["school_status"] = f"{track}{'一二三'[age - 15]}年级"
            else:
                m["education"], m["school_status"] = "初中", "非在校生"
        elif age < 21 and self.chance(0.3):
            m["education"] = "高中"
            m["school_status"] = self.rng.choice(("高职一年级", "高职二年级", "高职三年级", "大专及以上"))
        else:
            if born.year >= 1985:
                levels = {"初中": 50, "高中": 30, "大专及以上": 8, "小学": 12}
            elif born.year >= 1960:
                levels = {"小学": 35, "初中": 45, "高中": 10, "文盲或半文盲": 10}
            else:
                levels = {"文盲或半文盲": 45, "小学": 45, "初中": 10}
            if m.get("disability_category") in ("智力", "多重"):
                levels = {"文盲或半文盲": 80, "小学": 20}
            m["education"], m["school_status"] = self.pick(levels), "非在校生"

    def _employment(self, m: dict, village: dict) -> None:
        age, labour = m["age"], m["labour_ability"]
        student = m.get("school_status") not in (None, "非在校生")
        channel = None
        if 16 <= age < 60 and not student:
            if labour in ABLE and self.chance(0.45 if labour == WEAK else 0.64):
                channel = self.pick(CHANNELS_WEAK if labour == WEAK else CHANNELS_ABLE)
            else:
                m["employment_status"] = "未就业"
        elif 60 <= age < 72 and labour in ABLE and self.chance(0.18):
            channel = "公益性岗位" if self.chance(0.7) else "灵活就业"
        if channel:
            self.set_employed(m, channel, village)

    def set_employed(self, m: dict, channel: str, village: dict, *, employer: str | None = None,
                     income: int | None = None) -> None:
        r = self.rng
        m.update(employment_status="已就业", employment_channel=channel, people_employed=None)
        if channel == "自主创业":
            business, skill = r.choice(self.words["self_employment"])
            m["employer"] = employer or f"{m['name']}{business}"
            m["people_employed"] = r.choices((0, 1, 2, 3), weights=(72, 16, 8, 4))[0]
            m["business_skill"] = skill
            low, high = 1500, 5000
        elif channel == "公益性岗位":
            m["post"] = r.choice(self.words["public_welfare_posts"])
            m["employer"] = employer or m["post"]  # as jobs.measures.add_public_welfare_post records it
            low, high = 300, 500
        elif channel == "劳务输出":
            m["employer"] = employer or r.choice(self.words["out_of_county_employers"])[0]
            low, high = 3500, 5500
        elif channel == "灵活就业":
            m["employer"] = employer or r.choice(self.words["flexible_work"])
            low, high = 1200, 2500
        elif channel in ("扶贫车间", "居家就业"):
            m["employer"] = employer or f"{village['name']}{r.choice(('劳保手套', '毛绒玩具', '服装加工'))}扶贫车间"
            low, high = 1000, 3000
        else:
            m["employer"] = employer or f"临清市{r.choice(self.words['firm_words'])}" \
                                        f"{r.choice(('轴承', '电子', '服饰', '机械'))}有限公司"
            low, high = 2500, 4000
        m["monthly_income"] = income or r.randrange(low, high + 1, 100)
        statuses = WORK_STATUS_OF_CHANNEL.get(channel)
        if statuses:
            m["work_status"], m["work_months"] = r.choice(statuses), r.randint(3, 12)
            m["work_company"] = m["employer"]
        else:
            m["work_status"] = m["work_months"] = m["work_company"] = None

    def _survey(self, m: dict, family: list[dict], surveyed: bool) -> None:
        age = m["age"]
        student = m.get("school_status") not in (None, "非在校生")
        disabled = "残疾" in m["health"]
        in_scope = 16 <= age < 65 and not student
        if not (surveyed and in_scope):
            if disabled:  # the register itself records why a disabled person cannot leave home
                m["stay_home_reasons"] = ["本人残疾"]
            return
        r = self.rng
        m["surveyed_at"] = self.days_ago(5, 180).isoformat()
        channel = m.get("employment_channel")
        if channel:
            intention = INTENTION_OF_CHANNEL[channel] if channel != "灵活就业" else \
                r.choice(("县内企业就业", "外出务工"))
        elif m["labour_ability"] in ABLE:
            intention = self.pick({"县内企业就业": 30, "外出务工": 15, "居家就业": 20, "自主创业": 5,
                                   "公益性岗位": 15, "暂无意愿": 15})
        else:
            intention = self.pick({"暂无意愿": 70, "居家就业": 20, "公益性岗位": 10})
        m["job_intention"] = intention
        if intention != "暂无意愿":
            options = PLACES_OF_INTENTION[intention]
            m["accepted_places"] = options[: r.randint(1, len(options))]
            low, high = INCOME_OF_INTENTION[intention]
            m["expected_income"] = r.randrange(low, high + 1, 100)
        if intention == "居家就业" or disabled:
            reasons = []
            if disabled:
                reasons.append("本人残疾")
            if set(m["health"]) & {"长期慢性病", "患有大病"}:
                reasons.append("本人患病")
            if any(o is not m and o["age"] < 12 for o in family):
                reasons.append("照看孩子")
            if any(o is not m and (o["age"] >= 70 or o["health"] != ["健康"]) for o in family):
                reasons.append("照料老人或病人")
            if age >= 50:
                reasons.append("年龄偏大")
            m["stay_home_reasons"] = reasons[:2] or ["其他"]
        male_skills = ["建筑", "驾驶", "电工", "焊工", "种植", "养殖"]
        female_skills = ["缝纫", "手工编织", "家政", "种植", "电子组装"]
        pool = male_skills if m["sex"] == "男" else female_skills
        if age < 35:
            pool = pool + ["电商"]
        skills = r.sample(pool, r.choices((0, 1, 2), weights=(35, 45, 20))[0])
        if m.get("business_skill") and m["business_skill"] not in skills:
            skills.append(m["business_skill"])
        m["skills"] = skills or None
        level = self.pick({"无": 70, "初级工": 18, "中级工": 9, "高级工及以上": 3}) if skills else "无"
        m["skill_level"] = level
        if level != "无":
            m["skill_certificate"] = self.chance(0.6)
        willing = self.chance(0.55)
        m["training_willing"] = willing
        if willing:
            courses = ["缝纫", "电子组装", "电工", "焊工", "驾驶", "厨师", "家政", "养老护理", "育婴", "手工编织",
                       "种植", "养殖", "电商", "创业培训"]
            m["training_needs"] = r.sample(courses, r.randint(1, 2))

    def _household_income(self, hh: dict, members: list[dict]) -> None:
        r = self.rng
        wage = sum((m.get("monthly_income") or 0) * (m.get("work_months") or 10)
                   for m in members if m.get("employment_channel") not in (None, "自主创业"))
        business = sum((m.get("monthly_income") or 0) * 10 for m in members if m.get("employment_channel") == "自主创业")
        business += r.randrange(500, 4000, 100)  # the family's own plot
        elderly = sum(1 for m in members if m["age"] >= 60)
        dibao = r.randrange(2400, 4200, 120) * len(members) if hh["attribute"] == "低保贫困户" else 0
        tekun = r.randrange(4800, 6600, 120) if hh["attribute"] == "特困供养贫困户" else 0
        pension = elderly * r.randrange(1416, 1800, 12)
        eco = r.choice((0, 0, 0, 120, 240))
        other = r.choice((0, 0, 300, 500, 800))
        hh.update(wage_income=float(wage), business_income=float(business),
                  property_income=float(r.choice((0, 0, 0, 200, 400))),
                  transfer_income=float(dibao + tekun + pension + eco + other), dibao_income=float(dibao),
                  tekun_income=float(tekun), pension_income=float(pension), eco_income=float(eco),
                  other_transfer_income=float(other),
                  business_expense=float(round(business * r.uniform(0.1, 0.35), -1)))
        causes = {"因病": 30, "因残": 22, "缺劳力": 10, "缺技术": 10, "缺资金": 8, "因学": 4, "因灾": 3,
                  "自身发展动力不足": 4, "缺土地": 2, "交通条件落后": 1, "其他": 2}
        if any("残疾" in m["health"] for m in members):
            causes["因残"] += 60
        if any(set(m["health"]) & {"长期慢性病", "患有大病"} for m in members):
            causes["因病"] += 60
        if any(m.get("school_status") not in (None, "非在校生", "学前教育") and m["age"] >= 15 for m in members):
            causes["因学"] += 20
        if all(m["age"] >= 60 or m["age"] < 16 for m in members):
            causes["缺劳力"] += 40
        main = self.pick(causes)
        hh["main_cause"] = main
        rest = [c for c in causes if c != main]
        k = r.choices((0, 1, 2), weights=(40, 40, 20))[0]
        hh["other_causes"] = r.sample(rest, k) or None

    # ------------------------------------------------ cadres, pairings, visits
    def _cadres(self, towns: list[dict], households: list[dict]) -> dict[str, list[str]]:
        by_town = defaultdict(int)
        for h in households:
            by_town[h["village"]["town_id"]] += 1
        units = self.words["cadre_units"]
        cadres: dict[str, list[str]] = {}
        for town in towns:
            k = max(1, round(by_town[town["id"]] / 6))
            ids = []
            for _ in range(k):
                roll = self.rng.random()
                if roll < 0.65:
                    unit, level = self.rng.choice(units)
                elif roll < 0.9:
                    unit, level = f"临清市{town['name']}人民政府", "乡镇"
                else:
                    unit, level = f"{town['name']}村民委员会", "村级"
                sex = "男" if self.chance(0.6) else "女"
                ids.append(self.add("cadres", {"name": self.name(self.surname(), sex, dt.date(1980, 1, 1)),
                                               "unit": unit, "level": level, "phone": self.phone()}))
            cadres[town["id"]] = ids
        return cadres

    def _pairings_and_visits(self, households: list[dict], cadres: dict[str, list[str]]) -> None:
        r = self.rng
        contents, solved = self.words["visit_contents"], self.words["problems_solved"]
        for h in households:
            pool = cadres[h["village"]["town_id"]]
            first = r.choice(pool)
            since = self.days_ago(500, 1600)
            periods = [(first, since, None)]
            if self.chance(0.12) and len(pool) > 1:  # a change of cadre: the old pairing stays in the history
                second = r.choice([c for c in pool if c != first])
                change = self.day_between(since + dt.timedelta(days=120), self.as_of - dt.timedelta(days=30))
                periods = [(first, since, change), (second, change, None)]
            for cadre, start, until in periods:
                self.add("pairings", {"household_id": h["id"], "cadre_id": cadre, "since": start.isoformat(),
                                      "until": until.isoformat() if until else None})
            h["cadre"] = periods[-1][0]
            for _ in range(r.randint(1, 4)):
                day = self.days_ago(0, 364)
                cadre = next(c for c, s, u in reversed(periods) if s <= day) if day >= since else first
                self.add("visits", {"household_id": h["id"], "cadre_id": cadre, "visit_date": day.isoformat(),
                                    "content": r.choice(contents), "problems_solved": r.choice(solved)})

    # ------------------------------------------------ recommendations, applications, outcomes
    def _jobs(self, households: list[dict], openings: list[dict]) -> None:
        r = self.rng
        able = [(h, m) for h in households for m in h["members"]
                if 16 <= m["age"] < 60 and m["labour_ability"] in ABLE
                and m.get("school_status") in (None, "非在校生")]
        if not able or len(openings) < 3:
            return
        chosen = r.sample(able, max(1, round(len(able) * 0.25)))
        hired_any = False
        for i, (h, m) in enumerate(chosen):
            rec_day = self.days_ago(15, 240)
            rec_s, age = rec_day.isoformat(), m["age"]
            valid = [o for o in openings if o["valid_from"] <= rec_s <= o["valid_until"]
                     and o["age_min"] <= age <= o["age_max"]]
            if len(valid) < 3:
                valid = openings
            offered = r.sample(valid, 3)  # three openings each time (domain.md §4)
            rec = self.add("recommendations", {"member_id": m["id_ref"], "recommended_on": rec_day.isoformat(),
                                               "by_user": "", "note": None})
            applies = self.chance(0.45) or (i == len(chosen) - 1 and not hired_any)
            target = r.randrange(3) if applies else None
            for rank, o in enumerate(offered, start=1):
                status, status_on, reason = "推荐", rec_day, None
                if target is not None and rank - 1 == target:
                    applied_on = rec_day + dt.timedelta(days=r.randint(1, 10))
                    self.add("applications", {"member_id": m["id_ref"], "opening_id": o["id"],
                                              "applied_on": applied_on.isoformat(), "note": None})
                    if self.chance(0.8) or (i == len(chosen) - 1 and not hired_any):
                        hired_any = True
                        status = r.choices(OFFER_HIRED, weights=(70, 20, 10))[0]
                        status_on = applied_on + dt.timedelta(days=r.randint(2, 5))
                        if status != "离岗":
                            income = _monthly(o)
                            self.set_employed(m, o["route"], h["village"], employer=o["enterprise"], income=income)
                            if o["route"] == "公益性岗位":
                                m["post"] = o["title"]
                    else:
                        status, status_on, reason = OFFER_REJECTED, applied_on + dt.timedelta(days=r.randint(3, 10)), \
                            r.choice(("岗位已招满", "年龄不符合要求", "试岗后企业未录用"))
                elif target is not None or self.chance(0.3):
                    status, status_on = OFFER_REJECTED, rec_day + dt.timedelta(days=r.randint(1, 10))
                    reason = "本人放弃：" + r.choice(("离家太远", "工资太低", "需要照顾家人", "已选其他岗位"))
                elif self.chance(0.3):
                    status, status_on = r.choice(OFFER_OPEN[1:]), rec_day + dt.timedelta(days=r.randint(1, 10))
                self.add("offers", {"recommendation_id": rec, "member_id": m["id_ref"], "opening_id": o["id"],
                                    "rank": rank, "reason": _offer_reason(o, m), "status": status,
                                    "status_reason": reason,
                                    "status_on": min(status_on, self.as_of).isoformat() if status_on else None})

    # ------------------------------------------------ measures and subsidies
    def _measures_and_subsidies(self, households: list[dict]) -> None:
        r = self.rng
        year_start = dt.date(self.as_of.year, 1, 1)
        for h in households:
            for m in h["members"]:
                channel = m.get("employment_channel")
                base = {"member_id": m["id_ref"], "household_id": h["id"]}
                if channel == "公益性岗位":
                    start = self.days_ago(60, 900)
                    end = dt.date(self.as_of.year, 12, 31)
                    post = m.get("post") or m.get("employer") or "公益性岗位"
                    # Months up to December of as_of's year; the post ends the day before
                    # the same date that many months on (as jobs.measures counts it).
                    months = (end.year - start.year) * 12 + end.month - start.month + 1
                    end = _add_months(start, months) - dt.timedelta(days=1)
                    self._measure(base, kind="公益性岗位", title=post, start_date=start, end_date=end,
                                  months=months)
                    amount = float(m.get("monthly_income") or 400)
                    for day in _month_starts(start, self.as_of):
                        self.add("subsidies", {**base, "kind": "公益性岗位补贴", "amount_yuan": amount,
                                               "paid_on": day.isoformat(), "paid_to": m["name"],
                                               "note": f"{day.year}年{day.month}月"})
                elif channel == "自主创业":
                    start = self.days_ago(200, 1200)
                    self._measure(base, kind="自主创业", title=m.get("employer") or "自主创业", start_date=start,
                                  business=m.get("employer"), people_employed=m.get("people_employed") or 0)
                    if self.chance(0.5):
                        paid = min(self.as_of, start + dt.timedelta(days=r.randint(190, 300)))
                        self._subsidy(base, m, "一次性创业补贴", float(r.choice((2000, 3000, 5000))), paid)
                elif channel == "劳务输出" and self.chance(0.4):
                    self._subsidy(base, m, "交通补贴", float(r.choice((300, 400, 500))),
                                  self.day_between(max(year_start, self.days_ago(300, 300)), self.as_of))
                if m.get("training_willing") and self.chance(0.25):
                    title, _ = r.choice(self.words["training_courses"])
                    start = self.days_ago(30, 400)
                    done = self.chance(0.8) and start + dt.timedelta(days=20) <= self.as_of
                    self._measure(base, kind="培训", title=title, start_date=start,
                                  end_date=start + dt.timedelta(days=20), completed=int(done),
                                  certificate="结业证书" if done else None)
                    if done:
                        self._subsidy(base, m, "培训补贴", float(r.randrange(800, 1600, 100)),
                                      min(self.as_of, start + dt.timedelta(days=r.randint(25, 60))))

    def _measure(self, base: dict, *, kind: str, title: str, start_date: dt.date, end_date: dt.date | None = None,
                 completed: int | None = None, certificate: str | None = None, business: str | None = None,
                 people_employed: int | None = None, months: int | None = None) -> None:
        self.add("measures", {**base, "kind": kind, "title": title, "start_date": start_date.isoformat(),
                              "end_date": end_date.isoformat() if end_date else None, "completed": completed,
                              "certificate": certificate, "business": business, "people_employed": people_employed,
                              "months": months, "note": None})

    def _subsidy(self, base: dict, m: dict, kind: str, amount: float, paid_on: dt.date) -> None:
        self.add("subsidies", {**base, "kind": kind, "amount_yuan": amount, "paid_on": paid_on.isoformat(),
                               "paid_to": m["name"], "note": None})

    # ------------------------------------------------ members as stored rows
    def _encode_members(self, households: list[dict]) -> None:
        """The members as rows for the register's one write path (validated
        like any other member; they are written after their households)."""
        keys = [f.key for f in self.q.member.fields]
        for h in households:
            for m in h["members"]:
                values = {k: m.get(k) for k in keys}
                if values.get("employment_channel") != "自主创业":
                    values["people_employed"] = None
                self.member_rows.append(register.MemberRow(values, household_id=h["id"], row_id=m["id_ref"],
                                                           extra={"surveyed_at": m.get("surveyed_at")}))
        hpart = self.q.household
        self.rows["households"] = [{**h, **encode(hpart, {k: v for k, v in h.items() if k in hpart.by_key})}
                                   for h in self.rows["households"]]


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(day.year + y, m + 1, d)
        except ValueError:
            continue
    raise AssertionError(day)


def _monthly(opening: dict) -> int:
    unit, pay = opening["pay_unit"], opening["pay"]
    if unit == "元/天":
        return int(round(pay * 22, -2))
    if unit == "计件":
        return int(opening.get("monthly_pay_estimate") or 1500)
    return int(pay)


def _pay_text(amount: float, unit: str) -> str:
    if unit == "计件":
        return f"计件工资，每件 {amount:.2f} 元"
    return f"工资 {amount:,.0f} {unit}"


def _offer_reason(opening: dict, m: dict) -> str:
    if opening["route"] == "居家就业":
        return "可在家做，时间自由"
    if opening["route"] == "公益性岗位":
        return "在本村本镇，体力要求低"
    if opening["route"] == "劳务输出":
        return "收入较高，包吃住"
    return "离家近，工资稳定"
