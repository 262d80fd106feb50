"""An opening is checked by the shared validation engine (issue 10): its fields,
code lists, ranges, required answers and consistency rules are data
(``resources/openings.json``, a questionnaire-style part), so each rule lives
in one place; only the look-ups of places stay in code."""

from __future__ import annotations

import datetime as dt

import pytest

from cadre_desk import rules, validation
from cadre_desk.errors import ValidationFailed
from cadre_desk.jobs import EDUCATION_ORDER, PAY_UNITS, ROUTES
from cadre_desk.jobs import openings as jo
from cadre_desk.questionnaire import validate


def test_the_opening_is_a_part_of_the_definition():
    part = jo.opening_part()
    assert part.level == "opening"
    assert {"title", "route", "pay", "pay_unit", "places", "age_min", "age_max", "labour_abilities", "skills",
            "valid_from", "valid_until", "suitable_disabled"} <= set(part.by_key)
    assert {r["id"] for r in part.rules} >= {"age_order", "validity_order", "pay_amount"}
    # The vocabulary the jobs modules use is the definition's code lists.
    assert part.by_key["route"].code_list.values == ROUTES
    assert part.by_key["pay_unit"].code_list.values == PAY_UNITS
    assert part.by_key["min_education"].code_list.values == EDUCATION_ORDER
    # The hand-written checkers are gone.
    for name in ("_number", "_codes", "_bool", "_date"):
        assert not hasattr(jo, name), name


def test_check_opening_says_what_the_engine_says(store):
    raw = {"title": "", "route": "打零工", "pay": "三千", "pay_unit": "元/月", "places": "0", "age_min": 50,
           "age_max": 30, "labour_abilities": "普通劳动力、很强", "valid_from": "2020-06-01",
           "valid_until": "2020-05-01", "suitable_disabled": "也许", "town": "烟店镇"}
    _, messages = jo.check_opening(store, raw)
    _, problems = validate(jo.opening_part(), {k: v for k, v in raw.items() if k != "town"})
    assert [p.message for p in problems if p.severity == "error"] == messages
    for expected in ("请填写岗位名称", "就业渠道“打零工”不对", "工资应为数字，现为“三千”", "招聘人数应在 1 到 100000 之间",
                     "接受的劳动技能“很强”不认识", "适合残疾人应填“是”或“否”，现为“也许”",
                     "最小年龄 50 大于最大年龄 30，请检查", "有效期起 2020-06-01 晚于有效期止 2020-05-01，请检查"):
        assert any(m.startswith(expected) for m in messages), expected


def test_a_labour_capacity_that_cannot_take_work_is_refused(store):
    with pytest.raises(ValidationFailed) as info:
        jo.save_opening(store, {"enterprise": "某厂", "title": "缝纫工", "route": "企业就业", "pay": 3000,
                                "pay_unit": "元/月", "places": 2, "town": "烟店镇", "labour_abilities": ["丧失劳动力"]})
    assert "接受的劳动技能" in info.value.problems[0].message


def test_a_good_opening_is_stored_as_before(store):
    oid = jo.save_opening(store, {"enterprise": "某厂", "title": "缝纫工", "route": "扶贫车间", "pay": "2,800",
                                  "pay_unit": "元/月", "places": "5", "town": "烟店镇", "labour_abilities": "弱劳动力",
                                  "skills": ["缝纫"], "valid_until": dt.date(2020, 12, 31), "suitable_disabled": "是"})
    row = jo.get_opening(store, oid)
    assert (row["pay"], row["places"], row["labour_abilities"], row["skills"]) == (2800, 5, ["弱劳动力或半劳动力"],
                                                                                  ["缝纫"])
    assert (row["valid_until"], row["suitable_disabled"], row["suitable_home_bound"]) == ("2020-12-31", 1, 0)
    stored = store.rows("SELECT labour_abilities, skills, suitable_disabled FROM openings WHERE id = ?", [oid])[0]
    assert stored == {"labour_abilities": '["弱劳动力或半劳动力"]', "skills": '["缝纫"]', "suitable_disabled": 1}


def test_the_order_rules_read_both_fields():
    part = jo.opening_part()
    by_id = {r["id"]: r for r in part.rules}
    assert rules.fields_of(by_id["age_order"]["assert"]) == {"age_min", "age_max"}
    assert rules.fields_of(by_id["validity_order"]["assert"]) == {"valid_from", "valid_until"}
    ok = validation.check_rows(part, [{"age_min": 18, "age_max": 55, "valid_from": "2020-01-01",
                                       "valid_until": "2020-02-01"}, {"age_min": 18}])
    assert not any(p.rule in ("age_order", "validity_order") for found in ok.problems for p in found)


def test_a_rule_message_may_name_the_values_it_read():
    part = jo.opening_part()
    block = validation.check_rows(part, [{"age_min": 50, "age_max": 30}, {"age_min": 40, "age_max": 20},
                                         {"age_min": 50, "age_max": 30}])
    found = [[p.message for p in problems if p.rule == "age_order"] for problems in block.problems]
    assert found == [["最小年龄 50 大于最大年龄 30，请检查"], ["最小年龄 40 大于最大年龄 20，请检查"],
                     ["最小年龄 50 大于最大年龄 30，请检查"]]
