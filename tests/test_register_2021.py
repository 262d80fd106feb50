"""The register since 2021 (issue 14 §1) as a clerk meets it: the monitoring
block of a household, the monitoring line as a setting, the 2020 causes read
as risks, 雨露计划 and 一次性交通补助 by the year's settings, and the commands
(spell, setting, yulu, transport-subsidy) with Chinese messages on bad input."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cadre_desk import county_settings, monitoring, places, register, spells, terms
from cadre_desk.errors import ValidationFailed
from cadre_desk.idnumber import check_character
from cadre_desk.jobs import measures as jm
from cadre_desk.storage import open_store
from helpers_cli import run_cli

TODAY = dt.date(2026, 11, 15)


def make_id(serial: int, born: str = "19900101") -> str:
    body = f"371581{born}{serial:03d}"
    return body + check_character(body)


def village(store) -> str:
    return places.ensure_village(store, places.town_by_name(store, "烟店镇")["id"], "李庄村")


def test_household_monitoring_fields_are_questionnaire_data(store):
    part = store.questionnaire.household
    assert [s.key for s in part.sections] == ["household", "monitoring", "income"]
    keys = [f.key for f in part.fields if f.section == "monitoring"]
    assert keys == ["household_type", "monitoring_category", "monitoring_since", "risk_cleared", "risk_clear_method",
                    "risk_cleared_on", "risk_1", "risk_2", "risk_3", "risk_4", "risk_5"]
    assert part.by_key["medical_out_of_pocket"].section == "income"
    hid, warnings = register.save_household(store, {
        "number": "H1", "head_name": "王五", "household_type": "监测对象", "monitoring_category": "边缘易致贫",
        "monitoring_since": "2023年06月", "risk_cleared": "否", "risk_1": "因病致贫", "risk_2": "因灾",
        "medical_out_of_pocket": "1200"}, village_id=village(store))
    h = register.household(store, hid)
    assert (h["household_type"], h["monitoring_category"], h["monitoring_since"], h["risk_cleared"], h["risk_1"],
            h["risk_2"], h["medical_out_of_pocket"]) == ("监测户", "边缘易致贫户", "2023-06", False, "因病", "因自然灾害",
                                                         1200)
    assert warnings == []
    _, warnings = register.save_household(store, {"number": "H1", "head_name": "王五", "household_type": "监测户",
                                                  "risk_cleared": True}, household_id=hid)
    rules = {w.rule for w in warnings}
    assert {"risk_cleared_details", "monitored_has_category"} <= rules


def test_member_social_protection_and_planned_work(store):
    hid, _ = register.save_household(store, {"number": "H2", "head_name": "赵六"}, village_id=village(store))
    mid, _ = register.save_member(store, {
        "name": "赵六", "id_number": make_id(21), "relation": "户主", "health": "健康", "labour_ability": "普通劳动力",
        "id_type": "身份证", "dibao": "是", "tekun": "否", "medical_insurance": "是", "serious_illness_insurance": "是",
        "pension_insurance": "否", "medical_assistance": "否", "education": "本科及以上",
        "planned_work": "是", "planned_work_county": "昆山市", "work_service_needs": "岗位信息"}, household_id=hid)
    m = register.member(store, mid)
    assert (m["id_type"], m["dibao"], m["tekun"], m["medical_insurance"], m["pension_insurance"], m["education"],
            m["planned_work"], m["planned_work_county"]) == (
        "居民身份证", "享受", "未享受", True, False, "本科及以上", True, "昆山市")


def test_monitoring_line_setting_warns_below_it(store):
    vid = village(store)
    income = {"number": "H3", "head_name": "钱七", "size": 2, "wage_income": 9000, "business_expense": 500}
    _, warnings = register.save_household(store, income, village_id=vid)
    assert warnings == []  # no line set: nothing to compare
    county_settings.set_value(store, "monitoring_line.2025", "7000")
    hid = register.household_by_number(store, "H3")["id"]
    _, warnings = register.save_household(store, income, household_id=hid)
    # The record holds last year's income: a household saved now is compared with last year's line.
    year = dt.date.today().year - 1
    if year >= 2025:
        (w,) = [w for w in warnings if w.rule == "below_monitoring_line"]
        assert "4,250" in w.message and "7,000" in w.message
    assert monitoring.monitoring_line(store, 2027) == (2025, 7000.0)
    assert monitoring.monitoring_line(store, 2024) is None
    p = monitoring.below_line(store, {"size": 2, "wage_income": 9000, "business_expense": 500}, as_of=dt.date(2026, 3, 1))
    assert p is not None and "2025 年监测线" in p.message
    assert monitoring.below_line(store, {"size": 1, "wage_income": 9000}, as_of=dt.date(2026, 3, 1)) is None


def test_2020_causes_read_as_risks():
    assert monitoring.risks_of({"main_cause": "因病", "other_causes": ["因灾", "缺劳力"]}) == [
        "因病", "因自然灾害", "缺劳动力"]
    assert monitoring.risks_of({"main_cause": "缺资金"}) == ["其他"]
    assert monitoring.risks_of({"main_cause": "因病", "risk_1": "因学"}) == ["因学"]


def test_new_county_and_imported_2020_roster_terms(store, tmp_path):
    from cadre_desk.roster import import_roster
    from cadre_desk.stats import compute_stats
    from helpers_roster import family, write_roster

    assert terms.current(store) == "2021"
    path = write_roster(tmp_path / "roster.xlsx", family())
    import_roster(store, path)
    assert terms.current(store) == "2020"
    assert terms.term(store, "compilation_title") == "就业扶贫政策汇编"
    assert "扶贫车间" in compute_stats(store, TODAY)["by_channel"]


# ---------------------------------------------------------------- measures

@pytest.fixture
def student(store):
    hid, _ = register.save_household(store, {"number": "H9", "head_name": "孙八", "household_type": "脱贫户"},
                                     village_id=village(store))
    mid, _ = register.save_member(store, {"name": "孙小八", "id_number": make_id(31, "20080301"), "relation": "之子",
                                          "health": "健康", "labour_ability": "普通劳动力",
                                          "school_status": "中职二年级"}, household_id=hid, as_of=TODAY)
    return hid, mid


def test_yulu_by_the_years_amount_once_a_year(store, student):
    hid, mid = student
    with pytest.raises(ValidationFailed, match="yulu_amount.2026"):
        jm.add_yulu(store, mid, year=2026, paid_on=TODAY)
    county_settings.set_value(store, "yulu_amount.2026", "3000")
    jm.add_yulu(store, mid, year=2026, paid_on=TODAY, school="临清职业中专 机电专业")
    (paid,) = jm.subsidies_of(store, mid)
    assert (paid["kind"], paid["amount_yuan"]) == ("雨露计划", 3000)
    assert [m["kind"] for m in jm.measures_of(store, mid)] == ["雨露计划"]
    with pytest.raises(ValidationFailed, match="不能重复发放"):
        jm.add_yulu(store, mid, year=2026, paid_on=TODAY)
    register.save_household(store, {"number": "H9", "head_name": "孙八", "household_type": "监测户",
                                    "monitoring_category": "脱贫不稳定户", "monitoring_since": "2024-01",
                                    "risk_cleared": True, "risk_clear_method": "帮扶消除", "risk_cleared_on": "2025-06"},
                            household_id=hid)
    with pytest.raises(ValidationFailed, match="风险已消除"):
        jm.add_yulu(store, mid, year=2027, paid_on=TODAY, amount_yuan=3000)


def test_yulu_only_for_vocational_students(store, student):
    _, mid = student
    register.save_member(store, {"school_status": "普通高中一年级"}, member_id=mid, as_of=TODAY)
    with pytest.raises(ValidationFailed, match="中职、高职"):
        jm.add_yulu(store, mid, year=2026, paid_on=TODAY, amount_yuan=3000)


def test_transport_subsidy_by_tiers_scope_and_months(store, student):
    hid, _ = student
    worker, _ = register.save_member(store, {"name": "孙八", "id_number": make_id(32), "relation": "户主",
                                             "health": "健康", "labour_ability": "普通劳动力"}, household_id=hid)
    number = register.member(store, worker)["id_number"]
    res = spells.save_spells(store, [
        spells.SpellRow(id_number=number, start_month="2026-02", end_month="2026-03", place="济南市历下区"),
        spells.SpellRow(id_number=number, start_month="2026-04", end_month="2026-09", place="江苏省苏州市昆山市"),
        spells.SpellRow(id_number=number, start_month="2025-01", end_month="2025-12", place="临清市")], as_of=TODAY)
    short, far, home = res.ids
    due, why = jm.transport_subsidy_due(store, far, 2026, as_of=TODAY)
    assert due is None and "transport_subsidy_tiers.2026" in why
    county_settings.set_value(store, "transport_subsidy_tiers.2026", "省内县外=200,省外=500,最少月数=3")
    assert jm.transport_subsidy_due(store, far, 2026, as_of=TODAY) == (500.0, "省外务工 6 个月")
    assert "只有 2 个月" in jm.transport_subsidy_due(store, short, 2026, as_of=TODAY)[1]
    assert "县内" in jm.transport_subsidy_due(store, home, 2025, as_of=TODAY)[1]
    jm.add_transport_subsidy(store, far, year=2026, paid_on=TODAY)
    assert spells.get_spell(store, far)["transport_subsidy"] == 500
    assert [s["kind"] for s in jm.subsidies_of(store, worker)] == ["一次性交通补助"]
    with pytest.raises(ValidationFailed, match="不能重复发放"):
        jm.add_transport_subsidy(store, far, year=2026, paid_on=TODAY)
    county_settings.set_value(store, "transport_subsidy_tiers.2027", '{"省外": 500, "by_province": {"新疆": 800}}')
    assert county_settings.tiers(store, 2027)["by_province"] == {"650000": 800}


@pytest.mark.parametrize("key, value, message", [
    ("monitoring_line.2026", "七千", "应为金额"),
    ("monitoring_line.2026", "-5", "1 到"),
    ("transport_subsidy_tiers.2026", "省外500", "名称=金额"),
    ("transport_subsidy_tiers.2026", "火星=500", "不认识"),
    ("terms", "2019", "2021"),
    ("work_target.2026", "很多", "整数"),
    ("monitor_line.2026", "7000", "不认识的设置项"),
])
def test_settings_refuse_bad_values_in_chinese(store, key, value, message):
    with pytest.raises(county_settings.InvalidSetting, match=message):
        county_settings.set_value(store, key, value)


# ---------------------------------------------------------------- commands

@pytest.fixture
def cli_db(tmp_path):
    path = tmp_path / "county.db"
    store = open_store(path)
    places.ensure_county(store)
    hid, _ = register.save_household(store, {"number": "H7", "head_name": "周九"}, village_id=village(store))
    register.save_member(store, {"name": "周九", "id_number": make_id(41), "relation": "户主", "health": "健康",
                                 "labour_ability": "普通劳动力", "employment_status": "未就业"}, household_id=hid)
    store.db.conn.close()
    return str(path)


def test_spell_commands(cli_db):
    number = make_id(41)
    rc, out, err = run_cli("--db", cli_db, "spell", "add", number, "--start", "2025年03月", "--end", "2025-08",
                           "--place", "昆山市", "--channel", "企业就业", "--income", "4200", "--employer", "昆山某电子厂")
    assert rc == 0, err
    assert "已登记 周九 的务工" in out and "省外" in out
    rc, out, err = run_cli("--db", cli_db, "spell", "add", number, "--start", "2025-06", "--place", "朝阳区",
                           "--income", "300")
    assert rc == 0 and "提示：" in out and "重叠" in out and "低于 400 元" in out and "省份" in out
    rc, out, _ = run_cli("--db", cli_db, "spell", "list", number, "--json")
    listed = json.loads(out)
    assert [(s["start_month"], s["scope"]) for s in listed] == [("2025-03", "省外"), ("2025-06", None)]
    rc, out, err = run_cli("--db", cli_db, "spell", "end", listed[1]["id"][:8], "2025-10")
    assert rc == 0 and "2025年10月" in out
    rc, _, err = run_cli("--db", cli_db, "spell", "end", listed[1]["id"][:8], "2024-01")
    assert rc == 1 and "早于开始时间" in err and "Traceback" not in err
    rc, out, _ = run_cli("--db", cli_db, "spell", "delete", listed[1]["id"][:8])
    assert rc == 0 and len(json.loads(run_cli("--db", cli_db, "spell", "list", number, "--json")[1])) == 1


@pytest.mark.parametrize("argv, message", [
    (["spell", "add", "X", "--start", "2025-03"], "证件号码"),
    (["spell", "add", "@ID", "--start", "2025-13"], "开始时间"),
    (["spell", "add", "@ID", "--start", "2025-03", "--channel", "挖矿"], "代码表"),
    (["spell", "add", "@ID", "--start", "2025-03", "--income", "很多"], "务工月收入应为数字"),
    (["spell", "end", "zz", "2025-03"], "至少要写前 4 位"),
    (["setting", "set", "monitoring_line.2026", "abc"], "应为金额"),
    (["setting", "set", "foo", "1"], "不认识的设置项"),
    (["transport-subsidy", "abcd1234", "--year", "2026"], "没有编号以"),
    (["yulu", "@ID", "--year", "2026"], "中职、高职"),
])
def test_bad_input_gets_one_chinese_line(cli_db, argv, message):
    argv = [make_id(41) if a == "@ID" else a for a in argv]
    rc, out, err = run_cli("--db", cli_db, *argv)
    assert rc == 1, (out, err)
    assert message in err and "Traceback" not in err
    assert err.startswith("错误：")


def test_setting_commands(cli_db):
    rc, out, _ = run_cli("--db", cli_db, "setting", "set", "monitoring_line.2026", "7000")
    assert rc == 0 and "monitoring_line.2026" in out and "7000" in out
    run_cli("--db", cli_db, "setting", "set", "transport_subsidy_tiers.2026", "省内县外=200,省外=500")
    rc, out, _ = run_cli("--db", cli_db, "setting", "list", "--json")
    values = json.loads(out)
    assert values["monitoring_line.2026"] == 7000 and values["terms"] == "2021"
    assert values["transport_subsidy_tiers.2026"]["省外"] == 500
    assert run_cli("--db", cli_db, "setting", "get", "monitoring_line.2026")[1].strip() == "7000"


@pytest.mark.parametrize("education, matched", [("本科及以上", True), ("大专", True), ("大专及以上", True),
                                                ("技师", False), ("高中", False)])
def test_2021_education_meets_an_openings_minimum(store, education, matched):
    from cadre_desk.jobs.matching import recommend
    from helpers_jobs import AS_OF, opening, person as job_person

    opening(store, title="质检员", min_education="大专及以上")
    m = job_person(store, education=education)
    titles = [o.opening for o in recommend(store, m, as_of=AS_OF).offers]
    assert ("质检员" in titles) is matched


def test_2020_and_2021_code_values_import_and_export_as_given(store, tmp_path):
    """A 2020 roster's 大专及以上 / 高中一年级 / 扶贫车间 and a 2021 大专 / 普通高中一年级 / 帮扶车间 all
    import, and the export writes each back as it came."""
    from python_calamine import CalamineWorkbook

    from cadre_desk.roster import import_roster
    from cadre_desk.roster.export import export_roster
    from helpers_roster import HEADERS, make_id as roster_id, member as roster_member, write_roster

    rows = [
        roster_member("H2020", "张建国", roster_id("19700312", 1), 文化程度="大专及以上", 就业状态="已就业",
                      就业渠道="扶贫车间"),
        roster_member("H2020", "张明", roster_id("20080312", 2), relation="之子", head="张建国", 文化程度=None,
                      在校生状况="高中一年级"),
        roster_member("H2021", "李强", roster_id("19800312", 3), 文化程度="大专", 就业状态="已就业", 就业渠道="帮扶车间"),
        roster_member("H2021", "李小", roster_id("20080412", 4), relation="之女", head="李强", 文化程度=None,
                      在校生状况="普通高中一年级"),
    ]
    result = import_roster(store, write_roster(tmp_path / "in.xlsx", rows, headers=HEADERS))
    assert not result.bad_rows, [b.message for b in result.bad_rows]
    out = tmp_path / "out.xlsx"
    export_roster(store, out)
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    header_row = next(i for i, r in enumerate(sheet) if "证件号码" in r)
    head = sheet[header_row]
    by_name = {r[head.index("姓名")]: r for r in sheet[header_row + 1:] if r[head.index("姓名")]}
    got = {name: (by_name[name][head.index("文化程度")], by_name[name][head.index("在校生状况")],
                  by_name[name][head.index("就业渠道")]) for name in ("张建国", "张明", "李强", "李小")}
    assert got == {"张建国": ("大专及以上", "非在校生", "扶贫车间"), "张明": ("", "高中一年级", ""),
                   "李强": ("大专", "非在校生", "帮扶车间"), "李小": ("", "普通高中一年级", "")}
