"""Time from process start to the first painted register window, on a realistic
county of 100,000 members (roster-imported, surveys filled in: benchmarks/county.py),
started through the real entry point (``cadre-desk --db FILE``), offscreen Qt. Each run is a fresh Python process: the
clock starts in this script just before the child is spawned and stops when the
child's register table has painted its first rows (an event filter on the
table's viewport). Interpreter start, imports, opening the database, building
the window and the first page of the register are all inside.

    .venv/bin/python benchmarks/bench_startup.py              # builds the 100,000-member database
    .venv/bin/python benchmarks/bench_startup.py --db FILE    # reuse (or build once into) FILE
    .venv/bin/python benchmarks/bench_startup.py --quick      # 5,000 members, 3 runs
    .venv/bin/python benchmarks/bench_startup.py --compare DIR   # also other code (a checkout), interleaved

Each run also reports the child's CPU time up to the paint (every thread of
the process) and the part of it spent deriving the key-encryption key from
the password (Argon2id, 64 MiB, 3 passes: a deliberate cost of the sign-in,
which makes a stolen key file slow to attack). With ``--compare DIR`` the
same county is started alternately with this checkout's code and DIR's (e.g.
the code before a change), so that a busy moment of the shared machine weighs
on both alike.

Ends with one JSON line: benchmark "startup_to_register_ms", value = median ms.
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

CHILD = r"""
import sys, time
sys.path.insert(0, {root!r})
from PySide6.QtCore import QEvent, QObject, QTimer
import ui.app
import cadre_desk.keys

kdf = [0.0, 0.0]  # wall, CPU seconds in Argon2id
_derive = cadre_desk.keys.derive

def derive(*args, **kwargs):
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        return _derive(*args, **kwargs)
    finally:
        kdf[0] += time.perf_counter() - wall
        kdf[1] += time.process_time() - cpu

cadre_desk.keys.derive = derive

class FirstPaint(QObject):
    def __init__(self, window):
        super().__init__()
        self.window = window

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and self.window.register_view.model.rowCount():
            QTimer.singleShot(0, self.done)
        return False

    def done(self):
        print("PAINTED", time.time(), self.window.register_view.model.rowCount(), time.process_time(), kdf[0], kdf[1],
              flush=True)
        QTimer.singleShot(30000, lambda: None)
        ui.app.QApplication.instance().exit(0)

# The real entry point (cadre-desk --db FILE: the CLI, the launcher, ui.app.run);
# the only addition is a watcher on the register's first paint.
_create = ui.app.create_window
watchers = []

def create_window(store):
    window = _create(store)
    watchers.append(FirstPaint(window))
    window.register_view.table.viewport().installEventFilter(watchers[-1])
    return window

ui.app.create_window = create_window
from cadre_desk.cli import main
sys.exit(main(["--db", {db!r}]))
"""


# The floor: a bare PySide6 process painting a table of the register's size
# on screen (interpreter, Qt, one window), with no database, key or app code.
FLOOR = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QTableWidget, QTableWidgetItem

app = QApplication(sys.argv[:1])
table = QTableWidget(200, 7)
for r in range(200):
    for c in range(7):
        table.setItem(r, c, QTableWidgetItem(f"{{r}}-{{c}}"))

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, self.done)
        return False

    def done(self):
        print("PAINTED", time.time(), 200, time.process_time(), 0, 0, flush=True)
        app.exit(0)

watcher = FirstPaint()
table.viewport().installEventFilter(watcher)
table.resize(1366, 768)
table.show()
sys.exit(app.exec())
"""


def run_once(db: Path, root: Path = ROOT) -> dict:
    """One start: wall ms to the painted register, the child's CPU ms up to
    then, and the wall and CPU ms of its key derivation."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.time()
    code = FLOOR.format() if root is None else CHILD.format(root=str(root), db=str(db))
    out = subprocess.run([sys.executable, "-c", code], env=env,
                         capture_output=True, text=True, timeout=120)
    line = next((x for x in out.stdout.splitlines() if x.startswith("PAINTED")), None)
    if line is None:
        raise SystemExit(f"the app did not paint: {out.stderr[-2000:]}")
    _, stamp, rows, cpu, kdf_wall, kdf_cpu = line.split()
    return {"ms": (float(stamp) - started) * 1000, "rows": int(rows), "cpu_ms": float(cpu) * 1000,
            "kdf_ms": float(kdf_wall) * 1000, "kdf_cpu_ms": float(kdf_cpu) * 1000}


def summary(runs: list[dict]) -> dict:
    med = {k: statistics.median(r[k] for r in runs) for k in ("ms", "cpu_ms", "kdf_ms", "kdf_cpu_ms")}
    return {**med, "min_ms": min(r["ms"] for r in runs), "max_ms": max(r["ms"] for r in runs)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--db", type=Path)
    ap.add_argument("--compare", type=Path, metavar="DIR",
                    help="another checkout (e.g. the code before a change), started alternately with this one")
    args = ap.parse_args()
    if args.quick:
        args.members, args.runs = 5_000, 3
    sys.path.insert(0, str(ROOT))
    tmp = None
    db = args.db
    if db is None:
        tmp = tempfile.TemporaryDirectory()
        db = Path(tmp.name) / "startup.db"
    if not db.exists():
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from county import copy_of, county

        copy_of(county(args.members), db)
    # An installed program has its bytecode; this machine's Python may be told
    # not to write it (PYTHONDONTWRITEBYTECODE), which would make every run compile.
    import compileall

    trees = {"this": ROOT, **({"compare": args.compare.resolve()} if args.compare else {}), "floor": None}
    for tree in trees.values():
        for package in ("cadre_desk", "ui") if tree is not None else ():
            compileall.compile_dir(str(tree / package), quiet=1)
    for tree in trees.values():
        run_once(db, tree)  # warm the OS file cache
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    for _ in range(args.runs):
        for name, tree in trees.items():
            r = run_once(db, tree)
            runs[name].append(r)
            print(f"{name:8s} first painted register after {r['ms']:.0f} ms ({r['rows']} households), "
                  f"CPU {r['cpu_ms']:.0f} ms, of which Argon2id {r['kdf_cpu_ms']:.0f} ms CPU "
                  f"({r['kdf_ms']:.0f} ms wall)", flush=True)
    from cadre_desk.storage import open_store

    sqlite_members = open_store(db).db.execute(
        "SELECT count(*) FROM members WHERE deleted = 0").fetchone()[0]
    ours = summary(runs["this"])
    floor = summary(runs["floor"])
    rows = runs["this"][-1]["rows"]
    print(f"median: {ours['ms']:.0f} ms wall, {ours['cpu_ms']:.0f} ms CPU "
          f"(Argon2id {ours['kdf_ms']:.0f} ms wall, {ours['kdf_cpu_ms']:.0f} ms CPU); "
          f"without the key derivation: {ours['ms'] - ours['kdf_ms']:.0f} ms wall")
    print(f"floor (a bare PySide6 process painting a 200-row table): {floor['ms']:.0f} ms wall, "
          f"{floor['cpu_ms']:.0f} ms CPU; ratio {ours['ms'] / floor['ms']:.2f} wall, "
          f"{ours['cpu_ms'] / floor['cpu_ms']:.2f} CPU")
    params = {"members": sqlite_members, "households": rows, "runs": args.runs,
              "min_ms": round(ours["min_ms"], 1), "max_ms": round(ours["max_ms"], 1),
              "cpu_ms": round(ours["cpu_ms"], 1), "kdf_ms": round(ours["kdf_ms"], 1),
              "kdf_cpu_ms": round(ours["kdf_cpu_ms"], 1), "platform": "offscreen",
              "load": round(os.getloadavg()[0], 1)}
    if args.compare:
        other = summary(runs["compare"])
        print(f"compare ({args.compare}): {other['ms']:.0f} ms wall, {other['cpu_ms']:.0f} ms CPU; "
              f"ratio this/compare: {ours['ms'] / other['ms']:.2f} wall, {ours['cpu_ms'] / other['cpu_ms']:.2f} CPU")
        params.update({"compare_ms": round(other["ms"], 1), "compare_cpu_ms": round(other["cpu_ms"], 1),
                       "ratio_to_compare_wall": round(ours["ms"] / other["ms"], 3),
                       "ratio_to_compare_cpu": round(ours["cpu_ms"] / other["cpu_ms"], 3)})
    print(json.dumps({"benchmark": "startup_to_register_ms", "value": round(ours["ms"], 1), "unit": "ms",
                      "floor": round(floor["ms"], 1), "ratio": round(ours["ms"] / floor["ms"], 2),
                      "params": {**params, "floor_cpu_ms": round(floor["cpu_ms"], 1),
                                 "ratio_cpu": round(ours["cpu_ms"] / floor["cpu_ms"], 2),
                                 "goal_ms": 1500}}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
