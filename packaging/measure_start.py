"""Cold and warm start of a built bundle to a painted window (offscreen Qt).

    python3 packaging/measure_start.py BUNDLE_DIR DB [--runs 5]

Each run spawns ``BUNDLE_DIR/cadre-desk-selftest --db DB`` (which starts the
app as a user would and reports when its window first painted) and times from
just before the spawn to that paint. The cold run first evicts every file of
the bundle (and the database) from the page cache with
``posix_fadvise(DONTNEED)``, as after a reboot; the warm runs follow with the
files cached. Uses only the standard library, so it runs with any python3 and
no venv. Prints one JSON line: {"cold_ms", "warm_ms" (median), "warm_runs"}.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def evict(paths: list[Path]) -> int:
    n = 0
    for path in paths:
        for f in ([path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]):
            try:
                fd = os.open(f, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.fsync(fd) if os.access(f, os.W_OK) else None
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                n += 1
            except OSError:
                pass
            finally:
                os.close(fd)
    return n


def start_once(bundle: Path, db: Path, env: dict) -> float:
    started = time.time()
    out = subprocess.run([str(bundle / "cadre-desk-selftest"), "--db", str(db)], env=env, capture_output=True,
                         text=True, timeout=180, cwd=str(db.parent))
    line = next((x for x in out.stdout.splitlines() if x.startswith("{")), None)
    report = json.loads(line) if line else {}
    if out.returncode != 0 or "painted_at" not in report or not report.get("colours"):
        raise SystemExit(f"the bundle did not paint (exit {out.returncode}): {out.stdout[-500:]} {out.stderr[-1500:]}")
    return (report["painted_at"] - started) * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bundle", type=Path)
    ap.add_argument("db", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(args.db.parent), "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen"}
    # The database is encrypted: its user signs in from the environment, as a
    # county script would (otherwise the sign-in window would be what paints).
    for name in ("CADRE_DESK_USER", "CADRE_DESK_PASSWORD"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    evicted = evict([args.bundle, args.db])
    cold = start_once(args.bundle, args.db, env)
    warm = [start_once(args.bundle, args.db, env) for _ in range(args.runs)]
    print(json.dumps({"cold_ms": round(cold), "warm_ms": round(statistics.median(warm)),
                      "warm_runs": [round(w) for w in warm], "files_evicted": evicted}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
