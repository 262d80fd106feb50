"""Driving real widgets like a user (pytest-qt): typing, and answering the
modal dialogs an action opens."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QMessageBox


def type_text(qtbot, text: str, widget=None) -> None:
    """Type into ``widget`` (default: the focused one) one character at a time:
    ASCII as key clicks, Chinese as input-method commits (``qtbot.keyClicks``
    with non-ASCII text aborts the process)."""
    widget = widget or QApplication.focusWidget()
    assert widget is not None, "nothing has keyboard focus"
    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(widget, ch)
        else:
            event = QInputMethodEvent()
            event.setCommitString(ch)
            QApplication.sendEvent(widget, event)


def when_modal(kind, action) -> None:
    """Run ``action(dialog)`` once a modal dialog of ``kind`` is up."""
    def poll():
        widget = QApplication.activeModalWidget()
        if isinstance(widget, kind):
            action(widget)
        else:
            QTimer.singleShot(20, poll)
    QTimer.singleShot(0, poll)


def answer_next_box(button_text: str) -> None:
    """Click ``button_text`` in the next modal message box, once it is up."""
    def click(box):
        for b in box.buttons():
            if b.text().replace("&", "") == button_text:
                b.click()
                return
        raise AssertionError(f"no button {button_text} in {[b.text() for b in box.buttons()]}")
    when_modal(QMessageBox, click)
