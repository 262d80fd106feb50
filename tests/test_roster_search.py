"""Search right after a roster import: the import indexes its new rows in one
set-based pass (``search.bulk_inserts``) instead of the per-row insert
triggers, so these tests check that imported people are found at once, that
rows written afterwards are still indexed by the triggers, and that a failed
(all-or-nothing) import leaves the triggers in place."""

from __future__ import annotations

import pytest

from cadre_desk import register, search
from cadre_desk.roster import RosterImportFailed, import_roster
from helpers_roster import family, make_id, member, snapshot, write_roster

_INSERT_TRIGGERS = {"search_members_insert", "search_households_insert"}


def triggers(store) -> dict[str, str]:
    return {name: sql for name, sql in store.db.conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_%'")}


def found(store, text: str) -> set[tuple[str, str]]:
    return {(h.name, h.kind) for h in search.search(store, text)}


def test_imported_people_are_found_by_name_fragment_id_tail_and_household_number(tmp_path, store):
    rows = family("37158110900100001", head_name="欧阳建国") + family("37158110900100002", head_name="王秀兰")
    import_roster(store, write_roster(tmp_path / "r.xlsx", rows))
    # Two characters from inside a name (not its start).
    assert ("欧阳建国", "name") in found(store, "建国")
    assert ("王秀兰", "name") in found(store, "秀兰")
    # The last four characters of an ID number.
    wife = make_id("19720508", 12)
    assert {h.id_number for h in search.search(store, wife[-4:])} >= {wife}
    # The household number (whole, or its last digits) finds the household, shown by its head.
    for text in ("37158110900100002", "100002"):
        hits = [h for h in search.search(store, text) if h.kind == "household_number"]
        assert [(h.name, h.household_number) for h in hits] == [("王秀兰", "37158110900100002")]


def test_search_triggers_are_back_after_an_import(tmp_path, store):
    before = triggers(store)
    assert _INSERT_TRIGGERS <= set(before)
    import_roster(store, write_roster(tmp_path / "r.xlsx", family()))
    assert triggers(store) == before
    # A member added afterwards through the register is indexed by the trigger.
    hh = register.household_by_number(store, "37158110900100001")
    register.save_member(store, {"name": "张晓燕", "id_number": make_id("20010203", 24), "relation": "之女",
                                 "health": ["健康"], "labour_ability": "普通劳动力"}, household_id=hh["id"])
    assert ("张晓燕", "name") in found(store, "晓燕")


def test_failed_import_leaves_the_search_triggers_and_index_as_they_were(tmp_path, store):
    import_roster(store, write_roster(tmp_path / "first.xlsx", family("37158110900100001")))
    before_triggers = triggers(store)
    before = snapshot(store)
    index = store.rows("SELECT * FROM search_people ORDER BY member_id")
    bad = family("37158110900100002", head_name="赵国庆") + [
        member("37158110900100003", "钱多多", make_id("19800101", 5)[:-1] + "0")]  # wrong check character
    with pytest.raises(RosterImportFailed):
        import_roster(store, write_roster(tmp_path / "bad.xlsx", bad))
    assert triggers(store) == before_triggers
    assert snapshot(store) == before
    assert store.rows("SELECT * FROM search_people ORDER BY member_id") == index
    assert not found(store, "国庆")
    # The triggers still work: a later good import and a register edit are both searchable.
    import_roster(store, write_roster(tmp_path / "good.xlsx", family("37158110900100002", head_name="赵国庆")))
    assert ("赵国庆", "name") in found(store, "国庆")
