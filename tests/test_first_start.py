"""The first start (issue 11 §1): a database with no households opens the
first-start page; the demo lives in its own file; real data never goes into
the demo; the user's name is recorded with every change."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QMessageBox

from cadre_desk import first_start, register
from cadre_desk.storage import open_store
from cadre_desk.sync import export as sync_export
from cadre_desk.sync import roles
from helpers_qt import when_modal
from helpers_roster import family, write_roster
from helpers_sync import county_with_households
from ui.app import Launcher, application
from ui.roster_dialogs import PairingDateDialog

DEMO = {"households": 6, "seed": 3}


def households_in(path) -> int:
    from cadre_desk.storage import file_kind

    if file_kind(path) == "encrypted":  # the real database (credentials from tests/conftest.py)
        store = open_store(path)
        try:
            return store.rows("SELECT count(*) AS n FROM households")[0]["n"]
        finally:
            store.db.conn.close()
    conn = sqlite3.connect(str(path))  # the demo's own plaintext file
    try:
        return conn.execute("SELECT count(*) FROM households").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def launcher(qtbot, tmp_path):
    application()
    lau = Launcher(str(tmp_path / "real" / "cadre-desk.db"))
    (tmp_path / "real").mkdir()
    lau.start()
    yield lau
    lau.close()


def test_a_new_database_opens_the_first_start_page_and_creates_nothing(launcher, tmp_path):
    page = launcher.first_start_page
    assert page is not None and launcher.window is None
    assert page.isVisible()
    assert not (tmp_path / "real" / "cadre-desk.db").exists()
    texts = [page.roster_button.text(), page.setup_button.text(), page.demo_button.text()]
    assert texts == ["导入花名册…", "导入启用包", "先看看演示"]
    assert "demo.db" in page.findChild(type(page.message), "firstStartDemoText").text()


def test_opening_the_window_on_an_empty_database_leaves_it_without_households(qtbot, tmp_path):
    application()
    path = tmp_path / "empty.db"
    open_store(path).db.conn.close()  # exists, but no household
    lau = Launcher(str(path))
    lau.start()
    try:
        assert lau.first_start_page is not None
        assert households_in(path) == 0
    finally:
        lau.close()
    assert households_in(path) == 0


def test_the_demo_opens_in_its_own_file_and_closing_it_goes_back(launcher, tmp_path):
    page = launcher.first_start_page
    page.demo_options = DEMO
    page.choose_demo()
    window = launcher.window
    demo_file = tmp_path / "real" / "demo.db"
    assert window is not None and window.store.path == demo_file
    assert window.banner.isVisible()
    assert "demo.db" in window.banner.text() and "关闭演示" in window.banner.text()
    assert households_in(demo_file) == 6
    assert not (tmp_path / "real" / "cadre-desk.db").exists()  # the real database is untouched

    # A real roster offered to the demo is refused, saying how to switch.
    roster = write_roster(tmp_path / "roster.xlsx", family())
    seen = []
    when_modal(QMessageBox, lambda box: (seen.append(box.text()), box.accept()))
    from ui.roster_dialogs import import_roster_file

    assert import_roster_file(window, roster) is None
    assert "演示数据库" in seen[0] and "文件 → 关闭演示" in seen[0]
    assert households_in(demo_file) == 6

    window.close_demo_action.trigger()
    assert launcher.first_start_page is not None and launcher.window is None


def test_the_county_office_imports_its_roster_into_a_new_database(launcher, tmp_path, qtbot, monkeypatch):
    # The window's sign-up makes the typed name the database's first user; the
    # environment's credentials stand in for that dialog here.
    monkeypatch.setenv("CADRE_DESK_USER", "周敏")
    page = launcher.first_start_page
    roster = write_roster(tmp_path / "roster.xlsx", family())
    page.ask_roster_paths = lambda: [str(roster)]
    page.choose_roster()
    assert "姓名" in page.message.text()  # the name is asked first
    assert not (tmp_path / "real" / "cadre-desk.db").exists()

    page.user_name.setText("周敏")
    # The roster names cadres without 帮扶时间: the window asks from when (the menu's own path).
    asked = []
    when_modal(PairingDateDialog, lambda d: (asked.append(d), d.accept()))
    page.choose_roster()
    window = launcher.window
    assert window is not None
    qtbot.waitUntil(lambda: window.running_jobs() == 0 and getattr(window, "_roster_report", None) is not None,
                    timeout=20000)
    window._roster_report.close()
    store = window.store
    assert store.path == tmp_path / "real" / "cadre-desk.db"
    assert not first_start.is_demo(store)
    assert len(store.rows("SELECT * FROM members WHERE deleted = 0")) == 3
    users = {r["user"] for r in store.rows("SELECT DISTINCT user FROM change_log")}
    assert users == {"周敏"}
    assert asked


def test_the_county_office_imports_several_files_at_once(launcher, tmp_path, qtbot, monkeypatch):
    """The first-start page takes several files, as 文件 → 导入花名册 does, lists
    them and imports them as one (the date the clerk gives dates the pairings)."""
    monkeypatch.setenv("CADRE_DESK_USER", "周敏")
    page = launcher.first_start_page
    first = write_roster(tmp_path / "烟店镇.xlsx", family("37158110900100001"))
    second = write_roster(tmp_path / "松林镇.xlsx", family("37158110900100002", head_name="王大力"))
    page.ask_roster_paths = lambda: [str(first), str(second)]
    page.user_name.setText("周敏")

    def answer(dialog):
        dialog.date_edit.setDate(QDate(2019, 4, 1))
        dialog.accept()
    when_modal(PairingDateDialog, answer)
    page.choose_roster()
    text = page.roster_files.text()
    assert "已选择 2 个文件" in text and "烟店镇.xlsx" in text and "松林镇.xlsx" in text
    window = launcher.window
    qtbot.waitUntil(lambda: window.running_jobs() == 0 and getattr(window, "_roster_report", None) is not None,
                    timeout=20000)
    window._roster_report.close()
    store = window.store
    numbers = sorted(r["number"] for r in store.rows("SELECT number FROM households WHERE deleted = 0"))
    assert numbers == ["37158110900100001", "37158110900100002"]
    for number in numbers:
        hh = register.household_by_number(store, number)
        assert [c["since"] for c in register.cadre_history(store, hh["id"])] == ["2019-04-01"]


def test_a_cadre_enrols_the_laptop_with_file_and_code_on_the_same_page(launcher, tmp_path, qtbot):
    county = county_with_households(tmp_path / "county.db")
    setup = sync_export.write_setup_package(county, "王芳", tmp_path / "wangfang.cdsync")
    page = launcher.first_start_page
    page.user_name.setText("王芳")
    page.package_path.setText(str(setup.path))
    page.code.setText("AAAA-BBBB-CCCC-DDDD")
    page.choose_setup()
    assert "启用码不对" in page.message.text()
    assert not (tmp_path / "real" / "cadre-desk.db").exists()  # nothing created for a wrong code

    page.code.setText(setup.code)
    when_modal(QMessageBox, lambda box: box.accept())
    page.choose_setup()
    window = launcher.window
    qtbot.waitUntil(lambda: window.running_jobs() == 0 and roles.role(window.store) == roles.LAPTOP, timeout=20000)
    names = sorted(r["name"] for r in window.store.rows("SELECT name FROM members WHERE deleted = 0"))
    assert names == ["张三", "李梅", "赵四"]
    county.db.conn.close()


def test_a_sync_package_is_not_a_setup_package(tmp_path):
    path = tmp_path / "x.cdsync"
    path.write_bytes(b"not a package")
    with pytest.raises(Exception) as info:
        first_start.check_setup_package(path, "AAAA")
    assert "启用" in str(info.value) or "数据包" in str(info.value)


def test_a_database_with_households_opens_the_main_window(qtbot, tmp_path):
    application()
    path = tmp_path / "county.db"
    county_with_households(path).db.conn.close()
    lau = Launcher(str(path))
    lau.start()
    try:
        assert lau.window is not None and lau.first_start_page is None
        assert len(register.members_of(lau.window.store, lau.window.store.rows(
            "SELECT id FROM households LIMIT 1")[0]["id"])) >= 1
    finally:
        lau.close()


def test_the_demo_file_refuses_to_become_a_real_database(tmp_path):
    demo_store = first_start.open_demo(tmp_path / "cadre-desk.db", **DEMO)
    demo_store.db.conn.close()
    with pytest.raises(first_start.InDemo):
        first_start.create_database(tmp_path / "demo.db", "周敏")


@pytest.mark.parametrize("where", ["file", "folder"])
def test_the_demo_in_a_read_only_folder_says_in_chinese_what_to_do(tmp_path, monkeypatch, where):
    """A database folder on a read-only disk (a CD, a write-protected USB
    stick): the demo cannot be made beside it. The system's English reason
    ("Read-only file system") is not shown; the user is told where to choose
    another folder."""
    import errno
    import os
    from pathlib import Path

    real_open, real_mkdir = os.open, Path.mkdir

    def read_only_open(path, *args, **kwargs):
        if str(path).endswith(first_start.DEMO_FILE_NAME):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, *args, **kwargs)

    def read_only_mkdir(self, *args, **kwargs):
        if self == tmp_path / "stick":
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only_open)
    monkeypatch.setattr(Path, "mkdir", read_only_mkdir)
    db = tmp_path / "cadre-desk.db" if where == "file" else tmp_path / "stick" / "cadre-desk.db"
    with pytest.raises(first_start.CadreDeskError) as info:
        first_start.open_demo(db, **DEMO)
    message = info.value.message
    assert os.strerror(errno.EROFS) not in message and "file system" not in message
    assert str(db.parent) in message and "只读" in message
    assert "可以写入的文件夹" in message and "“设置”" in message and "--db" in message
    assert not (tmp_path / first_start.DEMO_FILE_NAME).exists()
