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

class FirstPaint(QObject):
    def __init__(self, window):
        super().__init__()
        self.window = window

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and self.window.register_view.model.rowCount():
            QTimer.singleShot(0, self.done)
        return False

    def done(self):
        print("PAINTED", time.time(), self.window.register_view.model.rowCount(), flush=True)
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


def run_once(db: Path) -> tuple[float, int]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.time()
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), db=str(db))], env=env,
                         capture_output=True, text=True, timeout=120)
    line = next((x for x in out.stdout.splitlines() if x.startswith("PAINTED")), None)
    if line is None:
        raise SystemExit(f"the app did not paint: {out.stderr[-2000:]}")
    _, stamp, rows = line.split()
    return (float(stamp) - started) * 1000, int(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--db", type=Path)
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

    for package in ("cadre_desk", "ui"):
        compileall.compile_dir(str(ROOT / package), quiet=1)
    run_once(db)  # warm the OS file cache
    times, rows = [], 0
    for _ in range(args.runs):
        ms, rows = run_once(db)
        times.append(ms)
        print(f"first painted register after {ms:.0f} ms ({rows} households)", flush=True)
    from cadre_desk.storage import open_store

    sqlite_members = open_store(db).db.execute(
        "SELECT count(*) FROM members WHERE deleted = 0").fetchone()[0]
    median = statistics.median(times)
    print(json.dumps({"benchmark": "startup_to_register_ms", "value": round(median, 1), "unit": "ms",
                      "params": {"members": sqlite_members, "households": rows, "runs": args.runs,
                                 "min_ms": round(min(times), 1), "max_ms": round(max(times), 1),
                                 "platform": "offscreen"}}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
