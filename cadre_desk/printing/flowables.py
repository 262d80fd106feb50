"""The flowables our documents add to ReportLab's: section markers, headings
that feed the outline and the table of contents, and the building blocks of
printed forms (ruled tables whose cells wrap only when they must, blank rows
to fill by hand, signature lines)."""

from __future__ import annotations


from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

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

    def drawOn(self, canvas, x, y, _sW=0):
        """As ``Flowable.drawOn``, without the canvas's Python-side state save
        and translation (a handbook has about 40 paragraphs): the text object
        sets its own font and colour, and ``q … Q`` keeps the colour to it."""
        x = self._hAlignAdjust(x, _sW)
        canvas._code.append(f"q 1 0 0 1 {fp_str(x, y)} cm {self._code(canvas)} Q")

    def _code(self, canvas) -> str:
        # A paragraph of seeded characters only (the instructions, the chapter
        # headings) is the same bytes in every document seeded alike: drawn once.
        doc = canvas._doc
        seeded = seeded_lines(doc)
        key = None
        if seeded is not None and seeded[0].issuperset("".join(self._lines)):
            font = pdfmetrics.getFont(self.style.fontName)
            key = (font.getSubsetInternalName(0, doc), self.style_name, self.width, self._first, tuple(self._lines))
            code = seeded[1].get(key)
            if code is not None:
                return code
        self.canv = canvas
        try:
            code = self._draw_code()
        finally:
            del self.canv
        if key is not None:
            _remember(seeded[1], key, code)
        return code

    def draw(self):  # for containers that call draw() themselves
        self.canv._code.append(self._draw_code())

    def _draw_code(self) -> str:
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
        return t.getCode()


class Heading(TextBlock):
    """A heading; with ``outline_level`` it gets a PDF bookmark, and with
    ``in_toc`` an entry in the table of contents. With ``room`` it starts a
    new page when less than that many points are left where it would go.

    ``room`` does what a ``CondPageBreak(room)`` put before the heading did,
    to the point: the room is measured before the heading's space above, and
    that space is not overlapped with the space below the flowable before
    (the CondPageBreak between them had none). One flowable instead of two:
    a handbook has about 20 headings, and each flowable costs the frame's
    bookkeeping."""

    def __init__(self, text: str, style_name: str, *, outline_level: int | None = None, in_toc: bool = False,
                 room: float = 0, **kw):
        super().__init__(text, style_name, **kw)
        self.plain_text = text
        self.outline_level = outline_level
        self.in_toc = in_toc
        self.room = room

    def _placing(self):
        """The frame placing this heading (not at its top), when it has a ``room``."""
        frame = getattr(self, "_frame", None) if self.room else None
        return frame if frame is not None and not frame._atTop else None

    def getSpaceBefore(self):
        frame = self._placing()
        # the frame subtracts the space below the previous flowable: give it back
        return super().getSpaceBefore() + (frame._prevASpace if frame is not None and frame._oASpace else 0)

    def wrap(self, availWidth, availHeight):
        width, height = super().wrap(availWidth, availHeight)
        frame = self._placing()
        if frame is not None and frame._y - frame._y1p < self.room:
            return width, max(height, availHeight + 1)  # does not fit here: the frame ends, as at a page break
        return width, height

    def split(self, availWidth, availHeight):
        return []  # a heading is never split


def heading(text: str, style_name: str, *, room: float = 80, outline_level: int | None = None,
            in_toc: bool = False) -> list:
    """A heading that starts a new page when less than ``room`` points are
    left under it (cheaper than keepWithNext, which lays the next table out twice)."""
    return [Heading(text, style_name, outline_level=outline_level, in_toc=in_toc, room=room)]


def para(text: str, style_name: str = "body") -> TextBlock:
    return TextBlock(text, style_name)


def text_lines(t, placed: list[tuple[float, float, str]]) -> None:
    """Put each (x, y, line) into the text object ``t`` as ReportLab's
    ``setTextOrigin(x, y)`` and ``textLine(line)`` do (the same operators), for
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
    state = font._assignState(doc)
    tf = f"{fp_str(t._fontsize)} Tf {fp_str(t._leading)} TL"
    names: dict[int, str] = {}

    def name(subset: int) -> str:
        found = names.get(subset)
        if found is None:
            found = names[subset] = font.getSubsetInternalName(subset, doc)
        return found

    # Each line's operators are made once: (first subset, last subset, the
    # operators after the first subset's font is set). A line of seeded
    # characters is the same in every document seeded alike; a line of this
    # document's own characters (names, numbers) comes back within it.
    context = (name(0), tf)
    shared_ops = known.get(context)
    if shared_ops is None or len(shared_ops) > 20000:
        shared_ops = known[context] = {}
    own_ops = state.__dict__.setdefault("cadre_lines", {}).setdefault(context, {})
    cur = t._curSubset
    add = t._code.append
    for x, y, line in placed:
        entry = shared_ops.get(line) or own_ops.get(line)
        if entry is None:
            entry = _line_ops(line, state, split, doc, name, tf)
            (shared_ops if seeded.issuperset(line) else own_ops)[line] = entry
        first, last, ops = entry
        if first is None:  # an empty line
            add(f"1 0 0 1 {fp_str(x, y)} Tm T*")
        elif first == cur:
            add(f"1 0 0 1 {fp_str(x, y)} Tm {ops} T*")
        else:
            add(f"1 0 0 1 {fp_str(x, y)} Tm {name(first)} {tf} {ops} T*")
        if last is not None:
            cur = last
    t._curSubset = cur
    if placed:
        x, y, _ = placed[-1]
        t._x0 = t._x = x
        t._y0 = t._y = y - t._leading


def _remember(cache: dict, key, code: str) -> None:
    """Keep a drawn paragraph or grid for the documents seeded alike. Not
    without bound: some are the same in every handbook (the instructions, a
    blank form), others of seeded characters only are one household's own
    (its income figures)."""
    if len(cache) > 3000:
        cache.clear()
    cache[key] = code


def _line_ops(line: str, state, split, doc, name, tf: str) -> tuple[int | None, int | None, str]:
    """(first subset, last subset, operators) of a line: its runs of one
    subset each as ``(…) Tj``, with the font set between runs of different
    subsets (the first run's font is the caller's to set)."""
    found = _split(line, state)
    if found is None:
        # code the new characters alone, in order of first use (as splitString would), then split
        coded = state.assignments
        split("".join(dict.fromkeys(c for c in line if ord(c) not in coded)), doc)
        found = _split(line, state) or split(line, doc)
    if not found:
        return None, None, ""
    ops, cur = [], found[0][0]
    for subset, data in found:
        if subset != cur:
            ops.append(f"{name(subset)} {tf}")
            cur = subset
        ops.append(f"({escapePDF(data)}) Tj")
    return found[0][0], cur, " ".join(ops)


def _split(line: str, state) -> list[tuple[int, bytes]] | None:
    """``TTFont.splitString(line, doc)`` for a line whose every character
    already has its code in the document (``state``: the font's state
    there), else None. ReportLab's loop looks at every character in Python;
    after the first lines of a handbook (names, digits, dates) most lines are
    made of characters seen before."""
    get = state.assignments.get
    codes = [get(c) for c in map(ord, line)]
    if not codes or None in codes:
        return None
    runs, subset, start = [], codes[0] >> 8, 0
    for i, n in enumerate(codes):
        if n >> 8 != subset:
            runs.append((subset, bytes([c & 0xFF for c in codes[start:i]])))
            subset, start = n >> 8, i
    runs.append((subset, bytes([c & 0xFF for c in codes[start:]])))
    return runs


def cell(text, width: float, style_name: str = "cell", padding: float | None = None) -> list[str]:
    """Table cell content: the lines of ``text`` broken to fit a column of
    ``width`` (less the cell padding). Empty text gives no lines."""
    if text is None or text == "":
        return []
    size = styles.style(style_name).fontSize
    return _cell_lines(text, width - 2 * (styles.LAYOUT["table"]["padding"] if padding is None else padding), size)


def _cell_lines(text, room: float, size: float) -> list[str]:
    """The lines of a cell's (non-empty) text in ``room`` points: itself when it fits."""
    text = text if type(text) is str else str(text)
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

    def drawOn(self, canvas, x, y, _sW=0):
        """As ``Flowable.drawOn``, without the canvas's Python-side state save
        and translation: the grid's code sets every colour, width and cap it
        uses, inside ``q … Q``."""
        x = self._hAlignAdjust(x, _sW)
        canvas._code.append(f"q 1 0 0 1 {fp_str(x, y)} cm {self._code(canvas)} Q")

    def draw(self):  # for containers that call draw() themselves
        self.canv._code.append(f"q {self._code(self.canv)} Q")

    def _code(self, canvas) -> str:
        # A grid of seeded characters only (a blank form: headings and empty
        # rows) is the same bytes in every document seeded alike: drawn once.
        doc = canvas._doc
        seeded = seeded_lines(doc)
        key = None
        if seeded is not None and seeded[0].issuperset(
                "".join(line for row in self.rows for c in row if c and c[0] for line in c[0])):
            cells = tuple((tuple(c[0]), c[1], c[2]) if c and c[0] else c and (None, c[1], c[2])
                          for row in self.rows for c in row)
            font = pdfmetrics.getFont(self.look.font)
            key = (font.getSubsetInternalName(0, doc), self.look, tuple(self.widths), tuple(self.heights),
                   len(self.rows), cells)
            code = seeded[1].get(key)
            if code is not None:
                return code
        code = self._draw_code(canvas)
        if key is not None:
            _remember(seeded[1], key, code)
        return code

    def _draw_code(self, canvas) -> str:
        """The grid's page content. Written as PDF operators rather than
        through the canvas's state setters (setFillColor, setLineWidth …,
        each updating the canvas's Python-side state, saved and restored
        around every flowable): a handbook draws about 16 grids; the
        operators are those the setters wrote."""
        look = self.look
        cols = [0.0]
        for w in self.widths:
            cols.append(cols[-1] + w)
        tops = [self.height]
        for h in self.heights:
            tops.append(tops[-1] - h)
        out = []
        for color, (c0, c1), header_only in look.fills:
            r1 = min(self.header_rows, len(self.rows)) if header_only else len(self.rows)
            if r1:
                out.append(f"{_rgb(color)} rg n {fp_str(cols[c0], tops[r1], cols[c1 + 1] - cols[c0], tops[0] - tops[r1])}"
                           f" re f")
        t = canvas.beginText()
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
        out.append(t.getCode())
        out.append("1 J 1 j")  # round caps and joins, as Table drew them
        if look.grid:
            out.append(self._grid_code(cols, tops))
        for width, color, col in look.underlines:
            path = " ".join(f"{fp_str(cols[col], y)} m {fp_str(cols[col + 1], y)} l" for y in tops[1:])
            out.append(f"{fp_str(width)} w {_rgb(color)} RG n {path} S")
        return " ".join(out)

    def _grid_code(self, cols, tops) -> str:
        inner_w, outer_w, color = self.look.grid
        p = []
        left, right = cols[0], cols[-1]
        for y in tops[1:-1]:
            p.append(f"{fp_str(left, y)} m {fp_str(right, y)} l")
        # inner verticals, broken where a cell spans across them
        for j in range(1, len(cols) - 1):
            start = None
            for r, row in enumerate(self.rows):
                hidden = row[j] is not None and row[j][2] == 0
                if hidden:
                    if start is not None:
                        p.append(f"{fp_str(cols[j], tops[start])} m {fp_str(cols[j], tops[r])} l")
                        start = None
                elif start is None:
                    start = r
            if start is not None:
                p.append(f"{fp_str(cols[j], tops[start])} m {fp_str(cols[j], tops[-1])} l")
        lines = f"{_rgb(color)} RG {fp_str(inner_w)} w " + (f"n {' '.join(p)} S " if p else "")
        box = f"{fp_str(outer_w)} w n {fp_str(left, tops[-1], right - left, tops[0] - tops[-1])} re S"
        return lines + box


_rgbs: dict = {}


def _rgb(color) -> str:
    """The three numbers of an opaque colour as the rg/RG operators take them."""
    code = _rgbs.get(color)
    if code is None:
        code = _rgbs[color] = fp_str(color.red, color.green, color.blue)
    return code


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
    # cell()'s lookups made once for the body cells: a handbook has about 320 of them
    size, room_pad = look.size, 2 * look.padding[0]
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
            if v is None or v == "":
                cells.append(None if n == 1 else ([], a, n))
                continue
            cells.append((_cell_lines(v, w - room_pad, size), a, n))
        data.append(cells)
    for k, cells in enumerate(data):
        h = fixed[k] if fixed is not None and fixed[k] is not None else None
        if h is None:
            most = 0
            for c in cells:
                if c and c[0] and len(c[0]) > most:
                    most = len(c[0])
            h = most * lead + pad_v
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
