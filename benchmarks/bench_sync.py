"""Sync throughput: a laptop exports a package of N changed members (every
member's survey edited since the last acknowledgement), the county office
imports it. Reported beside the floor: a bare ``executemany`` of the same
rows into an empty SQLite table in one transaction.

    .venv/bin/python benchmarks/bench_sync.py            # N = 20,000
    .venv/bin/python benchmarks/bench_sync.py --quick    # N = 2,000

The last line is the JSON result; ``value`` is rows/s for export + import
together, ``ratio`` = value / floor (goal: 1/3 or better, "within 3x").
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cadre_desk import places  # noqa: E402
from cadre_desk.idnumber import check_character  # noqa: E402
from cadre_desk.storage import open_store  # noqa: E402
from cadre_desk.sync.export import export_package, write_setup_package  # noqa: E402
from cadre_desk.sync.importer import import_package  # noqa: E402


def make_id(n: int) -> str:
    first17 = f"371581{1960 + n % 40}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return first17 + check_character(first17)


def build_county(path: Path, n: int):
    county = open_store(path)
    places.ensure_county(county)
    town = places.town_by_name(county, "烟店镇")
    village = places.ensure_village(county, town["id"], "李庄村")
    cadre = county.insert("cadres", {"name": "王芳"})
    households = (n + 2) // 3
    with county.transaction():
        hids = county.insert_many("households", [{"village_id": village, "number": f"37158110900{i:07d}",
                                                  "head_name": f"户主{i}"} for i in range(households)])
        county.insert_many("pairings", [{"household_id": h, "cadre_id": cadre, "since": "2020-03-01"}
                                        for h in hids])
        seen = set()
        rows = []
        for i in range(n):
            idn = make_id(i)
            while idn in seen:  # the toy generator repeats after 40 years x 336 days x 1000
                i += 1_000_003
                idn = make_id(i)
            seen.add(idn)
            rows.append({"household_id": hids[i % households], "name": f"成员{i}", "id_number": idn,
                         "relation": "户主", "health": '["健康"]', "labour_ability": "普通劳动力",
                         "education": "初中", "school_status": "非在校生"})
        county.insert_many("members", rows)
    return county


def floor_rows_per_s(rows: list[tuple], columns: list[str], path: Path) -> float:
    # The floor is Python's sqlite3 as shipped, without the adapter for None
    # that cadre_desk.storage registers to speed up its own inserts.
    none_adapter = sqlite3.adapters.pop((type(None), sqlite3.PrepareProtocol), None)
    try:
        return _floor_rows_per_s(rows, columns, path)
    finally:
        if none_adapter is not None:
            sqlite3.register_adapter(type(None), none_adapter)


def _floor_rows_per_s(rows: list[tuple], columns: list[str], path: Path) -> float:
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"CREATE TABLE t ({', '.join(f'[{c}]' for c in columns)})")
    start = time.process_time()
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO t VALUES ({', '.join('?' * len(columns))})", rows)
    conn.execute("COMMIT")
    conn.close()
    return len(rows) / (time.process_time() - start)


def change_log_only(store, after_seq: int, path: Path) -> tuple[int, float]:
    """CPU seconds to insert just the change-log rows an import wrote (seq >
    ``after_seq``) into a fresh database's change log, in one transaction."""
    entries = store.db.execute(
        "SELECT table_name, row_id, field, old_value, new_value, user, device_id, at, hlc FROM change_log "
        "WHERE seq > ?", [after_seq]).fetchall()
    fresh = open_store(path)
    start = time.process_time()
    with fresh.transaction():
        fresh.db.conn.executemany(
            "INSERT INTO change_log(table_name, row_id, field, old_value, new_value, user, device_id, at, hlc) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", entries)
    seconds = time.process_time() - start
    fresh.db.conn.close()
    return len(entries), seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="2,000 members (smoke run)")
    args = parser.parse_args()
    n = 2_000 if args.quick else args.members
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        county = build_county(tmp / "county.db", n)
        setup = write_setup_package(county, "王芳", tmp / "setup.cdsync")
        laptop = open_store(tmp / "laptop.db")
        places.ensure_county(laptop)
        t0 = time.perf_counter()
        import_package(laptop, setup.path, code=setup.code)
        setup_s = time.perf_counter() - t0
        import_package(county, export_package(laptop, tmp / "hello.cdsync").path)  # keys handed in
        import_package(laptop, export_package(county, tmp / "ack.cdsync").path)
        ids = [r[0] for r in laptop.db.execute("SELECT id FROM members").fetchall()]
        with laptop.transaction():
            for i, mid in enumerate(ids):
                laptop.update("members", mid, {"employment_status": "已就业", "employment_channel": "企业就业",
                                               "employer": f"企业{i % 50}", "monthly_income": 2500 + i % 1000})
        cols = list(laptop.db["members"].columns_dict)
        rows = laptop.db.execute(f"SELECT {', '.join(f'[{c}]' for c in cols)} FROM members").fetchall()
        # CPU time for ours and the floor alike, the floor measured right before
        # and after ours: the shared build machine's load moves wall times a lot.
        floors = [floor_rows_per_s(rows, cols, tmp / f"floor{i}.db") for i in range(2)]
        w0, t0 = time.perf_counter(), time.process_time()
        result = export_package(laptop, tmp / "changes.cdsync")
        export_s, export_wall = time.process_time() - t0, time.perf_counter() - w0
        log_before = county.db.execute("SELECT max(seq) FROM change_log").fetchone()[0]
        w0, t0 = time.perf_counter(), time.process_time()
        imported = import_package(county, result.path)
        import_s, import_wall = time.process_time() - t0, time.perf_counter() - w0
        floors += [floor_rows_per_s(rows, cols, tmp / f"floor{i}.db") for i in range(2, 4)]
        log_rows, log_s = change_log_only(county, log_before, tmp / "log-only.db")
        assert imported.counts["updated"] == n, imported.counts
        size = result.path.stat().st_size
        floor = max(floors)
        for s in (county, laptop):
            s.db.conn.close()
    value = n / (export_s + import_s)
    print(f"{n} changed members (CPU time; wall: export {export_wall:.2f} s, import {import_wall:.2f} s): "
          f"export {export_s:.2f} s ({n / export_s:,.0f} rows/s), "
          f"import {import_s:.2f} s ({n / import_s:,.0f} rows/s), package {size / 1e6:.1f} MB; "
          f"setup import {setup_s:.2f} s; floor (bare executemany) {floor:,.0f} rows/s")
    floor_s = n / floor
    print(f"the change log the import must write alone ({log_rows:,} rows, one per changed field, inserted with "
          f"nothing else): CPU {log_s:.2f} s = {log_s / floor_s:.1f}x the floor's {floor_s:.2f} s")
    print(json.dumps({"benchmark": "sync_export_import", "value": round(value), "unit": "rows/s",
                      "floor": round(floor), "ratio": round(value / floor, 3),
                      "params": {"members": n, "export_s": round(export_s, 3), "import_s": round(import_s, 3),
                                 "export_rows_per_s": round(n / export_s), "import_rows_per_s": round(n / import_s),
                                 "package_bytes": size, "setup_import_s": round(setup_s, 3), "time": "cpu",
                                 "export_wall_s": round(export_wall, 3), "import_wall_s": round(import_wall, 3),
                                 "columns": len(cols), "change_log_rows": log_rows,
                                 "change_log_only_s": round(log_s, 3),
                                 "change_log_only_ratio": round(log_s / floor_s, 2)}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
