"""Windows and dialogs fit the screen they open on: a 1366×768 laptop loses
the title bar and the task bar from its height, so a window asks for at most
the available area, never more."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# Window frame (title bar and borders) that availableGeometry does not include.
FRAME_WIDTH = 16
FRAME_HEIGHT = 40


def available_size(widget: QWidget | None = None) -> tuple[int, int]:
    screen = (widget.screen() if widget is not None else None) or QGuiApplication.primaryScreen()
    area = screen.availableGeometry()
    return area.width(), area.height()


def fit(widget: QWidget, width: int, height: int) -> tuple[int, int]:
    """Resize ``widget`` to ``width``×``height`` or the available screen area
    less the window frame, whichever is smaller; returns the size chosen."""
    avail_w, avail_h = available_size(widget)
    w = max(200, min(width, avail_w - FRAME_WIDTH))
    h = max(200, min(height, avail_h - FRAME_HEIGHT))
    widget.resize(w, h)
    return w, h
