"""The flowables our documents add to ReportLab's: section markers, headings
that feed the outline and the table of contents, and the building blocks of
printed forms (ruled tables whose cells wrap only when they must, blank rows
to fill by hand, signature lines)."""

from __future__ import annotations


from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import CondPageBreak, Flowable

from . import styles
from .cjk_wrap import width_of, wrap_cjk
from .fonts import register_font, seeded_lines, string_width


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
        t = c.beginText()  # one text object for all the lines
        t.setFont(st.fontName, st.fontSize, st.leading)
        t.setFillColor(st.textColor)
        y = self.height - st.fontSize  # baseline of the first line
        placed = []
        for i, line in enumerate(self._lines):
            if st.alignment == TA_CENTER:
                x = (self.width - string_width(line, st.fontSize)) / 2
            elif st.alignment == TA_RIGHT:
                x = self.width - string_width(line, st.fontSize)
            else:
                x = self._indent() if i == 0 else 0
            placed.append((x, y, line))
            y -= st.leading
        text_lines(t, placed)
        c.drawText(t)


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


def text_lines(t, placed: list[tuple[float, float, str]]) -> None:
    """Put each (x, y, line) into the text object ``t`` as ReportLab's
    ``setTextOrigin(x, y)`` and ``textLine(line)`` do, in the same bytes, for
    our one TrueType font on a bottom-up canvas, without their per-line
    overhead (a handbook draws about 300 lines: ReportLab's per-line set-up
    was a tenth of its drawing time)."""
    canv = t._canvas
    font = pdfmetrics.getFont(t._fontname)
    if not (canv.bottomup and font._dynamicFont) or getattr(font, "shapable", False):
        for x, y, line in placed:
            t.setTextOrigin(x, y)
            t.textLine(line)
        return
    doc = canv._doc
    split = font.splitString
    seeded, known = seeded_lines(doc) or (frozenset(), {})
    tf = f"{fp_str(t._fontsize)} Tf {fp_str(t._leading)} TL"
    names: dict[int, str] = {}
    cur = t._curSubset
    add = t._code.append
    for x, y, line in placed:
        add(f"1 0 0 1 {fp_str(x, y)} Tm")
        ops = []
        runs = known.get(line)
        if runs is None:
            runs = [(subset, escapePDF(data)) for subset, data in split(line, doc)]
            if seeded.issuperset(line):  # the same codes in every document seeded alike
                if len(known) > 20000:
                    known.clear()
                known[line] = runs
        for subset, data in runs:
            if subset != cur:
                name = names.get(subset)
                if name is None:
                    name = names[subset] = font.getSubsetInternalName(subset, doc)
                ops.append(f"{name} {tf}")
                cur = subset
            ops.append(f"({data}) Tj")
        add(" ".join(ops) + " T*")
    t._curSubset = cur
    if placed:
        x, y, _ = placed[-1]
        t._x0 = t._x = x
        t._y0 = t._y = y - t._leading


def cell(text, width: float, style_name: str = "cell", padding: float | None = None) -> list[str]:
    """Table cell content: the lines of ``text`` broken to fit a column of
    ``width`` (less the cell padding). Empty text gives no lines."""
    if text is None or text == "":
        return []
    text = str(text)
    size = styles.style(style_name).fontSize
    room = width - 2 * (styles.LAYOUT["table"]["padding"] if padding is None else padding)
    if "\n" not in text and width_of(text, size) <= room:
        return [text]
    return wrap_cjk(text, room, size)


class Grid(Flowable):
    """A table of plain-text cells drawn straight onto the canvas: shaded
    header rows and label columns, text, and either a ruled grid (inner lines
    and a heavier box, as on printed forms) or lines under chosen columns
    (fields to fill in). Splits between rows, repeating the header rows.

    Hand-written because ReportLab's general Table (cell styles, commands,
    spans, flowables in cells) cost about a third of a handbook's time for
    these fixed grids of short strings. It draws exactly what Table drew for
    the same commands: the same row heights (lines × leading + padding), text
    positions, round-capped lines and page splits; all the cells' text goes
    into one text object and all the lines of a width into one path.

    ``rows`` are lists of cells, a cell being ``(lines, align, span)`` (align
    ``"LEFT"``, ``"CENTER"`` or ``"RIGHT"``; span: columns covered, 0 for a
    cell hidden under its neighbour's span) or None when empty. ``heights``
    gives each row's height; ``look`` the shared look (see ``GridLook``)."""

    def __init__(self, widths: list[float], rows: list[list], heights: list[float], look: GridLook, *,
                 header_rows: int = 0):
        super().__init__()
        self.widths = widths
        self.rows = rows
        self.heights = heights
        self.look = look
        self.header_rows = header_rows
        self.width = sum(widths)
        self.height = sum(heights)
        self.hAlign = look.h_align

    def wrap(self, availWidth, availHeight):
        return self.width, self.height

    def split(self, availWidth, availHeight):
        # as Table: the rows that fit, never only the header rows
        used, n = 0.0, 0
        for h in self.heights:
            if used + h > availHeight:
                break
            used += h
            n += 1
        if n <= self.header_rows:
            return []
        if n == len(self.rows):
            return [self]
        k = self.header_rows
        return [Grid(self.widths, self.rows[:n], self.heights[:n], self.look, header_rows=k),
                Grid(self.widths, self.rows[:k] + self.rows[n:], self.heights[:k] + self.heights[n:], self.look,
                     header_rows=k)]

    def texts(self) -> list[str]:
        """Every cell's text, unbroken (for the benchmark's floor)."""
        return ["".join(c[0]) for row in self.rows for c in row if c and c[0]]

    def draw(self):
        c, look = self.canv, self.look
        cols = [0.0]
        for w in self.widths:
            cols.append(cols[-1] + w)
        tops = [self.height]
        for h in self.heights:
            tops.append(tops[-1] - h)
        c.saveState()
        for color, (c0, c1), header_only in look.fills:
            r1 = min(self.header_rows, len(self.rows)) if header_only else len(self.rows)
            if r1:
                c.setFillColor(color)
                c.rect(cols[c0], tops[r1], cols[c1 + 1] - cols[c0], tops[0] - tops[r1], stroke=0, fill=1)
        t = c.beginText()
        t.setFont(look.font, look.size, look.leading)
        t.setFillColor(look.text_color)
        width_of = look.string_width
        lead, size = look.leading, look.size
        lp, rp, tp, bp = look.padding
        placed = []
        put = placed.append
        for r, row in enumerate(self.rows):
            bottom, rh = tops[r + 1], self.heights[r]
            for j, cell_ in enumerate(row):
                if not cell_ or not cell_[0]:
                    continue
                lines, align, span = cell_
                x0, x1 = cols[j], cols[j + span]
                valign = look.valign[j]
                n = len(lines)
                if valign == "MIDDLE":
                    y = bottom + (bp + rh - tp + n * lead) / 2.0 - size
                elif valign == "TOP":
                    y = bottom + rh - tp - size
                else:
                    y = bottom + bp + n * lead - size
                for line in lines:
                    if align == "LEFT":
                        x = x0 + lp
                    elif align == "CENTER":
                        x = (x0 + x1 + lp - rp) * 0.5 - width_of(line) * 0.5
                    else:
                        x = x1 - rp - width_of(line)
                    put((x, y, line))
                    y -= lead
        text_lines(t, placed)
        c.drawText(t)
        c.setLineCap(1)
        c.setLineJoin(1)
        if look.grid:
            self._draw_grid(c, cols, tops)
        for width, color, col in look.underlines:
            c.setLineWidth(width)
            c.setStrokeColor(color)
            p = c.beginPath()
            for y in tops[1:]:
                p.moveTo(cols[col], y)
                p.lineTo(cols[col + 1], y)
            c.drawPath(p, stroke=1, fill=0)
        c.restoreState()

    def _draw_grid(self, c, cols, tops):
        look = self.look
        inner_w, outer_w, color = look.grid
        c.setStrokeColor(color)
        c.setLineWidth(inner_w)
        p = c.beginPath()
        left, right = cols[0], cols[-1]
        for y in tops[1:-1]:
            p.moveTo(left, y)
            p.lineTo(right, y)
        # inner verticals, broken where a cell spans across them
        for j in range(1, len(cols) - 1):
            start = None
            for r, row in enumerate(self.rows):
                hidden = row[j] is not None and row[j][2] == 0
                if hidden:
                    if start is not None:
                        p.moveTo(cols[j], tops[start])
                        p.lineTo(cols[j], tops[r])
                        start = None
                elif start is None:
                    start = r
            if start is not None:
                p.moveTo(cols[j], tops[start])
                p.lineTo(cols[j], tops[-1])
        c.drawPath(p, stroke=1, fill=0)
        c.setLineWidth(outer_w)
        c.rect(left, tops[-1], right - left, tops[0] - tops[-1], stroke=1, fill=0)


class GridLook:
    """What the cells of one kind of grid share: font, size, leading, padding
    (left, right, top, bottom), vertical alignment per column, fills
    (colour, (first, last column), header rows only?), the ruled grid
    (inner width, box width, colour) or lines under columns."""

    def __init__(self, *, size: float, leading: float, padding: tuple, valign: list[str], fills=(),
                 grid: tuple | None = None, underlines=(), h_align: str = "LEFT"):
        self.font = register_font()
        self.size = size
        self.leading = leading
        self.padding = padding
        self.valign = valign
        self.fills = tuple(fills)
        self.grid = grid
        self.underlines = tuple(underlines)
        self.h_align = h_align
        self.text_color = styles.color("text")
        self._widths: dict[str, float] = {}

    def string_width(self, text: str) -> float:
        # column headings and labels come back in every table: remember them (not without bound)
        w = self._widths.get(text)
        if w is None:
            if len(self._widths) > 2000:
                self._widths.clear()
            w = self._widths[text] = string_width(text, self.size)
        return w


_grid_looks: dict[tuple, GridLook] = {}


def _grid_look(style_name: str, columns: int, header: bool, label_columns: tuple, valign: tuple,
               padding: tuple | None) -> GridLook:
    """Grid looks are made once per process and shared by every table of the same kind."""
    key = (style_name, columns, header, label_columns, valign, padding)
    look = _grid_looks.get(key)
    if look is None:
        st = styles.style(style_name)
        t = styles.LAYOUT["table"]
        pad = t["padding"]
        top, bottom = padding if padding is not None else (pad, pad)
        va = ["MIDDLE"] * columns
        for col in valign:
            va[col] = "TOP"
        fills = [(styles.color("header_fill"), (0, columns - 1), True)] if header else []
        fills += [(styles.color("label_fill"), (col, col), False) for col in label_columns]
        look = _grid_looks[key] = GridLook(
            size=st.fontSize, leading=st.leading, padding=(pad, pad, top, bottom), valign=va, fills=fills,
            grid=(t["grid_width"], t["outer_width"], styles.color("grid")))
    return look


def grid_table(header: list[str] | None, rows: list[list], widths: list[float], *, style_name: str = "cell",
               header_style: str = "cell_center", row_heights: list | None = None, label_columns=(),
               align: dict[int, str] | None = None, top_columns=(), padding: tuple | None = None,
               spans: dict[int, tuple[int, int]] | None = None) -> Grid:
    """A ruled table; a header row repeats on every page the table runs onto.

    ``align`` maps body columns to "CENTER" or "RIGHT" (header cells are
    centred); ``top_columns`` are aligned to the top of their row instead of
    the middle; ``padding`` is (top, bottom) when not the default; ``spans``
    maps a body row index to the (first, last) columns its first cell covers."""
    look = _grid_look(style_name, len(widths), bool(header), tuple(label_columns), tuple(top_columns), padding)
    pad_v = look.padding[2] + look.padding[3]
    lead = look.leading
    aligns = ["LEFT"] * len(widths)
    for col, a in (align or {}).items():
        aligns[col] = a
    data, heights = [], []
    fixed = list(row_heights) if row_heights else None
    if header:
        data.append([(cell(h, w, header_style), "CENTER", 1) for h, w in zip(header, widths)])
    for i, row in enumerate(rows):
        span = spans.get(i) if spans else None
        cells = []
        for j, (v, w, a) in enumerate(zip(row, widths, aligns)):
            n = 1
            if span is not None:
                if j == span[0]:
                    n = span[1] - span[0] + 1
                    w = sum(widths[span[0]:span[1] + 1])
                elif span[0] < j <= span[1]:
                    cells.append((None, a, 0))
                    continue
            lines = cell(v, w, style_name, look.padding[0])
            cells.append((lines, a, n) if lines or n != 1 else None)
        data.append(cells)
    for k, cells in enumerate(data):
        h = fixed[k] if fixed is not None and fixed[k] is not None else None
        if h is None:
            h = max((len(c[0]) for c in cells if c and c[0]), default=0) * lead + pad_v
        heights.append(h)
    return Grid(widths, data, heights, look, header_rows=1 if header else 0)


_form_looks: dict[tuple, GridLook] = {}


def form_lines(rows: list[list[str]], widths: list[float], *, size: float, height: float, align: list[str],
               underline: int, underline_width: float, h_align: str = "LEFT") -> Grid:
    """Label and blank pairs on fixed-height rows with a line under the
    column ``underline`` to write on (cover fields, signatures); text sits at
    the bottom of the row."""
    key = (size, len(widths), underline, underline_width, h_align)
    look = _form_looks.get(key)
    if look is None:
        # Table defaults these forms were first set with: 12 pt leading, padding 6 and 3
        look = _form_looks[key] = GridLook(size=size, leading=12, padding=(6, 6, 3, 3),
                                           valign=["BOTTOM"] * len(widths), h_align=h_align,
                                           underlines=[(underline_width, styles.color("rule"), underline)])
    data = [[([v], a, 1) if v else None for v, a in zip(row, align)] for row in rows]
    return Grid(widths, data, [height] * len(rows), look)


def blank_rows(n: int, columns: int) -> list[list[str]]:
    return [[""] * columns for _ in range(n)]


def signature_block(labels: list[str], width: float) -> Grid:
    """Signature lines: 'label：________' pairs with a date to fill in."""
    rows = [[f"{label}（签字）：", "", "日期：", "      年    月    日"] for label in labels]
    col = [width * 0.26, width * 0.34, width * 0.1, width * 0.3]
    return form_lines(rows, col, size=10.5, height=30, align=["RIGHT", "LEFT", "RIGHT", "LEFT"], underline=1,
                      underline_width=0.6)
