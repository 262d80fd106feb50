"""The flowables our documents add to ReportLab's: section markers, headings
that feed the outline and the table of contents, and the building blocks of
printed forms (ruled tables whose cells wrap only when they must, blank rows
to fill by hand, signature lines)."""

from __future__ import annotations

import re

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.platypus import CondPageBreak, Flowable, Table

from . import styles
from .fonts import string_width


class SectionStart(Flowable):
    """Marks where a numbered section (one handbook of a batch) begins; put it
    first on the section's first page. Takes no space."""

    def __init__(self, *, header_left: str = "", header_right: str = "", outline_title: str | None = None):
        super().__init__()
        self.header_left = header_left
        self.header_right = header_right
        self.outline_title = outline_title

    def wrap(self, availWidth, availHeight):
        return 0, 0

    def draw(self):
        pass


class TextBlock(Flowable):
    """A paragraph of plain text in one font: lines broken by ``wrap_cjk`` and
    drawn with drawString, split across pages between lines.

    Used instead of ReportLab's Paragraph (which parses markup and costs
    several times more per paragraph) because our documents have no inline
    markup; the style's size, leading, alignment, first-line indent, colour
    and space before/after are honoured."""

    def __init__(self, text: str, style_name: str = "body", *, lines: list[str] | None = None,
                 first: bool = True):
        super().__init__()
        self.text = text
        self.style_name = style_name
        self.style = styles.style(style_name)
        self._lines = lines
        self._first = first
        self._width = 0.0

    def getSpaceBefore(self):
        return self.style.spaceBefore if self._first else 0

    def getSpaceAfter(self):
        return self.style.spaceAfter

    def _indent(self) -> float:
        return self.style.firstLineIndent if self._first else 0

    def wrap(self, availWidth, availHeight):
        if self._lines is None or availWidth != self._width:
            self._width = availWidth
            self._lines = wrap_cjk(self.text, availWidth, self.style.fontSize, first_width=availWidth - self._indent())
        self.width = availWidth
        self.height = len(self._lines) * self.style.leading
        return self.width, self.height

    def split(self, availWidth, availHeight):
        self.wrap(availWidth, availHeight)
        fit = int(availHeight // self.style.leading)
        if fit <= 0 or fit >= len(self._lines):
            return []
        head = type(self)(self.text, self.style_name, lines=self._lines[:fit], first=self._first)
        tail = TextBlock(self.text, self.style_name, lines=self._lines[fit:], first=False)
        head._width = tail._width = availWidth
        return [head, tail]

    def draw(self):
        st, c = self.style, self.canv
        c.setFont(st.fontName, st.fontSize)
        c.setFillColor(st.textColor)
        y = self.height - st.fontSize  # baseline of the first line
        for i, line in enumerate(self._lines):
            indent = self._indent() if i == 0 else 0
            if st.alignment == TA_CENTER:
                c.drawCentredString(self.width / 2, y, line)
            elif st.alignment == TA_RIGHT:
                c.drawRightString(self.width, y, line)
            else:
                c.drawString(indent, y, line)
            y -= st.leading


class Heading(TextBlock):
    """A heading; with ``outline_level`` it gets a PDF bookmark, and with
    ``in_toc`` an entry in the table of contents."""

    def __init__(self, text: str, style_name: str, *, outline_level: int | None = None, in_toc: bool = False,
                 **kw):
        super().__init__(text, style_name, **kw)
        self.plain_text = text
        self.outline_level = outline_level
        self.in_toc = in_toc

    def split(self, availWidth, availHeight):
        return []  # a heading is never split


def heading(text: str, style_name: str, *, room: float = 80, outline_level: int | None = None,
            in_toc: bool = False) -> list:
    """A heading that starts a new page when less than ``room`` points are
    left under it (cheaper than keepWithNext, which lays the next table out twice)."""
    return [CondPageBreak(room), Heading(text, style_name, outline_level=outline_level, in_toc=in_toc)]


def para(text: str, style_name: str = "body") -> TextBlock:
    return TextBlock(text, style_name)


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
    in a table cell are drawn directly."""
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
    return lines


def cell(text, width: float, style_name: str = "cell"):
    """Table cell content: a plain string, broken into lines that fit the
    column. Empty cells are an empty list, which a Table skips when drawing."""
    if text is None or text == "":
        return []
    text = str(text)
    size = styles.style(style_name).fontSize
    room = width - 2 * styles.LAYOUT["table"]["padding"]
    if "\n" not in text and string_width(text, size) <= room:
        return text
    return "\n".join(wrap_cjk(text, room, size))


def grid_table(header: list[str] | None, rows: list[list], widths: list[float], *, style_name: str = "cell",
               header_style: str = "cell_center", row_heights: list | None = None, extra: list = (),
               label_columns=()) -> Table:
    """A ruled table; a header row repeats on every page the table runs onto."""
    data = []
    if header:
        data.append([cell(h, w, header_style) for h, w in zip(header, widths)])
    for row in rows:
        data.append([cell(v, w, style_name) for v, w in zip(row, widths)])
    st = styles.style(style_name)
    t = Table(data, colWidths=widths, repeatRows=1 if header else 0, rowHeights=row_heights, hAlign="LEFT",
              cellStyles=styles.cell_styles(len(data), len(widths), st.fontSize, st.leading))
    cmds = styles.grid_table_style(header_rows=1 if header else 0, label_columns=label_columns)
    t.setStyle(styles.table_style(cmds + list(extra)))
    return t


def blank_rows(n: int, columns: int) -> list[list[str]]:
    return [[""] * columns for _ in range(n)]


def signature_block(labels: list[str], width: float) -> Table:
    """Signature lines: 'label：________' pairs with a date to fill in."""
    rows = []
    for label in labels:
        rows.append([f"{label}（签字）：", "", "日期：", "      年    月    日"])
    col = [width * 0.26, width * 0.34, width * 0.1, width * 0.3]
    t = Table(rows, colWidths=col, rowHeights=[30] * len(rows), hAlign="LEFT")
    t.setStyle(styles.table_style([
        ("FONTNAME", (0, 0), (-1, -1), styles.register_font()),
        ("FONTSIZE", (0, 0), (-1, -1), 10.5),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("ALIGN", (0, 0), (0, -1), "RIGHT"),
        ("ALIGN", (2, 0), (2, -1), "RIGHT"),
        ("LINEBELOW", (1, 0), (1, -1), 0.6, styles.color("rule")),
    ]))
    return t
