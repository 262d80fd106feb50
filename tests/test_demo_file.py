"""The demo county never lands in the user's own database (issue 11 §1):
``cadre-desk demo`` without ``--db`` builds it in the demo's own file beside
the default database (the file the window's 先看看演示 opens); a database that
is itself a demo is always marked and 文件 → 关闭演示 leads back to the user's
real database, also for a demo an older version left at the default place."""

from __future__ import annotations

import sqlite3

import pytest

from cadre_desk import first_start
from cadre_desk.paths import default_db_path
from cadre_desk.storage import file_kind
from helpers_cli import run_cli
from ui.app import Launcher, application


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    """The per-user data folder in a temporary place, no CADRE_DESK_DB."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("CADRE_DESK_DB", raising=False)
    return default_db_path()


def _households(path) -> int:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute("SELECT count(*) FROM households").fetchone()[0]
    finally:
        conn.close()


def test_the_command_without_db_builds_the_demo_in_its_own_file(data_home):
    rc, out, err = run_cli("demo", "--households", "4")
    assert rc == 0, err
    demo_file = first_start.demo_path_for(None)
    assert demo_file.parent == data_home.parent and demo_file.name == "demo.db"
    assert not data_home.exists()  # the user's own database is not created, let alone filled
    assert str(demo_file) in out and "先看看演示" in out
    assert file_kind(demo_file) == "plain" and _households(demo_file) == 4
    assert first_start.needs_first_start(None)  # the window still opens the first-start page
    # The window's 先看看演示 opens that same demo.
    store = first_start.open_demo(None)
    try:
        assert store.path == demo_file and first_start.is_demo(store)
        assert store.rows("SELECT count(*) AS n FROM households")[0]["n"] == 4
    finally:
        store.db.conn.close()
    rc, _, err = run_cli("demo", "--households", "4")
    assert rc == 1 and "演示数据" in err  # not built twice into one file


def test_the_demo_file_opens_without_anybody_signed_in(tmp_path, monkeypatch):
    monkeypatch.delenv("CADRE_DESK_USER", raising=False)
    monkeypatch.delenv("CADRE_DESK_PASSWORD", raising=False)
    store = first_start.open_demo(tmp_path / "cadre-desk.db", households=3, seed=1)
    try:
        assert first_start.is_demo(store) and store.path == tmp_path / "demo.db"
    finally:
        store.db.conn.close()
    assert file_kind(tmp_path / "demo.db") == "plain" and not (tmp_path / "cadre-desk.db").exists()


def test_a_demo_left_in_the_users_database_is_marked_and_closing_it_goes_back(qtbot, data_home, monkeypatch):
    # An older version's `cadre-desk demo` filled the default database itself.
    data_home.parent.mkdir(parents=True)
    monkeypatch.setenv("CADRE_DESK_DB", str(data_home))
    assert run_cli("demo", "--households", "5")[0] == 0
    monkeypatch.delenv("CADRE_DESK_DB")
    assert file_kind(data_home) == "encrypted"

    application()
    launcher = Launcher(None)
    launcher.start()
    try:
        window = launcher.window
        assert window is not None and window.banner.isVisible()
        assert "演示" in window.banner.text() and "关闭演示" in window.banner.text()
        assert str(data_home) in window.banner.text()
        window.close_demo_action.trigger()
        # Back to the user's own (now empty) place: the first-start page; the
        # demo was moved to its own file, where 先看看演示 finds it again.
        assert launcher.window is None and launcher.first_start_page is not None
        assert not data_home.exists()
        demo_file = first_start.demo_path_for(None)
        assert file_kind(demo_file) == "plain" and _households(demo_file) == 5
        launcher.first_start_page.choose_demo()
        assert launcher.window is not None and launcher.window.store.path == demo_file
        launcher.window.close_demo_action.trigger()
        assert launcher.first_start_page is not None
    finally:
        launcher.close()


def test_a_demo_opened_with_db_goes_back_to_the_default_database(qtbot, data_home, tmp_path):
    training = tmp_path / "training.db"
    assert run_cli("--db", str(training), "demo", "--households", "3")[0] == 0
    application()
    launcher = Launcher(str(training))
    launcher.start()
    try:
        assert launcher.window.banner.isVisible() and str(training) in launcher.window.banner.text()
        launcher.window.close_demo_action.trigger()
        assert launcher.first_start_page is not None and launcher.db_path == data_home
        assert _households_encrypted(training) == 3  # the training file itself is left as it is
    finally:
        launcher.close()


def _households_encrypted(path) -> int:
    from cadre_desk.storage import open_store

    store = open_store(path)
    try:
        return store.rows("SELECT count(*) AS n FROM households")[0]["n"]
    finally:
        store.db.conn.close()
