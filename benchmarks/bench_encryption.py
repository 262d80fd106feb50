"""What encryption costs, in one run: the same roster imported, the same search
point queries and the same county figures on

- ``sqlite3``: a plaintext file through Python's own sqlite3 (SQLite 3.40), the
  previous version's driver;
- ``plain``: a plaintext file through the SQLCipher driver (its SQLite 3.51,
  no encryption);
- ``cipher``: an encrypted file (SQLCipher 4, raw 256-bit key), as the program
  opens every real database;

and the encrypted file again with smaller page caches, for memory. Each
variant runs in a fresh child process (peak memory from ``os.wait4``), the
variants interleaved over ``--rounds`` so that a busy moment of the shared
machine hits them all alike; times are CPU seconds (medians over rounds).

Search point queries are timed on a warm connection (the window's case) and
"cold": a new connection per query (a command's case: connection, key and
schema read each time). The JSON line's value is the encrypted import's CPU
over the ``sqlite3`` one (the issue's goal: at most 1.15).

    .venv/bin/python benchmarks/bench_encryption.py [--quick] [--members N] [--rounds R]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

os.environ.setdefault("CADRE_DESK_USER", "bench")
os.environ.setdefault("CADRE_DESK_PASSWORD", "bench-pass-2026")

DEFAULT_CACHE_KIB = 256 * 1024
VARIANTS = [("sqlite3", DEFAULT_CACHE_KIB), ("plain", DEFAULT_CACHE_KIB), ("cipher", DEFAULT_CACHE_KIB),
            ("cipher", 64 * 1024), ("cipher", 16 * 1024), ("cipher", 2 * 1024)]


def _label(driver: str, cache_kib: int) -> str:
    return f"{driver}/{cache_kib // 1024}MiB"


def child(driver: str, cache_kib: int, roster: str, db: str, queries: int) -> dict:
    import sqlite3

    from cadre_desk import places, search, storage
    from cadre_desk.roster import import_roster
    from cadre_desk.stats import compute_stats

    storage.CACHE_KIB = cache_kib
    if driver == "sqlite3":
        storage.sqlcipher = sqlite3  # the previous version's driver, for this process only
    store = storage.open_store(db, plaintext=driver != "cipher")
    places.ensure_county(store)
    cpu = time.process_time()
    result = import_roster(store, roster)
    import_cpu = time.process_time() - cpu
    conn = store.db.conn
    rng = random.Random(5)
    numbers = [r[0] for r in conn.execute("SELECT number FROM households WHERE deleted = 0")]
    ids = [r[0] for r in conn.execute("SELECT id_number FROM members WHERE deleted = 0")]
    asked = {"household_number": [rng.choice(numbers) for _ in range(queries)],
             "id_tail_6": [rng.choice(ids)[-6:] for _ in range(queries)]}
    for qs in asked.values():
        for q in qs[:10]:
            search.search(store, q)
    warm = {}
    for kind, qs in asked.items():
        ms = []
        for q in qs:
            t = time.process_time()
            search.search(store, q)
            ms.append((time.process_time() - t) * 1000)
        warm[kind] = statistics.median(ms)
    import datetime as dt

    cpu = time.process_time()
    compute_stats(store, dt.date(2026, 12, 1))
    stats_cold = time.process_time() - cpu
    cpu = time.process_time()
    compute_stats(store, dt.date(2026, 12, 1))
    stats_warm = time.process_time() - cpu
    key, path = store.key, store.path
    conn.close()
    # Cold: what a command does for one query (connect, key, schema, the query).
    cold = []
    for q in asked["household_number"][:40]:
        t = time.process_time()
        c = storage.connect(path, key)
        c.execute("SELECT h.id FROM search_households sh JOIN households h ON h.id = sh.household_id "
                  "WHERE sh.number = ?", [q]).fetchall()
        c.close()
        cold.append((time.process_time() - t) * 1000)
    return {"import_cpu": import_cpu, "members": result.members_created, "warm_ms": warm,
            "cold_ms": statistics.median(cold), "stats_cold_cpu": stats_cold, "stats_warm_cpu": stats_warm,
            "sqlite": sqlite3.sqlite_version if driver == "sqlite3" else storage.sqlcipher.sqlite_version}


def run_child(*args: str) -> tuple[dict, float]:
    proc = subprocess.Popen([sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"child {args[:2]} failed")
    return json.loads(out.strip().splitlines()[-1]), usage.ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--quick", action="store_true", help="3,000 members, one round")
    ap.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        driver, cache, roster, db, queries = args.child
        print(json.dumps(child(driver, int(cache), roster, db, int(queries))))
        return 0
    if args.quick:
        args.members, args.rounds, args.queries = 3_000, 1, 100
    from bench_roster_import import build_roster

    runs: dict[str, list[tuple[dict, float]]] = {_label(*v): [] for v in VARIANTS}
    with tempfile.TemporaryDirectory() as tmp:
        roster = Path(tmp) / "roster.xlsx"
        build_roster(roster, args.members)
        for r in range(args.rounds):
            for driver, cache in VARIANTS:
                db = Path(tmp) / f"{driver}-{cache}-{r}.db"
                runs[_label(driver, cache)].append(
                    run_child(driver, str(cache), str(roster), str(db), str(args.queries)))
                for p in Path(tmp).glob(db.name + "*"):
                    p.unlink()

    def med(label, pick):
        return statistics.median(pick(a, rss) for a, rss in runs[label])

    base = _label("sqlite3", DEFAULT_CACHE_KIB)
    print(f"{args.members} members, {args.rounds} rounds, CPU medians; load {os.getloadavg()[0]:.1f}")
    print(f"{'variant':18} {'SQLite':>7} {'import s':>9} {'vs sqlite3':>10} {'hh no. ms':>9} {'id tail ms':>10} "
          f"{'cold ms':>8} {'stats s':>8} {'stats warm':>10} {'peak MB':>8}")
    table = {}
    for label in runs:
        row = {"sqlite": runs[label][0][0]["sqlite"],
               "import_cpu_s": round(med(label, lambda a, m: a["import_cpu"]), 3),
               "household_number_ms": round(med(label, lambda a, m: a["warm_ms"]["household_number"]), 3),
               "id_tail_ms": round(med(label, lambda a, m: a["warm_ms"]["id_tail_6"]), 3),
               "cold_query_ms": round(med(label, lambda a, m: a["cold_ms"]), 3),
               "stats_cold_s": round(med(label, lambda a, m: a["stats_cold_cpu"]), 3),
               "stats_warm_s": round(med(label, lambda a, m: a["stats_warm_cpu"]), 3),
               "peak_mb": round(med(label, lambda a, m: m))}
        row["import_ratio"] = round(row["import_cpu_s"] / max(med(base, lambda a, m: a["import_cpu"]), 1e-9), 3)
        table[label] = row
        print(f"{label:18} {row['sqlite']:>7} {row['import_cpu_s']:9.2f} {row['import_ratio']:10.3f} "
              f"{row['household_number_ms']:9.3f} {row['id_tail_ms']:10.3f} {row['cold_query_ms']:8.2f} "
              f"{row['stats_cold_s']:8.3f} {row['stats_warm_s']:10.3f} {row['peak_mb']:8d}")
    cipher = table[_label("cipher", DEFAULT_CACHE_KIB)]
    print(json.dumps({"benchmark": "encryption_import", "value": cipher["import_cpu_s"], "unit": "s",
                      "floor": table[base]["import_cpu_s"], "ratio": cipher["import_ratio"],
                      "params": {"members": args.members, "rounds": args.rounds, "queries": args.queries,
                                 "variants": table}}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
