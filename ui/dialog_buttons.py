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


def ask(parent: QWidget | None, title: str, text: str, yes: str, no: str = "取消", *,
        destructive: bool = False, default_yes: bool = False) -> bool:
    """A two-button question in Chinese (Qt's own Yes/No would follow the
    translation); True when ``yes`` was clicked. A ``destructive`` yes (删除,
    取消并关闭) is never the default, so Enter answers ``no``."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.DestructiveRole if destructive
                               else QMessageBox.ButtonRole.AcceptRole)
    no_button = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(yes_button if default_yes and not destructive else no_button)
    box.exec()
    return box.clickedButton() is yes_button


def ask_restore_draft(parent: QWidget, what: str, saved_at: str) -> bool:
    """恢复草稿 (the default) or 放弃草稿 for a draft of ``what`` saved at ``saved_at``; True: restore."""
    return ask(parent, "恢复草稿", f"发现上次没有保存的{what}（{saved_at}），是否恢复？", "恢复草稿", "放弃草稿",
               default_yes=True)
