"""The bundled Chinese font for PDFs, registered with ReportLab once per process.

WenQuanYi Micro Hei is TrueType (ReportLab cannot embed the CFF outlines of
Noto/Source Han), has Latin letters and digits, and may be redistributed
(Apache-2.0; licence beside it in resources/fonts/). ReportLab embeds only the
glyphs a document uses. Parsing the 5 MB file costs about 65 ms and 18 MB, so
it happens once, not per document. The font has no bold or italic face: the
family maps every variant to the regular face, and emphasis is made by size.

Font subsets. ReportLab embeds the glyphs a document uses in subsets of up to
256 characters, numbered in the order the characters are first drawn, and
cuts and compresses every subset anew for every document: for a handbook
that was about a fifth of its time. A document may first "seed" the
characters every document of its kind draws (``seed_subsets``), in a fixed
order and closed off in their own subsets; those subsets are then the same
in every such document, and the font remembers the last few subsets it cut,
compressed (``_RememberingFace``). Seeding changes only how the characters
are grouped into subsets (a handbook gets one subset more, about 5 KB);
every glyph drawn is embedded, and the same data still gives the same bytes.
"""

from __future__ import annotations

import threading
import zlib
from collections import OrderedDict

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

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
            font = TTFont(FONT_NAME, str(path), subfontIndex=0)
            # the parsed face, with subsets remembered (TTFont has no hook to give it our face class)
            font.face.__class__ = _RememberingFace
            pdfmetrics.registerFont(font)
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(FONT_NAME, bold, italic, FONT_NAME)
            _registered = True
    return FONT_NAME


def string_width(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, register_font(), size)


# ------------------------------------------------------------------ subsets

_KEEP_SUBSETS = 12  # seeded subsets are used by every document, so they stay among the recent ones
_subset_lock = threading.Lock()
_subsets: OrderedDict[tuple, bytes] = OrderedDict()  # characters -> the cut font file
_packed: dict[bytes, bytes] = {}  # cut font file -> compressed, for the subsets kept above


class _RememberedFlate:
    """Flate compression (as ReportLab's) that reuses the compressed bytes of
    a font subset cut before."""

    pdfname = "FlateDecode"

    def encode(self, data):
        packed = _packed.get(data)
        if packed is None:
            packed = zlib.compress(data)
            with _subset_lock:
                if any(data is kept for kept in _subsets.values()):
                    _packed[data] = packed
        return packed

    def decode(self, encoded):
        return zlib.decompress(encoded)


_REMEMBERED_FLATE = _RememberedFlate()


class _RememberingFace(TTFontFace):
    """The font face, remembering the last subsets it cut."""

    def makeSubset(self, subset):
        key = tuple(subset)
        data = _subsets.get(key)
        if data is not None:
            with _subset_lock:
                if key in _subsets:
                    _subsets.move_to_end(key)
            return data
        data = super().makeSubset(subset)
        with _subset_lock:
            _subsets[key] = data
            while len(_subsets) > _KEEP_SUBSETS:
                _, old = _subsets.popitem(last=False)
                _packed.pop(old, None)
        return data

    def addSubsetObjects(self, doc, fontname, subset):
        ref = super().addSubsetObjects(doc, fontname, subset)
        stream = doc.idToObject.get(f"fontFile:{self.filename}({fontname})")
        if stream is not None and stream.filters:
            stream.filters = [_REMEMBERED_FLATE]
        return ref


def seed_subsets(doc, text: str) -> None:
    """Give the characters of ``text`` the first codes of the font in
    ``doc`` (a canvas's ``_doc``), in order, before anything is drawn, and
    start the next character on a fresh subset: the subsets holding ``text``
    are then identical in every document seeded with it. Pass only
    characters every such document draws (a seeded character is embedded
    even if unused)."""
    font = pdfmetrics.getFont(register_font())
    state = font._assignState(doc)  # ReportLab's hook for those who manage the subset state
    font.splitString(text, doc)
    if state.nextCode & 0xFF:
        state.nextCode = (state.nextCode | 0xFF) + 1
    state.seeded_lines = _seeded_lines(text)


_seeded: dict[str, tuple[frozenset, dict]] = {}


def _seeded_lines(text: str) -> tuple[frozenset, dict]:
    """(the seeded characters, a cache shared by every document seeded with
    ``text``): a line of seeded characters only is split into the same
    subsets and codes in each of them (see ``flowables.text_lines``)."""
    found = _seeded.get(text)
    if found is None:
        if len(_seeded) > 16:
            _seeded.clear()
        found = _seeded[text] = (frozenset(text), {})
    return found


def seeded_lines(doc) -> tuple[frozenset, dict] | None:
    """What ``seed_subsets`` left for ``doc``, or None for a document not seeded."""
    state = pdfmetrics.getFont(register_font()).state.get(doc)
    return getattr(state, "seeded_lines", None)
