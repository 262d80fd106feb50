"""Command start-up: ``cadre-desk --help``, ``cadre-desk search``, ``cadre-desk
stats`` as whole processes, against a bare ``python -c "import sqlite3"``.

Every run is a fresh process of the installed ``cadre-desk`` entry point (the
console script), timed from spawn to exit; its CPU time (user + system, from
``os.wait4``) is measured beside the wall time. The runs are interleaved
(bare, help, search, stats, bare, …) so that a busy moment of a shared machine
hits all of them alike; the ratios are medians of CPU over CPU. Bytecode is
compiled first (an installed program has it); ``--no-bytecode`` measures
without it.

    .venv/bin/python benchmarks/bench_commands.py                 # on the 18,000-member county
    .venv/bin/python benchmarks/bench_commands.py --members 100000 --runs 15

Ends with one JSON line: benchmark "command_startup_ratio", value = the worst
of the help and search ratios (goal ≤ 5).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = 5.0


def timed(argv: list[str], env: dict) -> tuple[float, float]:
    """(wall ms, CPU ms) of one process."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = (time.perf_counter() - started) * 1000
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {err[-2000:]}")
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=18_000)
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--no-bytecode", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from county import county

    db = county(args.members)
    exe = shutil.which("cadre-desk", path=str(Path(sys.executable).parent)) or "cadre-desk"
    env = {**os.environ}
    if args.no_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        compileall.compile_dir(str(ROOT / "cadre_desk"), quiet=1)
    import sqlite3

    name = sqlite3.connect(db).execute(
        "SELECT name FROM members WHERE deleted = 0 ORDER BY rowid LIMIT 1 OFFSET 777").fetchone()[0]
    cases = {
        "bare": [sys.executable, "-c", "import sqlite3"],
        "help": [exe, "--help"],
        "search": [exe, "--db", str(db), "search", name],
        "stats": [exe, "--db", str(db), "stats", "--as-of", "2020-04-30"],
    }
    for argv in cases.values():  # warm the file cache
        timed(argv, env)
    wall = {k: [] for k in cases}
    cpu = {k: [] for k in cases}
    for _ in range(args.runs):
        for key, argv in cases.items():
            w, c = timed(argv, env)
            wall[key].append(w)
            cpu[key].append(c)
    med = {k: statistics.median(v) for k, v in cpu.items()}
    medw = {k: statistics.median(v) for k, v in wall.items()}
    ratios = {k: round(med[k] / med["bare"], 2) for k in cases if k != "bare"}
    wall_ratios = {k: round(medw[k] / medw["bare"], 2) for k in cases if k != "bare"}
    for key in cases:
        extra = "" if key == "bare" else f"  ratio {ratios[key]} CPU, {wall_ratios[key]} wall"
        print(f"{key:<7} CPU {med[key]:6.0f} ms   wall {medw[key]:6.0f} ms{extra}", flush=True)
    worst = max(ratios["help"], ratios["search"])
    print(json.dumps({"benchmark": "command_startup_ratio", "value": worst, "unit": "x", "floor": round(med["bare"], 1),
                      "ratio": worst, "goal": GOAL, "met": worst <= GOAL,
                      "params": {"cpu_ms": {k: round(v, 1) for k, v in med.items()},
                                 "wall_ms": {k: round(v, 1) for k, v in medw.items()},
                                 "ratios_cpu": ratios, "ratios_wall": wall_ratios, "members": args.members,
                                 "runs": args.runs, "bytecode": not args.no_bytecode,
                                 "load": round(os.getloadavg()[0], 1)}}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
