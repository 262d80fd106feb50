"""The bundled Chinese font for PDFs, registered with ReportLab once per process.

WenQuanYi Micro Hei is TrueType (ReportLab cannot embed the CFF outlines of
Noto/Source Han), has Latin letters and digits, and may be redistributed
(Apache-2.0; licence beside it in resources/fonts/). ReportLab embeds only the
glyphs a document uses. Parsing the 5 MB file costs about 65 ms and 18 MB, so
it happens once, not per document. The font has no bold or italic face: the
family maps every variant to the regular face, and emphasis is made by size.
"""

from __future__ import annotations

import threading

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ..paths import resource_path

FONT_NAME = "WQYMicroHei"
FONT_FILE = ("fonts", "wqy-microhei.ttc")

_lock = threading.Lock()
_registered = False


def register_font() -> str:
    """Register the bundled font (first call only); returns its ReportLab name."""
    global _registered
    if _registered:
        return FONT_NAME
    with _lock:
        if not _registered:
            path = resource_path(*FONT_FILE)
            if not path.exists():
                raise RuntimeError(f"bundled font missing: {path}")
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(FONT_NAME, bold, italic, FONT_NAME)
            _registered = True
    return FONT_NAME


def string_width(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, register_font(), size)
