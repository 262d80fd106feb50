"""A realistic county for the benchmarks that time what a user waits for.

Built the way a county office's database comes to be: the demo builder makes
the people with their door-to-door surveys filled in (employment, intentions,
skills, pairings, visits, openings, offers), ``cadre-desk export-roster``
writes them as the county's roster workbook, and ``cadre-desk import-roster``
reads that workbook into a new database: roster-imported, surveys filled, in
the shape a real county office has (no pinyin fill, index or cache that the
import itself does not leave).

    .venv/bin/python benchmarks/county.py --members 100000 OUT.db

The file is cached under ``benchmarks/out/`` by the benchmarks (git ignores
it); building 100,000 members takes a few minutes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
MEMBERS_PER_HOUSEHOLD = 2.82  # what the demo builder makes
KEYS_SUFFIX = ".keys"  # cadre_desk.keys.KEYS_SUFFIX: the database's wrapped keys beside it


def cli(*argv: str) -> str:
    """``cadre-desk ARGV`` in its own process (the real entry point)."""
    done = subprocess.run([sys.executable, "-m", "cadre_desk", *argv], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        raise SystemExit(f"cadre-desk {' '.join(argv)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def build_county(path: Path, members: int, *, seed: int = 2020) -> Path:
    """Build the county into ``path`` (demo → roster workbook → import)."""
    path = Path(path)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        demo_db, roster = Path(tmp) / "demo.db", Path(tmp) / "roster.xlsx"
        households = max(1, round(members / MEMBERS_PER_HOUSEHOLD))
        cli("--db", str(demo_db), "demo", "--households", str(households), "--seed", str(seed),
            "--as-of", "2020-04-30")
        cli("--db", str(demo_db), "export-roster", str(roster))
        partial = path.with_suffix(".building")
        for suffix in ("", "-wal", "-shm", KEYS_SUFFIX):
            Path(str(partial) + suffix).unlink(missing_ok=True)
        cli("--db", str(partial), "import-roster", str(roster))
        # the database is encrypted: its key file goes with it
        Path(str(partial) + KEYS_SUFFIX).rename(str(path) + KEYS_SUFFIX)
        partial.rename(path)
        for suffix in ("-wal", "-shm"):
            Path(str(partial) + suffix).unlink(missing_ok=True)
    print(f"built {path.name}: {members:,} members in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def county(members: int) -> Path:
    """The cached county of about ``members`` people, built on first use."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"county-{members}.db"
    if not path.exists():
        print(f"building a roster-imported county of {members:,} members (once, cached in {path}) …", flush=True)
        build_county(path, members)
    return path


def copy_of(path: Path, dest: Path) -> Path:
    """A private copy (a benchmark that writes must not change the cached
    county): the encrypted file, its write-ahead log if any, and its key file."""
    import shutil

    for suffix in ("", "-wal", KEYS_SUFFIX):
        if Path(str(path) + suffix).exists():
            shutil.copyfile(str(path) + suffix, str(dest) + suffix)
    return dest


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("out", type=Path, nargs="?")
    args = ap.parse_args()
    if args.out:
        build_county(args.out, args.members)
    else:
        county(args.members)
    return 0


if __name__ == "__main__":
    sys.exit(main())
