"""People who arrive by sync are found by search at once, on the laptop after
the setup package and at the county office after a laptop's package."""

from __future__ import annotations

from cadre_desk import register, search
from cadre_desk.sync.export import export_package
from cadre_desk.sync.importer import import_package
from helpers_sync import county_with_households, enrol, make_id


def names(store, text):
    return sorted(h.name for h in search.search(store, text))


def test_setup_and_change_packages_are_searchable(tmp_path):
    county = county_with_households(tmp_path / "county.db")
    laptop = enrol(county, "王芳", tmp_path / "laptop.db", tmp_path)
    assert names(laptop, "张三") == ["张三"]
    assert names(laptop, "zs") == ["张三", "赵四"]  # zhang san, zhao si
    assert names(laptop, "zhangsan") == ["张三"]
    assert names(laptop, make_id("19720202", 22)[-4:]) == ["李梅"]
    assert names(laptop, "钱五") == []  # another cadre's household

    household = laptop.rows("SELECT household_id FROM members WHERE name = '张三'")[0]["household_id"]
    register.save_member(laptop, {"name": "孙小燕", "id_number": make_id("19990909", 44), "relation": "之女",
                                  "health": ["健康"], "labour_ability": "普通劳动力", "education": "高中",
                                  "school_status": "非在校生"}, household_id=household)
    import_package(county, export_package(laptop, tmp_path / "p1.cdsync").path)
    assert names(county, "小燕") == ["孙小燕"]
    assert names(county, "sxy") == ["孙小燕"]
