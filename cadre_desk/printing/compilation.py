"""The county's policy compilation (政策汇编, shared/domain.md §8): a cover, a
table of contents whose page numbers are right (ReportLab ``multiBuild`` runs
the layout until the entries stop moving), and one section per current
policy, each starting on a new page, with a PDF bookmark.

The title and the sample policies follow the county's terms (``terms.py``):
就业帮扶政策汇编 with 帮扶车间 and 乡村公益性岗位 for the register since 2021,
就业扶贫政策汇编 with 扶贫车间 and 扶贫公益性岗位 for a 2020 register. A
county's own policies are printed as they were imported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportlab.platypus import NextPageTemplate, PageBreak, Spacer
from reportlab.platypus.tableofcontents import TableOfContents

from .. import places, terms
from ..policies import Policy, in_terms, list_policies
from ..storage import Store
from . import styles
from .document import CadreDocTemplate
from .flowables import Heading, SectionStart, grid_table, para
from .handbook_data import issuer_of
from .handbook_layout import year_in_chinese

TITLE = "就业扶贫政策汇编"  # the 2020 terms' title; terms.term(store, "compilation_title") is the county's


def _title(county: str, title: str = TITLE) -> str:
    return f"{county}{title}"


def compilation_title(store: Store) -> str:
    return terms.term(store, "compilation_title")


def story(policies: list[Policy], *, county: str, issuer: str, as_of: dt.date, title: str = TITLE) -> list:
    width = styles.frame_width()
    has_sample = any(p.is_sample for p in policies)
    flow: list = [
        SectionStart(header_left=_title(county, title), header_right=f"{as_of.year}年"),
        Spacer(width, 150),
        para(_title(county, title), "cover_title"),
        Spacer(width, 16),
        para(f"（{as_of.year}年版）", "cover_subtitle"),
        Spacer(width, 40),
        para(f"共收录政策 {len(policies)} 项", "cover_subtitle"),
    ]
    if has_sample:
        flow += [Spacer(width, 24),
                 para("本汇编中标注“样本文本”的政策仅供演示和培训，不是正式文件；\n"
                      "请以县人社部门公布的正式政策替换。", "cover_note")]
    flow += [Spacer(width, 200), para(issuer, "cover_issuer"), para(year_in_chinese(as_of.year), "cover_issuer"),
             NextPageTemplate("body"), PageBreak()]
    # The table style names our font: ReportLab's default would select Helvetica
    # (not embedded) even though no text is drawn with it.
    toc = TableOfContents(levelStyles=[styles.style("toc1")], dotsMinLevel=0, rightColumnWidth=40,
                          tableStyle=styles.table_style([
                              ("FONTNAME", (0, 0), (-1, -1), styles.register_font()),
                              ("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                              ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    flow += [para("目  录", "toc_title"), toc]
    for p in policies:
        flow += [PageBreak()] + section(p, width)
    if not policies:
        flow += [para("目前没有在用的政策。可用 cadre-desk policy import 导入政策文件。", "plain")]
    return flow


def section(p: Policy, width: float) -> list:
    flow: list = [Heading(p.title, "section_title", outline_level=0, in_toc=True)]
    if p.doc_number:
        flow.append(para(p.doc_number, "cover_note"))
    if p.is_sample:
        flow.append(para("【样本文本】此条为示例政策，文号、金额和电话均为示意，不是正式文件。", "sample_mark"))
    flow.append(Spacer(width, 8))
    conditions = "\n".join(f"{i}. {c}" for i, c in enumerate(p.condition_lines, start=1))
    rows = [
        ("政策类别", p.kind), ("发文单位", p.issuer), ("文号", p.doc_number), ("印发日期", p.issued_on_display),
        ("适用对象", p.target), ("享受标准", p.benefit), ("条件和材料", conditions),
        ("办理流程", " → ".join(p.procedure_steps)), ("咨询电话", p.phone),
    ]
    w = [width * 0.18, width * 0.82]
    flow.append(grid_table(None, [r for label, text in rows if text for r in _page_sized_rows(label, text)], w,
                           style_name="plain",
                           label_columns=(0,), top_columns=(0,), padding=(6, 6)))
    return flow


CHUNK_CHARS = 400  # about a third of a page in the table's text column


def _page_sized_rows(label: str, text: str) -> list[list[str]]:
    """A long text (a county's 享受标准 can run to thousands of characters) as
    several rows, each short enough for a page, so the table breaks across
    pages instead of failing with ReportLab's LayoutError; the label stands on
    the first row only."""
    pieces: list[str] = []
    for line in str(text).split("\n"):
        while len(line) > CHUNK_CHARS:
            pieces.append(line[:CHUNK_CHARS])
            line = line[CHUNK_CHARS:]
        pieces.append(line)
    rows, current = [], ""
    for piece in pieces:
        if current and len(current) + len(piece) + 1 > CHUNK_CHARS:
            rows.append(current)
            current = piece
        else:
            current = f"{current}\n{piece}" if current else piece
    rows.append(current)
    return [[label if i == 0 else "", chunk] for i, chunk in enumerate(rows)]


def write_compilation(store: Store, target, *, as_of: dt.date | None = None) -> int:
    """Write the compilation of the current (not retired) policies; returns the page count."""
    as_of = as_of or dt.date.today()
    county = places.county(store)["name"]
    wording = terms.current(store)
    policies = [in_terms(p, wording) for p in list_policies(store)]
    title = compilation_title(store)
    flow = story(policies, county=county, issuer=issuer_of(store, county), as_of=as_of, title=title)
    if isinstance(target, Path):
        from ..safe_write import replacing

        with replacing(target) as tmp:  # no partial PDF after a full disk or a crash
            doc = CadreDocTemplate(str(tmp), title=_title(county, title), subject=title)
            doc.multiBuild(flow)
        return doc.page
    doc = CadreDocTemplate(target, title=_title(county, title), subject=title)
    doc.multiBuild(flow)
    return doc.page
