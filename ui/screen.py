"""Windows and dialogs fit the screen they open on: a 1366×768 laptop loses
the title bar and the task bar from its height, so a window asks for at most
the available area, never more; pages ask only for the room of the page on
screen (``PageStack``), so that a small screen scrolls just the page that needs it."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QStackedWidget, QWidget

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


class PageStack(QStackedWidget):
    """The pages, asking only for the room of the page on screen (a stack asks
    for its largest page's): the page area scrolls just when that page needs it."""

    def __init__(self):
        super().__init__()
        self.currentChanged.connect(lambda _i: self.updateGeometry())

    def minimumSizeHint(self):  # noqa: N802 - Qt's name
        current = self.currentWidget()
        return current.minimumSizeHint().expandedTo(current.minimumSize()) if current is not None \
            else super().minimumSizeHint()

    def sizeHint(self):  # noqa: N802 - Qt's name
        current = self.currentWidget()
        return current.sizeHint() if current is not None else super().sizeHint()

    def heightForWidth(self, _width: int) -> int:  # noqa: N802 - Qt's name
        # A page with wrapped labels has a height for its width: its preferred
        # height, which a scroll area would give it (scrolling a page that
        # fits). The page takes the room there is, down to its minimum.
        return -1
