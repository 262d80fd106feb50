"""Search latency at 100,000 members: every kind of query the register's
search box takes, timed through ``cadre_desk.search.search`` (first page, 50
hits), beside a plain ``LIKE '%…%'`` scan of the same queries (the baseline
the index has to beat). The target is one frame: p95 ≤ 16 ms for every kind.

    .venv/bin/python benchmarks/bench_search.py            # 100,000 members
    .venv/bin/python benchmarks/bench_search.py --quick    # 5,000 members, smoke run
    .venv/bin/python benchmarks/bench_search.py --demo     # people from cadre_desk.demo (slower to build)

Ends with one JSON line: benchmark "search_p95", value = worst p95 over the
kinds (ms), floor = p95 of the LIKE scan, ratio = value / floor.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cadre_desk import places, search  # noqa: E402
from cadre_desk.storage import open_store  # noqa: E402

TARGET_MS = 16.0


def build(path: Path, members: int, use_demo: bool) -> float:
    started = time.perf_counter()
    store = open_store(path)
    places.ensure_county(store)
    if use_demo:
        from cadre_desk import demo

        demo.build_demo(store, households=max(1, round(members / 2.9)))
    else:
        from tests.helpers_search import make_county

        make_county(store, members, villages_per_town=36)
    search.update_search_index(store)
    store.db.conn.close()
    return time.perf_counter() - started


def queries(store, rng: random.Random, n: int) -> dict[str, list[str]]:
    people = store.rows("SELECT name, id_number FROM members WHERE deleted = 0 AND name IS NOT NULL")
    numbers = [r["number"] for r in store.rows("SELECT number FROM households WHERE deleted = 0")]
    sample = [rng.choice(people) for _ in range(n)]
    three = [p["name"] for p in people if len(p["name"]) >= 3]

    def fragment(name: str) -> str:
        start = rng.randrange(0, len(name) - 1)
        return name[start:start + 2]

    return {
        "name_2chars": [fragment(p["name"]) for p in sample],
        "name_3chars": [rng.choice(three)[:3] for _ in range(n)],
        "pinyin_initials": [search.name_pinyin(p["name"])[0] for p in sample],
        "pinyin_full": [search.name_pinyin(p["name"])[1] for p in sample],
        "pinyin_prefix": [search.name_pinyin(p["name"])[1][:4] for p in sample],
        "id_tail_4": [p["id_number"][-4:] for p in sample],
        "id_tail_6": [p["id_number"][-6:] for p in sample],
        "household_number": [rng.choice(numbers) for _ in range(n)],
        "name_1char": [p["name"][0] for p in sample],
    }


def timed(fn, items) -> list[float]:
    out = []
    for q in items:
        t = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - t) * 1000)
    return out


def stats(ms: list[float]) -> dict:
    ms = sorted(ms)
    return {"median": round(statistics.median(ms), 3), "p95": round(ms[int(0.95 * (len(ms) - 1))], 3),
            "max": round(ms[-1], 3)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=300, help="queries per kind")
    ap.add_argument("--like-queries", type=int, default=40,
                    help="queries per kind for the LIKE baseline (each is a full scan)")
    ap.add_argument("--quick", action="store_true", help="5,000 members, 50 queries per kind")
    ap.add_argument("--demo", action="store_true", help="build the people with cadre_desk.demo")
    ap.add_argument("--db", type=Path, help="reuse (or build once into) this database file")
    args = ap.parse_args()
    if args.quick:
        args.members, args.queries = 5_000, 50

    tmp = None
    path = args.db
    if path is None:
        tmp = tempfile.TemporaryDirectory()
        path = Path(tmp.name) / "bench.db"
    build_s = None
    if not path.exists():
        build_s = build(path, args.members, args.demo)
        print(f"built {path} in {build_s:.1f} s")
    store = open_store(path)
    members = store.db.execute("SELECT count(*) FROM members WHERE deleted = 0").fetchone()[0]
    rng = random.Random(11)
    kinds = queries(store, rng, args.queries)
    conn = store.db.conn

    def like(q: str):
        conn.execute("SELECT m.id FROM members m WHERE m.deleted = 0 AND (m.name LIKE ? OR m.id_number LIKE ?) "
                     "LIMIT 50", [f"%{q}%", f"%{q}"]).fetchall()

    for qs in kinds.values():  # warm the page cache once
        for q in qs[:5]:
            search.search(store, q)
    results, like_all = {}, []
    print(f"{members} members, {args.queries} queries per kind (ms)")
    print(f"{'kind':18} {'index median':>12} {'index p95':>10} {'LIKE median':>12} {'LIKE p95':>9} {'hits':>6}")
    for kind, qs in kinds.items():
        index_ms = timed(lambda q: search.search(store, q, limit=50), qs)
        like_ms = timed(like, qs[:args.like_queries])
        like_all += like_ms
        hits = statistics.mean(len(search.search(store, q, limit=50)) for q in qs[:50])
        results[kind] = {"index": stats(index_ms), "like": stats(like_ms), "mean_hits": round(hits, 1)}
        print(f"{kind:18} {results[kind]['index']['median']:12.3f} {results[kind]['index']['p95']:10.3f} "
              f"{results[kind]['like']['median']:12.3f} {results[kind]['like']['p95']:9.3f} {hits:6.1f}")
    worst = max(r["index"]["p95"] for r in results.values())
    floor = stats(like_all)["p95"]
    print(f"worst p95 {worst:.3f} ms (target {TARGET_MS} ms); LIKE scan p95 {floor:.3f} ms")
    print(json.dumps({"benchmark": "search_p95", "value": worst, "unit": "ms", "floor": floor,
                      "ratio": round(worst / floor, 4) if floor else None,
                      "params": {"members": members, "queries_per_kind": args.queries, "like_queries_per_kind": args.like_queries, "limit": 50,
                                 "target_ms": TARGET_MS, "data": "demo" if args.demo else "helpers_search",
                                 "build_s": round(build_s, 1) if build_s else None, "kinds": results}},
                     ensure_ascii=False))
    store.db.conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
