"""文件 → 从备份恢复: choose a backup, type the password, see what the backup
holds and confirm; the restore itself (checks, the current file kept aside,
putting it back if anything fails) is the core's
(``cadre_desk.backup.restore_in_place``). Afterwards the window is opened
again on the restored data (``window.reopen(store)``, set by the launcher)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QLabel, QLineEdit, QMessageBox, \
    QVBoxLayout

from cadre_desk import backup, first_start, users
from cadre_desk.errors import CadreDeskError
from ui.colors import ERROR_STYLE
from ui.dialog_buttons import ask

BACKUP_FILTER = "帮扶工作台备份 (*.db);;所有文件 (*)"


class RestoreDialog(QDialog):
    """The backup file, the signed-in user's password, and the outcome."""

    def __init__(self, window, backup_path: str | Path):
        super().__init__(window)
        self.setObjectName("restoreDialog")
        self.setWindowTitle("从备份恢复")
        self.setMinimumWidth(520)
        self.window_ = window
        self.store = window.store
        self.backup_path = Path(backup_path)
        self.outcome = ""
        layout = QVBoxLayout(self)
        intro = QLabel("用备份替换现在的数据库。恢复前会检查备份是否完整、是否是这个数据库的备份；"
                       "现在的数据库文件会留在一旁，不会删除。请输入您的密码确认。")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        form.addRow("备份文件", QLabel(str(self.backup_path)))
        self.name = QLineEdit(self.store.user)
        self.name.setReadOnly(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("用户名", self.name)
        form.addRow("密码", self.password)
        layout.addLayout(form)
        self.error = QLabel("")
        self.error.setObjectName("restoreError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("检查备份…")
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.password.setFocus()
        self.restored = None

    def _ok(self) -> None:
        if self.run() is not None:
            self.accept()

    def run(self):
        """Check, ask, restore. Returns the store the window goes on with
        (restored, or the current one put back after a failure), None when
        refused or declined (the error label says why)."""
        self.error.setText("")
        creds = users.Credentials(self.store.user, self.password.text())
        self.password.clear()
        if not creds.password:
            self.error.setText("请输入密码")
            return None
        if self.window_.running_jobs():
            self.error.setText("还有后台任务在运行，请等它完成后再恢复")
            return None
        db_path = Path(self.store.path)
        try:
            users.require(self.store, "restore.run")
            info = backup.check_restore(db_path, self.backup_path, creds)
        except CadreDeskError as exc:
            self.error.setText(exc.message)
            return None
        made = str(info["made"])[:16].replace("T", " ")
        if not ask(self, "从备份恢复",
                   f"备份中的数据截至 {made}（UTC），共 {info['households']} 户、{info['members']} 人。\n\n"
                   "恢复后，这个时间以后录入或修改的内容都不在了，需要重新录入或重新同步。"
                   "现在的数据库文件会保留在原文件夹中（文件名带“before-restore”）。\n\n确定恢复吗？", "恢复"):
            return None
        try:
            store, done = backup.restore_in_place(db_path, self.backup_path, creds, close=self.store.db.conn.close)
        except backup.RestoreFailed as exc:
            self.error.setText(exc.message)
            if exc.store is not None:
                self.window_.reopen(exc.store)
            return exc.store
        except CadreDeskError as exc:  # refused before anything was closed
            self.error.setText(exc.message)
            return None
        self.outcome = backup.restore_message(done)
        self.restored = store
        self.window_.reopen(store)
        return store


def _reopen_default(window):
    """Without the launcher (a window made by hand): a new main window on the store."""
    def reopen(store):
        from .app import create_window

        new = create_window(store)
        new.show()
        window.close()
        return new
    return reopen


def choose_and_restore(window) -> None:
    start = backup.backup_folder(window.store.path) if window.store.path else Path.home()
    path, _ = QFileDialog.getOpenFileName(window, "选择备份文件", str(start if Path(start).is_dir() else Path.home()),
                                          BACKUP_FILTER)
    if not path:
        return
    dialog = RestoreDialog(window, path)
    if dialog.exec() == QDialog.DialogCode.Accepted and dialog.outcome:
        QMessageBox.information(dialog.window_ if dialog.restored is None else None, "从备份恢复", dialog.outcome)
    elif dialog.error.text():
        QMessageBox.warning(None, "从备份恢复", dialog.error.text())


def install(window) -> QAction | None:
    """文件 → 从备份恢复… (not for the demo's own file, nor for roles that may not restore)."""
    store = window.store
    if store.path is None or first_start.is_demo(store):
        return None
    try:
        users.require(store, "restore.run")
    except users.NotAllowed:
        return None
    if not hasattr(window, "reopen"):
        window.reopen = _reopen_default(window)
    action = QAction("从备份恢复…", window)
    action.setObjectName("restoreBackupAction")
    action.triggered.connect(lambda _checked=False: choose_and_restore(window))
    menu = window.menu("文件")
    separators = [a for a in menu.actions() if a.isSeparator()]
    if separators:
        menu.insertAction(separators[-1], action)
    else:
        menu.addAction(action)
    return action
