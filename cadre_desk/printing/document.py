"""The one document template of every printed document: A4 pages, a cover
template and a body template with a running header, "第 N 页 共 M 页" on every
page, a PDF outline and table-of-contents entries fed from the headings.

Page totals. A batch of handbooks in one PDF numbers each handbook on its own
("section"), and the total of a section is known only when it ends. Instead of
building twice, each page gets a mark where its footer goes, and when the
section ends the footers are written into its pages, which ReportLab keeps
until the file is saved (earlier each footer was a form XObject defined at
the section's end: one more object a page, about a tenth of a handbook's
time). A section starts with a ``SectionStart`` flowable at the top of its
first page; the last section ends when the canvas is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from . import styles
from .flowables import Heading, SectionStart
from .fonts import fitting_size, register_font, seed_subsets, string_width

# Same data, same bytes: no timestamps or random ids in the file.
rl_config.invariant = 1

CREATOR = "帮扶工作台 cadre-desk"


class PrintCancelled(Exception):
    """The user stopped a print job (batch) before it finished."""


class _Canvas(Canvas):
    """A canvas that lets the document finish its last section before saving."""

    before_save: Callable[[Canvas], None] | None = None

    def save(self):
        if self.before_save is not None:
            self.before_save(self)
        super().save()


class CadreDocTemplate(BaseDocTemplate):
    """A4 document with templates ``cover`` (no header) and ``body``."""

    def __init__(self, target, *, title: str, subject: str = "", author: str = "",
                 on_page_done: Callable[[int], None] | None = None, subset_seed: str = ""):
        font = register_font()
        m = styles.margins()
        super().__init__(
            target, pagesize=styles.page_size(), leftMargin=m["left"], rightMargin=m["right"],
            topMargin=m["top"], bottomMargin=m["bottom"], title=title, subject=subject, author=author,
            creator=CREATOR, invariant=1, initialFontName=font, initialFontSize=10.5,
            displayDocTitle=1, lang="zh-CN",
        )
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([
            PageTemplate(id="cover", frames=[frame], onPageEnd=self._draw_footer),
            PageTemplate(id="body", frames=[frame], onPage=self._draw_header, onPageEnd=self._draw_footer),
        ])
        self.on_page_done = on_page_done
        # characters every document of this kind draws (see fonts.seed_subsets)
        self.subset_seed = subset_seed
        self._section: SectionStart | None = None
        self._section_no = 0
        self._section_pages = 0
        self._outline_keys = 0
        self._header: tuple[SectionStart, list[str]] | None = None

    # ------------------------------------------------------------ build
    def build(self, flowables, **kw):
        kw.setdefault("canvasmaker", _Canvas)
        self._reset_sections()
        super().build(flowables, **kw)

    def multiBuild(self, story, **kw):
        kw.setdefault("canvasmaker", _Canvas)
        return super().multiBuild(story, **kw)

    def _startBuild(self, filename=None, canvasmaker=_Canvas):
        super()._startBuild(filename, canvasmaker)
        self._reset_sections()
        if isinstance(self.canv, _Canvas):
            self.canv.before_save = self._end_section
        if self.subset_seed:
            seed_subsets(self.canv._doc, self.subset_seed)

    def _reset_sections(self):
        self._header = None
        self._section = None
        self._section_no = 0
        self._section_pages = 0
        self._outline_keys = 0

    # ------------------------------------------------------------ sections and page numbers
    def _start_section(self, marker: SectionStart, canv: Canvas) -> None:
        if self._section_pages:
            # The marker sits on the new section's first page, which has not
            # been counted yet: every page counted so far is the old section's.
            self._end_section(canv)
        self._section = marker
        self._section_no += 1
        self._section_pages = 0
        if marker.outline_title:
            key = self._new_key()
            canv.bookmarkPage(key)
            canv.addOutlineEntry(marker.outline_title, key, level=0, closed=True)

    @staticmethod
    def _footer_mark(section_no: int, page_no: int) -> str:
        # a content-stream comment where the page's footer goes, replaced when its section ends
        return f"%cadre-desk footer {section_no} {page_no}"

    def _end_section(self, canv: Canvas) -> None:
        """Write "第 N 页 共 M 页" into each page of the section just ended,
        where its mark is: the pages are written (``showPage``) but not yet
        saved, so their content can still be completed."""
        total = self._section_pages
        size = styles.LAYOUT["footer"]["size"]
        y = styles.LAYOUT["footer"]["baseline_mm"] * styles.mm
        x = self.pagesize[0] / 2
        font = register_font()
        pages = canv._doc.Pages.pages
        for n, page in zip(range(1, total + 1), pages[len(pages) - total:]):
            text = f"第 {n} 页 共 {total} 页"
            t = PDFTextObject(canv, x - 0.5 * string_width(text, size), y)
            t._fontname, t._fontsize, t._leading, t._curSubset = font, size, size * 1.2, -1
            t.textLine(text)
            page.stream = page.stream.replace(self._footer_mark(self._section_no, n), f"q {t.getCode()} Q", 1)
        self._section_pages = 0

    def _draw_footer(self, canv: Canvas, doc) -> None:
        self._section_pages += 1
        canv._code.append(self._footer_mark(self._section_no, self._section_pages))
        if self.on_page_done is not None:
            self.on_page_done(self.page)

    def _draw_header(self, canv: Canvas, doc) -> None:
        marker = self._section
        if marker is None or not (marker.header_left or marker.header_right):
            return
        # every page of a section has the same header: drawn on its first, repeated after
        if self._header is not None and self._header[0] is marker:
            canv._code.extend(self._header[1])
            return
        start = len(canv._code)
        h = styles.LAYOUT["header"]
        y = self.pagesize[1] - h["baseline_mm"] * styles.mm
        # both on one line, apart: a long 户编号 and 户主 make the line smaller, never overlapping
        room = self.pagesize[0] - self.leftMargin - self.rightMargin - 12
        size = fitting_size(marker.header_left + marker.header_right, room, h["size"], smallest=5)
        canv.saveState()
        canv.setFont(register_font(), size)
        canv.setFillColor(styles.color("text"))
        canv.drawString(self.leftMargin, y, marker.header_left)
        canv.drawRightString(self.pagesize[0] - self.rightMargin, y, marker.header_right)
        canv.setStrokeColor(styles.color("rule"))
        canv.setLineWidth(h["rule_width"])
        canv.line(self.leftMargin, y - 4, self.pagesize[0] - self.rightMargin, y - 4)
        canv.restoreState()
        self._header = (marker, canv._code[start:])  # q … Q: the canvas's state is as before

    @property
    def sections_started(self) -> int:
        return self._section_no

    # ------------------------------------------------------------ outline and contents
    def _new_key(self) -> str:
        self._outline_keys += 1
        return f"o{self._outline_keys}"

    def afterFlowable(self, flowable):
        if isinstance(flowable, SectionStart):
            self._start_section(flowable, self.canv)
        elif isinstance(flowable, Heading) and flowable.outline_level is not None:
            # In a batch each handbook is a level-0 entry and its chapters go below it.
            nested = self._section is not None and bool(self._section.outline_title)
            level = flowable.outline_level + (1 if nested else 0)
            key = self._new_key()
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.plain_text, key, level=level, closed=level > 0)
            if flowable.in_toc:
                self.notify("TOCEntry", (flowable.outline_level, escape(flowable.plain_text), self.page, key))
