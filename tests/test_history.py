"""A member's change history in words, undo, and the household income summary."""

import pytest

from cadre_desk import register
from cadre_desk.errors import CadreDeskError, DuplicateIdNumber
from cadre_desk.history import member_history, revert_change
from cadre_desk.household_summary import income_summary, measures_of, yuan
from tests.helpers_survey import make_id, sample_household


def _entry(entries, label):
    return next(e for e in entries if e.label == label)


def test_history_names_fields_and_values(store):
    store.set_setting("user_name", "王丽")
    household_id, members = sample_household(store)
    mid = members[0]
    register.save_member(store, {"labour_ability": "普通劳动力", "work_months": 8, "training_willing": False,
                                 "skills": ["种植", "驾驶"]}, member_id=mid)
    entries = member_history(store, mid)
    assert entries[-1].is_creation and entries[-1].label == "新建" and "武学亮" in entries[-1].new_text
    labour = _entry(entries, "劳动技能")
    assert (labour.old_text, labour.new_text, labour.who) == ("弱劳动力或半劳动力", "普通劳动力", "王丽")
    assert (_entry(entries, "务工时间（月）").old_text, _entry(entries, "务工时间（月）").new_text) == ("6", "8")
    assert (_entry(entries, "愿意参加培训").old_text, _entry(entries, "愿意参加培训").new_text) == ("是", "否")
    assert _entry(entries, "技能特长").new_text == "种植、驾驶"
    assert all(e.field not in ("surveyed_at", "questionnaire_version") for e in entries)


def test_creation_shows_the_name_it_was_created_with_after_a_rename(store):
    household_id, members = sample_household(store)
    mid = members[0]
    register.save_member(store, {"name": "武学明"}, member_id=mid)
    entries = member_history(store, mid)
    creation = entries[-1]
    assert creation.is_creation and "武学亮" in creation.new_text and "武学明" not in creation.new_text
    rename = _entry(entries, "姓名")
    assert (rename.old_text, rename.new_text) == ("武学亮", "武学明")


def test_revert_writes_old_value_as_new_change(store):
    household_id, members = sample_household(store)
    mid = members[0]
    register.save_member(store, {"labour_ability": "普通劳动力"}, member_id=mid)
    seq = _entry(member_history(store, mid), "劳动技能").seq
    revert_change(store, seq)
    assert register.member(store, mid)["labour_ability"] == "弱劳动力或半劳动力"
    latest = member_history(store, mid)[0]
    assert (latest.label, latest.old_text, latest.new_text) == ("劳动技能", "普通劳动力", "弱劳动力或半劳动力")


def test_revert_id_number_restores_sex_and_birth_date(store):
    household_id, members = sample_household(store)
    mid = members[2]
    register.save_member(store, {"id_number": make_id("20090301", 35)}, member_id=mid)
    assert register.member(store, mid)["sex"] == "男"
    entries = member_history(store, mid)
    assert not _entry(entries, "性别").revertible
    with pytest.raises(CadreDeskError, match="证件号码"):
        revert_change(store, _entry(entries, "性别").seq)
    revert_change(store, _entry(entries, "证件号码").seq)
    m = register.member(store, mid)
    assert (m["id_number"], m["sex"], m["birth_date"]) == (make_id("20080119", 24), "女", "2008-01-19")


def test_revert_id_number_refused_when_taken_since(store):
    household_id, members = sample_household(store)
    original = make_id("20080119", 24)
    register.save_member(store, {"id_number": make_id("20090301", 35)}, member_id=members[2])
    register.save_member(store, {"name": "新人", "id_number": original, "relation": "其他", "health": ["健康"],
                                 "labour_ability": "普通劳动力"}, household_id=household_id)
    seq = _entry(member_history(store, members[2]), "证件号码").seq
    with pytest.raises(DuplicateIdNumber):
        revert_change(store, seq)
    assert register.member(store, members[2])["id_number"] == make_id("20090301", 35)


def test_revert_creation_removes_and_revert_removal_restores(store):
    household_id, members = sample_household(store)
    mid = members[2]
    creation = member_history(store, mid)[-1]
    revert_change(store, creation.seq)
    assert mid not in [m["id"] for m in register.members_of(store, household_id)]
    removal = _entry(member_history(store, mid), "删除")
    assert (removal.old_text, removal.new_text) == ("在册", "已删除")
    revert_change(store, removal.seq)
    assert mid in [m["id"] for m in register.members_of(store, household_id)]


def test_income_summary():
    s = income_summary({"wage_income": 18000, "business_income": 6500, "property_income": 300,
                        "transfer_income": 4200, "dibao_income": 2400, "business_expense": 2500, "size": 3})
    assert (s.annual_income, s.net_income, s.per_capita) == (29000, 26500, 8833.33)
    assert not s.size_from_members
    by_members = income_summary({"wage_income": 1000, "size": None}, member_count=4)
    assert (by_members.per_capita, by_members.size_from_members) == (250, True)
    empty = income_summary({}, member_count=2)
    assert empty.net_income is None and empty.per_capita is None
    assert yuan(8833.33) == "8,833.33 元" and yuan(29000.0) == "29,000 元" and yuan(None) == "—"


def test_measures_of_household(store):
    household_id, members = sample_household(store)
    rows = measures_of(store, household_id)
    assert [(r["title"], r["member_name"]) for r in rows] == [("种植技术培训", "武学亮"), ("劳保手套来料加工", "李秀英")]
