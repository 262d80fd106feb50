"""Undoing one change goes through the same write path and checks as an edit:
the relevance rules decide what may be put back (a value the current answers
do not ask for is refused, saying what to undo first), irrelevant answers are
emptied, and a household's facts are checked like the household form's."""

from __future__ import annotations

import pytest

from cadre_desk import households, register
from cadre_desk.errors import CadreDeskError
from cadre_desk.history import member_history, revert_change
from cadre_desk.households import household_history
from tests.helpers_survey import sample_household


def _entry(entries, label):
    return next(e for e in entries if e.label == label)


def _disabled(store):
    _, members = sample_household(store)
    mid = members[0]
    register.save_member(store, {"health": ["残疾"], "disability_category": "肢体", "disability_grade": "二级",
                                 "stay_home_reasons": ["本人残疾"]}, member_id=mid)
    register.save_member(store, {"health": ["健康"]}, member_id=mid)  # empties category, grade, reasons
    return mid


def test_a_value_the_current_answers_do_not_ask_for_is_not_put_back(store):
    mid = _disabled(store)
    assert register.member(store, mid)["disability_category"] is None
    before = len(store.history("members", mid))
    category = _entry(member_history(store, mid), "残疾类别")
    assert (category.old_text, category.new_text) == ("肢体", "（空）")
    with pytest.raises(CadreDeskError) as info:
        revert_change(store, category.seq)
    assert "健康状况" in info.value.message and "残疾类别" in info.value.message
    assert register.member(store, mid)["disability_category"] is None
    assert len(store.history("members", mid)) == before  # nothing written


def test_undoing_the_answer_that_decides_brings_the_question_back(store):
    mid = _disabled(store)
    health = next(e for e in member_history(store, mid) if e.label == "健康状况" and e.new_text == "健康")
    revert_change(store, health.seq)
    m = register.member(store, mid)
    assert m["health"] == ["残疾"] and m["disability_category"] is None  # asked again, not invented
    category = next(e for e in member_history(store, mid) if e.label == "残疾类别" and e.old_text == "肢体")
    changed = revert_change(store, category.seq)
    assert changed == {"disability_category": (None, "肢体")}
    assert register.member(store, mid)["disability_category"] == "肢体"


def test_undoing_an_answer_empties_what_it_no_longer_asks_for(store):
    _, members = sample_household(store)
    mid = members[0]
    register.save_member(store, {"employment_status": "未就业"}, member_id=mid)
    register.save_member(store, {"employment_status": "已就业", "employment_channel": "企业就业",
                                 "employer": "临清市坤德电子有限公司"}, member_id=mid)
    status = next(e for e in member_history(store, mid) if e.label == "就业状态" and e.new_text == "已就业")
    revert_change(store, status.seq)
    m = register.member(store, mid)
    assert m["employment_status"] == "未就业"
    assert m["employment_channel"] is None and m["employer"] is None  # as the form would have emptied them


def test_a_household_fact_is_put_back_through_the_household_checks(store):
    hid, _ = sample_household(store)
    old_phone = register.household(store, hid)["phone"]
    households.set_household(store, hid, {"phone": "13912345678"})
    revert_change(store, _entry(household_history(store, hid), "联系电话").seq)
    assert register.household(store, hid)["phone"] == old_phone
    # A number taken since by another household is refused, as the form refuses it.
    households.set_household(store, hid, {"number": "3715811090019999"})
    other, _ = register.save_household(store, {"number": "NEW-1", "head_name": "某某"},
                                       village_id=store.get("households", hid)["village_id"])
    number = _entry(household_history(store, hid), "户编号")
    households.set_household(store, other, {"number": number.old_text})
    with pytest.raises(CadreDeskError, match="户编号"):
        revert_change(store, number.seq)
    assert register.household(store, hid)["number"] == "3715811090019999"
