"""The pinyin fill beside the rest of the search index, at 100,000 members.

A roster import builds the search index set-based (``search.bulk_inserts``:
one row per person in ``search_people``, every 1- and 2-character piece of
every name in ``search_grams``, the household numbers) and then fills the
people's pinyin (``search.update_search_index``: pypinyin once per distinct
name, one ``UPDATE`` from a temporary table, the three pinyin indexes rebuilt
once). On a copy of the realistic county (``benchmarks/county.py``) each round
drops the index rows, builds them again exactly as the import does, commits,
then fills the pinyin of everyone and commits: both in CPU time, alternately,
so that the machine's load weighs on both alike. Loading pypinyin itself
(once per process) is measured apart.

    .venv/bin/python benchmarks/bench_pinyin_fill.py              # 100,000 members, 3 rounds
    .venv/bin/python benchmarks/bench_pinyin_fill.py --quick      # 5,000 members

Ends with one JSON line: benchmark "pinyin_fill", value = CPU s of the fill,
floor = CPU s of the rest of the index, ratio = value / floor (goal: ≤ 1, as
fast as the rest of the index).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def rebuild_rest(store) -> float:
    """CPU s to build search_people, search_grams and search_households for
    everyone, as ``search.bulk_inserts`` does at the end of an import."""
    from cadre_desk import search

    conn = store.db.conn
    with store.db.atomic():
        for table in ("search_grams", "search_people", "search_households"):
            conn.execute(f"DELETE FROM {table}")
    cpu = time.process_time()
    with store.db.atomic():
        conn.execute("INSERT OR REPLACE INTO search_people (member_id, household_id, name, id_number, id_tail) "
                     "SELECT id, household_id, name, id_number, substr(id_number, -4) FROM members "
                     "WHERE rowid > ? AND deleted = 0", [0])
        conn.execute(search._GRAMS.format(m="m", src="members m CROSS JOIN", cond="m.rowid > ? AND m.deleted = 0 AND"),
                     [0, 0])
        conn.execute("INSERT OR REPLACE INTO search_households SELECT id, number, substr(number, -4) FROM households "
                     "WHERE rowid > ? AND deleted = 0", [0])
    return time.process_time() - cpu


def fill(store) -> tuple[float, int]:
    from cadre_desk import search

    cpu = time.process_time()
    n = search.update_search_index(store)
    return time.process_time() - cpu, n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.members, args.rounds = 5_000, 2
    from county import copy_of, county

    from cadre_desk import search
    from cadre_desk.storage import open_store

    load = subprocess.run([sys.executable, "-c", "import time; c = time.process_time(); import pypinyin.core; "
                           "print(time.process_time() - c)"], capture_output=True, text=True, check=True)
    pypinyin_s = float(load.stdout.strip())
    search.name_pinyin("王")  # loaded here once, before timing
    rest, fills = [], []
    with tempfile.TemporaryDirectory() as tmp:
        db = copy_of(county(args.members), Path(tmp) / "index.db")
        store = open_store(db)
        members = store.db.execute("SELECT count(*) FROM members WHERE deleted = 0").fetchone()[0]
        names = store.db.execute("SELECT count(DISTINCT name) FROM members WHERE deleted = 0").fetchone()[0]
        for r in range(args.rounds):
            rest.append(rebuild_rest(store))
            f, n = fill(store)
            fills.append(f)
            print(f"round {r + 1}: rest of the index {rest[-1]:.2f} s CPU, pinyin fill of {n:,} people "
                  f"{f:.2f} s CPU", flush=True)
        store.db.conn.close()
    value, floor = statistics.median(fills), statistics.median(rest)
    print(f"{members:,} members, {names:,} distinct names: pinyin fill {value:.2f} s CPU against the rest of the "
          f"index {floor:.2f} s CPU = {value / floor:.2f}x; loading pypinyin once: {pypinyin_s:.2f} s CPU")
    print(json.dumps({"benchmark": "pinyin_fill", "value": round(value, 3), "unit": "s (CPU)",
                      "floor": round(floor, 3), "ratio": round(value / floor, 3),
                      "params": {"members": members, "distinct_names": names, "rounds": args.rounds,
                                 "pypinyin_load_s": round(pypinyin_s, 3), "goal_ratio": 1.0,
                                 "load": round(os.getloadavg()[0], 1)}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
