"""The main window shell: menus, pages, plug-ins, background jobs, errors."""

import threading
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QProgressDialog, QPushButton

from cadre_desk.errors import NotFound
from ui import errors as ui_errors
from ui.jobs import JobCancelled
from ui.main_window import DEMO_TEXT, MainWindow


@pytest.fixture
def window(qtbot, store):
    w = MainWindow(store, install_features=False)
    qtbot.addWidget(w)
    w.show()
    return w


def test_menus_come_in_the_standard_order_whatever_order_they_are_asked_for(window):
    window.menu("同步")
    window.menu("打印")
    window.menu("设置")
    window.menu("岗位")
    assert window.menu_titles() == ["文件", "户", "岗位", "打印", "同步", "设置", "帮助"]
    assert window.menu("打印") is window.menu("打印")


def test_pages_are_added_to_navigation_and_shown(window):
    page = QLabel("统计")
    window.add_page("dashboard", page, "工作进度")
    window.show_page("dashboard")
    assert window.stack.currentWidget() is page
    assert window.nav.currentItem().text() == "工作进度"
    window.back_to_register()
    assert window.current_page_key() == "register"


def test_open_household_uses_the_household_page(window):
    class Page(QLabel):
        shown = None

        def show_household(self, household_id):
            self.shown = household_id

    page = Page()
    window.add_page("household", page, "户")
    window.open_household("abc")
    assert page.shown == "abc"
    assert window.current_page_key() == "household"
    assert window.current_household_id() == "abc"


def test_demo_banner_follows_the_setting(window, store):
    assert not window.banner.isVisible()
    store.set_setting("is_demo", True)
    window.data_changed.emit()
    assert window.banner.isVisible()
    assert window.banner.text() == DEMO_TEXT


def test_run_job_delivers_the_result_on_the_ui_thread(window, qtbot):
    got = {}
    ui_thread = threading.get_ident()

    def work(progress, cancelled):
        got["worker"] = threading.get_ident()
        for i in range(5):
            progress(i + 1, 5, f"第 {i + 1} 步")
        return 42

    def done(result):
        got["result"] = result
        got["done_thread"] = threading.get_ident()

    window.run_job("计算", work, done)
    qtbot.waitUntil(lambda: "result" in got, timeout=5000)
    assert got["result"] == 42
    assert got["worker"] != ui_thread
    assert got["done_thread"] == ui_thread
    qtbot.waitUntil(lambda: window.running_jobs() == 0)


def test_cancel_stops_the_job_and_on_done_is_not_called(window, qtbot):
    started = threading.Event()
    steps = []
    done = []

    def work(progress, cancelled):
        started.set()
        for i in range(500):
            if cancelled():
                raise JobCancelled()
            steps.append(i)
            time.sleep(0.01)
        return "finished"

    job = window.run_job("长任务", work, done.append)
    assert started.wait(5)
    qtbot.waitUntil(lambda: job.dialog is not None and job.dialog.isVisible(), timeout=3000)
    dialog = window.findChild(QProgressDialog, "jobProgressDialog")
    assert dialog is not None
    button = next(b for b in dialog.findChildren(QPushButton) if b.text() == "取消")
    with qtbot.waitSignal(job.was_cancelled, timeout=5000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert done == []
    assert len(steps) < 500


def test_a_failing_job_shows_the_chinese_message_not_a_traceback(window, qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)

    def work(progress, cancelled):
        raise NotFound("找不到这条记录（户），它可能已被删除")

    window.run_job("打开", work, lambda r: None)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert shown == ["找不到这条记录（户），它可能已被删除"]


def test_program_errors_get_a_chinese_message_without_traceback():
    text = ui_errors.message_for(KeyError("x"))
    assert "程序内部出错" in text and "KeyError" not in text
    assert "磁盘已满" in ui_errors.message_for(__import__("sqlite3").OperationalError("database or disk is full"))


# ---------------------------------------------------------------- settings, backup, roster

SAMPLE = __import__("pathlib").Path("/work/shared/samples/roster-sample.xlsx")


@pytest.fixture
def qsettings(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def test_settings_persist_in_the_database(qtbot, file_store, db_path, qsettings):
    from cadre_desk.storage import open_store
    from ui.settings_dialog import DB_PATH_KEY, SettingsDialog

    w = MainWindow(file_store, install_features=False)
    qtbot.addWidget(w)
    dialog = SettingsDialog(w, qsettings)
    qtbot.addWidget(dialog)
    dialog.user_name.setText("张明")
    qtbot.keyClicks(dialog.device_name, "laptop-1")
    dialog.age_min.setValue(18)
    dialog.age_max.setValue(65)
    new_location = db_path.parent / "moved" / "county2.db"
    new_location.parent.mkdir()
    new_location.write_bytes(b"")  # exists: no copy question
    dialog.set_db_path(str(new_location))
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    file_store.db.conn.close()
    again = open_store(db_path)
    assert again.get_setting("user_name") == "张明"
    assert again.get_setting("device_name") == "laptop-1"
    assert (again.get_setting("working_age_min"), again.get_setting("working_age_max")) == (18, 65)
    assert qsettings.value(DB_PATH_KEY) == str(new_location)
    again.db.conn.close()


def test_settings_refuse_inverted_age_bounds(qtbot, store, qsettings):
    from ui.settings_dialog import SettingsDialog

    w = MainWindow(store, install_features=False)
    qtbot.addWidget(w)
    dialog = SettingsDialog(w, qsettings)
    qtbot.addWidget(dialog)
    dialog.age_min.setValue(30)
    dialog.age_max.setValue(40)
    dialog.age_max.setValue(45)
    dialog.age_min.setValue(30)
    dialog.age_max.setMinimum(10)
    dialog.age_max.setValue(25)
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "下限必须小于上限" in dialog.message.text()
    assert store.get_setting("working_age_max") == 60


def test_backup_now_writes_a_complete_copy(qtbot, file_store, tmp_path, monkeypatch, qsettings):
    from cadre_desk.storage import open_store
    from tests.helpers_search import make_county
    from ui.settings_dialog import SettingsDialog

    make_county(file_store, 50)
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: shown.append(a[2]))
    w = MainWindow(file_store, install_features=False)
    qtbot.addWidget(w)
    dialog = SettingsDialog(w, qsettings)
    target = tmp_path / "备份.db"
    job = dialog.backup_to(str(target))
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert job.error is None
    assert "已备份到" in shown[0]
    copy = open_store(target)
    count = "SELECT count(*) FROM members WHERE deleted = 0"
    assert copy.db.execute(count).fetchone()[0] == file_store.db.execute(count).fetchone()[0] > 0
    copy.db.conn.close()
    assert not (tmp_path / "备份.db.part").exists()


def test_backup_onto_the_open_database_is_refused(file_store, db_path):
    from cadre_desk.errors import CadreDeskError
    from cadre_desk.backup import backup_database

    with pytest.raises(CadreDeskError, match="不能备份到正在使用的数据库"):
        backup_database(file_store, db_path)


@pytest.mark.skipif(not SAMPLE.exists(), reason="shared sample roster not present")
def test_roster_import_with_bad_rows_shows_the_table_saves_it_and_can_skip(qtbot, store, tmp_path):
    import openpyxl

    from ui import roster_dialogs

    w = MainWindow(store, install_features=False)
    qtbot.addWidget(w)
    w.show()
    job = roster_dialogs.import_roster_file(w, SAMPLE)
    qtbot.waitUntil(lambda: getattr(w, "_roster_report", None) is not None, timeout=20000)
    report = w._roster_report
    assert job.error is not None  # all-or-nothing: nothing written
    assert store.db.execute("SELECT count(*) FROM households").fetchone()[0] == 0
    rows = sorted(int(report.table.item(r, 1).text()) for r in range(report.table.rowCount()))
    assert set(rows) == {17, 28, 37, 39, 42, 128}
    assert all(report.table.item(r, 3).text() for r in range(report.table.rowCount()))
    from helpers_qt import answer_next_box
    answer_next_box("隐去中间数字（推荐）")  # a 县就业办 user is asked (tests/test_window_exports.py)
    saved = report.save_report(tmp_path / "问题清单")
    sheet = openpyxl.load_workbook(saved).active
    assert [c.value for c in sheet[1]][:4] == ["工作表", "行号", "列", "问题"]
    assert sheet.max_row - 1 >= 6

    w._roster_report = None
    qtbot.mouseClick(report.skip_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(w, "_roster_report", None) is not None, timeout=20000)
    assert store.db.execute("SELECT count(*) FROM households WHERE deleted = 0").fetchone()[0] == 54
    assert "导入完成" in w._roster_report.findChild(QLabel, "importSummary").text()
    assert w.register_view.model.rowCount() == 54  # the register refreshed
    # the people imported are searchable by pinyin at once
    name = store.rows("SELECT name FROM members WHERE deleted = 0 LIMIT 1")[0]["name"]
    from cadre_desk import search
    initials = search.name_pinyin(name)[0]
    assert name in [h.name for h in search.search(store, initials, limit=500)]


def test_roster_export_from_the_window(qtbot, store, tmp_path, monkeypatch):
    import openpyxl

    from tests.helpers_search import make_county
    from ui import roster_dialogs

    make_county(store, 30)
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: shown.append(a[2]))
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)  # errors too
    w = MainWindow(store, install_features=False)
    qtbot.addWidget(w)
    roster_dialogs.export_roster_file(w, tmp_path / "out")
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert (tmp_path / "out.xlsx").exists()
    members = store.db.execute("SELECT count(*) FROM members WHERE deleted = 0").fetchone()[0]
    assert f"已导出 {members} 人" in shown[0]
    assert openpyxl.load_workbook(tmp_path / "out.xlsx").active.max_row >= members


def test_file_menu_has_import_export_backup_and_quit(qtbot, store):
    w = MainWindow(store)  # with every installed feature module
    qtbot.addWidget(w)
    texts = [a.text() for a in w.menu("文件").actions() if not a.isSeparator()]
    assert texts[:3] == ["导入花名册…", "导出花名册…", "立即备份…"] and texts[-1] == "退出"
    assert "设置…" in [a.text() for a in w.menu("设置").actions()]
    titles = w.menu_titles()
    assert titles == [t for t in ["文件", "户", "岗位", "打印", "同步", "设置", "帮助"] if t in titles]
    assert titles[0] == "文件" and titles[-1] == "帮助"
