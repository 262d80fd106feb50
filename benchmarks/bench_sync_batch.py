"""The county office's daily sync batch: 50 laptops' packages of 20 households
each, imported in one ``cadre-desk sync import F1 … F50`` (whole process),
beside the same 50 packages imported one command each (50 processes, the way
it was done before the command took several files).

The county is the realistic one of ``benchmarks/county.py`` (roster-imported,
surveys filled; 100,000 members by default). On a private copy, 50 cadres
with at least 20 households each get a laptop: setup package, enrolment, the
laptop's first package (its keys) and the county's acknowledgement, all
through the real sync code. Each laptop then edits the survey of every member
of 20 of its households (employment status, channel, employer, income) and
exports its package. The county as it was before the import is copied for
every timed run (an import changes it), and the runs alternate (batch, one by
one, batch, …). Times are whole processes from spawn to exit, wall and CPU
(user + system, from ``os.wait4``).

    .venv/bin/python benchmarks/bench_sync_batch.py                      # 100,000 members, 50 × 20
    .venv/bin/python benchmarks/bench_sync_batch.py --members 5000 --laptops 10 --households 10
    .venv/bin/python benchmarks/bench_sync_batch.py --quick              # 5,000 members, 5 × 5

Ends with one JSON line: benchmark "sync_daily_batch", value = the batch's
whole-process wall seconds, floor = the 50 one-by-one commands' wall seconds
(what the batch command replaces), ratio = value / floor; params has CPU
times, the cost per package and the county's size.
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
sys.path.insert(0, str(ROOT / "benchmarks"))

KEYS = ".keys"


def copy_db(src: Path, dest: Path) -> Path:
    for suffix in ("", "-wal", KEYS):
        Path(str(dest) + suffix).unlink(missing_ok=True)
        if Path(str(src) + suffix).exists():
            shutil.copyfile(str(src) + suffix, str(dest) + suffix)
    return dest


def prepare(county_db: Path, work: Path, laptops: int, households: int) -> tuple[Path, list[Path]]:
    """Enrol the laptops on a copy of the county and write their daily
    packages; returns the county as it is before the import, and the packages."""
    from cadre_desk import places
    from cadre_desk.storage import open_store
    from cadre_desk.sync.export import export_package, write_setup_package
    from cadre_desk.sync.importer import import_package

    base = copy_db(county_db, work / "county-before.db")
    county = open_store(base)
    cadres = county.db.execute(
        "SELECT c.name FROM pairings p JOIN cadres c ON c.id = p.cadre_id WHERE p.deleted = 0 AND p.until IS NULL "
        "AND c.deleted = 0 GROUP BY c.id HAVING count(*) >= ? AND c.name IN "
        "(SELECT name FROM cadres WHERE deleted = 0 GROUP BY name HAVING count(*) = 1) ORDER BY c.name LIMIT ?",
        [households, laptops]).fetchall()
    if len(cadres) < laptops:
        raise SystemExit(f"the county has only {len(cadres)} cadres with {households} households or more")
    packages = []
    started = time.perf_counter()
    for i, (name,) in enumerate(cadres):
        setup = write_setup_package(county, name, work / f"setup-{i}.cdsync")
        laptop = open_store(work / f"laptop-{i}.db")
        places.ensure_county(laptop)
        import_package(laptop, setup.path, code=setup.code)
        import_package(county, export_package(laptop, work / f"hello-{i}.cdsync").path)  # its keys
        import_package(laptop, export_package(county, work / f"ack-{i}.cdsync", device_id=laptop.device_id).path)
        # the day's work: every member of `households` of the cadre's households surveyed again
        members = laptop.db.execute(
            "SELECT m.id FROM members m WHERE m.deleted = 0 AND m.household_id IN "
            "(SELECT id FROM households WHERE deleted = 0 ORDER BY number LIMIT ?)", [households]).fetchall()
        with laptop.transaction():
            for j, (member_id,) in enumerate(members):
                laptop.update("members", member_id, {"employment_status": "已就业", "employment_channel": "企业就业",
                                                     "employer": f"企业{(i + j) % 50}",
                                                     "monthly_income": 2600 + (i * 31 + j) % 900})
        packages.append(export_package(laptop, work / f"daily-{i:02d}.cdsync").path)
        laptop.db.conn.close()
        if (i + 1) % 10 == 0:
            print(f"  {i + 1} laptops enrolled and their packages written ({time.perf_counter() - started:.0f} s)",
                  flush=True)
    county.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    county.db.conn.close()
    return base, packages


def timed(argv: list[str]) -> tuple[float, float, str]:
    """(wall s, CPU s, stdout) of one process, CPU from ``os.wait4``."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    out = proc.stdout.read()
    err = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.stdout.close()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv[3:6])} … failed: {err[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--laptops", type=int, default=50)
    ap.add_argument("--households", type=int, default=20, help="households each laptop's package changes")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="5,000 members, 5 laptops of 5 households, 1 run")
    args = ap.parse_args()
    if args.quick:
        args.members, args.laptops, args.households, args.runs = 5_000, 5, 5, 1
    from county import county

    import compileall

    for package in ("cadre_desk", "ui"):  # an installed program has its bytecode
        compileall.compile_dir(str(ROOT / package), quiet=1)
    source = county(args.members)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(f"enrolling {args.laptops} laptops on a copy of {source.name} …", flush=True)
        base, packages = prepare(source, work, args.laptops, args.households)
        from cadre_desk.storage import open_store

        s = open_store(base)
        members = s.db.execute("SELECT count(*) FROM members WHERE deleted = 0").fetchone()[0]
        changed = 0
        s.db.conn.close()
        cli = [sys.executable, "-m", "cadre_desk"]
        batch, single = [], []
        for r in range(args.runs):
            db = copy_db(base, work / "county-batch.db")
            wall, cpu, out = timed([*cli, "--db", str(db), "sync", "import", *map(str, packages)])
            lines = [x for x in out.splitlines() if x.strip()]
            batch.append((wall, cpu))
            print(f"run {r + 1}: one command for {len(packages)} packages: {wall:.2f} s wall, {cpu:.2f} s CPU "
                  f"({len(lines)} summary lines)", flush=True)
            s = open_store(db)
            changed = s.db.execute("SELECT count(*) FROM members WHERE employment_channel = '企业就业' "
                                   "AND employer LIKE '企业%'").fetchone()[0]
            s.db.conn.close()
            db = copy_db(base, work / "county-single.db")
            walls, cpus = 0.0, 0.0
            for p in packages:
                w, c, _ = timed([*cli, "--db", str(db), "sync", "import", str(p)])
                walls += w
                cpus += c
            single.append((walls, cpus))
            print(f"run {r + 1}: one command per package: {walls:.2f} s wall, {cpus:.2f} s CPU in all", flush=True)
    bw, bc = min(batch)[0], min(c for _, c in batch)
    sw, sc = min(single)[0], min(c for _, c in single)
    n = len(packages)
    print(f"county of {members:,} members; {n} packages of {args.households} households "
          f"({changed:,} members with the day's answers after the import)")
    print(f"daily batch, one process: {bw:.2f} s wall, {bc:.2f} s CPU = {bw / n * 1000:.0f} ms wall a package")
    print(f"one command per package: {sw:.2f} s wall, {sc:.2f} s CPU = {sw / n * 1000:.0f} ms wall a package; "
          f"the batch takes {bw / sw:.2f} of that time")
    print(json.dumps({"benchmark": "sync_daily_batch", "value": round(bw, 3), "unit": "s (wall, whole process)",
                      "floor": round(sw, 3), "ratio": round(bw / sw, 3),
                      "params": {"members": members, "packages": n, "households_per_package": args.households,
                                 "batch_cpu_s": round(bc, 3), "single_cpu_s": round(sc, 3),
                                 "ms_per_package": round(bw / n * 1000, 1), "runs": args.runs,
                                 "floor_is": "the same packages, one cadre-desk sync import each",
                                 "load": round(os.getloadavg()[0], 1)}}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
