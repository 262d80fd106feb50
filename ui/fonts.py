"""The bundled Chinese font (WenQuanYi Micro Hei) as the application font, so
that Chinese renders on machines without any Chinese system font."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from cadre_desk.paths import resource_path

FONT_FILE = ("fonts", "wqy-microhei.ttc")
DEFAULT_POINT_SIZE = 10

_family: str | None = None


def bundled_font_family() -> str | None:
    """Register the bundled font once per process; its family name, or None
    when the file is not shipped (then the system font is used)."""
    global _family
    if _family is not None:
        return _family
    path = resource_path(*FONT_FILE)
    if not path.exists():
        return None
    font_id = QFontDatabase.addApplicationFont(str(path))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        raise RuntimeError(f"bundled font {path} could not be loaded by Qt")
    _family = families[0]
    return _family


def apply_app_font(app: QApplication, point_size: int = DEFAULT_POINT_SIZE) -> str:
    """Make the bundled font the application font; returns the family in use."""
    family = bundled_font_family()
    if family is None:
        return app.font().family()
    font = QFont(family, point_size)
    app.setFont(font)
    return family
