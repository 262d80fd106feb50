"""Layout as data: page size and margins, header and footer, paragraph and
table styles of every printed document, in one place.

``LAYOUT`` is plain data (sizes in points unless the key says ``mm``); the
functions below turn it into ReportLab objects once. Government documents of
this kind are set in one typeface at 五号 (10.5 pt) body size with headings
made by size alone (the bundled font has no bold).
"""

from __future__ import annotations

from functools import cache, lru_cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import TableStyle

from .fonts import register_font

LAYOUT: dict = {
    "page": {"size": "A4", "top_mm": 24, "bottom_mm": 20, "left_mm": 22, "right_mm": 20},
    "header": {"size": 9, "baseline_mm": 14, "rule_width": 0.6},
    "footer": {"size": 9, "baseline_mm": 10},
    "colors": {
        "text": "#000000", "muted": "#444444", "rule": "#000000", "grid": "#000000",
        "header_fill": "#ececec", "label_fill": "#f5f5f5", "accent": "#b0000b",
    },
    "styles": {
        # name: size, leading, alignment, space before/after, first-line indent, colour
        "cover_title": {"size": 34, "leading": 44, "align": "center", "after": 8},
        "cover_subtitle": {"size": 16, "leading": 24, "align": "center", "after": 4},
        "cover_field": {"size": 14, "leading": 20},
        "cover_issuer": {"size": 15, "leading": 24, "align": "center"},
        "cover_note": {"size": 10, "leading": 15, "align": "center", "color": "muted"},
        "h1": {"size": 15, "leading": 22, "before": 10, "after": 6},
        "h2": {"size": 12, "leading": 18, "before": 8, "after": 4},
        "h3": {"size": 10.5, "leading": 16, "before": 6, "after": 3},
        "body": {"size": 10.5, "leading": 17, "align": "justify", "indent": 21},
        "plain": {"size": 10.5, "leading": 16},
        "note": {"size": 9, "leading": 13, "color": "muted"},
        "sample_mark": {"size": 9, "leading": 13, "color": "accent", "align": "center"},
        "cell": {"size": 9, "leading": 12},
        "cell_center": {"size": 9, "leading": 12, "align": "center"},
        "cell_small": {"size": 8, "leading": 10.5},
        "cell_small_center": {"size": 8, "leading": 10.5, "align": "center"},
        "toc_title": {"size": 18, "leading": 28, "align": "center", "after": 12},
        "toc1": {"size": 11, "leading": 20},
        "section_title": {"size": 15, "leading": 22, "align": "center", "before": 4, "after": 8},
        "signature": {"size": 10.5, "leading": 26},
        "sign_right": {"size": 12, "leading": 22, "align": "right"},  # the office under a public notice
    },
    "table": {"padding": 3, "grid_width": 0.5, "outer_width": 0.9},
    "handbook": {
        # relative widths, scaled to the frame: relation, name, ID, sex, age, education,
        # health, labour ability, skills, job intention, employment status
        "members_columns": [34, 40, 86, 24, 24, 40, 46, 48, 46, 46, 46],
        "blank_row_height": 26,
        "visit_blank_rows": 8,
        "measure_blank_rows": 3,
        "offer_blank_rows": 3,
        "training_blank_rows": 2,
        # work spells: name, start, end, place, channel, employer, income, point to point
        "spell_columns": [38, 40, 40, 66, 46, 72, 44, 30],
        "spell_blank_rows": 2,
    },
}

_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}


def page_size() -> tuple[float, float]:
    return A4


def margins() -> dict[str, float]:
    p = LAYOUT["page"]
    return {k: p[f"{k}_mm"] * mm for k in ("top", "bottom", "left", "right")}


def frame_width() -> float:
    m = margins()
    return page_size()[0] - m["left"] - m["right"]


def scaled_widths(relative: list[float]) -> list[float]:
    """Column widths in the given proportions that fill the frame exactly."""
    total = sum(relative)
    return [frame_width() * w / total for w in relative]


@cache
def color(name: str) -> colors.Color:
    return colors.HexColor(LAYOUT["colors"][name])


@lru_cache(maxsize=1)
def paragraph_styles() -> dict[str, ParagraphStyle]:
    font = register_font()
    out = {}
    for name, spec in LAYOUT["styles"].items():
        out[name] = ParagraphStyle(
            name, fontName=font, fontSize=spec["size"], leading=spec["leading"],
            alignment=_ALIGN[spec.get("align", "left")], spaceBefore=spec.get("before", 0),
            spaceAfter=spec.get("after", 0), firstLineIndent=spec.get("indent", 0),
            textColor=color(spec.get("color", "text")),
            # Chinese has no spaces: let lines break between any two characters.
            wordWrap="CJK",
        )
    return out


def style(name: str) -> ParagraphStyle:
    return paragraph_styles()[name]


def table_style(cmds: list) -> TableStyle:
    return TableStyle(cmds)
