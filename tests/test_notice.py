"""Public notice lists (公示名单, issue 14 §3): who got a subsidy in a year, as
PDF and Excel; never an ID number, phone, bank account or health."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from cadre_desk import notice, places, register, terms
from cadre_desk.jobs import measures as jm
from helpers_cli import run_cli
from helpers_printing import id_number, pages_text

PHONE = "13905350123"
BANK = "6217001234567890123"


def person(store, village_id, number, name, born, seq, **extra):
    hid, _ = register.save_household(store, {"number": number, "head_name": name, "poverty_status": "已脱贫（享受政策）",
                                             "attribute": "一般贫困户", "main_cause": "因病", "phone": PHONE},
                                     village_id=village_id)
    answers = {"name": name, "id_number": id_number(born, seq), "relation": "户主", "health": ["长期慢性病"],
               "labour_ability": "普通劳动力", "school_status": "非在校生", **extra}
    mid, _ = register.save_member(store, answers, household_id=hid, as_of=dt.date(2024, 1, 1))
    return hid, mid


def make_county(store) -> dict:
    """Four people in three villages with public-welfare posts, a travel grant
    and a 雨露计划 grant paid in 2024 (and payments that are not on its notices)."""
    t = places.town_by_name(store, "烟店镇")
    li = places.ensure_village(store, t["id"], "李庄村")
    wang = places.ensure_village(store, t["id"], "王庄村")
    s = places.town_by_name(store, "松林镇")
    qian = places.ensure_village(store, s["id"], "前进村")
    people = {}
    people["guard"] = person(store, li, "3715811090010001", "孙护林", "19700101", 11)
    people["cleaner"] = person(store, wang, "3715811090020002", "周保洁", "19720202", 12)
    people["worker"] = person(store, qian, "3715811010030003", "吴外出", "19900303", 13)
    people["student"] = person(store, li, "3715811090010004", "郑学生", "20070404", 14, school_status="中职二年级")
    jm.add_public_welfare_post(store, people["guard"][1], post="护林员", start=dt.date(2024, 1, 1), months=12)
    jm.add_public_welfare_post(store, people["cleaner"][1], post="村庄保洁员", start=dt.date(2024, 3, 1), months=6)
    for month in range(1, 5):
        jm.pay_subsidy(store, kind="公益性岗位补贴", amount_yuan=400, paid_on=dt.date(2024, month, 10),
                       member_id=people["guard"][1], paid_to=BANK)
    for month in (3, 4):
        jm.pay_subsidy(store, kind="公益性岗位补贴", amount_yuan=350.5, paid_on=dt.date(2024, month, 10),
                       member_id=people["cleaner"][1])
    # another year and another kind are not on the 2024 notice
    jm.pay_subsidy(store, kind="公益性岗位补贴", amount_yuan=999, paid_on=dt.date(2023, 12, 10),
                   member_id=people["guard"][1])
    jm.pay_subsidy(store, kind="交通补贴", amount_yuan=400, paid_on=dt.date(2024, 5, 6),
                   member_id=people["worker"][1], note=f"银行卡 {BANK}")
    jm.pay_subsidy(store, kind="雨露计划", amount_yuan=1500, paid_on=dt.date(2024, 3, 1),
                   member_id=people["student"][1])
    jm.pay_subsidy(store, kind="雨露计划", amount_yuan=1500, paid_on=dt.date(2024, 9, 1),
                   member_id=people["student"][1])
    from cadre_desk import spells

    spells.save_spells(store, [spells.SpellRow(member_id=people["worker"][1], start_month="2024-02",
                                               place="江苏省苏州市昆山市", channel="企业就业")])
    return people


@pytest.fixture
def county(store):
    return make_county(store)


def ids_and_phones(store) -> list[str]:
    return [r["id_number"] for r in store.rows("SELECT id_number FROM members")] + [PHONE, BANK]


def test_public_welfare_notice_rows(store, county):
    n = notice.collect(store, "公益性岗位补贴", 2024, start=dt.date(2024, 12, 2))
    assert [(r.village, r.name, r.detail, r.period, r.amount) for r in n.rows] == [
        ("李庄村", "孙护林", "护林员", "1月至4月（4个月）", 1600.0),
        ("王庄村", "周保洁", "村庄保洁员", "3月至4月（2个月）", 701.0),
    ]
    assert n.total == 2301.0 and n.total_text == "2,301"
    assert n.rows[0].household_number == "3715****001"
    assert n.end == dt.date(2024, 12, 8)  # seven days
    assert n.title == "临清市2024年度乡村公益性岗位补贴发放名单公示"  # the 2021 terms
    terms.set_terms(store, "2020")
    assert notice.collect(store, "公益性岗位补贴", 2024).title == "临清市2024年度扶贫公益性岗位补贴发放名单公示"


def test_other_kinds_read_older_spellings_and_say_what_for(store, county):
    travel = notice.collect(store, "一次性交通补助", 2024)
    assert [(r.name, r.detail, r.period, r.amount) for r in travel.rows] == [("吴外出", "江苏省苏州市昆山市", "5月", 400.0)]
    yulu = notice.collect(store, "雨露计划", 2024, village="李庄村")
    assert [(r.name, r.detail, r.period, r.amount) for r in yulu.rows] == [("郑学生", "中职二年级", "3月至9月", 3000.0)]
    assert yulu.issuer == "烟店镇李庄村村民委员会"
    assert notice.collect(store, "雨露计划", 2024, town="烟店镇").issuer == "烟店镇人民政府"
    assert notice.collect(store, "雨露计划", 2024).issuer == "临清市人力资源和社会保障局"


def test_scope_full_numbers_and_an_empty_year(store, county):
    n = notice.collect(store, "公益性岗位补贴", 2024, town="烟店镇", village="王庄村", mask_numbers=False)
    assert [(r.name, r.household_number) for r in n.rows] == [("周保洁", "3715811090020002")]
    assert notice.collect(store, "公益性岗位补贴", 2022).rows == []
    with pytest.raises(Exception, match="可选"):
        notice.collect(store, "低保金", 2024)


def test_pdf_shows_the_notice_and_nothing_private(store, county, tmp_path):
    n = notice.collect(store, "公益性岗位补贴", 2024, start=dt.date(2024, 12, 2), phone="0635-2300001")
    path = tmp_path / "公示.pdf"
    assert notice.write_pdf(n, path) == 1
    text = "\n".join(pages_text(path))
    flat = re.sub(r"\s+", "", text)
    for piece in ("临清市2024年度乡村公益性岗位补贴发放名单公示", "公示期为2024年12月2日至2024年12月8日",
                  "监督电话：0635-2300001", "孙护林", "护林员", "1月至4月（4个月）", "1,600", "周保洁", "701",
                  "合计", "2,301", "3715****001", "临清市人力资源和社会保障局", "2024年12月2日", "序号", "乡镇（街道）"):
        assert piece in flat, piece
    for secret in ids_and_phones(store):
        assert secret not in flat
    for word in ("长期慢性病", "慢性病", "3715811090010001"):  # the health answer; the full number
        assert word not in flat


def test_cli_pdf_and_xlsx(store, county, tmp_path):
    from python_calamine import CalamineWorkbook

    db = tmp_path / "county.db"
    store.db.execute(f"VACUUM INTO '{db}'")
    pdf, xlsx = tmp_path / "n.pdf", tmp_path / "n.xlsx"
    rc, out, err = run_cli("--db", str(db), "notice", "--kind", "公益性岗位补贴", "--year", "2024", "-o", str(pdf),
                           "--from", "2024-12-02")
    assert rc == 0, err
    assert "2 人" in out and "2,301" in out and pdf.exists()
    rc, out, err = run_cli("--db", str(db), "notice", "--kind", "交通补贴", "--year", "2024", "-o", str(xlsx))
    assert rc == 0, err
    rows = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_name("公示名单").to_python()
    assert rows[0][0] == "临清市2024年度一次性交通补助发放名单公示"
    assert rows[3] == ["序号", "乡镇（街道）", "行政村", "姓名", "户编号", "务工地点", "发放月份", "金额（元）"]
    assert rows[4][3] == "吴外出" and rows[4][7] == 400 and rows[5][0] == "合计"
    cells = " ".join(str(c) for r in rows for c in r)
    for secret in ids_and_phones(store):
        assert secret not in cells


@pytest.mark.parametrize("argv, words", [
    (["--kind", "低保金", "--year", "2024", "-o", "x.pdf"], "可选"),
    (["--kind", "雨露计划", "--year", "2024", "-o", "x.docx"], ".pdf 或 .xlsx"),
    (["--kind", "雨露计划", "--year", "2024", "-o", "x.pdf", "--format", "xlsx"], "不符"),
    (["--kind", "雨露计划", "--year", "去年", "-o", "x.pdf"], "年份"),
    (["--kind", "雨露计划", "--year", "2024", "-o", "x.pdf", "--from", "12月2日"], "日期"),
    (["--kind", "雨露计划", "--year", "2024", "-o", "x.pdf", "--village", "不存在村"], "不存在村"),
])
def test_cli_bad_input(store, county, tmp_path, argv, words):
    db = tmp_path / "county.db"
    store.db.execute(f"VACUUM INTO '{db}'")
    argv = [str(tmp_path / a) if a.startswith("x.") else a for a in argv]
    rc, out, err = run_cli("--db", str(db), "notice", *argv)
    assert rc == 1 and "Traceback" not in err and err.strip().count("\n") == 0
    assert words in err, err
    assert not list(tmp_path.glob("x.*"))


def test_the_measures_of_the_2021_register_land_on_their_notices(store, county):
    """雨露计划 and 一次性交通补助 recorded the way jobs.measures records them
    (a measure and its payment, by the year's settings)."""
    from cadre_desk import county_settings, spells

    county_settings.set_value(store, "transport_subsidy_tiers.2024", "省内县外=200,省外=500,最少月数=3")
    county_settings.set_value(store, "yulu_amount.2024", "3000")
    t = places.town_by_name(store, "烟店镇")
    vid = places.ensure_village(store, t["id"], "李庄村")
    _, worker = person(store, vid, "3715811090010005", "冯外出", "19910505", 15)
    result = spells.save_spells(store, [spells.SpellRow(member_id=worker, start_month="2024-02",
                                                        end_month="2024-10", place="北京市朝阳区",
                                                        channel="企业就业")])
    jm.add_transport_subsidy(store, result.ids[0], year=2024, paid_on=dt.date(2024, 11, 5))
    hid, student = person(store, vid, "3715811090010006", "冯学生", "20080606", 16, school_status="中职一年级")
    store.update("households", hid, {"household_type": "脱贫户"})
    jm.add_yulu(store, student, year=2024, paid_on=dt.date(2024, 10, 8), school="临清市职业教育中心学校")
    travel = {r.name: r for r in notice.collect(store, "一次性交通补助", 2024).rows}
    assert (travel["冯外出"].detail, travel["冯外出"].period, travel["冯外出"].amount) == ("北京市朝阳区", "11月", 500.0)
    yulu = {r.name: r for r in notice.collect(store, "雨露计划", 2024).rows}
    assert (yulu["冯学生"].detail, yulu["冯学生"].amount) == ("临清市职业教育中心学校", 3000.0)
