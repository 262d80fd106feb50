"""Chinese line breaking for the printed forms: ``wrap_cjk`` breaks a text
into lines of a given width between any two Chinese characters, never inside
a number or Latin word that fits, never before closing or after opening
punctuation (禁则); ``width_of`` measures a text, remembering the labels that
come back in every handbook.

Hand-written because a ReportLab Paragraph costs about 0.5 ms a cell to wrap;
a handbook has hundreds of short cells, and plain multi-line strings in a
table cell are drawn directly."""

from __future__ import annotations

import re
from functools import lru_cache

from .fonts import string_width

# Characters that must not start a line (Chinese line-breaking rules, 禁则).
_NO_LINE_START = frozenset("，。、；：？！）》」』】〕”’%,.;:?!)]}·—…")
# ... and characters that must not end one.
_NO_LINE_END = frozenset("（《「『【〔“‘([{")
_char_widths: dict[tuple[str, float], float] = {}


_TOKENS = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,:/%\-]*|.", re.S)


def _width(ch: str, size: float) -> float:
    key = (ch, size)
    w = _char_widths.get(key)
    if w is None:
        w = _char_widths[key] = string_width(ch, size)
    return w


def wrap_cjk(text: str, width: float, size: float, *, first_width: float | None = None) -> list[str]:
    """Break text into lines no wider than ``width`` at ``size`` points:
    between any two Chinese characters, but not inside a number or Latin word
    (when it fits on a line), never before closing or after opening punctuation.

    Hand-written because a ReportLab Paragraph costs about 0.5 ms a cell to
    wrap; a handbook has hundreds of short cells, and plain multi-line strings
    in a table cell are drawn directly. The texts every handbook repeats (the
    instructions, labels) are broken once per process."""
    return list(_wrap_cjk(text, width, size, first_width))


@lru_cache(maxsize=4096)
def _wrap_cjk(text: str, width: float, size: float, first_width: float | None) -> tuple[str, ...]:
    lines: list[str] = []
    full = width
    for part in text.split("\n"):
        line, used = "", 0.0
        width = first_width if (first_width is not None and not lines) else full
        for token in _TOKENS.findall(part):
            w = sum(_width(ch, size) for ch in token)
            if line and used + w > width and token[0] not in _NO_LINE_START:
                carry = ""
                if line[-1] in _NO_LINE_END and len(line) > 1:
                    line, carry = line[:-1], line[-1]
                lines.append(line)
                width = full
                line, used = carry, (_width(carry, size) if carry else 0.0)
            if used + w > width and len(token) > 1:
                # a number or word longer than the line: break it anywhere
                for ch in token:
                    cw = _width(ch, size)
                    if line and used + cw > width:
                        lines.append(line)
                        width = full
                        line, used = "", 0.0
                    line += ch
                    used += cw
                continue
            line += token
            used += w
        lines.append(line)
    return tuple(lines)


_text_widths: dict[tuple[str, float], float] = {}


def width_of(text: str, size: float) -> float:
    """The width of ``text`` at ``size`` points."""
    # labels and common values come back in every handbook: remembered (not without bound)
    key = (text, size)
    w = _text_widths.get(key)
    if w is None:
        if len(_text_widths) > 20000:
            _text_widths.clear()
        w = _text_widths[key] = string_width(text, size)
    return w
