"""The window starts with only what the first painted register needs: one
sign-in, no page nobody opened, no library a page would load, the pinyin fill
after the first paint. Not timing tests (benchmarks/bench_startup.py measures
the time): they check what the start does and does not do."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cadre_desk import audit, cli, places, search
from cadre_desk.demo import build_demo
from cadre_desk.storage import open_store

HEAVY = ("numpy", "reportlab", "pypinyin", "xlsxwriter", "python_calamine")

_PROBE = r"""
import json, sys
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
        w = self.window
        print(json.dumps({"rows": w.register_view.model.rowCount(),
                          "household_page_built": w.page_built("household"),
                          "pages": [w.nav.item(i).text() for i in range(w.nav.count())],
                          "menus": w.menu_titles(),
                          "modules": sorted({m.split(".")[0] for m in sys.modules})}), flush=True)
        ui.app.QApplication.instance().exit(0)

_create = ui.app.create_window
watchers = []

def create_window(store):
    window = _create(store)
    watchers.append(FirstPaint(window))
    window.register_view.table.viewport().installEventFilter(watchers[-1])
    return window

ui.app.create_window = create_window
from cadre_desk.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """A small county on disk whose pinyin is still to be filled (as after a roster import)."""
    path = tmp_path_factory.mktemp("window") / "county.db"
    s = open_store(path)
    places.ensure_county(s)
    build_demo(s, households=15, seed=3)
    s.db.execute("UPDATE search_people SET initials = NULL, pinyin = NULL")
    s.db.conn.close()
    return path


def start_window(path) -> dict:
    done = subprocess.run([sys.executable, "-c", _PROBE, "--db", str(path)], capture_output=True, text=True,
                          timeout=120, env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_first_painted_register_loads_no_page_library_and_builds_no_hidden_page(county):
    r = start_window(county)
    assert r["rows"] == 15
    assert r["household_page_built"] is False
    assert "户详情" in r["pages"] and "户花名册" in r["pages"]  # the page is in the navigation all the same
    assert {"文件", "户", "打印", "同步", "帮助"} <= set(r["menus"])
    assert sorted(set(HEAVY) & set(r["modules"])) == []


def test_the_window_signs_in_once(county):
    def sign_ins():
        s = open_store(county)
        n = sum(1 for e in audit.entries(s) if e["action"] == "sign_in")
        s.db.conn.close()
        return n

    before = sign_ins()
    start_window(county)
    assert sign_ins() - before == 2  # the window's own sign-in, and the one that counted them here


def test_the_household_page_is_built_when_a_household_is_first_opened(qtbot, file_store):
    from ui.main_window import MainWindow

    build_demo(file_store, households=3, seed=5)
    window = MainWindow(file_store)
    qtbot.addWidget(window)
    assert not window.page_built("household")
    household_id = file_store.db.execute("SELECT id FROM households ORDER BY number LIMIT 1").fetchone()[0]
    window.open_household(household_id)
    assert window.page_built("household") and window.current_page_key() == "household"
    assert window.page("household").current_household_id() == household_id


def test_a_menu_action_of_the_household_page_builds_it(qtbot, file_store, monkeypatch):
    from ui.household_page import HouseholdPage
    from ui.main_window import MainWindow

    called = []
    monkeypatch.setattr(HouseholdPage, "show_history", lambda self: called.append(self))
    window = MainWindow(file_store)
    qtbot.addWidget(window)
    action = next(a for a in window.menu("户").actions() if a.objectName() == "householdAction_修改历史")
    action.trigger()
    assert called == [window.page("household")]


def test_the_pinyin_fill_waits_for_the_first_paint(qtbot, file_store):
    from ui.app import create_window

    build_demo(file_store, households=3, seed=5)
    file_store.db.execute("UPDATE search_people SET initials = NULL, pinyin = NULL")
    window = create_window(file_store)
    qtbot.addWidget(window)
    qtbot.wait(200)  # events run, but the window is not on screen yet
    assert window.running_jobs() == 0 and search.pending_count(file_store) > 0
    window.show()
    qtbot.waitUntil(lambda: search.pending_count(file_store) == 0, timeout=10000)


@pytest.mark.parametrize("argv, expected", [
    ([], {}), (["--db", "x.db"], {"--db": "x.db"}), (["--db=x.db", "--user", "王"], {"--db": "x.db", "--user": "王"}),
    (["--db"], None), (["--db", "x.db", "search", "wxl"], None), (["--help"], None), (["--db", "--user"], None),
    (["--db", "a", "--db", "b"], None), (["stats"], None),
])
def test_only_a_bare_window_start_skips_the_command_parser(argv, expected):
    assert cli._window_start(argv) == expected


@pytest.mark.parametrize("rebuild_from", [1, 10**9])
def test_a_large_pinyin_fill_rebuilds_the_indexes_it_dropped_and_gives_the_same_answers(file_store, monkeypatch,
                                                                                        rebuild_from):
    build_demo(file_store, households=40, seed=9)
    conn = file_store.db.conn
    schema = sorted(conn.execute("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'search_people'"))
    expected = {member_id: search.name_pinyin(name) for member_id, name in
                conn.execute("SELECT member_id, name FROM search_people")}
    conn.execute("UPDATE search_people SET initials = NULL, pinyin = NULL")
    conn.execute("UPDATE search_people SET name = NULL WHERE member_id = (SELECT min(member_id) FROM search_people)")
    nameless = conn.execute("SELECT min(member_id) FROM search_people").fetchone()[0]
    expected[nameless] = ("", "")
    monkeypatch.setattr(search, "_REBUILD_FROM", rebuild_from)
    seen = []
    assert search.update_search_index(file_store, progress=lambda done, total: seen.append((done, total))) == \
        len(expected)
    assert seen[-1] == (len(expected), len(expected))
    assert dict((m, (i, p)) for m, i, p in conn.execute("SELECT member_id, initials, pinyin FROM search_people")) \
        == expected
    assert sorted(conn.execute("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'search_people'")) \
        == schema
    assert search.pending_count(file_store) == 0 and search.update_search_index(file_store) == 0
    # a rename afterwards is found by its new pinyin, through the rebuilt indexes
    member_id = next(m for m in expected if m != nameless)
    conn.execute("UPDATE members SET name = '武学亮' WHERE id = ?", [member_id])
    assert search.update_search_index(file_store) == 1
    assert member_id in [h.member_id for h in search.search(file_store, "wxl")]
    assert search.update_search_index(file_store, [member_id]) == 1


def test_the_import_command_leaves_no_pinyin_for_the_next_search_or_start(tmp_path):
    from tests.helpers_cli import run_cli
    from tests.helpers_roster import family, write_roster

    db = tmp_path / "c.db"
    rc, out, err = run_cli("--db", str(db), "import-roster", str(write_roster(tmp_path / "r.xlsx", family())))
    assert rc == 0, err
    s = open_store(db)
    assert search.pending_count(s) == 0
    assert s.db.execute("SELECT initials, pinyin FROM search_people WHERE name = '张建国'").fetchone() == \
        ("zjg", "zhangjianguo")
    s.db.conn.close()
