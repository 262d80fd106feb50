"""Work spells (issue 14 §1): the one write path, upsert by person and start
month, the warnings a county check tool gives, 就业状态 following the spells,
the month type, the gazetteer and the terms."""

from __future__ import annotations

import datetime as dt

import pytest

from cadre_desk import gazetteer, months, places, register, spells, terms
from cadre_desk.codes import code_list
from cadre_desk.idnumber import check_character
from cadre_desk.questionnaire import CoerceError, coerce, default_questionnaire
from cadre_desk.spells import SpellRow, save_spells

TODAY = dt.date(2026, 11, 15)


def make_id(serial: int, born: str = "19900101", area: str = "371581") -> str:
    body = f"{area}{born}{serial:03d}"
    return body + check_character(body)


@pytest.fixture
def person(store):
    town = places.town_by_name(store, "烟店镇")
    village = places.ensure_village(store, town["id"], "李庄村")
    hid, _ = register.save_household(store, {"number": "H00001", "head_name": "张三"}, village_id=village)
    number = make_id(11)
    mid, _ = register.save_member(store, {"name": "张三", "id_number": number, "relation": "户主",
                                          "health": "健康", "labour_ability": "普通劳动力",
                                          "employment_status": "未就业"}, household_id=hid)
    return mid, number


def kinds(problems):
    return [p.rule for p in problems]


# ---------------------------------------------------------------- months

@pytest.mark.parametrize("raw", ["202306", "2023年06月", "2023年6月", "2023-06", "2023/6", "2023.06", "2023-06-15",
                                 "２０２３年０６月", 202306, 202306.0, dt.date(2023, 6, 15), dt.datetime(2023, 6, 1),
                                 45082])
def test_month_accepts_the_national_spellings_and_excel_dates(raw):
    assert months.parse(raw) == "2023-06"


@pytest.mark.parametrize("raw", ["2023-13", "202300", "六月", "2023", "abc", True])
def test_month_refuses_what_is_no_month_with_a_chinese_hint(raw):
    with pytest.raises(months.MonthError) as exc:
        months.parse(raw, "开始时间")
    assert "开始时间" in exc.value.message and "2023-06" in exc.value.message


def test_month_field_type_in_the_questionnaire():
    fld = default_questionnaire().household.by_key["monitoring_since"]
    assert fld.type == "month"
    assert coerce(fld, "2023年06月") == "2023-06"
    with pytest.raises(CoerceError):
        coerce(fld, "2023年13月")


# ---------------------------------------------------------------- gazetteer

@pytest.mark.parametrize("text, code", [
    ("临清市", "371581"), ("临清", "371581"), ("昆山市", "320583"), ("江苏省苏州市昆山市", "320583"),
    ("江苏苏州昆山", "320583"), ("北京市朝阳区", "110105"), ("吉林省长春市朝阳区", "220104"),
    ("沙县", "350405"),  # renamed 沙县区 in 2021: the old name still reads
    ("东莞市", "441900"),  # a city without counties is county-level itself
    ("和安县", "653229"),  # created December 2024: the data is current
])
def test_gazetteer_resolves_county_names_and_paths(text, code):
    found = gazetteer.resolve(text)
    assert isinstance(found, gazetteer.Resolved) and found.county_code == code
    assert found.province_code == code[:2] + "0000"


def test_gazetteer_ambiguous_name_asks_for_the_province():
    found = gazetteer.resolve("朝阳区")
    assert isinstance(found, gazetteer.Ambiguous)
    assert {c.county_code for c in found.candidates} == {"110105", "220104"}
    assert "省份" in found.message and "北京市朝阳区" in found.message
    assert gazetteer.resolve("朝阳区", province_hint="吉林省").county_code == "220104"


def test_gazetteer_unknown_and_partial():
    assert isinstance(gazetteer.resolve("火星市"), gazetteer.Unknown)
    city = gazetteer.resolve("苏州市")
    assert isinstance(city, gazetteer.Resolved) and city.county_code is None and city.province_code == "320000"


def test_scope_by_code_not_by_name():
    assert gazetteer.scope("371581", "371581") == "县内"
    assert gazetteer.scope("372502", "371581", home_aliases=("372502",)) == "县内"
    assert gazetteer.scope("370102", "371581") == "省内县外"
    assert gazetteer.scope("320583", "371581") == "省外"
    assert gazetteer.scope(None, "371581", province_code="320000") == "省外"
    assert gazetteer.scope(None, "371581", province_code="370000") is None


# ---------------------------------------------------------------- terms

def test_terms_default_2021_and_a_2020_roster_keeps_2020(store):
    assert terms.current(store) == "2021"
    assert terms.term(store, "compilation_title") == "就业帮扶政策汇编"
    assert terms.term(store, "workshop") == "帮扶车间"
    assert terms.note_import(store, "2020") is True
    assert terms.current(store) == "2020"
    assert terms.term(store, "compilation_title") == "就业扶贫政策汇编"
    assert terms.spelled(store, "employment_channel", "帮扶车间") == "扶贫车间"
    terms.set_terms(store, "2021")
    assert terms.note_import(store, "2020") is False and terms.current(store) == "2021"
    with pytest.raises(terms.InvalidTerms):
        terms.set_terms(store, "2019")


def test_channel_code_list_reads_old_spellings():
    channels = code_list("employment_channel")
    assert channels.normalize("就业帮扶车间") == "帮扶车间"
    assert channels.normalize("扶贫车间") == "扶贫车间"  # a 2020 value is kept as given
    assert channels.normalize_current("扶贫车间") == "帮扶车间"
    assert channels.normalize_current("公益性岗位") == "乡村公益性岗位"
    assert {"有组织劳务输出", "以工代赈"} <= set(channels.values)


def test_education_2021_values_and_2020_values_both_import_as_given():
    q = default_questionnaire().member
    assert coerce(q.by_key["education"], "本科及以上") == "本科及以上"
    assert coerce(q.by_key["education"], "大专") == "大专"
    assert coerce(q.by_key["education"], "大专及以上") == "大专及以上"
    assert coerce(q.by_key["school_status"], "普通高中一年级") == "普通高中一年级"
    assert coerce(q.by_key["school_status"], "高中一年级") == "高中一年级"
    assert code_list("school_status").current("高中一年级") == "普通高中一年级"


# ---------------------------------------------------------------- the write path

def test_spells_upsert_by_person_and_start_month(store, person):
    mid, number = person
    rows = [SpellRow(id_number=number, start_month="2023年03月", end_month="2023年08月", place="昆山市",
                     channel="企业就业", employer="昆山某电子厂", monthly_income=4200, point_to_point="是"),
            SpellRow(id_number=number, start_month="202310", place="临清市", channel="就业帮扶车间",
                     monthly_income="2500")]
    first = save_spells(store, rows, as_of=TODAY)
    assert first.ok and first.created == 2
    again = save_spells(store, rows, as_of=TODAY)
    assert again.created == 0 and again.updated == 0 and again.unchanged == 2
    listed = spells.spells_of(store, mid)
    assert [(s["start_month"], s["end_month"], s["county_code"], s["scope"], s["channel"]) for s in listed] == [
        ("2023-03", "2023-08", "320583", "省外", "企业就业"), ("2023-10", None, "371581", "县内", "帮扶车间")]
    assert listed[0]["point_to_point"] is True


def test_overlap_is_a_warning_naming_both_rows(store, person):
    _, number = person
    result = save_spells(store, [
        SpellRow(id_number=number, start_month="2023-03", end_month="2023-08", place="昆山市", ref="第 3 行"),
        SpellRow(id_number=number, start_month="2023-06", place="临清市", ref="第 4 行")], as_of=TODAY)
    assert result.ok and result.created == 2
    first, second = result.problems
    assert any(p.rule == "overlap" and "第 4 行" in p.message for p in first)
    assert any(p.rule == "overlap" and "第 3 行" in p.message for p in second)
    # A spell that starts in the month the previous one ended does not overlap.
    ok = save_spells(store, [SpellRow(id_number=number, start_month="2022-01", end_month="2022-05", place="临清市"),
                             SpellRow(id_number=number, start_month="2022-05", end_month="2022-12", place="临清市")])
    assert "overlap" not in kinds(ok.problems[0]) + kinds(ok.problems[1])


def test_overlap_with_a_stored_spell(store, person):
    _, number = person
    save_spells(store, [SpellRow(id_number=number, start_month="2024-01", place="昆山市")], as_of=TODAY)
    later = save_spells(store, [SpellRow(id_number=number, start_month="2024-05", place="临清市")], as_of=TODAY)
    assert any(p.rule == "overlap" and "2024年01月" in p.message and "昆山市" in p.message for p in later.problems[0])


def test_check_rule_warnings(store, person):
    _, number = person
    result = save_spells(store, [
        SpellRow(id_number=number, start_month="2021-01", end_month="2021-02", place="昆山市", monthly_income=300),
        SpellRow(id_number=number, start_month="2021-03", end_month="2021-04", place=None),
        SpellRow(id_number=number, start_month="2021-05", end_month="2021-06", place="朝阳区"),
        SpellRow(id_number=number, start_month="2021-07", end_month="2021-08", place="江苏省苏州市昆山市",
                 channel="帮扶车间"),
        SpellRow(id_number=number, start_month="2021-09", end_month="2021-10", place="济南市历下区",
                 channel="扶贫公益性岗位"),
    ], as_of=TODAY)
    assert result.ok
    assert "low_income" in kinds(result.problems[0])
    assert "county_missing" in kinds(result.problems[1])
    assert "place_ambiguous" in kinds(result.problems[2])
    assert "channel_outside" in kinds(result.problems[3])
    assert "channel_outside" in kinds(result.problems[4])
    assert "朝阳区" in next(p.message for p in result.problems[2] if p.rule == "place_ambiguous")


def test_bad_rows_all_or_nothing_or_skipped(store, person):
    mid, number = person
    rows = [SpellRow(id_number=number, start_month="2023-03", place="昆山市"),
            SpellRow(id_number=number, start_month="2023-13", place="昆山市", ref="第 7 行"),
            SpellRow(id_number=make_id(99), start_month="2023-03"),
            SpellRow(id_number=number, start_month="2023-05", end_month="2023-01"),
            SpellRow(id_number=number, start_month="2023-06", channel="挖矿")]
    result = save_spells(store, rows)
    assert not result.written and spells.spells_of(store, mid) == []
    assert [bool(any(p.severity == "error" for p in ps)) for ps in result.problems] == [False, True, True, True, True]
    assert "开始时间" in result.problems[1][0].message
    assert "请先导入或登记该成员" in result.problems[2][0].message
    assert "早于开始时间" in result.problems[3][0].message
    assert "代码表" in result.problems[4][0].message
    skipped = save_spells(store, rows, skip_bad=True)
    assert skipped.created == 1 and len(spells.spells_of(store, mid)) == 1


def test_spell_answers_are_read_as_the_survey_reads_them(store, person):
    """A spell's answers go through the questionnaire's engine (resources/spells.json):
    amounts may say 元 and carry thousands separators, Excel's 1.0 is 是, a 2020
    channel name is held by its current one, and bad values get the spell's wording."""
    mid, number = person
    ok = save_spells(store, [SpellRow(id_number=number, start_month="2023-03", place="昆山市", channel="扶贫车间",
                                      monthly_income="3,200元", point_to_point=1.0, employer=6.0)])
    assert ok.ok, ok.errors
    spell = spells.get_spell(store, ok.ids[0])
    assert (spell["monthly_income"], spell["point_to_point"], spell["channel"], spell["employer"]) == \
        (3200.0, True, "帮扶车间", "6")
    bad = save_spells(store, [SpellRow(id_number=number, start_month="2023-05", monthly_income="很多"),
                              SpellRow(id_number=number, start_month="2023-06", transport_subsidy=2_000_000),
                              SpellRow(id_number=number, start_month="2023-07", point_to_point="也许"),
                              SpellRow(id_number=number, start_month="2023-08", note="字" * 201)])
    messages = [p.message for ps in bad.problems for p in ps if p.severity == "error"]
    assert messages == ["务工月收入应为数字（元），现为“很多”", "年度交通费补助应在 0 到 1000000 元之间，现为 2000000",
                        "是否点对点输送应填“是”或“否”，现为“也许”", "备注最多 200 个字，现有 201 个，请删减"]


def test_employment_status_follows_the_spells(store, person):
    mid, number = person
    assert spells.employment_status_on(store, mid, TODAY) == "未就业"  # no spells: the answer
    sid, _ = spells.save_spell(store, SpellRow(id_number=number, start_month="2026-03", place="昆山市",
                                               channel="企业就业", employer="昆山某电子厂", monthly_income=4200),
                               as_of=TODAY)
    assert spells.employment_status_on(store, mid, dt.date(2026, 2, 1)) == "未就业"
    assert spells.employment_status_on(store, mid, TODAY) == "已就业"
    m = register.member(store, mid)
    assert (m["employment_status"], m["employment_channel"], m["employer"], m["monthly_income"]) == (
        "已就业", "企业就业", "昆山某电子厂", 4200)
    spells.end_spell(store, sid, "2026-10", as_of=TODAY)
    assert spells.employment_status_on(store, mid, TODAY) == "未就业"
    assert register.member(store, mid)["employment_status"] == "未就业"
    with pytest.raises(spells.SpellError, match="早于开始时间"):
        spells.end_spell(store, sid, "2025-01")


def test_working_on_counts_each_person_once_later_spell_decides(store, person):
    _, number = person
    save_spells(store, [SpellRow(id_number=number, start_month="2025-01", place="昆山市"),
                        SpellRow(id_number=number, start_month="2025-06", place="临清市")], as_of=TODAY)
    working = spells.working_on(store, "2025-07")
    assert len(working) == 1 and working[0]["scope"] == "县内"
    assert spells.working_on(store, "2025-03")[0]["scope"] == "省外"
    assert spells.working_on(store, "2024-12") == []


def test_check_only_writes_nothing_and_stored_warnings_for_the_report(store, person):
    mid, number = person
    rows = [SpellRow(id_number=number, start_month="2023-03", end_month="2023-08", place="朝阳区", monthly_income=350),
            SpellRow(id_number=number, start_month="2023-05", place="临清市")]
    checked = spells.check_spells(store, rows)
    assert not checked.written and spells.spells_of(store, mid) == []
    assert {"overlap", "low_income", "place_ambiguous"} <= set(kinds(checked.problems[0]))
    save_spells(store, rows, as_of=TODAY)
    found = spells.spell_warnings(store)
    rules = {(s["start_month"], p.rule) for s, p in found}
    assert {("2023-03", "overlap"), ("2023-05", "overlap"), ("2023-03", "low_income"),
            ("2023-03", "place_unresolved")} <= rules
    assert spells.spell_warnings(store, [mid]) == found
    assert spells.spell_warnings(store, ["nobody"]) == []


def test_edit_by_spell_id_moves_the_start_and_delete(store, person):
    mid, number = person
    sid, _ = spells.save_spell(store, SpellRow(id_number=number, start_month="2024-03", place="昆山市"), as_of=TODAY)
    same, _ = spells.save_spell(store, SpellRow(spell_id=sid, start_month="2024-04"), as_of=TODAY)
    assert same == sid
    assert [(s["start_month"], s["place"]) for s in spells.spells_of(store, mid)] == [("2024-04", "昆山市")]
    spells.delete_spell(store, sid, as_of=TODAY)
    assert spells.spells_of(store, mid) == []
    assert register.member(store, mid)["employment_status"] == "未就业"


# ---------------------------------------------------------------- offers open and end spells

def test_started_offer_opens_a_spell_and_leaving_ends_it(store):
    from cadre_desk.jobs.matching import recommend
    from cadre_desk.jobs.outcomes import offers_of, record_recommendation, set_offer_status
    from helpers_jobs import AS_OF, opening, person as job_person

    m = job_person(store, skills=["缝纫"], job_intention="县内企业就业")
    opening(store, skills=["缝纫"])
    record_recommendation(store, recommend(store, m, as_of=AS_OF))
    offer = next(o for o in offers_of(store, m["id"]) if o["opening"] == "手套缝制工")
    for status in ("联系", "面试", "录用"):
        set_offer_status(store, offer["id"], status, on=AS_OF)
    assert spells.spells_of(store, m["id"]) == []  # hired, not yet started
    set_offer_status(store, offer["id"], "在岗", on=AS_OF + dt.timedelta(days=3))
    (spell,) = spells.spells_of(store, m["id"])
    assert (spell["start_month"], spell["end_month"], spell["county_code"], spell["scope"], spell["channel"],
            spell["employer"], spell["offer_id"]) == (
        months.of(AS_OF + dt.timedelta(days=3)), None, "371581", "县内", "帮扶车间", "临清市宏达手套厂", offer["id"])
    assert spell["monthly_income"] == 2800
    left = AS_OF + dt.timedelta(days=70)
    set_offer_status(store, offer["id"], "离岗", on=left)
    (spell,) = spells.spells_of(store, m["id"])
    assert spell["end_month"] == months.of(left)
    assert spells.employment_status_on(store, m["id"], left + dt.timedelta(days=40)) == "未就业"
    assert register.member(store, m["id"])["employment_status"] == "未就业"


def test_same_spell_twice_in_one_batch_is_written_once_and_a_moved_start_may_not_clash(store, person):
    mid, number = person
    result = save_spells(store, [SpellRow(id_number=number, start_month="2023-03", place="昆山市", monthly_income=3000),
                                 SpellRow(id_number=number, start_month="202303", monthly_income=3500)], as_of=TODAY)
    assert result.created == 1 and result.ids[0] == result.ids[1]
    (only,) = spells.spells_of(store, mid)
    assert (only["place"], only["monthly_income"]) == ("昆山市", 3500)
    other, _ = spells.save_spell(store, SpellRow(id_number=number, start_month="2024-01", end_month="2024-02"),
                                 as_of=TODAY)
    with pytest.raises(spells.SpellError, match="已有 2023年03月 开始的务工"):
        spells.save_spell(store, SpellRow(spell_id=other, start_month="2023-03"), as_of=TODAY)


def test_spells_travel_with_their_member_in_sync(store, person):
    from cadre_desk.sync.tables import household_link, synced_tables

    tables = synced_tables(store)
    assert "work_spells" in tables and tables.index("members") < tables.index("work_spells")
    assert household_link(store, "work_spells") == "member_id"


def test_upgraded_database_with_households_keeps_the_2020_terms(tmp_path):
    """A database made before issue 14 (a 2020 register) gets the 2020 terms on upgrade."""
    from cadre_desk import migrations
    from cadre_desk.lazydb import Database
    from cadre_desk.storage import Store, sqlcipher

    conn = sqlcipher.connect(":memory:", isolation_level=None, check_same_thread=False)
    db = Database(conn)
    # Apply every step but 0160 (and 0291, which indexes 0160's table), add a
    # household, then apply them.
    steps = migrations.migrations._migrations
    held = [(i, st) for i, st in enumerate(steps) if st.name in ("0160_work_spells", "0291_figures_indexes")]
    for i, _ in reversed(held):
        steps.pop(i)
    try:
        migrations.apply(db)
        s = Store(db)
        places.ensure_county(s)
        town = places.town_by_name(s, "烟店镇")
        register.save_household(s, {"number": "H1", "head_name": "甲"},
                                village_id=places.ensure_village(s, town["id"], "李庄村"))
    finally:
        for i, st in held:
            steps.insert(i, st)
    migrations.apply(db)
    assert terms.current(Store(db)) == "2020"
