"""Public notice lists (公示名单) of a subsidy: who got 公益性岗位补贴,
一次性交通补助 or 雨露计划 in a year, to post in the village or the town.

A notice shows what a notice board in a county of Shandong shows: the title
(scope, year, subsidy), a paragraph saying what is published and how to object,
the notice period, a table of 乡镇, 行政村, 姓名, 户编号 (middle digits hidden
unless asked), what the subsidy was for (the post, the place of work, the
school year), the period and the amount with a total, the publishing office
and the date. It never shows an ID number, phone number, bank account or
anything about health (domain.md §11): those columns are not even read.

The list is made from the subsidy payments (``subsidies``) of the kind paid in
the year, one row per person (amounts added up, the period from the first to
the last month paid); older spellings of the kinds are read as the same kind.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import places
from .errors import CadreDeskError
from .storage import Store

PUBLIC_WELFARE, TRANSPORT, YULU = "公益性岗位补贴", "一次性交通补助", "雨露计划"
KINDS = (PUBLIC_WELFARE, TRANSPORT, YULU)
# Subsidy kinds as recorded (2020 and province spellings) that belong to each notice kind.
RECORDED_AS = {
    PUBLIC_WELFARE: ("公益性岗位补贴", "乡村公益性岗位补贴", "扶贫公益性岗位补贴"),
    TRANSPORT: ("一次性交通补助", "一次性交通补贴", "交通补贴", "交通补助", "外出务工交通补贴"),
    YULU: ("雨露计划", "雨露计划补助", "雨露计划补贴", "雨露计划助学补助"),
}
# The policy kinds of the compilation whose 咨询电话 serves as the notice's phone.
POLICY_KINDS = {PUBLIC_WELFARE: ("公益性岗位", "乡村公益性岗位"), TRANSPORT: ("交通补贴", "一次性交通补助"),
                YULU: ("雨露计划",)}
DETAIL_HEADER = {PUBLIC_WELFARE: "岗位", TRANSPORT: "务工地点", YULU: "就读年级"}
DEFAULT_DAYS = 7


@dataclass
class NoticeRow:
    no: int
    town: str
    village: str
    name: str
    household_number: str
    detail: str
    period: str
    amount: float


@dataclass
class Notice:
    kind: str  # one of KINDS
    title_kind: str  # as printed (the county's terms: 乡村公益性岗位补贴 …)
    year: int
    scope: str  # 临清市烟店镇李庄村
    rows: list[NoticeRow]
    start: dt.date
    end: dt.date
    issuer: str
    phone: str
    made_on: dt.date
    masked: bool = True
    intro: str = field(default="")

    @property
    def total(self) -> float:
        return round(sum(r.amount for r in self.rows), 2)

    @property
    def total_text(self) -> str:
        return money(self.total)

    @property
    def title(self) -> str:
        return f"{self.scope}{self.year}年度{self.title_kind}发放名单公示"

    @property
    def detail_header(self) -> str:
        return DETAIL_HEADER[self.kind]


def kind_of(text: str) -> str:
    """The notice kind named by ``text`` (any recorded spelling), or a Chinese error."""
    name = str(text or "").strip()
    for kind, names in RECORDED_AS.items():
        if name == kind or name in names:
            return kind
    raise CadreDeskError(f"没有“{name}”这种公示名单。可选：{'、'.join(KINDS)}")


def money(value: float) -> str:
    return f"{value:,.2f}" if round(value, 2) % 1 else f"{value:,.0f}"


def mask_number(number: str | None) -> str:
    """A household number with its middle hidden behind four stars (the length
    is not shown either): the first 4 and last 3 characters of a long number
    (3715811090010123 → 3715****123), the last 3 of a short one (H00012 → ****012)."""
    text = str(number or "").strip()
    if len(text) <= 4:
        return text
    if len(text) < 9:
        return "****" + text[-3:]
    return text[:4] + "****" + text[-3:]


def cn_day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _period(first: str, last: str, count: int, kind: str) -> str:
    """The months paid within the notice's year (the year is in the title):
    3月, 1月至4月（4个月）."""
    a, b = int(first[5:7]), int(last[5:7])
    text = f"{a}月" if a == b else f"{a}月至{b}月"
    return text + (f"（{count}个月）" if kind == PUBLIC_WELFARE and count > 1 else "")


def _term(store: Store, key: str, default: str) -> str:
    try:
        from . import terms
    except ImportError:  # the county's terms (issue 14 §1) not in this build
        return default
    try:
        return terms.term(store, key)
    except Exception:  # an unknown key: the plain name
        return default


def _printed_kind(store: Store, kind: str) -> str:
    if kind == PUBLIC_WELFARE:
        return _term(store, "public_welfare_post", "公益性岗位") + "补贴"
    return kind


def _default_issuer(store: Store, town: str | None, village: str | None, village_rows: list[dict]) -> str:
    """Who publishes: a village's notice its 村民委员会, a town's its 人民政府,
    the county's the printing office (setting print_issuer)."""
    if village and village_rows:
        return f"{village_rows[0]['town_name']}{village_rows[0]['name']}村民委员会"
    if town:
        found = places.town_by_name(store, town)
        return f"{found['name'] if found else town}人民政府"
    from .printing.handbook import issuer_of

    return issuer_of(store, places.county(store)["name"])


def _default_phone(store: Store, kind: str) -> str:
    from .policies import list_policies

    for p in list_policies(store):
        if p.kind in POLICY_KINDS[kind] and p.phone:
            return p.phone
    return ""


def collect(store: Store, kind: str, year: int, *, town: str | None = None, village: str | None = None,
            start: dt.date | None = None, days: int = DEFAULT_DAYS, issuer: str | None = None,
            phone: str | None = None, mask_numbers: bool = True) -> Notice:
    """The notice of ``kind`` for the payments made in ``year`` within the
    county, a town or a village (names as for stats)."""
    kind = kind_of(kind)
    year = int(year)
    from .stats import _scope as stats_scope

    where, scope_params, info = stats_scope(store, town, village)
    village_rows = places.find_villages(store, town=town, village=village) if village else []
    scope = places.county(store)["name"] + (info["town"] or "") + (info["village"] or "")
    names = RECORDED_AS[kind]
    # One row per person (or per household for a payment to the household).
    # Only these columns are read: no ID number, phone, bank account or health.
    sql = (
        "SELECT coalesce(s.member_id, 'h:' || h.id) AS who, t.name AS town, v.name AS village, "
        "  coalesce(m.name, h.head_name) AS name, h.number AS household_number, "
        "  min(s.paid_on) AS first_paid, max(s.paid_on) AS last_paid, count(*) AS payments, "
        "  count(DISTINCT substr(s.paid_on, 1, 7)) AS months, sum(s.amount_yuan) AS amount, "
        "  s.member_id, m.school_status, t.code AS town_code, v.code AS village_code "
        "FROM subsidies s "
        "LEFT JOIN members m ON m.id = s.member_id "
        "JOIN households h ON h.id = coalesce(s.household_id, m.household_id) "
        "LEFT JOIN villages v ON v.id = h.village_id LEFT JOIN towns t ON t.id = v.town_id "
        f"WHERE s.deleted = 0 AND s.kind IN ({', '.join('?' * len(names))}) "
        "  AND s.paid_on >= ? AND s.paid_on <= ? AND h.deleted = 0 AND (m.id IS NULL OR m.deleted = 0) "
        f"  AND ({where}) "
        "GROUP BY who ORDER BY t.code, v.code, h.number, name")
    found = store.rows(sql, [*names, f"{year}-01-01", f"{year}-12-31", *scope_params])
    details = _details(store, kind, year, [r["member_id"] for r in found if r["member_id"]])
    rows = []
    for i, r in enumerate(found, start=1):
        detail = details.get(r["member_id"], "")
        if kind == YULU and not detail:
            detail = r.get("school_status") or ""
        rows.append(NoticeRow(
            no=i, town=r["town"] or "", village=r["village"] or "", name=r["name"] or "",
            household_number=mask_number(r["household_number"]) if mask_numbers else (r["household_number"] or ""),
            detail=detail, period=_period(r["first_paid"], r["last_paid"], r["months"], kind),
            amount=round(float(r["amount"] or 0), 2)))
    start = start or dt.date.today()
    end = start + dt.timedelta(days=max(1, int(days)) - 1)
    who = issuer or _default_issuer(store, town, village, village_rows)
    tel = phone if phone is not None else _default_phone(store, kind)
    title_kind = _printed_kind(store, kind)
    intro = (f"根据{title_kind}有关政策规定，经本人申请、村级初审、乡镇审核、县级审定，现将{scope}{year}年度"
             f"{title_kind}发放人员名单予以公示（共 {len(rows)} 人，合计 {money(sum(r.amount for r in rows))} 元）。"
             f"公示期为{cn_day(start)}至{cn_day(end)}。公示期间，如对名单有异议，请以书面或电话形式向{who}反映，"
             "反映情况须实事求是，并提供联系方式，以便调查核实。")
    return Notice(kind=kind, title_kind=title_kind, year=year, scope=scope, rows=rows, start=start, end=end,
                  issuer=who, phone=tel, made_on=start, masked=mask_numbers, intro=intro)


def _details(store: Store, kind: str, year: int, member_ids: list[str]) -> dict[str, str]:
    """What each person's subsidy was for: the public-welfare post, or the place
    of the work spell of the year (latest started), or the measure's title."""
    if not member_ids:
        return {}
    out: dict[str, str] = {}
    for i in range(0, len(member_ids), 500):
        chunk = member_ids[i:i + 500]
        marks = ", ".join("?" * len(chunk))
        if kind == PUBLIC_WELFARE:
            sql = (f"SELECT member_id, title, max(coalesce(start_date, '')) FROM measures WHERE deleted = 0 "
                   f"AND kind IN ('公益性岗位', '乡村公益性岗位') AND member_id IN ({marks}) "
                   "AND coalesce(start_date, '') <= ? GROUP BY member_id")
            params = [*chunk, f"{year}-12-31"]
        elif kind == TRANSPORT:
            # the measure the payment came with names the spell's place (jobs.measures.add_transport_subsidy);
            # a payment recorded alone: the place of the person's latest spell that year
            sql = (f"SELECT member_id, title, max(coalesce(start_date, '')) FROM measures WHERE deleted = 0 "
                   f"AND kind = '一次性交通补助' AND member_id IN ({marks}) AND substr(start_date, 1, 4) = ? "
                   "GROUP BY member_id")
            params = [*chunk, str(year)]
            if _has_table(store, "work_spells"):
                for member_id, text, _ in store.db.execute(
                        f"SELECT member_id, place, max(start_month) FROM work_spells WHERE deleted = 0 "
                        f"AND member_id IN ({marks}) AND start_month <= ? GROUP BY member_id",
                        [*chunk, f"{year}-12"]):
                    if text:
                        out[member_id] = _short_place(text)
        else:
            sql = (f"SELECT member_id, title, max(coalesce(start_date, '')) FROM measures WHERE deleted = 0 "
                   f"AND kind = '雨露计划' AND member_id IN ({marks}) AND substr(start_date, 1, 4) = ? "
                   "GROUP BY member_id")
            params = [*chunk, str(year)]
        for member_id, text, _ in store.db.execute(sql, params):
            if text and text not in KINDS:  # a measure titled by its kind says nothing more
                out[member_id] = _short_place(text) if kind == TRANSPORT else str(text)
    return out


def _short_place(text: str) -> str:
    return re.sub(r"\s+", "", str(text))


def _has_table(store: Store, name: str) -> bool:
    return bool(store.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]).fetchone())


# ---------------------------------------------------------------- PDF

HEADERS = ("序号", "乡镇（街道）", "行政村", "姓名", "户编号", None, "发放月份", "金额（元）")


def _headers(n: Notice) -> list[str]:
    return [h if h is not None else n.detail_header for h in HEADERS]


def _cells(r: NoticeRow) -> list[str]:
    return [str(r.no), r.town, r.village, r.name, r.household_number, r.detail, r.period, money(r.amount)]


def story(n: Notice) -> list:
    from reportlab.platypus import Spacer

    from .printing import styles
    from .printing.flowables import SectionStart, grid_table, para

    width = styles.frame_width()
    widths = styles.scaled_widths([26, 52, 52, 40, 64, 76, 84, 50])
    rows = [_cells(r) for r in n.rows]
    rows.append(["合计", "", "", f"{len(n.rows)}人", "", "", "", money(n.total)])
    flow: list = [
        SectionStart(),
        para(n.title, "section_title"),
        Spacer(width, 4),
        para(n.intro, "body"),
        para(f"监督电话：{n.phone}" if n.phone else "监督电话：________________", "body"),
        Spacer(width, 8),
    ]
    if n.rows:
        flow.append(grid_table(_headers(n), rows, widths, style_name="cell", header_style="cell_center",
                               align={0: "CENTER", 3: "CENTER", 7: "RIGHT"}, spans={len(rows) - 1: (0, 2)}))
    else:
        flow.append(para(f"{n.year}年度没有{n.title_kind}的发放记录。", "plain"))
    flow += [
        Spacer(width, 6),
        para("注：为保护个人信息，本名单不列身份证号码、联系电话、银行账号和健康状况"
             + ("，户编号隐去中间几位" if n.masked else "") + "。", "note"),
        Spacer(width, 24),
        para(n.issuer, "sign_right"),
        para(cn_day(n.made_on), "sign_right"),
    ]
    return flow


def write_pdf(n: Notice, path: Path) -> int:
    """Write the notice as a PDF (A4, page numbers at the foot); returns the page count."""
    from .printing.document import CadreDocTemplate
    from .safe_write import replacing

    path = Path(path)
    with replacing(path) as tmp:  # no partial PDF after a full disk or a crash
        doc = CadreDocTemplate(str(tmp), title=n.title, subject="公示名单")
        doc.build(story(n))
    return doc.page


# ---------------------------------------------------------------- Excel

def write_xlsx(n: Notice, path: Path) -> None:
    """The same notice as a workbook: title, the text, the table with its total,
    the office and date; A4 portrait on one page width, the table's header on
    every printed page."""
    from .xlsx import close_workbook, open_workbook, text_width

    path = Path(path)
    wb = open_workbook(path)
    f_title = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    f_text = wb.add_format({"text_wrap": True, "valign": "top", "font_size": 11})
    f_head = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1, "text_wrap": True,
                            "bg_color": "#DDEBF7"})
    f_cell = wb.add_format({"border": 1, "valign": "vcenter"})
    f_center = wb.add_format({"border": 1, "align": "center", "valign": "vcenter"})
    f_num = wb.add_format({"border": 1, "num_format": "#,##0.00", "valign": "vcenter"})
    f_total = wb.add_format({"border": 1, "bold": True, "align": "center"})
    f_total_num = wb.add_format({"border": 1, "bold": True, "num_format": "#,##0.00"})
    f_note = wb.add_format({"font_size": 9, "text_wrap": True})
    f_right = wb.add_format({"align": "right"})
    ws = wb.add_worksheet("公示名单")
    headers = _headers(n)
    last = len(headers) - 1
    widths = [text_width(h) + 2 for h in headers]
    for r in n.rows:
        for i, v in enumerate(_cells(r)):
            widths[i] = max(widths[i], text_width(v) + 2)
    for i, w in enumerate(widths):
        ws.set_column(i, i, min(max(w, 6), 30))
    ws.merge_range(0, 0, 0, last, n.title, f_title)
    ws.set_row(0, 32)
    ws.merge_range(1, 0, 1, last, n.intro, f_text)
    usable = max(20, sum(min(max(w, 6), 30) for w in widths) - 2)
    ws.set_row(1, 16 * (text_width(n.intro) // usable + 1) + 4)
    ws.merge_range(2, 0, 2, last, f"监督电话：{n.phone}" if n.phone else "监督电话：", f_text)
    head_row = 3
    ws.write_row(head_row, 0, headers, f_head)
    ws.set_row(head_row, 22)
    row = head_row + 1
    for r in n.rows:
        ws.write_number(row, 0, r.no, f_center)
        for col, value in ((1, r.town), (2, r.village), (4, r.household_number), (5, r.detail), (6, r.period)):
            ws.write_string(row, col, value, f_cell)
        ws.write_string(row, 3, r.name, f_center)
        ws.write_number(row, 7, r.amount, f_num)
        row += 1
    if n.rows:
        ws.merge_range(row, 0, row, 2, "合计", f_total)
        ws.write_string(row, 3, f"{len(n.rows)}人", f_total)
        for col in (4, 5, 6):
            ws.write_blank(row, col, None, f_total)
        ws.write_number(row, 7, n.total, f_total_num)
        row += 1
    else:
        ws.merge_range(row, 0, row, last, f"{n.year}年度没有{n.title_kind}的发放记录。", f_cell)
        row += 1
    ws.merge_range(row, 0, row, last, "注：为保护个人信息，本名单不列身份证号码、联系电话、银行账号和健康状况"
                   + ("，户编号隐去中间几位" if n.masked else "") + "。", f_note)
    row += 2
    ws.merge_range(row, 0, row, last, n.issuer, f_right)
    ws.merge_range(row + 1, 0, row + 1, last, cn_day(n.made_on), f_right)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.repeat_rows(head_row)
    ws.set_footer("&C第 &P 页，共 &N 页")
    close_workbook(wb, path)


def rows_as_dicts(n: Notice) -> list[dict[str, Any]]:
    return [r.__dict__.copy() for r in n.rows]
