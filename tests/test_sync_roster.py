"""A laptop takes roster corrections for its own households only: other rows
are reported and not applied (cadre_desk.roster asks
``allowed_household_numbers``)."""

from __future__ import annotations

from cadre_desk.roster import import_roster
from helpers_roster import member, write_roster
from helpers_sync import county_with_households, enrol, make_id, member_by_name


def test_laptop_roster_import_touches_only_its_households(tmp_path):
    county = county_with_households(tmp_path / "county.db")
    laptop = enrol(county, "王芳", tmp_path / "a.db", tmp_path)
    rows = [
        member("3715811090010001", "张三", make_id("19700101", 11), village="李庄村", 帮扶责任人="王芳",
               文化程度="高中"),
        member("3715811090010003", "钱五", make_id("19800404", 41), village="李庄村", 帮扶责任人="李强",
               文化程度="高中"),
        member("3715811090019999", "新来的", make_id("19850505", 51), village="李庄村", 帮扶责任人="王芳"),
    ]
    result = import_roster(laptop, write_roster(tmp_path / "roster.xlsx", rows))
    assert result.written
    assert member_by_name(laptop, "张三")["education"] == "高中"
    assert len(result.not_own_rows) == 2 and "3715811090010003" in result.not_own_rows[0]
    assert "不属于本机负责的户" in result.summary()
    assert not laptop.rows("SELECT 1 FROM members WHERE name IN ('钱五', '新来的')")
    # At the county office there is no such limit.
    assert import_roster(county, write_roster(tmp_path / "roster2.xlsx", rows)).not_own_rows == []
