"""Where the bytes of a county's database go, against the roster it came from.

Measures a roster-imported county (``benchmarks/county.py``: the demo's
people with their surveys, written as the county's roster workbook and read
back with ``cadre-desk import-roster``; 100,000 members by default, cached) on
a private copy (signing in writes to the audit trail):

- the raw rows (the floor): the roster workbook's cells as UTF-8 text, data
  rows only (the copy exported again with ``cadre-desk export-roster``, which
  writes what the import read: export → import is lossless);
- the file: its size on disk after the import (and its write-ahead log), then
  every b-tree (table or index) by SQLite's ``dbstat``: pages, the bytes its
  rows take (payload), the rest of its pages (cell headers, free space in
  half-filled pages), grouped into what each part is for (the search index,
  the change log, the audit trail, the register's tables and their indexes);
- the same after ``VACUUM`` (what is page-level waste: free pages and pages
  left half full by random-order inserts).

The file is encrypted and this SQLCipher build has no ``dbstat``: the copy's
pages are decrypted in memory with its key (SQLCipher 4: AES-256-CBC per
page, the IV in the page's reserved tail) and handed to Python's own SQLite
(``deserialize``), whose ``dbstat`` reads the exact on-disk layout. Nothing
decrypted is written to disk.

    .venv/bin/python benchmarks/db_size.py [--members N] [--db FILE] [--no-vacuum]

Needs CADRE_DESK_USER / CADRE_DESK_PASSWORD (the benchmarks' user). Ends with
one JSON line: value = bytes per member of the file, floor = raw roster bytes
per member, ratio = value / floor; params has every part in bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import county as county_mod  # noqa: E402

SQLITE_HEADER = b"SQLite format 3\x00"
SALT_BYTES = 16
IV_BYTES = 16


def part_of(name: str, table: str) -> str:
    """What a b-tree is for (the docs' parts)."""
    if table.startswith("search_"):
        return "search index"
    if table == "change_log":
        return "change log"
    if table.startswith("audit_"):
        return "audit trail"
    if table in ("members", "households"):
        return f"{table} (rows)" if name == table else f"{table} (indexes)"
    return "everything else"


def decrypted_image(path: Path, key: bytes) -> bytes:
    """The plaintext pages of an SQLCipher 4 file (raw key, HMAC on: the
    reserved tail of each page is IV + HMAC), as an SQLite file image. The
    HMACs are not checked here: the copy was just opened and read by SQLCipher."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    raw = path.read_bytes()
    # the page size and reserve are in the decrypted header: read page 1 with the defaults first
    page_size, reserve = 4096, 80
    out = bytearray()
    for start in range(0, len(raw), page_size):
        page = raw[start:start + page_size]
        skip = SALT_BYTES if start == 0 else 0
        iv = page[page_size - reserve:page_size - reserve + IV_BYTES]
        dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        plain = dec.update(page[skip:page_size - reserve]) + dec.finalize()
        if start == 0:
            plain = SQLITE_HEADER + plain
            if plain[16:18] != page_size.to_bytes(2, "big") or plain[20] != reserve:
                raise SystemExit(f"unexpected SQLCipher page layout (page size {plain[16:18].hex()}, "
                                 f"reserve {plain[20]})")
        out += plain + bytes(reserve)
    out[18] = out[19] = 1  # rollback journal: an in-memory image cannot be in WAL mode
    return bytes(out)


def measure(path: Path) -> dict:
    """Sign in to the copy, checkpoint it, and read every b-tree's size."""
    from cadre_desk.storage import open_store

    on_disk = {suffix or "db": os.path.getsize(str(path) + suffix)
               for suffix in ("", "-wal") if os.path.exists(str(path) + suffix)}
    store = open_store(path)
    conn = store.db.conn
    members = conn.execute("SELECT count(*) FROM members WHERE deleted = 0").fetchone()[0]
    households = conn.execute("SELECT count(*) FROM households WHERE deleted = 0").fetchone()[0]
    changes = conn.execute("SELECT count(*) FROM change_log").fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    key = store.key
    conn.close()
    image = decrypted_image(path, key)
    plain = sqlite3.connect(":memory:")
    plain.deserialize(image)
    del image
    table_of = dict(plain.execute("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')"))
    table_of["sqlite_schema"] = "sqlite_schema"
    trees = []
    for name, pages, size, payload, unused, cells in plain.execute(
            "SELECT name, count(*), sum(pgsize), sum(payload), sum(unused), sum(ncell) FROM dbstat "
            "GROUP BY name ORDER BY sum(pgsize) DESC"):
        table = table_of.get(name, name)
        trees.append({"name": name, "table": table, "part": part_of(name, table), "pages": pages,
                      "bytes": size, "payload": payload, "unused": unused, "cells": cells})
    page_count = plain.execute("PRAGMA page_count").fetchone()[0]
    freelist = plain.execute("PRAGMA freelist_count").fetchone()[0]
    page_size = plain.execute("PRAGMA page_size").fetchone()[0]
    plain.close()
    return {"members": members, "households": households, "change_log_rows": changes, "on_disk": on_disk,
            "file": page_count * page_size, "page_size": page_size, "free_pages": freelist, "trees": trees}


def vacuumed(path: Path) -> int:
    """The copy's size after VACUUM (through the program's own connection)."""
    from cadre_desk.storage import open_store

    store = open_store(path)
    store.db.conn.execute("VACUUM")
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.db.conn.close()
    return os.path.getsize(path)


def raw_roster_bytes(path: Path, out: Path) -> tuple[int, int]:
    """(UTF-8 bytes of every data cell, data rows) of the roster exported from ``path``."""
    import python_calamine

    county_mod.cli("--db", str(path), "export-roster", str(out))
    wb = python_calamine.CalamineWorkbook.from_path(str(out))
    total = rows = 0
    for sheet in wb.sheet_names:
        data = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=True)
        header = next((i for i, r in enumerate(data) if any(str(c).strip() for c in r)), None)
        if header is None:
            continue
        for row in data[header + 1:]:
            cells = [_cell_text(c) for c in row]
            if any(cells):
                rows += 1
                total += sum(len(c.encode("utf-8")) for c in cells)
    return total, rows


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def per_member(n: int, members: int) -> str:
    return f"{n / members:8,.0f} B"


def report(m: dict, raw: int, raw_rows: int, after_vacuum: int | None) -> dict:
    members, file = m["members"], m["file"]
    print(f"county: {members:,} members, {m['households']:,} households, {m['change_log_rows']:,} change-log rows")
    disk = ", ".join(f"{k} {v / 1e6:,.1f} MB" for k, v in m["on_disk"].items())
    print(f"on disk after the import: {disk}; checkpointed: {file / 1e6:,.1f} MB "
          f"({m['page_size']}-byte pages, {m['free_pages']:,} free)")
    print(f"raw rows (the floor): {raw / 1e6:,.1f} MB of cell text in {raw_rows:,} roster rows, "
          f"{raw / members:,.0f} B a member")
    print(f"\n{'b-tree':<42}{'part':<22}{'MB':>8}{'B/member':>11}{'share':>7}{'rows fill':>10}")
    reserve = 80 * m["file"] // m["page_size"]
    for t in m["trees"]:
        if t["bytes"] < 0.001 * file:
            continue
        fill = t["payload"] / t["bytes"] if t["bytes"] else 0
        print(f"{t['name'][:41]:<42}{t['part']:<22}{t['bytes'] / 1e6:8.1f}{per_member(t['bytes'], members):>11}"
              f"{t['bytes'] / file:7.1%}{fill:10.0%}")
    parts: dict[str, int] = {}
    for t in m["trees"]:
        parts[t["part"]] = parts.get(t["part"], 0) + t["bytes"]
    parts["free pages"] = m["free_pages"] * m["page_size"]
    print(f"\n{'part':<30}{'MB':>8}{'B/member':>11}{'share':>7}")
    for part, size in sorted(parts.items(), key=lambda kv: -kv[1]):
        print(f"{part:<30}{size / 1e6:8.1f}{per_member(size, members):>11}{size / file:7.1%}")
    payload = sum(t["payload"] for t in m["trees"])
    print(f"\nof the file: rows' own bytes (payload) {payload / file:.0%}; SQLCipher's reserved page tails "
          f"(IV + HMAC, 80 B a page) {reserve / file:.1%}; the rest is cell and page headers, keys' "
          f"row pointers and half-empty pages")
    out = {"parts": parts, "trees": {t["name"]: t["bytes"] for t in m["trees"] if t["bytes"] >= 0.001 * file}}
    if after_vacuum is not None:
        print(f"after VACUUM: {after_vacuum / 1e6:,.1f} MB, {after_vacuum / members:,.0f} B a member "
              f"({after_vacuum / file - 1:+.0%})")
        out["after_vacuum"] = after_vacuum
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--db", type=Path, help="measure this county (a copy of it) instead of benchmarks/out's")
    ap.add_argument("--no-vacuum", action="store_true", help="skip the size after VACUUM")
    args = ap.parse_args()
    if not (os.environ.get("CADRE_DESK_USER") and os.environ.get("CADRE_DESK_PASSWORD")):
        raise SystemExit("set CADRE_DESK_USER and CADRE_DESK_PASSWORD (the benchmarks' user)")
    source = args.db if args.db else county_mod.county(args.members)
    with tempfile.TemporaryDirectory() as tmp:
        copy = county_mod.copy_of(source, Path(tmp) / "county.db")
        m = measure(copy)
        raw, raw_rows = raw_roster_bytes(copy, Path(tmp) / "roster.xlsx")
        after = None if args.no_vacuum else vacuumed(copy)
    out = report(m, raw, raw_rows, after)
    members = m["members"]
    print(json.dumps({"benchmark": "db_size_per_member", "value": round(m["file"] / members, 1),
                      "unit": "bytes/member", "floor": round(raw / members, 1),
                      "ratio": round(m["file"] / raw, 2),
                      "params": {"members": members, "households": m["households"], "file": m["file"],
                                 "on_disk": m["on_disk"], "raw_bytes": raw, "raw_rows": raw_rows,
                                 "change_log_rows": m["change_log_rows"], "free_pages": m["free_pages"],
                                 **out}}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
