"""The Qt binding must not leak references to None: PySide6 6.12.0 drops one
on every void method call, and on Python 3.11 the app then aborts with
"none_dealloc" after a few thousand calls (a few minutes of typing in the
survey form). This keeps a broken binding release out of the project."""

import sys

from PySide6.QtWidgets import QLabel


def test_void_calls_keep_none_alive(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(1000):
        label.setVisible(False)
        label.clear()
    assert sys.getrefcount(None) - before > -100
