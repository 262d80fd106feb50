"""The newcomer walk's attack of closing the window while an import runs: the
window asks first (closing cancels the import; nothing is half written), and
staying keeps the import running to its end."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QMessageBox

from helpers_qt import when_modal
from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, file_store):
    w = MainWindow(file_store)
    qtbot.addWidget(w)
    w.show()
    return w


def _slow_job(window, release: threading.Event):
    def work(progress, cancelled):
        while not release.wait(0.02):
            if cancelled():
                return "cancelled"
        return "done"
    return window.run_job("导入花名册", work)


def test_closing_while_an_import_runs_asks_and_staying_keeps_it(qtbot, window):
    release = threading.Event()
    job = _slow_job(window, release)
    seen = []

    def stay(box):
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == "继续等待").click()
    when_modal(QMessageBox, stay)
    assert not window.close()
    assert window.isVisible() and not job.is_cancelled()
    assert "导入花名册" in seen[0] and "取消" in seen[0] and "已保存的数据不受影响" in seen[0]
    release.set()
    qtbot.waitUntil(lambda: window.running_jobs() == 0, timeout=5000)
    assert job.result == "done"


def test_closing_while_an_import_runs_can_cancel_it(qtbot, window):
    release = threading.Event()
    job = _slow_job(window, release)
    when_modal(QMessageBox, lambda box: next(b for b in box.buttons() if b.text() == "取消并关闭").click())
    assert window.close()
    assert job.is_cancelled()
    qtbot.waitUntil(lambda: job.done, timeout=5000)
    assert job.result == "cancelled"


def test_a_background_job_without_a_dialog_does_not_ask(qtbot, window):
    release = threading.Event()
    job = window.run_job("正在建立拼音索引", lambda p, c: release.wait(5) and "done", show_dialog=False)
    assert window.close()
    release.set()
    qtbot.waitUntil(lambda: job.done, timeout=5000)
