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
