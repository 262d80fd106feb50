"""Commands start at once: ``cadre-desk --help`` and ``cadre-desk search`` load
none of the heavy libraries (each costs tens of milliseconds of start-up, all
of them together 0.4 s), and commands import what they use when they run.

Not a timing test (benchmarks/bench_commands.py measures the time): each case
runs the command in a fresh Python process and lists what it imported."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cadre_desk import places, search
from cadre_desk.commands import demo as demo_command
from cadre_desk.demo import DEFAULT_HOUSEHOLDS, DEFAULT_SEED, build_demo
from cadre_desk.storage import open_store

HEAVY = ("numpy", "sqlite_utils", "cryptography", "xlsxwriter", "reportlab", "pypinyin", "python_calamine",
         "PySide6")
# A command that opens the (encrypted) database must unwrap its key: AES-GCM
# from cryptography is the one heavy library it may load; --help must not.
OPENING_NEEDS = {"cryptography"}

_PROBE = """
import contextlib, io, json, sys
from cadre_desk.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        rc = main(sys.argv[1:])
    except SystemExit as exc:
        rc = exc.code
print(json.dumps({"rc": rc, "out": out.getvalue(),
                  "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def run_fresh(*argv: str) -> dict:
    """``cadre-desk ARGV`` in a new process: its exit code, output and top-level modules."""
    done = subprocess.run([sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def county_db(tmp_path_factory):
    """A small demo county on disk with its search index complete (pinyin filled)."""
    path = tmp_path_factory.mktemp("startup") / "county.db"
    s = open_store(path)
    places.ensure_county(s)
    build_demo(s, households=20, seed=7)
    search.update_search_index(s)
    name = s.db.execute("SELECT name FROM members WHERE deleted = 0 ORDER BY name LIMIT 1").fetchone()[0]
    s.db.conn.close()
    return path, name


def test_help_lists_the_commands_without_loading_heavy_libraries():
    r = run_fresh("--help")
    assert r["rc"] == 0
    assert "search" in r["out"] and "import-roster" in r["out"] and "sync" in r["out"]
    assert sorted(set(HEAVY) & set(r["modules"])) == []


def test_a_command_help_loads_nothing_heavy_either():
    r = run_fresh("sync", "import", "--help")
    assert r["rc"] == 0 and "--code" in r["out"]
    assert sorted(set(HEAVY) & set(r["modules"])) == []


@pytest.mark.parametrize("query", ["name", "initials", "digits"])
def test_search_finds_people_without_loading_heavy_libraries(county_db, query):
    path, name = county_db
    text = {"name": name, "initials": search.name_pinyin(name)[0], "digits": "1"}[query]
    r = run_fresh("--db", str(path), "search", text, "--json")
    assert r["rc"] == 0
    hits = json.loads(r["out"])
    if query != "digits":
        assert name in [h["name"] for h in hits]
    assert sorted(set(HEAVY) - OPENING_NEEDS & set(r["modules"])) == []


def test_stats_loads_no_spreadsheet_crypto_or_pdf_library(county_db):
    path, _ = county_db
    r = run_fresh("--db", str(path), "stats", "--json")
    assert r["rc"] == 0 and json.loads(r["out"])["households"] == 20
    assert sorted(set(HEAVY) - OPENING_NEEDS & set(r["modules"])) == []


def test_a_command_still_loads_what_it_uses_when_it_runs(county_db, tmp_path):
    path, _ = county_db
    r = run_fresh("--db", str(path), "export-roster", str(tmp_path / "out.xlsx"))
    assert r["rc"] == 0 and "xlsxwriter" in r["modules"]
    assert (tmp_path / "out.xlsx").stat().st_size > 0


def test_the_demo_command_shows_the_demo_builders_defaults():
    assert (demo_command.DEFAULT_HOUSEHOLDS, demo_command.DEFAULT_SEED) == (DEFAULT_HOUSEHOLDS, DEFAULT_SEED)
