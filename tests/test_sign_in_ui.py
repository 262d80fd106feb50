"""The sign-in window, the sign-up dialog and the idle lock (issue 12 §2)."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QLineEdit

from cadre_desk import audit, places
from cadre_desk.storage import open_store
from ui import sign_in
from ui.app import create_window


@pytest.fixture
def encrypted(tmp_path):
    path = tmp_path / "county.db"
    store = open_store(path)
    places.ensure_county(store)
    store.db.conn.close()
    return path


def test_sign_in_window_refuses_a_wrong_password_and_opens_with_the_right_one(qtbot, encrypted):
    dialog = sign_in.SignInDialog(encrypted)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    assert QTest.qWaitForWindowActive(dialog)
    dialog.password.setFocus()
    assert dialog.password.echoMode() == QLineEdit.EchoMode.Password
    dialog.name.setText(os.environ["CADRE_DESK_USER"])
    qtbot.keyClicks(dialog.password, "not-the-password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert "用户名或密码不对" in dialog.error.text() and dialog.store is None
    assert dialog.password.text() == ""  # a wrong password is not left in the field
    qtbot.keyClicks(dialog.password, os.environ["CADRE_DESK_PASSWORD"])
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.store.signed_in.name == os.environ["CADRE_DESK_USER"]
    dialog.store.db.conn.close()


def test_sign_up_dialog_creates_the_database_with_its_first_user(qtbot, tmp_path):
    path = tmp_path / "laptop.db"
    dialog = sign_in.SignUpDialog(path, name="wangli", role="cadre")
    qtbot.addWidget(dialog)
    dialog.password.setText("wangli-2026")
    dialog.again.setText("wangli-2027")
    dialog._try()
    assert "不一样" in dialog.error.text() and not path.exists()
    dialog.password.setText("12345678")
    dialog.again.setText("12345678")
    dialog._try()
    assert "不能全是数字" in dialog.error.text() and not path.exists()
    dialog.password.setText("wangli-2026")
    dialog.again.setText("wangli-2026")
    dialog._try()
    assert dialog.store.signed_in.role == "cadre"
    dialog.store.db.conn.close()
    assert open_store(path, credentials=sign_in.users.Credentials("wangli", "wangli-2026")).signed_in.name == "wangli"


def test_ctrl_l_locks_hides_the_data_and_the_password_unlocks(qtbot, encrypted):
    store = open_store(encrypted)
    window = create_window(store)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    assert QTest.qWaitForWindowActive(window)
    lock = window.session_lock
    assert lock.timer.isActive() and lock.timer.interval() == 10 * 60_000
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert lock.locked and not window.centralWidget().isVisible()
    qtbot.waitUntil(lambda: getattr(lock, "dialog", None) is not None and lock.dialog.isVisible(), timeout=3000)
    dialog = lock.dialog
    dialog.reject()  # Esc does not unlock
    assert lock.locked
    dialog.password.setText("wrong-password-1")
    dialog._try()
    assert lock.locked and "密码不对" in dialog.error.text()
    dialog.password.setText(os.environ["CADRE_DESK_PASSWORD"])
    dialog._try()
    assert not lock.locked and window.centralWidget().isVisible()
    actions = [e["action"] for e in audit.entries(store)]
    assert actions[-3:] == ["lock", "sign_in_failed", "unlock"]


def test_idle_time_setting_locks_the_window(qtbot, encrypted):
    store = open_store(encrypted)
    store.set_setting(sign_in.IDLE_SETTING, 3)
    window = create_window(store)
    qtbot.addWidget(window)
    assert window.session_lock.timer.interval() == 3 * 60_000
    window.session_lock.timer.timeout.emit()  # three quiet minutes
    assert window.session_lock.locked


def test_the_idle_time_is_set_in_settings(qtbot, encrypted, tmp_path):
    from PySide6.QtCore import QSettings

    from ui.settings_dialog import SettingsDialog

    store = open_store(encrypted)
    window = create_window(store)
    qtbot.addWidget(window)
    dialog = SettingsDialog(window, QSettings(str(tmp_path / "q.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(dialog)
    assert dialog.idle_lock.value() == 10
    dialog.idle_lock.setValue(5)
    dialog.accept()
    assert store.get_setting(sign_in.IDLE_SETTING) == 5
    assert window.session_lock.timer.interval() == 5 * 60_000


def test_a_closed_window_no_longer_watches_the_keyboard_or_locks(qtbot, encrypted):
    # 关闭演示, a restore or the first-start page closes a window whose
    # database is then closed: typing elsewhere afterwards must neither query
    # that database (an exception inside Qt's event filter ends the process)
    # nor lock a window nobody sees.
    from PySide6.QtWidgets import QLineEdit as Edit

    store = open_store(encrypted)
    window = create_window(store)
    qtbot.addWidget(window)
    window.show()
    lock = window.session_lock
    window.close()
    store.db.conn.close()
    assert not lock.timer.isActive()
    other = Edit()
    qtbot.addWidget(other)
    other.show()
    qtbot.keyClicks(other, "123")
    assert other.text() == "123"
    assert not lock.timer.isActive() and not lock.locked
