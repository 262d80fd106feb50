"""The oldest glibc a built bundle can run on: the highest GLIBC_x.y symbol
version any of its executables or shared libraries needs (``objdump -T``).

    python3 packaging/glibc_floor.py BUNDLE_DIR [--top 8]

A bundle runs only where the system's glibc is at least that version (glibc
itself is never bundled). Prints one JSON line: {"glibc": "2.34", "needed_by":
[the files that need the highest versions]}.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

VERSION = re.compile(r"\bGLIBC_(\d+)\.(\d+)(?:\.(\d+))?\b")


def is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def needed(path: Path) -> tuple[int, ...] | None:
    out = subprocess.run(["objdump", "-T", str(path)], capture_output=True, text=True)
    versions = [tuple(int(x or 0) for x in m.groups()) for line in out.stdout.splitlines()
                if " UND " in line or "*UND*" in line for m in [VERSION.search(line)] if m]
    return max(versions) if versions else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bundle", type=Path)
    ap.add_argument("--top", type=int, default=8)
    args = ap.parse_args()
    found = []
    paths = [args.bundle] if args.bundle.is_file() else args.bundle.rglob("*")
    for f in sorted(p for p in paths if p.is_file() and not p.is_symlink() and is_elf(p)):
        v = needed(f)
        if v:
            found.append((v, str(f.relative_to(args.bundle)) if f != args.bundle else f.name))
    if not found:
        raise SystemExit("no ELF files with versioned glibc symbols found (is objdump installed?)")
    found.sort(reverse=True)
    top = found[0][0]
    fmt = lambda v: ".".join(str(x) for x in (v if v[2] else v[:2]))  # noqa: E731
    print(json.dumps({"glibc": fmt(top), "files": len(found),
                      "needed_by": [f"{name} ({fmt(v)})" for v, name in found[: args.top]]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
