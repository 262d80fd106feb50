"""Work spells a county check tool would question (issue 14, found by probing
the national import with hostile rows): a start after this month (a wrong
clock or a typo), a start before the person was 16, and one import giving the
same spell twice (same person, same start month in two spellings)."""

from __future__ import annotations

import datetime as dt

from cadre_desk import spells
from cadre_desk.spells import SpellRow, save_spells
from test_spells import TODAY, kinds, person  # noqa: F401 - the fixture

__all__ = ["person"]


def test_a_spell_starting_after_this_month_is_written_with_a_warning(store, person):
    mid, number = person
    result = save_spells(store, [SpellRow(id_number=number, start_month="2099-01", place="临清市", ref="第 4 行")],
                         as_of=TODAY)
    assert result.ok and result.created == 1
    found = [p for p in result.problems[0] if p.rule == "future_start"]
    assert found and found[0].field == "start_month"
    assert "2099年01月" in found[0].message and "2026年11月" in found[0].message
    assert spells.employment_status_on(store, mid, TODAY) == "未就业"  # nothing counted before it starts


def test_a_spell_starting_before_the_person_was_16_is_questioned(store, person):
    _, number = person  # born 1990-01-01: 16 in 2006-01
    result = save_spells(store, [
        SpellRow(id_number=number, start_month="1995-03", end_month="1996-01", place="临清市", ref="第 4 行"),
        SpellRow(id_number=number, start_month="2006-01", end_month="2006-05", place="临清市", ref="第 5 行")],
        as_of=TODAY)
    assert result.ok
    young = [p for p in result.problems[0] if p.rule == "too_young"]
    assert young and "1995年03月" in young[0].message and "16" in young[0].message
    assert "too_young" not in kinds(result.problems[1])


def test_the_same_spell_twice_in_one_import_names_both_rows(store, person):
    mid, number = person
    result = save_spells(store, [
        SpellRow(id_number=number, start_month="2023-03", employer="甲厂", place="临清市", ref="第 4 行"),
        SpellRow(id_number=number, start_month="2023年03月", employer="乙厂", place="临清市", ref="第 9 行")],
        as_of=TODAY)
    assert result.ok and result.created == 1
    repeated = [p for p in result.problems[1] if p.rule == "repeated"]
    assert repeated and "第 4 行" in repeated[0].message and "乙厂" not in repeated[0].message
    stored = spells.spells_of(store, mid)
    assert [s["employer"] for s in stored] == ["乙厂"]  # the later row wins, and the clerk is told
