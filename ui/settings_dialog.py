"""Settings (设置): the user's name, the device name, the working-age bounds,
the database location (changed for the next start), and 立即备份 – a SQLite
online backup of the open database to a file the user picks."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QProcess, QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton,
    QSpinBox, QVBoxLayout,
)

from cadre_desk.backup import backup_database, default_backup_name
from cadre_desk.storage import Store

from .dialog_buttons import save_cancel_buttons

DB_PATH_KEY = "database/path"


def app_settings() -> QSettings:
    """Per-user settings outside the database (where the database is)."""
    return QSettings("CadreDesk", "CadreDesk")


def chosen_db_path(settings: QSettings | None = None) -> str | None:
    value = (settings or app_settings()).value(DB_PATH_KEY)
    return str(value) if value else None


class SettingsDialog(QDialog):
    """Edit the settings; ``accept()`` writes them to the store (and the
    database location to the per-user settings)."""

    def __init__(self, window, settings: QSettings | None = None):
        super().__init__(window)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("设置")
        self.window_ = window
        self.store: Store = window.store
        self.settings = settings or app_settings()
        self.new_db_path: str | None = None

        self.user_name = QLineEdit(self.store.get_setting("user_name") or "")
        self.user_name.setObjectName("userName")
        self.user_name.setPlaceholderText("如：张明（记录在每次修改的历史中）")
        self.device_name = QLineEdit(self.store.get_setting("device_name") or "")
        self.device_name.setObjectName("deviceName")
        self.device_name.setPlaceholderText("如：烟店镇-张明的笔记本")
        self.age_min = QSpinBox()
        self.age_min.setObjectName("workingAgeMin")
        self.age_min.setRange(10, 30)
        self.age_min.setValue(int(self.store.get_setting("working_age_min")))
        self.age_max = QSpinBox()
        self.age_max.setObjectName("workingAgeMax")
        self.age_max.setRange(40, 80)
        self.age_max.setValue(int(self.store.get_setting("working_age_max")))
        for box in (self.age_min, self.age_max):
            box.setSuffix(" 岁")
        self.idle_lock = QSpinBox()  # issue 12: the window locks after this many idle minutes
        self.idle_lock.setObjectName("idleLockMinutes")
        self.idle_lock.setRange(1, 120)
        self.idle_lock.setSuffix(" 分钟无操作后锁定（Ctrl+L 立即锁定）")
        self.idle_lock.setValue(int(self.store.get_setting("idle_lock_minutes", 10)))
        ages = QHBoxLayout()
        ages.addWidget(self.age_min)
        ages.addWidget(QLabel("≤ 年龄 <"))
        ages.addWidget(self.age_max)
        ages.addStretch(1)

        self.db_label = QLabel(str(self.store.path or "（内存数据库）"))
        self.db_label.setObjectName("databasePath")
        self.db_label.setWordWrap(True)
        self.db_label.setMinimumWidth(380)
        change = QPushButton("更改位置…")
        change.clicked.connect(self.choose_db_path)
        backup = QPushButton("立即备份…")
        backup.setObjectName("backupButton")
        backup.clicked.connect(self.choose_backup)
        db_row = QHBoxLayout()
        db_row.addWidget(change)
        db_row.addWidget(backup)
        db_row.addStretch(1)

        form = QFormLayout()
        form.addRow("用户姓名", self.user_name)
        form.addRow("设备名称", self.device_name)
        form.addRow("劳动年龄", ages)
        form.addRow("自动锁定", self.idle_lock)
        form.addRow("数据库位置", self.db_label)
        form.addRow("", db_row)
        self.message = QLabel("")
        self.message.setObjectName("settingsMessage")
        self.message.setStyleSheet("color: #b00020;")
        buttons = save_cancel_buttons(self, self.accept)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    # ------------------------------------------------------------ saving
    def accept(self) -> None:
        if self.age_min.value() >= self.age_max.value():
            self.message.setText("劳动年龄下限必须小于上限，请修改")
            self.age_min.setFocus()
            return
        values = {"user_name": self.user_name.text().strip(), "device_name": self.device_name.text().strip(),
                  "working_age_min": self.age_min.value(), "working_age_max": self.age_max.value(),
                  "idle_lock_minutes": self.idle_lock.value()}
        with self.store.transaction():
            for key, value in values.items():
                if self.store.get_setting(key) != value:
                    self.store.set_setting(key, value)
        if self.new_db_path:
            self.settings.setValue(DB_PATH_KEY, self.new_db_path)
            self.settings.sync()
        super().accept()
        lock = getattr(self.window_, "session_lock", None)
        if lock is not None:
            lock.restart()  # the new idle time counts from now
        self.window_.data_changed.emit()

    # ------------------------------------------------------------ database location
    def choose_db_path(self) -> None:
        start = str(self.store.path.parent) if self.store.path else str(Path.home())
        path, _ = QFileDialog.getSaveFileName(self, "选择数据库文件（新文件或已有的帮扶工作台数据库）", start,
                                              "帮扶工作台数据库 (*.db)",
                                              options=QFileDialog.Option.DontConfirmOverwrite)
        if path:
            self.set_db_path(path)

    def set_db_path(self, path: str) -> None:
        """Use ``path`` from the next start. A new file gets a copy of the
        current data when the user agrees (otherwise it starts empty)."""
        path = str(Path(path).with_suffix(".db") if not Path(path).suffix else Path(path))
        if not Path(path).exists() and self.store.path is not None:
            answer = QMessageBox.question(self, "数据库位置", "新位置还没有数据库文件。把当前数据复制过去吗？\n"
                                          "选“否”则在新位置从空白开始。")
            if answer == QMessageBox.StandardButton.Yes:
                backup_database(self.store, path)
        self.new_db_path = path
        self.db_label.setText(f"{path}\n（重新启动后生效；当前：{self.store.path}）")

    # ------------------------------------------------------------ backup
    def choose_backup(self) -> None:
        start = str((self.store.path.parent if self.store.path else Path.home()) / default_backup_name())
        path, _ = QFileDialog.getSaveFileName(self, "备份到", start, "帮扶工作台数据库 (*.db)")
        if path:
            self.backup_to(path)

    def backup_to(self, path: str):
        def done(written: Path) -> None:
            size = written.stat().st_size / 1024 / 1024
            QMessageBox.information(self, "备份完成", f"已备份到：\n{written}\n（{size:.1f} MB）。"
                                    "请把备份文件另存到U盘或其他电脑。")

        return self.window_.run_job("立即备份",
                                    lambda progress, cancelled: backup_database(self.store, path, progress,
                                                                                cancelled), done)


def restart_application() -> None:
    """Start a fresh copy of the app and quit this one (to open another database)."""
    QProcess.startDetached(sys.executable, sys.argv)
    from PySide6.QtWidgets import QApplication

    QApplication.quit()


def install(window) -> None:
    def open_dialog():
        dialog = SettingsDialog(window)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.new_db_path:
            answer = QMessageBox.question(window, "数据库位置", "新的数据库位置将在重新启动后使用。现在重新启动吗？")
            if answer == QMessageBox.StandardButton.Yes:
                restart_application()

    action = QAction("设置…", window)
    action.setObjectName("settingsAction")
    action.triggered.connect(open_dialog)
    window.menu("设置").addAction(action)
    backup = QAction("立即备份…", window)
    backup.triggered.connect(lambda: SettingsDialog(window).choose_backup())
    file_menu = window.menu("文件")
    separator = next((a for a in file_menu.actions() if a.isSeparator()), None)
    if separator is not None:
        file_menu.insertAction(separator, backup)
    else:
        file_menu.addAction(backup)


