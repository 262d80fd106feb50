"""The layout of the employment assistance handbook (就业帮扶手册), one per
household (shared/domain.md §7): ``story`` turns a household's
``HandbookData`` into flowables: cover, 说明, household situation, members,
cadre, per working-age member the survey, recommended openings, training and
route to employment, the policies the household can use, the visit record,
measures and results with signatures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from reportlab.platypus import NextPageTemplate, PageBreak, Spacer

from ..domain import ABLE_LABOUR, EMPLOYED, INCOME_PARTS, income_summary
from ..domain import amount as yuan
from ..idnumber import mask_id
from . import styles
from .flowables import SectionStart, blank_rows, form_lines, grid_table, heading, para, signature_block
from .handbook_data import HandbookData, MemberPage, month_text

TITLE = "就业帮扶手册"

INSTRUCTIONS = [
    "本手册是{households}就业帮扶工作的记录，一户一册，由帮扶责任人填写，户主签字确认，请妥善保管，不要涂改。",
    "手册中的家庭、成员、调查和帮扶信息根据{date}登记的数据打印；为保护个人信息，身份证号码只显示前6位和后4位。",
    "对劳动年龄内（{age_min}周岁至未满{age_max}周岁）的家庭成员，手册列出就业调查结果、推荐的就业岗位及结果、"
    "参加培训情况和就业去向。",
    "“可享受的就业帮扶政策”根据家庭成员的情况列出，具体标准以县人社部门当年文件为准；有疑问请拨打所列电话咨询。",
    "帮扶责任人每次走访应在“走访记录”中填写日期、走访内容和解决的问题，并由帮扶责任人和户主（或家庭成员）签字。",
    "家庭人员、健康、就业等情况发生变化时，请及时告知帮扶责任人，以便更新登记信息、落实帮扶措施。",
]


# ---------------------------------------------------------------- formatting helpers

_CN_DIGITS = "〇一二三四五六七八九"


def year_in_chinese(year: int) -> str:
    return "".join(_CN_DIGITS[int(d)] for d in str(year)) + "年"


def cn_date(value: str | None) -> str:
    if not value:
        return ""
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.year}年{day.month}月{day.day}日"


def health_text(m: Mapping[str, Any]) -> str:
    text = "、".join(m.get("health") or [])
    if "残疾" in (m.get("health") or []):
        detail = "".join(x for x in (m.get("disability_category"), m.get("disability_grade")) if x)
        if detail:
            text = text.replace("残疾", f"残疾（{detail}）")
    return text


def _chapter_numbers():
    return iter("一二三四五六七八九十")


# ---------------------------------------------------------------- the layout

def story(d: HandbookData, *, outline_title: str | None = None) -> list:
    """The flowables of one handbook, starting on a fresh cover page."""
    width = styles.frame_width()
    county = d.place.get("county", "")
    flow: list = [
        SectionStart(header_left=f"{county} · {TITLE}", header_right=f"户编号：{d.number}    户主：{d.head_name}",
                     outline_title=outline_title),
    ]
    flow += _cover(d, width)
    flow += [NextPageTemplate("body"), PageBreak()]
    chapters = _chapter_numbers()
    flow += _instructions(d, next(chapters))
    flow += _situation(d, width, next(chapters))
    flow += _members(d, next(chapters))
    flow += _cadres(d, width, next(chapters))
    flow += _working_age(d, width, next(chapters))
    flow += _policies(d, width, next(chapters))
    flow += _visits(d, width, next(chapters))
    flow += _measures(d, width, next(chapters))
    return flow


def _cover(d: HandbookData, width: float) -> list:
    p = d.place
    cadre = d.cadres[0]["name"] if d.cadres and not d.cadres[0].get("until") else ""
    fields = [("县（市）", p.get("county", "")), ("乡（镇）", p.get("town", "")), ("行政村", p.get("village", "")),
              ("户编号", d.number), ("户主姓名", d.head_name), ("帮扶责任人", cadre)]
    label_w, value_w = 90, 220
    rows = [[label + "：", value] for label, value in fields]
    info = form_lines(rows, [label_w, value_w], size=styles.LAYOUT["styles"]["cover_field"]["size"], height=34,
                      align=["RIGHT", "CENTER"], underline=1, underline_width=0.7, h_align="CENTER")
    return [
        Spacer(width, 70),
        para(d.household.get("household_type") or d.households_term, "cover_subtitle"),
        Spacer(width, 10),
        para("就 业 帮 扶 手 册", "cover_title"),
        Spacer(width, 8),
        para(f"（{d.as_of.year}年度）", "cover_subtitle"),
        Spacer(width, 70),
        info,
        Spacer(width, 150),
        para(d.issuer, "cover_issuer"),
        para(year_in_chinese(d.as_of.year), "cover_issuer"),
    ]


def _instructions(d: HandbookData, no: str) -> list:
    flow = heading(f"{no}、说明", "h1", outline_level=0)
    for i, text in enumerate(INSTRUCTIONS, start=1):
        text = text.format(date=cn_date(d.as_of.isoformat()), age_min=d.age_min, age_max=d.age_max,
                           households=d.households_term)
        flow.append(para(f"{i}. {text}", "body"))
    return flow


def _situation(d: HandbookData, width: float, no: str) -> list:
    hh, p, lab = d.household, d.place, d.household_labels
    address = "".join(x for x in (p.get("county"), p.get("town"), p.get("village"), hh.get("group_name")) if x)
    causes = "、".join(hh.get("other_causes") or [])
    w = [width * 0.17, width * 0.33, width * 0.17, width * 0.33]
    rows = [
        [lab["head_name"], d.head_name, lab["number"], d.number],
        [lab["size"], _int_text(hh.get("size") or len(d.members)), lab["phone"], hh.get("phone") or ""],
        ["家庭住址", address, "", ""],
        [lab["attribute"], hh.get("attribute") or "", lab["poverty_status"], hh.get("poverty_status") or ""],
        [lab["main_cause"], hh.get("main_cause") or "", lab["other_causes"], causes],
    ]
    t = grid_table(None, rows, w, label_columns=(0, 2), spans={2: (1, 3)})
    income = [(lab[k], yuan(hh.get(k))) for k in (*INCOME_PARTS, "business_expense")]
    net, per_head = net_income(hh, len(d.members))
    income += [("家庭纯收入", yuan(net)), ("人均纯收入", yuan(per_head))]
    iw = [width / 4] * 4
    irows = [[income[i][0], income[i][1], *(income[i + 1] if i + 1 < len(income) else ("", ""))]
             for i in range(0, len(income), 2)]
    it = grid_table(None, irows, iw, label_columns=(0, 2), align={1: "RIGHT", 3: "RIGHT"})
    flow = [*heading(f"{no}、家庭基本情况", "h1", room=200, outline_level=0), t]
    if d.monitoring:
        flow += _monitoring(d, width)
    return flow + [*heading("上年度家庭收入（元）", "h3"), it]


def _monitoring(d: HandbookData, width: float) -> list:
    """防止返贫监测信息: category, dates, risks, cleared or not."""
    pairs = list(d.monitoring)
    risks = pairs.pop() if pairs and pairs[-1][0] == "致贫/返贫风险" else None
    w = [width * 0.17, width * 0.33, width * 0.17, width * 0.33]
    rows = [[pairs[j][0], pairs[j][1], *(pairs[j + 1] if j + 1 < len(pairs) else ("", ""))]
            for j in range(0, len(pairs), 2)]
    spans = {}
    if risks is not None:
        spans[len(rows)] = (1, 3)
        rows.append([risks[0], risks[1], "", ""])
    return [*heading("防止返贫监测信息", "h3", room=120),
            grid_table(None, rows, w, label_columns=(0, 2), spans=spans)]


def _int_text(v: Any) -> str:
    return "" if v in (None, "") else str(int(v))


def net_income(hh: Mapping[str, Any], people: int) -> tuple[float | None, float | None]:
    """(纯收入, 人均纯收入) of ``domain.income_summary``."""
    s = income_summary(hh, people)
    return s.net_income, s.per_capita


def _members(d: HandbookData, no: str) -> list:
    lab = d.member_labels
    header = [lab["relation"], lab["name"], "身份证号码", "性别", "年龄", lab["education"], lab["health"],
              lab["labour_ability"], lab["skills"], lab["job_intention"], lab["employment_status"]]
    widths = styles.scaled_widths(styles.LAYOUT["handbook"]["members_columns"])
    rows = []
    for m in d.members:
        age = d.ages.get(m["id"])
        education = m.get("education") or m.get("school_status") or ""
        if m.get("school_status") and m.get("school_status") != "非在校生":
            education = f"在校（{m['school_status']}）"
        relation = m.get("relation") or ""
        if m.get("left_on") and str(m["left_on"]) <= d.as_of.isoformat():
            relation += f"（{m.get('left_reason') or '离开'} {m['left_on']}）"  # on record, not counted
        rows.append([relation, m.get("name") or "", mask_id(m.get("id_number") or ""),
                     m.get("sex") or "", "" if age is None else str(age), education, health_text(m),
                     m.get("labour_ability") or "", "、".join(m.get("skills") or []),
                     m.get("job_intention") or "", m.get("employment_status") or ""])
    t = grid_table(header, rows, widths, style_name="cell_small", header_style="cell_small_center",
                   align={3: "CENTER", 4: "CENTER"})
    return [*heading(f"{no}、家庭成员情况", "h1", room=140, outline_level=0), t,
            Spacer(1, 4), para(f"{_people_line(d)}；年龄计算至{cn_date(d.as_of.isoformat())}。", "note"),
            *_spells(d)]


SPELL_HEADER = ["姓名", "开始时间", "结束时间", "务工所在地", "就业渠道", "务工企业名称", "月收入（元）", "点对点输送"]


def _spells(d: HandbookData) -> list:
    """The members' work spells (务工情况), one row each, oldest first; two
    blank rows to fill in by hand when none is recorded."""
    hb = styles.LAYOUT["handbook"]
    names = {m["id"]: m.get("name") or "" for m in d.members}
    rows = [[names.get(s["member_id"], ""), month_text(s.get("start_month")),
             month_text(s.get("end_month")) if s.get("end_month") else "至今",
             s.get("place") or "", s.get("channel") or "", s.get("employer") or "",
             yuan(s.get("monthly_income")) if s.get("monthly_income") not in (None, "") else "",
             "" if s.get("point_to_point") is None else ("是" if s.get("point_to_point") else "否")]
            for s in d.spells]
    widths = styles.scaled_widths(hb["spell_columns"])
    blank = hb["spell_blank_rows"]
    table = grid_table(SPELL_HEADER, rows or blank_rows(blank, len(SPELL_HEADER)), widths, style_name="cell_small",
                       header_style="cell_small_center", align={1: "CENTER", 2: "CENTER", 6: "RIGHT", 7: "CENTER"},
                       row_heights=None if rows else [None] + [hb["blank_row_height"]] * blank)
    return [*heading("成员务工情况", "h3", room=90), table]


def _people_line(d: HandbookData) -> str:
    left = [m for m in d.members if m.get("left_on") and str(m["left_on"]) <= d.as_of.isoformat()]
    return f"共 {len(d.members) - len(left)} 人" + (f"（另有 {len(left)} 人已离开本户，仅作记录）" if left else "")


def _cadres(d: HandbookData, width: float, no: str) -> list:
    header = ["", "姓名", "工作单位", "级别", "联系电话", "帮扶时间"]
    w = [width * x for x in (0.08, 0.12, 0.34, 0.09, 0.15, 0.22)]
    rows = []
    for c in d.cadres:
        current = not c.get("until")
        span = f"{cn_date(c.get('since'))}起" if current else f"{cn_date(c.get('since'))}至{cn_date(c.get('until'))}"
        rows.append(["现任" if current else "原任", c.get("name") or "", c.get("unit") or "", c.get("level") or "",
                     c.get("phone") or "", span])
    if not rows:
        rows = blank_rows(1, len(header))
    t = grid_table(header, rows, w, align={0: "CENTER"})
    return [*heading(f"{no}、帮扶责任人", "h1", room=110, outline_level=0), t]


def _working_age(d: HandbookData, width: float, no: str) -> list:
    flow: list = heading(f"{no}、劳动年龄内成员就业帮扶情况", "h1", room=240, outline_level=0)
    if not d.working_age:
        flow.append(para(f"本户没有劳动年龄内（{d.age_min}周岁至未满{d.age_max}周岁）的成员。", "plain"))
        return flow
    hb = styles.LAYOUT["handbook"]
    for i, page in enumerate(d.working_age, start=1):
        m = page.member
        flow += heading(f"（{_cn_count(i)}）{m.get('name', '')}（{m.get('relation') or ''}，{page.age}岁）",
                        "h2", room=220, outline_level=1)
        flow += heading("1. 就业调查情况", "h3")
        pairs = page.survey
        w = [width * 0.18, width * 0.32, width * 0.18, width * 0.32]
        rows = [[pairs[j][0], pairs[j][1], *(pairs[j + 1] if j + 1 < len(pairs) else ("", ""))]
                for j in range(0, len(pairs), 2)]
        flow.append(grid_table(None, rows, w, label_columns=(0, 2)))
        flow += heading("2. 推荐岗位及结果", "h3", room=100)
        header = ["推荐日期", "岗位", "用人单位", "工作地点", "薪酬", "结果"]
        ow = [width * x for x in (0.15, 0.2, 0.22, 0.15, 0.12, 0.16)]
        orows = [[cn_date(o.get("recommended_on")), o.get("opening") or "", o.get("enterprise") or "",
                  o.get("location") or "", _pay(o), _outcome(o)] for o in page.offers]
        flow.append(grid_table(header, orows or blank_rows(hb["offer_blank_rows"], 6), ow,
                               row_heights=None if orows else [None] + [hb["blank_row_height"]] * hb[
                                   "offer_blank_rows"]))
        flow += heading("3. 参加培训情况", "h3", room=90)
        th = ["培训项目", "开始日期", "结束日期", "是否结业", "取得证书"]
        tw = [width * x for x in (0.34, 0.16, 0.16, 0.12, 0.22)]
        trows = [[t.get("title") or "", cn_date(t.get("start_date")), cn_date(t.get("end_date")),
                  "是" if t.get("completed") else "否", t.get("certificate") or ""] for t in page.training]
        flow.append(grid_table(th, trows or blank_rows(hb["training_blank_rows"], 5), tw,
                               row_heights=None if trows else [None] + [hb["blank_row_height"]] * hb[
                                   "training_blank_rows"]))
        flow += heading("4. 就业去向", "h3", room=50)
        flow.append(para(_route(m, page, d.member_labels), "plain"))
    return flow


def _cn_count(i: int) -> str:
    digits = "零一二三四五六七八九"
    if i <= 10:
        return "十" if i == 10 else digits[i]
    if i < 20:
        return "十" + digits[i - 10]
    return str(i)


def _pay(o: Mapping[str, Any]) -> str:
    if o.get("pay") in (None, ""):
        return ""
    return f"{yuan(o['pay'])}{o.get('pay_unit') or '元/月'}"


def _outcome(o: Mapping[str, Any]) -> str:
    parts = [o.get("status") or "", o.get("status_reason") or ""]
    text = "：".join(p for p in parts if p)
    if o.get("status_on"):
        text += f"（{cn_date(o['status_on'])}）"
    return text


def _route(m: Mapping[str, Any], page: MemberPage, lab: Mapping[str, str]) -> str:
    if m.get("employment_status") == "已就业":
        bits = [f"{lab['employment_status']}：已就业"]
        for key in ("employment_channel", "employer", "monthly_income", "people_employed"):
            if m.get(key) not in (None, ""):
                bits.append(f"{lab[key]}：{m[key]}")
    else:
        bits = [f"{lab['employment_status']}：{m.get('employment_status') or '未填写'}"]
        if m.get("job_intention"):
            bits.append(f"{lab['job_intention']}：{m['job_intention']}")
    for x in page.other_measures:
        what = "".join(v for v in (x.get("title"), f"（{x['business']}）" if x.get("business") else "") if v)
        bits.append(f"帮扶措施：{x['kind']}{'，' + what if what else ''}")
    return "；".join(bits) + "。"


def _policies(d: HandbookData, width: float, no: str) -> list:
    flow: list = heading(f"{no}、可享受的就业帮扶政策", "h1", room=160, outline_level=0)
    if not d.policies:
        flow.append(para("根据目前登记的家庭成员情况，暂未匹配到适用的就业帮扶政策。情况有变化时，请联系帮扶责任人。",
                         "plain"))
        return flow
    if any(p.is_sample for p, _ in d.policies):
        flow.append(para("标注【样本】的政策为样本文本，仅作示例，不是正式文件，具体以县人社部门公布的政策为准。", "sample_mark"))
    w = [width * 0.16, width * 0.84]
    for i, (p, names) in enumerate(d.policies, start=1):
        title = f"{i}. {p.title}"
        if p.doc_number:
            title += f"（{p.doc_number}）"
        if p.is_sample:
            title += "【样本】"
        flow += heading(title, "h3", room=110)
        rows = [["适用成员", "、".join(names)], ["享受标准", p.benefit], ["申请流程", " → ".join(p.procedure_steps)],
                ["咨询电话", p.phone]]
        flow.append(grid_table(None, [r for r in rows if r[1]], w, label_columns=(0,)))
    return flow


def _visits(d: HandbookData, width: float, no: str) -> list:
    hb = styles.LAYOUT["handbook"]
    # The signature columns stay empty even for recorded visits: they are signed by hand.
    header = ["走访日期", "走访人", "走访内容", "解决的问题", "帮扶责任人签字", "户主签字"]
    w = [width * x for x in (0.14, 0.1, 0.27, 0.21, 0.15, 0.13)]
    rows = [[cn_date(v.get("visit_date")), v.get("cadre_name") or "", v.get("content") or "",
             v.get("problems_solved") or "", "", ""] for v in d.visits]
    blank = hb["visit_blank_rows"]
    rows += blank_rows(blank, len(header))
    heights = [None] * (1 + len(d.visits)) + [hb["blank_row_height"]] * blank
    # Keep a short record on one page rather than leave a lone row for the next.
    room = min(60 + hb["blank_row_height"] * blank + 32 * (1 + len(d.visits)), 520)
    return [*heading(f"{no}、走访记录", "h1", room=room, outline_level=0),
            grid_table(header, rows, w, row_heights=heights)]


def _measures(d: HandbookData, width: float, no: str) -> list:
    hb = styles.LAYOUT["handbook"]
    names = {m["id"]: m.get("name") or "" for m in d.members}
    header = ["成员", "措施类别", "措施内容", "时间", "成效"]
    w = [width * x for x in (0.12, 0.14, 0.32, 0.2, 0.22)]
    rows = []
    for x in d.measures:
        when = cn_date(x.get("start_date")) + (f"至{cn_date(x.get('end_date'))}" if x.get("end_date") else "")
        result = "已完成" if x.get("completed") else ""
        if x.get("people_employed"):
            result += f"带动就业{x['people_employed']}人"
        if x.get("note"):
            result = "；".join(v for v in (result, x["note"]) if v)
        rows.append([names.get(x.get("member_id"), "全户"), x.get("kind") or "",
                     "".join(v for v in (x.get("title") or "", f"（{x['business']}）" if x.get("business") else "")),
                     when, result])
    blank = hb["measure_blank_rows"]
    rows += blank_rows(blank, len(header))
    heights = [None] * (1 + len(d.measures)) + [hb["blank_row_height"]] * blank
    capable = [p for p in d.working_age if p.member.get("labour_ability") in ABLE_LABOUR]
    employed = [p for p in capable if p.member.get("employment_status") == EMPLOYED]
    _, per_head = net_income(d.household, len(d.members))
    result = (f"本户劳动年龄内有劳动能力的成员 {len(capable)} 人，已实现就业 {len(employed)} 人"
              + (f"；上年度人均纯收入 {yuan(per_head)} 元。" if per_head is not None else "。"))
    return [
        *heading(f"{no}、帮扶措施和帮扶成效", "h1", room=200, outline_level=0),
        grid_table(header, rows, w, row_heights=heights),
        *heading("帮扶成效", "h3", room=150),
        para(result, "plain"),
        Spacer(1, 6),
        para("以上帮扶措施和成效属实。", "plain"),
        signature_block(["户主", "帮扶责任人"], width),
    ]
