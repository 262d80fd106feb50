"""The province's figures over many counties: DuckDB over the counties' Parquet
exports (the SQL of docs/province.md) against looping ``compute_stats`` (what
``cadre-desk stats`` runs) over the counties' SQLite files, the floor a
home-made approach would have (open each file, count, add up).

Counties are synthetic: ``--distinct`` demo counties of ``--households`` each
are built once, then copied to ``--counties`` databases, each given its own
county code and ID numbers (so nobody is in two counties), and each exported
with ``export-warehouse``. The timed work is only the figures: the seed block
and the work block of docs/province.md, run once over all counties' files, vs.
``open_store`` + ``compute_stats`` for every county file. Both give the same
totals (checked).

    .venv/bin/python benchmarks/bench_province.py                    # 20 counties x 5,000 households (~290,000 members)
    .venv/bin/python benchmarks/bench_province.py --counties 100 --households 17000   # the issue's ~5 million members
    .venv/bin/python benchmarks/bench_province.py --quick            # 6 counties x 500 households
    .venv/bin/python benchmarks/bench_province.py --dir D            # keep the counties in D (reused when present)

Ends with one JSON line: benchmark "province_figures_ms", value = DuckDB median ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = dt.date(2020, 4, 30)
SUMMED = ["households", "working_age_able", "employed", "applied", "placed_by_recommendation", "self_employed",
          "driven_by_self_employed", "public_welfare_posts", "public_welfare_subsidy_yuan"]


def blocks() -> dict[str, str]:
    text = (ROOT / "docs" / "province.md").read_text(encoding="utf-8")
    return dict(re.findall(r"```sql\n-- name: (\w+)\n(.*?)```", text, flags=re.S))


def median_ms(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), result


def build_counties(folder: Path, *, counties: int, households: int, distinct: int) -> tuple[list[Path], float, float]:
    from cadre_desk import places
    from cadre_desk.demo import build_demo
    from cadre_desk.storage import open_store
    from cadre_desk.warehouse import export_warehouse

    key = bytes(range(32))
    dbs = sorted(folder.glob("county-*.db"))
    if len(dbs) == counties and (folder / "exports").is_dir():
        return dbs, 0.0, 0.0
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    t = time.perf_counter()
    seeds = []
    for i in range(distinct):
        path = folder / f"seed-{i}.db"
        store = open_store(path)
        places.ensure_county(store)
        build_demo(store, households=households, seed=100 + i, as_of=AS_OF)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.db.conn.close()
        seeds.append(path)
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    dbs = []
    for n in range(counties):
        code = f"{370000 + n + 1:06d}"
        path = folder / f"county-{code}.db"
        shutil.copyfile(seeds[n % distinct], path)
        conn = sqlite3.connect(path)
        with conn:
            # A county of its own: its code, and ID numbers nobody else has.
            conn.execute("UPDATE counties SET code = ?, name = ?", [code, f"第{n + 1}县"])
            conn.execute("UPDATE members SET id_number = ? || id_number WHERE id_number IS NOT NULL", [code])
        conn.close()
        store = open_store(path)
        export_warehouse(store, folder / "exports" / code, as_of=AS_OF, key=key)
        store.db.conn.close()
        dbs.append(path)
    for s in seeds:
        s.unlink()
    return dbs, build_s, time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--counties", type=int, default=20)
    ap.add_argument("--households", type=int, default=5000, help="households per county")
    ap.add_argument("--distinct", type=int, default=2, help="demo counties actually built (the rest are copies)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--dir", type=Path, help="keep the counties here (reused when they are already there)")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.counties, args.households, args.distinct, args.repeats = 6, 500, 2, 3
    import duckdb

    from cadre_desk.stats import compute_stats
    from cadre_desk.storage import open_store

    tmp = None
    folder = args.dir
    if folder is None:
        tmp = tempfile.TemporaryDirectory(prefix="bench-province-")
        folder = Path(tmp.name) / "counties"
    try:
        dbs, build_s, export_s = build_counties(folder, counties=args.counties, households=args.households,
                                                distinct=args.distinct)
        sql = blocks()
        glob = str(folder / "exports" / "*")
        seed_sql = sql["seed"].replace("{DIR}", glob)
        work_sql = sql["work"].replace("{DIR}", glob)

        def province():
            con = duckdb.connect()
            try:
                seed = con.execute(seed_sql)
                s = dict(zip([d[0] for d in seed.description], seed.fetchone()))
                work = con.execute(work_sql)
                s.update(zip([d[0] for d in work.description], work.fetchone()))
                return s
            finally:
                con.close()

        def loop_stats():
            total = dict.fromkeys(SUMMED, 0)
            for db in dbs:
                store = open_store(db)
                f = compute_stats(store, AS_OF)
                store.db.conn.close()
                for k in SUMMED:
                    total[k] += f[k]
            return total

        duck_ms, duck = median_ms(province, args.repeats)
        loop_ms, looped = median_ms(loop_stats, args.repeats)
        for k in SUMMED:
            if abs(duck[k] - looped[k]) > 0.001:
                raise SystemExit(f"figures differ on {k}: DuckDB {duck[k]} vs stats {looped[k]}")
        members = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{glob}/members.parquet')").fetchone()[0]
        parquet_mb = sum(f.stat().st_size for f in (folder / "exports").rglob("*.parquet")) / 1e6
        sqlite_mb = sum(db.stat().st_size for db in dbs) / 1e6
        print(f"{args.counties} counties, {members:,} members ({args.households:,} households each); "
              f"SQLite {sqlite_mb:,.0f} MB, Parquet {parquet_mb:,.0f} MB")
        if build_s or export_s:
            print(f"built {args.distinct} demo counties in {build_s:.1f} s; copied and exported {args.counties} in "
                  f"{export_s:.1f} s ({export_s / args.counties:.2f} s per county)")
        print(f"province figures: DuckDB over the Parquet files {duck_ms:,.0f} ms; looping compute_stats over the "
              f"SQLite files {loop_ms:,.0f} ms ({loop_ms / duck_ms:.1f}x); working_age_able {duck['working_age_able']:,}, "
              f"employed {duck['employed']:,}")
        print(json.dumps({"benchmark": "province_figures_ms", "value": round(duck_ms, 1), "unit": "ms",
                          "floor": round(loop_ms, 1), "ratio": round(duck_ms / loop_ms, 3),
                          "params": {"counties": args.counties, "households_per_county": args.households,
                                     "members": members, "parquet_mb": round(parquet_mb, 1),
                                     "sqlite_mb": round(sqlite_mb, 1), "export_s_per_county":
                                         round(export_s / args.counties, 2) if export_s else None,
                                     "quick": args.quick}}, ensure_ascii=False))
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
