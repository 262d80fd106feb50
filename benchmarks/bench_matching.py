"""Rank openings for every working-age member of a synthetic county.

Builds a county of ``--members`` people (default 100,000, in households of
about three across the real towns, 600 villages) and ``--openings`` openings
(default 2,000) in an in-memory database, then times the real path a county
run takes: read the people (``matching.load_people``), build the opening
arrays once (``opening_set``), and rank + write the reasons and note of the
top three for each working-age person with labour capacity. Prints a few
lines and ends with one JSON line; the floor is the goal of ranking the whole
county in under a minute (people per second). The rate is per CPU second of
this process (on the shared build machine the wall clock also measures the
other jobs: it understated the speed 2.6–3× there); the wall time is printed
beside it.

    .venv/bin/python benchmarks/bench_matching.py [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cadre_desk import places  # noqa: E402
from cadre_desk.idnumber import check_character  # noqa: E402
from cadre_desk.jobs import ABLE_LABOUR, EDUCATION_ORDER, ROUTES  # noqa: E402
from cadre_desk.jobs.matching import load_people, opening_set, rank_many  # noqa: E402
from cadre_desk.storage import memory_store  # noqa: E402

AS_OF = dt.date(2020, 5, 1)
SKILLS = ["缝纫", "电子组装", "电工", "焊工", "驾驶", "厨师", "建筑", "种植", "养殖", "家政", "手工编织", "电商"]
INTENTIONS = ["县内企业就业", "外出务工", "居家就业", "自主创业", "公益性岗位", "暂无意愿"]
PLACES_ = ["本村", "本镇", "本县", "省内", "省外"]
PROVINCES = ["370000", "370000", "320000", "330000", "440000", "110000"]


def build_county(store, members: int, openings: int, rng: random.Random) -> None:
    places.ensure_county(store)
    towns = store.rows("SELECT id FROM towns")
    villages = []
    for i in range(600):
        villages.append({"town_id": towns[i % len(towns)]["id"], "code": f"v{i:03d}", "name": f"第{i}村"})
    village_ids = store.insert_many("villages", villages)
    households, people = [], []
    seq = 0
    used: set[str] = set()
    while len(people) < members:
        size = rng.choice([1, 2, 2, 3, 3, 3, 4, 5])
        households.append({"village_id": rng.choice(village_ids), "number": f"H{len(households):07d}"})
        for _ in range(min(size, members - len(people))):
            age = rng.randint(1, 85)
            born = dt.date(AS_OF.year - age, rng.randint(1, 12), rng.randint(1, 28))
            seq += 1
            first17 = f"371581{born:%Y%m%d}{seq % 1000:03d}"
            while first17 in used:  # the same birth date and sequence number: move a day
                born += dt.timedelta(days=1)
                first17 = f"371581{born:%Y%m%d}{seq % 1000:03d}"
            used.add(first17)
            disabled = rng.random() < 0.15
            intention = rng.choice(INTENTIONS)
            stay_home = ["本人残疾"] if disabled else (["照看孩子"] if intention == "居家就业" else [])
            people.append({
                "_h": len(households) - 1, "name": f"成员{seq}", "id_number": first17 + check_character(first17),
                "birth_date": born.isoformat(), "sex": "男" if seq % 2 else "女",
                "education": rng.choice(EDUCATION_ORDER),
                "labour_ability": rng.choice([*ABLE_LABOUR, *ABLE_LABOUR, "丧失劳动力", "无劳动力"]),
                "health": json.dumps(["残疾"] if disabled else ["健康"], ensure_ascii=False),
                "stay_home_reasons": json.dumps(stay_home, ensure_ascii=False) if stay_home else None,
                "job_intention": intention,
                "accepted_places": json.dumps(rng.sample(PLACES_, rng.randint(1, 3)), ensure_ascii=False),
                "skills": json.dumps(rng.sample(SKILLS, rng.randint(0, 2)), ensure_ascii=False),
                "expected_income": rng.choice([None, 1500, 2000, 2500, 3000, 4000]),
                "school_status": None, "employment_status": rng.choice(["已就业", "未就业", "未就业"]),
            })
    household_ids = store.insert_many("households", households)
    for p in people:
        p["household_id"] = household_ids[p.pop("_h")]
    store.insert_many("members", people)
    enterprise_ids = store.insert_many("enterprises", [{"name": f"企业{i}", "is_workshop": i % 3 == 0}
                                                       for i in range(300)])
    rows = []
    for i in range(openings):
        route = rng.choice(ROUTES)
        where = rng.random()
        v = rng.choice(villages)
        vid = village_ids[villages.index(v)] if where < 0.3 else None
        in_county = where < 0.8
        unit = rng.choice(["元/月", "元/月", "元/天", "计件"])
        rows.append({
            "enterprise_id": rng.choice(enterprise_ids), "title": f"岗位{i}", "route": route, "village_id": vid,
            "town_id": v["town_id"] if in_county else None, "county_code": "371581" if in_county else None,
            "province_code": "370000" if in_county else rng.choice(PROVINCES), "location": None,
            "pay": rng.randint(1500, 5000) if unit == "元/月" else rng.randint(70, 150), "pay_unit": unit,
            "monthly_pay_estimate": 1500.0 if unit == "计件" else None, "hours": None, "places": rng.randint(1, 30),
            "min_education": rng.choice([None, None, "小学", "初中", "高中"]),
            "labour_abilities": json.dumps(rng.sample(ABLE_LABOUR, rng.randint(0, 3)), ensure_ascii=False),
            "age_min": rng.choice([None, 16, 18]), "age_max": rng.choice([None, 45, 55, 60]),
            "skills": json.dumps(rng.sample(SKILLS, rng.randint(0, 2)), ensure_ascii=False),
            "physical_demands": None, "suitable_disabled": int(rng.random() < 0.3),
            "suitable_home_bound": int(route == "居家就业"),
            "valid_from": "2020-01-01", "valid_until": rng.choice(["2020-04-01", "2020-12-31", "2021-06-30", None]),
            "description": None,
        })
    store.insert_many("openings", rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--openings", type=int, default=2_000)
    ap.add_argument("--quick", action="store_true", help="smoke run: 5,000 members, 200 openings")
    args = ap.parse_args(argv)
    if args.quick:
        args.members, args.openings = 5_000, 200
    rng = random.Random(20200501)
    store = memory_store()
    t0 = time.perf_counter()
    build_county(store, args.members, args.openings, rng)
    t_build = time.perf_counter() - t0

    t0, c0 = time.perf_counter(), time.process_time()
    people = load_people(store, AS_OF)
    able = [p for p in people if p.age is not None and 16 <= p.age < 60 and p.labour_ability in ABLE_LABOUR]
    s = opening_set(store, AS_OF)
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    offered = short = 0
    for rec in rank_many(s, able):
        offered += len(rec.offers)
        short += len(rec.offers) < 3
    t_rank = time.perf_counter() - t0
    cpu = time.process_time() - c0
    total = t_load + t_rank
    rate = len(able) / cpu
    floor = len(able) / 60.0  # the whole county in one minute
    print(f"county built: {args.members:,} members, {args.openings:,} openings in {t_build:.1f} s")
    print(f"load people + openings: {t_load:.2f} s; rank {len(able):,} working-age people: {t_rank:.2f} s")
    print(f"{offered:,} offers; {short:,} people got fewer than three; {rate:,.0f} people per CPU second; "
          f"whole county in {cpu:.1f} s CPU ({total:.1f} s wall, {len(able) / total:,.0f} people/s wall)")
    print(json.dumps({"benchmark": "matching_county", "value": round(rate, 1), "unit": "people/s",
                      "floor": round(floor, 1), "ratio": round(rate / floor, 2),
                      "params": {"members": args.members, "openings": args.openings, "working_age_able": len(able),
                                 "cpu_seconds": round(cpu, 2), "wall_seconds": round(total, 2),
                                 "wall_people_per_s": round(len(able) / total, 1), "clock": "process CPU time"}},
                     ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
