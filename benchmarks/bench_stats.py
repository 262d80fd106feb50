"""Progress figures at 100,000 members: ``cadre_desk.stats.compute_stats`` for
the county, one town and one village, on a demo county of that size (built by
``cadre_desk.demo``, so every figure has rows to count).

    .venv/bin/python benchmarks/bench_stats.py            # about 100,000 members
    .venv/bin/python benchmarks/bench_stats.py --quick    # about 6,000 members, smoke run

The floor is one plain scan of the members table (the least any count over
all members has to read). ``compute_stats`` reads two narrow indexes of the
members (the count by status and channel, the public-welfare posts), looks up
the few members named by applications and measures, sums the subsidies, and
(since issue 14) adds 务工规模 (``work_stats.workers``: one pass over the
spells' index) and the 监测户 figures (``work_stats.monitoring``: one pass
over the households); those two are also timed on their own. The jobs
dashboard calls it on every refresh.

Every figure is CPU time of this process (median of ``--repeats`` calls, after
one warm-up call), the ratio CPU over CPU; wall medians beside them.

Ends with one JSON line: benchmark "stats_county_ms" (median CPU of the
county-wide call), floor = median CPU of the scan, ratio = value / floor; the
demo build time, the town and village medians and the two issue-14 figures on
their own are in "params".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cadre_desk import demo, places, work_stats  # noqa: E402
from cadre_desk.stats import compute_stats  # noqa: E402
from cadre_desk.storage import open_store  # noqa: E402

AS_OF = dt.date(2020, 4, 30)


def median_ms(fn, repeats: int, clock=time.perf_counter) -> float:
    fn()  # warm the page cache
    times = []
    for _ in range(repeats):
        t = clock()
        fn()
        times.append((clock() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about 6,000 members")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    members = 6_000 if args.quick else args.members
    households = max(1, round(members / 2.85))

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.db")
        places.ensure_county(store)
        started = time.perf_counter()
        summary = demo.build_demo(store, households=households, seed=1, as_of=AS_OF)
        build_s = time.perf_counter() - started
        # Reopen, as the app would: closing checkpoints the write-ahead log, which
        # otherwise holds the whole fresh build and slows every read.
        store.db.conn.close()
        store = open_store(Path(tmp) / "bench.db")
        town = store.rows("SELECT t.name FROM households h JOIN villages v ON v.id = h.village_id "
                          "JOIN towns t ON t.id = v.town_id GROUP BY t.name ORDER BY count(*) DESC LIMIT 1")[0]["name"]
        village = store.rows("SELECT v.name FROM villages v JOIN towns t ON t.id = v.town_id WHERE t.name = ? "
                             "LIMIT 1", [town])[0]["name"]

        figures = compute_stats(store, AS_OF)
        county_ms = median_ms(lambda: compute_stats(store, AS_OF), args.repeats)
        # CPU time of this process: the same work without other processes' noise.
        county_cpu_ms = median_ms(lambda: compute_stats(store, AS_OF), args.repeats, time.process_time)
        # The issue-14 figures inside compute_stats, on their own.
        workers_cpu_ms = median_ms(lambda: work_stats.workers(store, AS_OF), args.repeats, time.process_time)
        monitoring_cpu_ms = median_ms(lambda: work_stats.monitoring(store, AS_OF), args.repeats, time.process_time)
        town_ms = median_ms(lambda: compute_stats(store, AS_OF, town=town), args.repeats)
        village_ms = median_ms(lambda: compute_stats(store, AS_OF, town=town, village=village), args.repeats)
        # The floor: one plain pass over the members table reading a column of every row.
        scan_sql = ("SELECT count(*), sum(m.employment_status = '已就业') FROM members m NOT INDEXED "
                    "WHERE m.deleted = 0")
        floor_ms = median_ms(lambda: store.db.execute(scan_sql).fetchone(), args.repeats)
        floor_cpu_ms = median_ms(lambda: store.db.execute(scan_sql).fetchone(), args.repeats, time.process_time)
        store.db.conn.close()

    print(f"demo county: {summary.households} households, {summary.members} members, built in {build_s:.1f} s "
          f"({summary.members / build_s:,.0f} members/s)")
    print(f"compute_stats county {county_ms:.1f} ms (CPU {county_cpu_ms:.1f} ms), town {town} {town_ms:.1f} ms, village {village} "
          f"{village_ms:.1f} ms; plain member scan {floor_ms:.1f} ms (CPU {floor_cpu_ms:.1f} ms); "
          f"ratio CPU over CPU {county_cpu_ms / floor_cpu_ms:.2f}")
    print(f"of which (timed alone, CPU): workers {workers_cpu_ms:.1f} ms, monitoring {monitoring_cpu_ms:.1f} ms; "
          f"the rest {county_cpu_ms - workers_cpu_ms - monitoring_cpu_ms:.1f} ms "
          f"(ratio {(county_cpu_ms - workers_cpu_ms - monitoring_cpu_ms) / floor_cpu_ms:.2f})")
    print(f"working_age_able {figures['working_age_able']}, employed {figures['employed']}, "
          f"workers {figures['workers']['total']}, monitored households {figures['monitoring']['households']}")
    # One clock for the ratio: CPU time of this process for both (wall times beside them).
    print(json.dumps({"benchmark": "stats_county_ms", "value": round(county_cpu_ms, 2), "unit": "ms CPU",
                      "floor": round(floor_cpu_ms, 2), "ratio": round(county_cpu_ms / floor_cpu_ms, 2),
                      "wall_ms": round(county_ms, 2), "floor_wall_ms": round(floor_ms, 2),
                      "params": {"members": summary.members, "households": summary.households,
                                 "county_cpu_ms": round(county_cpu_ms, 2), "town_ms": round(town_ms, 2), "village_ms": round(village_ms, 2),
                                 "workers_cpu_ms": round(workers_cpu_ms, 2), "monitoring_cpu_ms": round(monitoring_cpu_ms, 2),
                                 "demo_build_s": round(build_s, 2), "quick": args.quick}}, ensure_ascii=False))


if __name__ == "__main__":
    main()
