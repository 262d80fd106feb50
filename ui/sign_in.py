"""Signing in: the sign-in window, the sign-up dialog for a new database, and
the lock that hides the data after an idle time or on Ctrl+L.

The start sequence: an existing encrypted file → ``SignInDialog``; no file
(or no households) → the first-start page, whose county/cadre choice creates
the database through ``SignUpDialog`` (``sign_up(parent, path, name=...,
role=...)`` returns the open, signed-in ``Store`` or None).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from cadre_desk import audit, users
from cadre_desk.errors import CadreDeskError, DatabaseDamaged
from cadre_desk.storage import Store, file_kind, open_store
from ui.colors import ERROR_STYLE

LOCK_SHORTCUT = "Ctrl+L"
IDLE_SETTING = "idle_lock_minutes"
DEFAULT_IDLE_MINUTES = 10


def _password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class _Form(QDialog):
    def __init__(self, title: str, intro: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.error = QLabel("")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._try)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.store: Store | None = None

    def _try(self) -> None:
        try:
            self.store = self.attempt()
        except CadreDeskError as exc:
            self.say(exc.message)
            return
        self.accept()

    def say(self, message: str) -> None:
        """An error under the form; the dialog grows to show all of it."""
        self.error.setText(message)
        self.adjustSize()

    def attempt(self) -> Store:  # pragma: no cover - overridden
        raise NotImplementedError


class SignInDialog(_Form):
    """User name and password for an existing encrypted database. A database
    that cannot be read is said so, and the newest good automatic backup is
    offered with a button (the damaged file is kept aside)."""

    def __init__(self, db_path: str | Path, parent=None, *, user: str = ""):
        super().__init__("登录帮扶工作台", f"数据库：{db_path}", parent)
        self.db_path = Path(db_path)
        self.name = QLineEdit(user)
        self.password = _password_field()
        self.form.addRow("用户名", self.name)
        self.form.addRow("密码", self.password)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("登录")
        self.restore_button = self.buttons.addButton("从备份恢复", QDialogButtonBox.ButtonRole.ActionRole)
        self.restore_button.hide()
        self.restore_button.clicked.connect(self.restore)
        self._damaged: tuple[Path, users.Credentials] | None = None  # (backup, who signed in)
        (self.password if user else self.name).setFocus()

    def attempt(self) -> Store:
        creds = users.Credentials(self.name.text().strip(), self.password.text())
        if not creds.user or not creds.password:
            raise CadreDeskError("请输入用户名和密码")
        self._offer(None)
        try:
            return open_store(self.db_path, credentials=creds)
        except DatabaseDamaged as exc:
            if exc.backup is not None:
                self._offer((Path(exc.backup), creds), exc.made)
            raise
        finally:
            self.password.clear()

    def _offer(self, damaged: tuple[Path, users.Credentials] | None, made: str | None = None) -> None:
        self._damaged = damaged
        self.restore_button.setVisible(damaged is not None)
        if damaged is not None:
            self.restore_button.setText(f"用 {(made or '')[:10]} 的备份恢复")
            self.restore_button.setToolTip(str(damaged[0]))

    def restore(self) -> None:
        """Put the offered backup in place of the damaged file and open it."""
        if self._damaged is None:
            return
        from cadre_desk.backup import RestoreFailed, restore_in_place

        backup, creds = self._damaged
        try:
            store, info = restore_in_place(self.db_path, backup, creds)
        except RestoreFailed as exc:
            if exc.store is not None:
                exc.store.db.conn.close()
            self.say(exc.message)
            return
        except CadreDeskError as exc:
            self.say(exc.message)
            return
        self._offer(None)
        store.notices.append(f"已用 {info['made'][:10]} 的备份恢复：之后的修改需要重新录入或重新同步；"
                             f"损坏的文件保留在 {info['kept']}")
        self.store = store
        self.accept()


class SignUpDialog(_Form):
    """A new database's first user: name, role, password twice."""

    def __init__(self, db_path: str | Path, parent=None, *, name: str = "", role: str = "cadre",
                 roles: tuple[str, ...] = ("admin", "cadre")):
        super().__init__("设置登录密码",
                         "数据会加密保存在这台电脑上。请设置第一个用户的密码（至少 8 个字符，不能和用户名相同，"
                         "不能全是数字）。忘记密码时请找县就业办恢复。", parent)
        self.db_path = Path(db_path)
        self.name = QLineEdit(name)
        self.role = QComboBox()
        for key in roles:
            self.role.addItem(users.ROLES[key], key)
        if role in roles:
            self.role.setCurrentIndex(roles.index(role))
        self.password = _password_field()
        self.again = _password_field()
        self.form.addRow("用户名", self.name)
        self.form.addRow("角色", self.role)
        self.form.addRow("密码", self.password)
        self.form.addRow("再输入一遍", self.again)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("建立")
        (self.password if name else self.name).setFocus()

    def attempt(self) -> Store:
        name = self.name.text().strip()
        users.check_name(name)
        users.check_password(name, self.password.text())
        if self.password.text() != self.again.text():
            raise CadreDeskError("两次输入的密码不一样")
        return users.create_encrypted_database(self.db_path, name, self.password.text(), self.role.currentData())


def sign_up(parent: QWidget | None, db_path: str | Path, *, name: str = "", role: str = "cadre") -> Store | None:
    """For the first-start page: create the database with its first user.
    Returns the open, signed-in store, or None when the user cancelled."""
    dialog = SignUpDialog(db_path, parent, name=name, role=role)
    return dialog.store if dialog.exec() == QDialog.DialogCode.Accepted else None


def obtain_store(db_path: str | Path) -> Store | None:
    """The store for the window: credentials from the environment when given
    (scripts, tests), else the sign-in window (an existing file) or the
    sign-up dialog (a new one). None when the user cancelled."""
    path = Path(db_path)
    if users.credentials_from_env() is not None:
        return open_store(path)
    if file_kind(path) == "new":
        return sign_up(None, path, role="admin")
    dialog = SignInDialog(path)
    return dialog.store if dialog.exec() == QDialog.DialogCode.Accepted else None


class UnlockDialog(SignInDialog):
    """The password again for the signed-in user (the name is fixed)."""

    def __init__(self, store: Store, parent=None):
        super().__init__(store.path, parent, user=store.user)
        self.setWindowTitle("已锁定")
        self.intro.setText("帮扶工作台已锁定，数据已隐藏。请输入密码继续（正在填写的调查表会保留）。")
        self.name.setReadOnly(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("解锁")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).hide()
        self._store = store
        self.password.setFocus()

    def reject(self) -> None:  # Esc does not unlock
        pass

    def attempt(self) -> Store:
        creds = users.Credentials(self._store.user, self.password.text())
        self.password.clear()
        try:
            users.unlock(Path(self._store.path), creds, self._store.device_id)
        except users.SignInFailed:
            audit.record(self._store, "sign_in_failed", {"reason": "unlock"}, user=creds.user)
            raise
        return self._store


class SessionLock(QObject):
    """Locks ``window`` after ``idle_lock_minutes`` (setting, default 10)
    without keyboard or mouse input, and on Ctrl+L: the central widget is
    hidden (nothing is closed, so an open survey keeps its draft) until the
    password is typed again."""

    def __init__(self, window, store: Store):
        super().__init__(window)
        self.window, self.store = window, store
        self.locked = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.lock)
        self.shortcut = QShortcut(QKeySequence(LOCK_SHORTCUT), window)
        self.shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
        self.shortcut.activated.connect(self.lock)
        self.enabled = store.key is not None  # the demo's plaintext file has nobody to sign in
        from PySide6.QtWidgets import QApplication

        QApplication.instance().installEventFilter(self)
        self._interval = self.idle_ms()
        self.restart()

    def idle_ms(self) -> int:
        minutes = self.store.get_setting(IDLE_SETTING, DEFAULT_IDLE_MINUTES)
        try:
            minutes = max(1, int(minutes))
        except (TypeError, ValueError):
            minutes = DEFAULT_IDLE_MINUTES
        return minutes * 60_000

    def restart(self) -> None:
        """Count the idle time from now, re-reading the setting (设置 calls
        this after a change)."""
        if self.enabled and not self.locked:
            self._interval = self.idle_ms()
            self.timer.start(self._interval)

    def stop(self) -> None:
        """The window closed: stop watching the keyboard and never lock. The
        window's database is closed next, and the window object itself may
        outlive it (deleteLater)."""
        self.enabled = False
        self.timer.stop()
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        # Runs for every event of the application: no database query here
        # (the interval is read once per restart), and nothing that can raise,
        # since an exception escaping an event filter ends the process in
        # PySide6 6.11.
        if self.enabled and not self.locked and event.type() in (
                QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel):
            self.timer.start(self._interval)
        return False

    def lock(self) -> None:
        if not self.enabled or self.locked:
            return
        self.locked = True
        self.timer.stop()
        central = self.window.centralWidget()
        if central is not None:
            central.hide()
        self.window.menuBar().setEnabled(False)
        audit.record(self.store, "lock", {})
        QTimer.singleShot(0, self._ask)

    def _ask(self) -> None:
        dialog = UnlockDialog(self.store, self.window)
        self.dialog = dialog
        dialog.accepted.connect(self.unlock)
        dialog.open()

    def unlock(self) -> None:
        self.locked = False
        central = self.window.centralWidget()
        if central is not None:
            central.show()
        self.window.menuBar().setEnabled(True)
        audit.record(self.store, "unlock", {})
        self.dialog = None
        self.restart()
        after = getattr(self.window, "after_unlock", None)
        if after is not None:
            QTimer.singleShot(0, after)  # what jobs ended with while locked (a report, a message)
