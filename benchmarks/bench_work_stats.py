"""务工监测 figures at 20,000 members and 15,000 work spells: ``work_stats``
``monthly`` (a year's twelve months and the same months of the year before),
``workers``, ``workers_by_area`` (the towns), ``monitoring``, ``ended_without_new`` and ``stats.compute_stats``
(which now includes the first two), on a demo county of that size with spells
and monitored households added in bulk.

    .venv/bin/python benchmarks/bench_work_stats.py            # 20,000 members, 15,000 spells
    .venv/bin/python benchmarks/bench_work_stats.py --quick    # 4,000 members, 3,000 spells

The floor is the least any count of people over the spells must do: read every
spell with its member (``work_spells`` joined to ``members`` by id, one member
lookup a spell). ``workers`` does that once plus the overlap check and the
grouping; ``monthly`` (24 months: the year and the one before) does it once
too: spells are turned into +1/-1 events by month and summed up, never
expanded into a row per person and month, except for the people whose spells
overlap (a tenth of them here, far more than a real register holds).

Ends with one JSON line: benchmark "work_stats_monthly_ms" (median CPU ms of
``monthly``), floor = median CPU ms of the scan, the other medians in "params".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cadre_desk import demo, places, work_stats  # noqa: E402
from cadre_desk.stats import compute_stats  # noqa: E402
from cadre_desk.storage import open_store, utc_now  # noqa: E402

AS_OF = dt.date(2025, 6, 15)
# (county code, province code, place): 县内, 省内县外, 省外 and one unresolved
PLACES = [("371581", "370000", "山东省聊城市临清市"), ("370102", "370000", "山东省济南市历下区"),
          ("320583", "320000", "江苏省苏州市昆山市"), ("110105", "110000", "北京市朝阳区"),
          (None, None, "外地")]
CHANNELS = ["企业就业", "灵活就业", "公益性岗位", "自主创业", "居家就业"]


def median_ms(fn, repeats: int, clock=time.process_time) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t = clock()
        fn()
        times.append((clock() - t) * 1000)
    return statistics.median(times)


def add_spells(store, n: int, seed: int = 14) -> int:
    """``n`` spells over the members, one to three a person, some overlapping,
    some ended, from 2023 on; a tenth of the households made 监测户."""
    rng = random.Random(seed)
    members = [r[0] for r in store.db.execute("SELECT id FROM members WHERE deleted = 0 ORDER BY id")]
    rng.shuffle(members)
    now, device = utc_now(), store.device_id
    rows, i = [], 0
    for member in members:
        if len(rows) >= n:
            break
        y, m = 2023, rng.randint(1, 12)
        for _ in range(rng.choice((1, 1, 2, 3))):
            if len(rows) >= n:
                break
            start = f"{y}-{m:02d}"
            length = rng.randint(2, 14)
            ey, em = y + (m + length - 1) // 12, (m + length - 1) % 12 + 1
            end = None if rng.random() < 0.4 or ey > 2025 else f"{ey}-{em:02d}"
            county, province, place = PLACES[rng.randrange(len(PLACES))]
            rows.append((uuid.uuid4().hex, now, now, device, 0, member, start, end, place, county, province,
                         rng.choice(CHANNELS), rng.uniform(1500, 6000)))
            i += 1
            if end is None:
                break
            # the next spell starts a month before (overlap), just after or some months after the end
            gap = rng.choice((-1, 1, 1, 3))
            y, m = ey + (em + gap - 1) // 12, (em + gap - 1) % 12 + 1
    with store.transaction():
        store.db.conn.executemany(
            "INSERT INTO work_spells (id, created_at, updated_at, device_id, deleted, member_id, start_month, "
            "end_month, place, county_code, province_code, channel, monthly_income) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        households = [r[0] for r in store.db.execute("SELECT id FROM households WHERE deleted = 0 ORDER BY id")]
        for h in households[::10]:
            cleared = rng.random() < 0.5
            store.db.execute(
                "UPDATE households SET household_type = '监测户', monitoring_category = ?, monitoring_since = ?, "
                "risk_cleared = ?, risk_cleared_on = ? WHERE id = ?",
                [rng.choice(work_stats.CATEGORIES), f"202{rng.randint(1, 4)}-{rng.randint(1, 12):02d}",
                 int(cleared), "2025-03" if cleared else None, h])
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4,000 members, 3,000 spells")
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--spells", type=int, default=15_000)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    members, spells = (4_000, 3_000) if args.quick else (args.members, args.spells)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        store = open_store(path)
        places.ensure_county(store)
        summary = demo.build_demo(store, households=max(1, round(members / 2.85)), seed=1,
                                  as_of=dt.date(2020, 4, 30))
        made = add_spells(store, spells)
        store.db.conn.close()
        store = open_store(path)  # as the app opens it: the write-ahead log checkpointed

        r = args.repeats
        monthly_ms = median_ms(lambda: work_stats.monthly(store, 2025, today=dt.date(2025, 12, 31)), r)
        workers_ms = median_ms(lambda: work_stats.workers(store, AS_OF), r)
        monitoring_ms = median_ms(lambda: work_stats.monitoring(store, AS_OF), r)
        by_area_ms = median_ms(lambda: work_stats.workers_by_area(store, AS_OF), r)
        todo_ms = median_ms(lambda: work_stats.ended_without_new(store, AS_OF), r)
        todo_n = len(work_stats.ended_without_new(store, AS_OF))
        stats_ms = median_ms(lambda: compute_stats(store, AS_OF), r)
        scan_sql = ("SELECT count(*), max(m.left_on), max(s.county_code), max(s.channel) "
                    "FROM work_spells s JOIN members m ON m.id = s.member_id WHERE s.deleted = 0")
        floor_ms = median_ms(lambda: store.db.execute(scan_sql).fetchone(), r)
        f = work_stats.workers(store, AS_OF)
        store.db.conn.close()

    print(f"demo county: {summary.members} members, {made} spells; workers {AS_OF:%Y-%m}: {f}")
    print(f"CPU medians: monthly {monthly_ms:.1f} ms, workers {workers_ms:.1f} ms, by town {by_area_ms:.1f} ms, "
          f"monitoring {monitoring_ms:.1f} ms, "
          f"ended_without_new {todo_ms:.1f} ms ({todo_n} people), compute_stats {stats_ms:.1f} ms; "
          f"spells joined to their members {floor_ms:.2f} ms")
    print(json.dumps({"benchmark": "work_stats_monthly_ms", "value": round(monthly_ms, 2), "unit": "ms CPU",
                      "floor": round(floor_ms, 2), "ratio": round(monthly_ms / floor_ms, 1),
                      "params": {"members": summary.members, "spells": made, "workers_ms": round(workers_ms, 2),
                                 "monitoring_ms": round(monitoring_ms, 2), "workers_by_area_ms": round(by_area_ms, 2), "ended_without_new_ms": round(todo_ms, 2),
                                 "compute_stats_ms": round(stats_ms, 2), "quick": args.quick}},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
