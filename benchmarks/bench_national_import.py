"""Import a county's national-system export (issue 14 §2) and compare with reading it alone.

Builds the four list workbooks of a county (tests/national_workbooks.py: two
title rows, the header on the third, unknown columns): 监测对象信息 with
``--members`` people (default 20,000, household columns repeated), 户信息 (one
row per household), 已外出务工信息 with ``--spells`` work spells (default
15,000, several per person, places as bare and full-path county names) and
计划外出务工信息. Then, each in a fresh child process (peak memory =
``ru_maxrss`` of the child, read with ``os.wait4``):

- the floor: python-calamine opening each workbook and iterating every row of
  its sheet (``iter_rows``), nothing else — the same floor as
  bench_roster_import.py;
- the import: ``roster.import_files`` of the four files into a fresh database
  file, one import (kinds told from the headers, members, households, spells
  through ``spells.save_spells``, planned work, the check rules afterwards);
- the re-import of the same files into that database (nothing changes).

The ratio compares CPU times (the build machine is shared; its wall clock
measures the other jobs too); wall times are in ``params``.

    .venv/bin/python benchmarks/bench_national_import.py [--quick] [--members N] [--spells N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def build(folder: Path, members: int, spells: int) -> list[Path]:
    from national_workbooks import county, write_all

    households = county(members, spells)
    return write_all(folder, households, write_only=True)


def child_floor(*paths: str) -> dict:
    import python_calamine

    t, cpu = time.perf_counter(), time.process_time()
    rows = 0
    for path in paths:
        wb = python_calamine.CalamineWorkbook.from_path(path)
        for _ in wb.get_sheet_by_index(0).iter_rows():
            rows += 1
        wb.close()
    return {"seconds": time.perf_counter() - t, "cpu": time.process_time() - cpu, "rows": rows}


def child_import(db: str, *paths: str) -> dict:
    from cadre_desk import places
    from cadre_desk.roster import import_files
    from cadre_desk.storage import open_store

    store = open_store(db)
    places.ensure_county(store)
    t, cpu = time.perf_counter(), time.process_time()
    result = import_files(store, list(paths))
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "cpu": time.process_time() - cpu, "members": result.members_created,
            "households": result.households_created, "spells": result.spells_created,
            "spells_unchanged": result.spells_unchanged, "members_updated": result.members_updated,
            "bad_rows": result.bad_row_count, "warnings": len(result.warnings), "findings": len(result.findings)}


def run_child(*args: str) -> tuple[dict, float]:
    """Run this script as a child; return its JSON answer and its peak RSS in MB."""
    proc = subprocess.Popen([sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"child {args[0]} failed with exit code {proc.returncode}")
    return json.loads(out.strip().splitlines()[-1]), usage.ru_maxrss / 1024  # kB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--spells", type=int, default=15_000)
    parser.add_argument("--quick", action="store_true", help="2,000 members, 1,500 spells (smoke run)")
    parser.add_argument("--floor-runs", type=int, default=3, help="calamine runs (best is the floor)")
    parser.add_argument("--keep", metavar="DIR", help="write the workbooks and databases here and keep them "
                                                      "(workbooks already there are reused)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        answer = {"floor": child_floor, "import": child_import}[kind](*rest)
        print(json.dumps(answer))
        return
    members, spells = (2_000, 1_500) if args.quick else (args.members, args.spells)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-national-"))
    folder = work / f"county-{members}-{spells}"
    t = time.perf_counter()
    if args.keep and folder.exists():
        paths = sorted(folder.glob("*.xlsx"), key=lambda p: ["监测", "户信", "已外", "计划"].index(p.name[:2]))
    else:
        paths = build(folder, members, spells)
    size = sum(p.stat().st_size for p in paths) / 1e6
    print(f"national lists: {members} members, {spells} spells, 4 workbooks, {size:.1f} MB, "
          f"built in {time.perf_counter() - t:.1f} s")

    floors = [run_child("floor", *map(str, paths)) for _ in range(args.floor_runs)]
    floor, floor_rss = min(floors, key=lambda f: f[0]["cpu"])
    print(f"python-calamine alone (iter_rows over {floor['rows']} rows of the four files): {floor['seconds']:.2f} s "
          f"(CPU {floor['cpu']:.2f} s), peak RSS {floor_rss:.0f} MB")
    db = work / "national.db"
    for suffix in ("", "-wal", "-shm", ".keys"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    done, rss = run_child("import", str(db), *map(str, paths))
    again, again_rss = run_child("import", str(db), *map(str, paths))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    assert done["members"] == members and done["spells"] == spells and done["bad_rows"] == 0, done
    assert again["members"] == again["spells"] == 0 and again["spells_unchanged"] == spells, again
    ratio = done["cpu"] / floor["cpu"]
    print(f"import_files into a fresh database: {done['seconds']:.2f} s (CPU {done['cpu']:.2f} s), "
          f"{done['members']} members in {done['households']} households, {done['spells']} spells, "
          f"{done['warnings']} spell warnings, {done['findings']} check-rule findings; peak RSS {rss:.0f} MB")
    print(f"ratio to the floor: {ratio:.2f} CPU time, {done['seconds'] / floor['seconds']:.2f} wall clock")
    print(f"re-import of the same files (nothing changes): {again['seconds']:.2f} s (CPU {again['cpu']:.2f} s) = "
          f"{again['cpu'] / floor['cpu']:.2f}x the floor, peak RSS {again_rss:.0f} MB")
    print(json.dumps({"benchmark": "national_import", "value": round(done["cpu"], 3), "unit": "s (CPU)",
                      "floor": round(floor["cpu"], 3), "ratio": round(ratio, 2),
                      "params": {"members": members, "spells": spells, "wall_s": round(done["seconds"], 3),
                                 "floor_wall_s": round(floor["seconds"], 3), "peak_rss_mb": round(rss),
                                 "floor_peak_rss_mb": round(floor_rss), "reimport_s": round(again["cpu"], 3),
                                 "reimport_ratio": round(again["cpu"] / floor["cpu"], 2)}}))


if __name__ == "__main__":
    main()
