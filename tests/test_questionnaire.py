"""The questionnaire definition drives coercion, relevance and the consistency
rules of domain.md §3; a broken definition fails on load."""

import datetime as dt

import pytest

from cadre_desk.idnumber import check_character
from cadre_desk.questionnaire import (
    ERROR, WARNING, default_questionnaire, household_problems, parse_definition, validate,
)

Q = default_questionnaire()
AS_OF = dt.date(2020, 4, 30)


def idn(birth: str, seq: str = "001") -> str:
    body = "371581" + birth + seq
    return body + check_character(body)


def base(**extra):
    return {"name": "李秀英", "id_number": idn("19800101", "002"), "relation": "户主", "health": "健康",
            "labour_ability": "普通劳动力", **extra}


def problems(**extra):
    return validate(Q.member, base(**extra), as_of=AS_OF)[1]


def test_definition_has_a_version_and_every_roster_field_has_a_header():
    assert Q.version
    assert Q.member.by_key["labour_ability"].roster_aliases == ("劳动能力",)
    assert all(f.label for f in Q.member.fields + Q.household.fields)


def test_clean_answers_have_no_problems_and_are_normalised():
    values, found = validate(Q.member, base(health="健康", ethnicity="汉", skills="缝纫、电工,缝纫"), as_of=AS_OF)
    assert found == []
    assert values["ethnicity"] == "汉族"
    assert values["skills"] == ["缝纫", "电工"]


def test_unknown_code_value_is_an_error_naming_the_field():
    (p,) = problems(labour_ability="能干活")
    assert p.field == "labour_ability" and p.severity == ERROR
    assert "劳动技能" in p.message and "能干活" in p.message


def test_required_field_missing():
    values = base()
    del values["relation"]
    found = validate(Q.member, values, as_of=AS_OF)[1]
    assert [(p.field, p.message) for p in found] == [("relation", "请填写与户主关系")]


def test_bad_id_number_is_an_error():
    found = problems(id_number="371581198001010000")
    assert found[0].field == "id_number" and found[0].rule == "check"


def test_disability_fields_are_relevant_only_for_the_disabled():
    rel = Q.member.relevant_keys({"health": ["健康"]})
    assert "disability_category" not in rel and "stay_home_reasons" not in rel
    rel = Q.member.relevant_keys({"health": ["残疾"]})
    assert {"disability_category", "disability_grade", "stay_home_reasons"} <= rel
    assert "stay_home_reasons" in Q.member.relevant_keys({"job_intention": "居家就业", "health": ["健康"]})


def test_disabled_member_must_give_category_grade_and_reason():
    fields = {p.field for p in problems(health="残疾") if p.severity == ERROR}
    assert fields == {"disability_category", "disability_grade", "stay_home_reasons"}


def test_irrelevant_answers_are_emptied():
    values, _ = validate(Q.member, base(disability_category="肢体", employment_channel="企业就业"), as_of=AS_OF)
    assert values["disability_category"] is None
    assert values["employment_channel"] is None


def test_healthy_working_age_non_student_unable_to_work_is_a_warning():
    (p,) = problems(labour_ability="丧失劳动力")
    assert p.severity == WARNING and p.rule == "able_bodied_labour"
    assert problems(labour_ability="丧失劳动力", id_number=idn("19500101")) == []


def test_work_status_and_months_go_together():
    (p,) = problems(work_status="省外务工")
    assert p.rule == "work_both_or_neither" and p.severity == WARNING
    assert problems(work_status="省外务工", work_months=10) == []


def test_school_age_child_needs_exactly_one_of_education_and_school_status():
    child = {"id_number": idn("20100301", "003"), "relation": "之子", "labour_ability": "无劳动力"}
    assert [p.rule for p in problems(**child)] == ["school_child_education"]
    assert problems(**child, school_status="七年级") == []
    assert [p.rule for p in problems(**child, school_status="七年级", education="小学")] == ["school_child_education"]


def test_numbers_respect_ranges():
    (p,) = [p for p in problems(work_status="省外务工", work_months=13) if p.severity == ERROR]
    assert p.field == "work_months" and "0 到 12" in p.message


def test_household_rules():
    head = {"relation": "户主", "sex": "男"}
    assert household_problems(Q, [head, {"relation": "配偶", "sex": "女"}]) == []
    assert [p.rule for p in household_problems(Q, [head, {"relation": "配偶", "sex": "男"}])] == ["spouse_sex"]
    assert [p.rule for p in household_problems(Q, [{"relation": "之子"}])] == ["one_head"]
    two_spouses = [head, {"relation": "配偶", "sex": "女"}, {"relation": "配偶", "sex": "女"}]
    assert [p.rule for p in household_problems(Q, two_spouses)] == ["one_spouse"]


def test_a_broken_definition_fails_on_load():
    raw = dict(Q.raw)
    raw["member"] = dict(raw["member"], fields=[{"key": "x", "label": "X", "type": "code", "codes": "nope"}])
    with pytest.raises(KeyError):
        parse_definition(raw)
    raw["member"] = dict(raw["member"], fields=[{"key": "x", "label": "X", "type": "text",
                                                  "relevant": {"field": "y", "bogus": 1}}])
    with pytest.raises(ValueError, match="operator"):
        parse_definition(raw)


# ---------------------------------------------------------------- validate against a plain reading of the definition

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from cadre_desk import rules  # noqa: E402
from cadre_desk.questionnaire import CoerceError, Problem, age_on, coerce  # noqa: E402


def _plain_validate(part, raw, as_of):
    """The definition read literally, field by field and rule by rule, with
    nothing compiled or remembered: what ``validate`` must agree with."""
    problems, values = [], {}
    for f in part.fields:
        if f.key not in raw:
            continue
        if raw[f.key] is None or raw[f.key] == "":
            values[f.key] = None
            continue
        try:
            values[f.key] = coerce(f, raw[f.key])
        except CoerceError as exc:
            problems.append(Problem(f.key, exc.message, ERROR, exc.kind))
            values[f.key] = None
    bad = {p.field for p in problems}
    irrelevant = {f.key for f in part.fields if f.relevant and not rules.evaluate(f.relevant, values)}
    problems += [Problem(f.key, f"请填写{f.label}", ERROR, "required") for f in part.fields
                 if f.required and f.key not in bad and f.key not in irrelevant and rules.is_empty(values.get(f.key))]
    values = {k: None if k in irrelevant else v for k, v in values.items()}
    age = age_on(values.get("id_number"), as_of)
    context = {**values, "age": age, "working_age": age is not None and 16 <= age < 60} \
        if part.level == "member" else values
    problems += [Problem((r.get("fields") or [None])[0], r["message"].format(working_age_min=16, working_age_max=60),
                         r.get("severity", WARNING), r["id"])
                 for r in part.rules
                 if rules.evaluate(r.get("when"), context) and not rules.evaluate(r.get("assert"), context)]
    return values, problems


def _answer(fld):
    empty = st.sampled_from([None, ""])
    if fld.type == "code":
        return st.one_of(empty, st.sampled_from([*fld.code_list.values, "不存在的值"]))
    if fld.type == "multi":
        names = st.sampled_from([*fld.code_list.values, "不存在的值"])
        return st.one_of(empty, st.lists(names, max_size=3), names)
    if fld.type in ("int", "number"):
        return st.one_of(empty, st.integers(-5, 200), st.sampled_from(["八", "3.5"]))
    if fld.type == "bool":
        return st.one_of(empty, st.sampled_from([True, False, "是", "否", "也许"]))
    if fld.type == "id_number":
        return st.one_of(empty, st.sampled_from([idn("19800101", "002"), idn("20100101", "003"),
                                                 idn("19500101", "004"), "37158119800101002X", "123"]))
    return st.one_of(empty, st.sampled_from(["李秀英", "王", "临清市坤德电子有限公司"]))


def _answers(part):
    return st.fixed_dictionaries({}, optional={f.key: _answer(f) for f in part.fields})


@settings(max_examples=400, deadline=None)
@given(_answers(Q.member), _answers(Q.household))
def test_validate_agrees_with_the_definition_read_literally(member, household):
    # Twice each: the second call answers from what the first remembered.
    for part, raw in ((Q.member, member), (Q.household, household)):
        expected = _plain_validate(part, raw, AS_OF)
        assert validate(part, raw, as_of=AS_OF) == expected
        assert validate(part, raw, as_of=AS_OF) == expected


@settings(max_examples=150, deadline=None)
@given(st.lists(_answers(Q.member), max_size=12), st.lists(_answers(Q.household), max_size=6))
def test_a_block_checked_column_by_column_agrees_row_by_row(members, households):
    # The engine sees the rows together (each value coerced once, each rule
    # once per distinct input); every row must come out as if checked alone.
    from cadre_desk.validation import check_rows

    for part, rows in ((Q.member, members), (Q.household, households)):
        # Repeat rows so that distinct values and rule inputs really are shared.
        rows = rows + rows[: len(rows) // 2]
        got = check_rows(part, rows, as_of=AS_OF).rows()
        assert got == [_plain_validate(part, raw, AS_OF) for raw in rows]
