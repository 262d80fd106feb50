"""A town / village scope is decided in one place (``places.household_scope``):
the roster export, the not-employed list and the figures read the same one."""

from __future__ import annotations

import datetime as dt

import pytest

from cadre_desk import places, register
from cadre_desk.errors import NotFound
from cadre_desk.jobs import progress
from cadre_desk.roster import export as roster_export
from cadre_desk.stats import compute_stats
from tests.helpers_survey import make_id

TODAY = dt.date(2020, 4, 30)


def _household(store, town: str, village: str, number: str, seq: int) -> None:
    town_id = places.town_by_name(store, town)["id"]
    village_id = places.ensure_village(store, town_id, village)
    hid, _ = register.save_household(store, {"number": number, "head_name": "户主"}, village_id=village_id)
    register.save_member(store, {"name": "户主", "id_number": make_id("19800101", seq),
                                 "relation": "户主", "health": ["健康"], "labour_ability": "普通劳动力",
                                 "school_status": "非在校生", "employment_status": "未就业"}, household_id=hid)


def test_one_scope_for_every_caller(store, tmp_path):
    _household(store, "烟店镇", "李庄村", "H1", 11)
    _household(store, "烟店镇", "王庄村", "H2", 13)
    _household(store, "康庄镇", "李庄村", "H3", 15)

    assert places.household_scope(store) == ("1", [])
    where, params = places.household_scope(store, town="烟店")
    assert where.startswith("h.village_id IN (") and len(params) == 2
    where, params = places.household_scope(store, village="李庄村")
    assert len(params) == 2  # two towns have a 李庄村
    with pytest.raises(NotFound):
        places.household_scope(store, town="火星镇")

    for town, village, expected in (("烟店镇", None, 2), (None, "李庄村", 2), ("康庄镇", "李庄村", 1), (None, None, 3)):
        assert roster_export.export_roster(store, tmp_path / "r.xlsx", town=town, village=village) == expected
        assert len(progress.not_employed(store, TODAY, town=town, village=village)) == expected
        assert compute_stats(store, TODAY, town=town, village=village)["working_age_able"] == expected
    # The copies are gone: one definition, read by all three.
    assert not hasattr(roster_export, "_scope") and not hasattr(progress, "_scope")
