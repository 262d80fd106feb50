"""The 同步 menu and page in the main window: setup, export and import as
background jobs with a summary, the log per device, and the conflict review."""

from __future__ import annotations

import time

import pytest
from PySide6.QtWidgets import QMessageBox

from cadre_desk import register
from cadre_desk.sync.export import export_package
from cadre_desk.sync.importer import import_package
from helpers_sync import county_with_households, enrol, member_by_name
from ui import sync_dialogs
from ui.main_window import MainWindow


@pytest.fixture
def county_window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)
    county = county_with_households(tmp_path / "county.db")
    w = MainWindow(county, install_features=False)
    sync_dialogs.install(w)
    qtbot.addWidget(w)
    w.show()
    yield w
    county.db.conn.close()


def texts(table, column):
    return [table.item(r, column).text() for r in range(table.rowCount())]


def test_menu_and_page(county_window):
    w = county_window
    names = [a.objectName() for a in w.menu("同步").actions()]
    assert {"syncExport", "syncImport", "syncSetup", "syncLog", "syncConflicts"} <= set(names)
    assert "还没有设置同步" in w.page("sync").identity.text()


def test_import_shows_what_arrived_and_conflicts_are_reviewed(county_window, qtbot, tmp_path):
    w = county_window
    county = w.store
    a = enrol(county, "王芳", tmp_path / "a.db", tmp_path)
    b = enrol(county, "王芳", tmp_path / "b.db", tmp_path)
    for laptop, company in ((a, "手套厂"), (b, "玩具厂")):
        register.save_member(laptop, {"work_status": "乡(镇)内务工", "work_months": 2, "work_company": company},
                             member_id=member_by_name(laptop, "李梅")["id"])
        time.sleep(0.005)
    paths = [export_package(s, tmp_path / f"{n}.cdsync").path for s, n in ((a, "a"), (b, "b"))]
    actions = w.sync_actions
    page = w.page("sync")
    for path in paths:
        actions.last_result = None
        actions.import_from(str(path))
        qtbot.waitUntil(lambda: actions.last_result is not None, timeout=10000)
    summary = sync_dialogs.summary_text(actions.last_result)
    assert "更新：1 条" in summary and "冲突：1 处" in summary and "拒收：0 条" in summary
    # The log per device: both laptops, one import each.
    assert sorted(texts(page.devices, 0)) == ["王芳", "王芳"]
    page.devices.selectRow(0)
    assert texts(page.log, 1).count("导入") == 1
    # The conflict review: take theirs writes the other value back.
    assert page.conflicts.rowCount() == 1
    assert texts(page.conflicts, 3) == ["玩具厂"] and texts(page.conflicts, 5) == ["手套厂"]
    # Who set each value and when: both were 王芳's laptops, today.
    today = time.strftime("%Y-%m-%d")
    assert texts(page.conflicts, 4)[0].startswith("王芳，" + today)
    assert texts(page.conflicts, 6)[0].startswith("王芳，" + today)
    page.conflicts.selectRow(0)
    page.take_button.click()
    assert page.conflicts.rowCount() == 0
    assert member_by_name(county, "李梅")["work_company"] == "手套厂"
    w.grab().save(str(tmp_path / "sync.png"))


def test_setup_from_the_menu_writes_a_package_a_laptop_can_open(county_window, qtbot, tmp_path):
    w = county_window
    actions = w.sync_actions
    actions.setup_to("王芳", str(tmp_path / "setup.cdsync"), show=False)
    qtbot.waitUntil(lambda: actions.last_result is not None, timeout=10000)
    code = actions.last_result.code
    from helpers_sync import open_db

    laptop = open_db(tmp_path / "laptop.db")
    assert import_package(laptop, tmp_path / "setup.cdsync", code=code).counts["new"] > 0
    assert "县就业办" in w.page("sync").identity.text()


def test_a_lost_laptop_is_stopped_and_taken_back_from_the_device_list(county_window, monkeypatch, tmp_path):
    w = county_window
    county = w.store
    laptop = enrol(county, "王芳", tmp_path / "a.db", tmp_path)
    w.show_page("sync")
    page = w.page("sync")
    page.refresh()
    assert texts(page.devices, 6) == ["在用"] and page.retire_button.isVisible()
    assert not page.retire_button.isEnabled()  # nothing selected yet
    page.devices.selectRow(0)
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    page.retire_button.click()
    assert "停用王芳的电脑" in asked[0]
    assert texts(page.devices, 6) == ["已停用"]
    assert page.notice.text().startswith("已停用王芳的电脑")
    assert texts(page.log, 1)[0] == "停用"
    assert page.restore_button.isEnabled() and not page.retire_button.isEnabled()
    with pytest.raises(Exception, match="停用"):
        import_package(county, export_package(laptop, tmp_path / "lost.cdsync").path)
    page.restore_button.click()
    assert texts(page.devices, 6) == ["在用"] and texts(page.log, 1)[0] == "恢复"
    assert page.notice.text().startswith("已恢复王芳的电脑")
    w.grab().save(str(tmp_path / "devices.png"))
    laptop.db.conn.close()


def test_the_sync_page_shows_what_was_imported_while_it_was_hidden(county_window, tmp_path):
    w = county_window
    page = w.show_page("sync")
    assert page.devices.rowCount() == 0
    page.hide()  # another page in front
    enrol(w.store, "王芳", tmp_path / "a.db", tmp_path).db.conn.close()
    page.show()
    assert texts(page.devices, 0) == ["王芳"]


def test_refused_rows_are_listed_on_the_sync_page(county_window, tmp_path):
    w = county_window
    county = w.store
    laptop = enrol(county, "王芳", tmp_path / "a.db", tmp_path)
    import_package(county, export_package(laptop, tmp_path / "first.cdsync").path)
    hid = laptop.rows("SELECT id FROM households WHERE number = '3715811090010002'")[0]["id"]
    register.save_household(laptop, {"number": "3715811090010003", "head_name": "赵四", "size": 1},
                            household_id=hid)
    result = import_package(county, export_package(laptop, tmp_path / "second.cdsync").path)
    assert result.counts["rejected"] == 1
    page = w.show_page("sync")
    page.refresh()
    assert page.tabs.tabText(2) == "拒收的记录（1）"
    assert texts(page.refused, 1) == ["王芳"] and "户编号 3715811090010003 已被本县另一户使用" in texts(page.refused, 2)[0]
    assert texts(page.refused, 3) == ["否"]
    laptop.db.conn.close()


def test_a_package_is_refused_while_the_demo_is_open(qtbot, tmp_path):
    from cadre_desk import first_start
    from helpers_qt import when_modal

    demo = first_start.open_demo(tmp_path / "cadre-desk.db", households=4, seed=3)
    before = demo.rows("SELECT count(*) AS n FROM households")[0]["n"]
    w = MainWindow(demo, install_features=False)
    sync_dialogs.install(w)
    qtbot.addWidget(w)
    w.show()
    seen = []
    when_modal(QMessageBox, lambda box: (seen.append(box.text()), box.accept()))
    w.sync_actions.import_from(str(tmp_path / "any.cdsync"))
    assert seen and "演示数据库" in seen[0] and "关闭演示" in seen[0]
    assert w.running_jobs() == 0
    assert demo.rows("SELECT count(*) AS n FROM households")[0]["n"] == before
    demo.db.conn.close()
