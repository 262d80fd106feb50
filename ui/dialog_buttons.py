"""The 保存 / 取消 row every editing dialog ends with, and the question a form
asks when it finds a draft left unsaved."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QWidget


def save_cancel_buttons(dialog: QDialog, on_save: Callable[[], object]) -> QDialogButtonBox:
    """Save and Cancel labelled in Chinese whether or not Qt's own translation
    is installed; Save calls ``on_save``, Cancel (and Esc) rejects the dialog."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
    buttons.accepted.connect(on_save)
    buttons.rejected.connect(dialog.reject)
    return buttons


def ask_restore_draft(parent: QWidget, what: str, saved_at: str) -> bool:
    """恢复草稿 or 放弃草稿 for a draft of ``what`` saved at ``saved_at``; True: restore."""
    box = QMessageBox(QMessageBox.Icon.Question, "恢复草稿", f"发现上次没有保存的{what}（{saved_at}），是否恢复？",
                      parent=parent)
    restore = box.addButton("恢复草稿", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("放弃草稿", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(restore)
    box.exec()
    return box.clickedButton() is restore
