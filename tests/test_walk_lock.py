"""The newcomer walk's lock (Ctrl+L, or the idle time) while a job runs: what
the job shows when it ends (an import's report names people and ID numbers)
waits until the password unlocks the window."""

from __future__ import annotations

import os
import threading

from PySide6.QtWidgets import QApplication, QMessageBox

from cadre_desk import places
from cadre_desk.storage import open_store
from ui.app import create_window


def test_a_job_ending_while_locked_shows_its_outcome_only_after_unlocking(qtbot, tmp_path):
    store = open_store(tmp_path / "county.db")
    places.ensure_county(store)
    window = create_window(store)
    qtbot.addWidget(window)
    window.show()
    release = threading.Event()
    shown = []

    def done(result):
        box = QMessageBox(QMessageBox.Icon.Information, "导入完成", f"已导入 {result}", parent=window)
        shown.append(box)
        box.open()
    window.run_job("导入花名册", lambda p, c: release.wait(5) and "张三 371581…", done, show_dialog=False)
    lock = window.session_lock
    lock.lock()
    qtbot.waitUntil(lambda: getattr(lock, "dialog", None) is not None and lock.dialog.isVisible(), timeout=3000)
    release.set()
    qtbot.waitUntil(lambda: window.running_jobs() == 0, timeout=5000)
    qtbot.wait(50)
    assert shown == [] and lock.locked  # nothing shown over the locked window
    assert not any(isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets())
    lock.dialog.password.setText(os.environ["CADRE_DESK_PASSWORD"])
    lock.dialog._try()
    assert not lock.locked
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=3000)
    shown[0].close()
    window.close()
    store.db.conn.close()
