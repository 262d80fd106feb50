"""The building blocks of printed documents, read back from the PDF: a
heading's room moves it to the next page exactly where a page break before it
did, and what is drawn once per process lands in every document right."""

import re
import subprocess

import pytest
from reportlab.platypus import CondPageBreak, Spacer

from cadre_desk.printing import styles
from cadre_desk.printing.document import CadreDocTemplate
from cadre_desk.printing.flowables import Heading, grid_table, para
from helpers_printing import pages_text


def where(path, word: str) -> list[tuple[int, float]]:
    """(1-based page, top in points) of every word ``word`` pdftotext finds."""
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    found, page = [], 0
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'yMin="([\d.]+)".*>([^<]*)</word>', line)
        if m and m.group(2) == word:
            found.append((page, round(float(m.group(1)), 2)))
    return found


def build(path, flow, seed: str = "") -> None:
    CadreDocTemplate(str(path), title="测试", subset_seed=seed).build(flow)


def filler(points: float) -> list:
    # a spacer to the height wanted, then a paragraph with space below it (h1's spaceAfter)
    return [Spacer(10, points), para("前文", "h1")]


@pytest.mark.parametrize("used", [300, 500, 560, 600, 640, 680, 700])
def test_a_headings_room_breaks_where_a_page_break_before_it_did(tmp_path, used):
    """The heading lands on the same page at the same height as with ReportLab's
    CondPageBreak before it, whether or not the room is left, and also when
    the flowable before it has space below (which the frame overlaps)."""
    room = 150
    old, new = tmp_path / "old.pdf", tmp_path / "new.pdf"
    build(old, [*filler(used), CondPageBreak(room), Heading("标题甲", "h1"), para("正文乙", "body")])
    build(new, [*filler(used), Heading("标题甲", "h1", room=room), para("正文乙", "body")])
    assert where(new, "标题甲") == where(old, "标题甲")
    assert where(new, "正文乙") == where(old, "正文乙")


def test_a_heading_with_room_starts_a_new_page_only_when_too_little_is_left(tmp_path):
    height = styles.page_size()[1]
    near_end, early = tmp_path / "near_end.pdf", tmp_path / "early.pdf"
    build(near_end, [*filler(height * 0.6), Heading("标题甲", "h1", room=height * 0.5), para("正文乙", "body")])
    build(early, [*filler(height * 0.1), Heading("标题甲", "h1", room=height * 0.5), para("正文乙", "body")])
    assert [p for p, _ in where(near_end, "标题甲")] == [2]
    assert [p for p, _ in where(early, "标题甲")] == [1]


def test_what_is_drawn_once_names_the_font_of_each_document(tmp_path):
    """A seeded paragraph or grid is drawn once and reused: in a document
    where the font has another internal name (another font was used first)
    the reused code must still name this document's font, or the text would
    come out in the wrong glyphs."""
    seed = "说明一二三四姓名年龄"
    width = styles.frame_width()

    def flow():
        return [para("说明一二三", "body"), grid_table(["姓名", "年龄"], [["", ""]], [width / 2] * 2)]

    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    build(first, flow(), seed)

    class HelveticaFirst(CadreDocTemplate):
        def _startBuild(self, *a, **kw):
            super()._startBuild(*a, **kw)
            self.canv.setFont("Helvetica", 9)
            self.canv.drawString(10, 10, "x")  # Helvetica takes the first font name of this document

    HelveticaFirst(str(second), title="测试", subset_seed=seed).build(flow())
    assert b"/F2+0" in second.read_bytes()  # the font has another name there
    for path in (first, second):
        text = "".join(pages_text(path))
        assert "说明一二三" in text and "姓名" in text and "年龄" in text


def test_the_quick_split_of_a_line_gives_reportlabs_codes(tmp_path):
    """``_split`` (characters already coded in the document) gives exactly
    what ReportLab's splitString gives, across subsets, and declines lines
    with a character not coded yet, a no-break space or an empty line."""
    import io
    import random

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen.canvas import Canvas

    from cadre_desk.printing.flowables import _split
    from cadre_desk.printing.fonts import register_font

    font = pdfmetrics.getFont(register_font())
    doc = Canvas(io.BytesIO(), initialFontName=register_font())._doc
    rng = random.Random(7)
    seen = [chr(c) for c in range(0x4E00, 0x4E00 + 600)] + list("0123456789 -（）：，。ABCxyz")
    font.splitString("".join(seen), doc)  # codes in three subsets
    state = font._assignState(doc)
    assert len(state.subsets) >= 3
    for _ in range(500):
        line = "".join(rng.choice(seen) for _ in range(rng.randint(1, 30)))
        assert _split(line, state) == font.splitString(line, doc)
    for line in ("新字" + chr(0x9F00), "甲\u00a0乙", ""):
        assert _split(line, state) is None
