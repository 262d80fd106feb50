"""Two laptops and the county office as three database files exchanging
packages in every order, some twice: they end up agreeing on every field of
the shared households, and every conflict is listed at the county office."""

from __future__ import annotations

import itertools
import time

import pytest

from cadre_desk import register
from cadre_desk.sync import conflicts
from cadre_desk.sync.export import export_package
from cadre_desk.sync.importer import import_package
from helpers_sync import add_household, county_with_households, enrol, make_id, member_answers, member_by_name


def shared_view(store, numbers=("3715811090010001", "3715811090010002")):
    """The data fields of the two shared households, their members (deleted
    ones too) and the county-wide openings, keyed by row id."""
    def rows(sql, params=()):
        out = {}
        for r in store.rows(sql, params):
            out[r["id"]] = {k: v for k, v in r.items() if k not in ("created_at", "updated_at", "device_id")}
        return out

    marks = ", ".join("?" * len(numbers))
    return {
        "households": rows(f"SELECT * FROM households WHERE number IN ({marks})", numbers),
        "members": rows(f"SELECT m.* FROM members m JOIN households h ON h.id = m.household_id "
                        f"WHERE h.number IN ({marks})", numbers),
        "openings": rows("SELECT * FROM openings"),
        "policies": rows("SELECT * FROM policies"),
    }


@pytest.fixture
def office(tmp_path):
    """The county office and two laptops of the same cadre (王芳), so that both
    can edit the same members, each set up from its own setup package."""
    county = county_with_households(tmp_path / "county.db")
    a = enrol(county, "王芳", tmp_path / "a.db", tmp_path)
    b = enrol(county, "王芳", tmp_path / "b.db", tmp_path)
    yield county, a, b
    for s in (county, a, b):
        s.db.conn.close()


def edit(store, name, **answers):
    register.save_member(store, answers, member_id=member_by_name(store, name)["id"])


def first_round(county, a, b, tmp_path):
    """Edits on both laptops (some the same field), a person entered twice,
    a county edit; returns the laptops' first packages."""
    # Different fields of the same member: both must survive.
    edit(a, "张三", expected_income=3000)
    edit(b, "张三", job_intention="县内企业就业")
    # The same field on both: B's edit is later by the clock, so B wins.
    edit(a, "李梅", work_status="乡(镇)内务工", work_months=6, work_company="手套厂")
    time.sleep(0.005)  # stamps of the same millisecond would be ordered by device id
    edit(b, "李梅", work_status="乡(镇)内务工", work_months=6, work_company="玩具厂")
    # The same person entered on both laptops.
    home = a.rows("SELECT id FROM households WHERE number = '3715811090010002'")[0]["id"]
    register.save_member(a, member_answers("孙六", make_id("19900505", 55), "之子", expected_income=2500),
                         household_id=home)
    register.save_member(b, member_answers("孙六", make_id("19900505", 55), "之子", job_intention="外出务工"),
                         household_id=home)
    # The county raises the pay of an opening.
    opening = county.rows("SELECT id FROM openings")[0]["id"]
    county.update("openings", opening, {"pay": 3300.0})
    return export_package(a, tmp_path / "a1.cdsync").path, export_package(b, tmp_path / "b1.cdsync").path


ORDERS = list(itertools.permutations(["a", "b", "a"]))[:3] + [("b", "b", "a", "a")]


@pytest.mark.parametrize("order", ORDERS, ids=["-".join(o) for o in ORDERS])
def test_three_databases_agree_after_any_order(office, tmp_path, order):
    county, a, b = office
    pa, pb = first_round(county, a, b, tmp_path)
    for who in order:
        result = import_package(county, pa if who == "a" else pb)
        assert result.counts or result.duplicate
    # Replies in both orders, the first one imported twice.
    ra = export_package(county, tmp_path / "c-a1.cdsync", device_id=a.device_id).path
    rb = export_package(county, tmp_path / "c-b1.cdsync", device_id=b.device_id).path
    assert import_package(b, rb).duplicate is False
    assert import_package(b, rb).duplicate is True
    import_package(a, ra)
    # A second round carries what the merges changed back and forth.
    for laptop, tag in ((b, "b2"), (a, "a2")):
        import_package(county, export_package(laptop, tmp_path / f"{tag}.cdsync").path)
    for laptop, tag in ((a, "c-a2"), (b, "c-b2")):
        import_package(laptop, export_package(county, tmp_path / f"{tag}.cdsync", device_id=laptop.device_id).path)

    views = [shared_view(s) for s in (county, a, b)]
    assert views[0] == views[1] == views[2]
    # Different fields of one member: both kept.
    zhang = member_by_name(county, "张三")
    assert (zhang["expected_income"], zhang["job_intention"]) == (3000, "县内企业就业")
    # The same field: the later edit (B) won, A's value is in the conflict list.
    assert member_by_name(county, "李梅")["work_company"] == "玩具厂"
    listed = conflicts.list_conflicts(county)
    lost = {(c["field"], c["lost_value"]) for c in listed}
    assert ("work_company", "手套厂") in lost
    # One 孙六, with the fields both laptops entered.
    sun = member_by_name(county, "孙六")
    assert (sun["expected_income"], sun["job_intention"]) == (2500, "外出务工")
    # The county's edit reached both laptops.
    for s in (a, b):
        assert s.rows("SELECT pay FROM openings")[0]["pay"] == 3300.0


def test_later_clock_wins_even_when_the_laptops_wall_clock_is_behind(office, tmp_path):
    county, a, b = office
    import_package(county, export_package(b, tmp_path / "b0.cdsync").path)  # B hands in its keys
    edit(a, "赵四", work_status="乡(镇)内务工", work_months=3, work_company="早的")
    import_package(county, export_package(a, tmp_path / "a1.cdsync").path)
    import_package(b, export_package(county, tmp_path / "c-b.cdsync", device_id=b.device_id).path)
    # B's wall clock is a year behind, but it has seen A's change: its edit is later by the HLC.
    b.clock._wall_ms = lambda: 1_500_000_000_000
    edit(b, "赵四", work_company="后改的")
    import_package(county, export_package(b, tmp_path / "b1.cdsync").path)
    assert member_by_name(county, "赵四")["work_company"] == "后改的"
    assert conflicts.list_conflicts(county) == []  # B saw A's value before changing it: no conflict


def test_conflict_review_keep_take_edit(office, tmp_path):
    county, a, b = office
    edit(a, "李梅", work_status="乡(镇)内务工", work_months=6, work_company="手套厂")
    time.sleep(0.005)  # stamps of the same millisecond would be ordered by device id
    edit(b, "李梅", work_status="乡(镇)内务工", work_months=6, work_company="玩具厂")
    edit(a, "赵四", expected_income=2000)
    time.sleep(0.005)
    edit(b, "赵四", expected_income=2600)
    import_package(county, export_package(a, tmp_path / "a.cdsync").path)
    import_package(county, export_package(b, tmp_path / "b.cdsync").path)
    listed = {c["field"]: c for c in conflicts.list_conflicts(county)}
    assert set(listed) == {"work_company", "expected_income"}
    conflicts.resolve(county, listed["work_company"]["id"], keep="theirs")
    conflicts.resolve(county, listed["expected_income"]["id"], value="2300")
    assert member_by_name(county, "李梅")["work_company"] == "手套厂"
    assert member_by_name(county, "赵四")["expected_income"] == 2300
    assert conflicts.list_conflicts(county) == []
    # The decisions travel to the laptops as ordinary (later) changes.
    import_package(a, export_package(county, tmp_path / "c-a.cdsync", device_id=a.device_id).path)
    assert member_by_name(a, "李梅")["work_company"] == "手套厂"
    assert member_by_name(a, "赵四")["expected_income"] == 2300


def test_same_person_on_two_laptops_keeps_references(office, tmp_path):
    county, a, b = office
    home = a.rows("SELECT id FROM households WHERE number = '3715811090010002'")[0]["id"]
    opening = a.rows("SELECT id FROM openings")[0]["id"]
    idn = make_id("19920606", 67)
    ma, _ = register.save_member(a, member_answers("周七", idn, "之子"), household_id=home)
    time.sleep(0.005)
    mb, _ = register.save_member(b, member_answers("周七", idn, "之子", expected_income=4000), household_id=home)
    b.insert("applications", {"member_id": mb, "opening_id": opening, "applied_on": "2020-05-01"})
    a.insert("applications", {"member_id": ma, "opening_id": opening, "applied_on": "2020-05-02"})
    import_package(county, export_package(a, tmp_path / "a.cdsync").path)
    import_package(county, export_package(b, tmp_path / "b.cdsync").path)
    live = county.rows("SELECT * FROM members WHERE id_number = ? AND deleted = 0", [idn])
    assert len(live) == 1
    survivor = live[0]["id"]
    assert survivor == ma  # entered first
    apps = county.rows("SELECT member_id FROM applications WHERE deleted = 0")
    assert [r["member_id"] for r in apps] == [survivor, survivor]
    assert live[0]["expected_income"] == 4000
    for laptop in (a, b):
        import_package(laptop, export_package(county, tmp_path / f"c-{laptop.device_id}.cdsync",
                                              device_id=laptop.device_id).path)
        assert [r["id"] for r in laptop.rows("SELECT id FROM members WHERE id_number = ? AND deleted = 0",
                                             [idn])] == [survivor]
        assert {r["member_id"] for r in laptop.rows("SELECT member_id FROM applications WHERE deleted = 0")} \
            == {survivor}


def test_soft_delete_travels(office, tmp_path):
    county, a, _ = office
    register.remove_member(a, member_by_name(a, "李梅")["id"])
    import_package(county, export_package(a, tmp_path / "a.cdsync").path)
    assert county.rows("SELECT deleted FROM members WHERE name = '李梅'") == [{"deleted": 1}]


def test_laptop_gets_only_its_households_and_cannot_change_others(tmp_path):
    county = county_with_households(tmp_path / "county.db")
    laptop = enrol(county, "王芳", tmp_path / "a.db", tmp_path)
    assert {r["name"] for r in laptop.rows("SELECT name FROM members")} == {"张三", "李梅", "赵四"}
    # A forged change to a county-only table from the laptop is refused, the rest applies.
    opening = laptop.rows("SELECT id FROM openings")[0]["id"]
    laptop.update("openings", opening, {"pay": 9999.0})
    edit(laptop, "张三", expected_income=3500)
    result = import_package(county, export_package(laptop, tmp_path / "a.cdsync").path)
    assert result.counts["rejected"] == 1 and result.counts["updated"] == 1
    assert county.rows("SELECT pay FROM openings")[0]["pay"] == 3000.0


def test_newly_paired_household_reaches_the_laptop_whole(tmp_path):
    county = county_with_households(tmp_path / "county.db")
    laptop = enrol(county, "王芳", tmp_path / "a.db", tmp_path)
    import_package(county, export_package(laptop, tmp_path / "a.cdsync").path)  # enrols the laptop's keys
    home = county.rows("SELECT id FROM households WHERE number = '3715811090010003'")[0]["id"]
    register.pair_cadre(county, home, register.ensure_cadre(county, "王芳"))
    import_package(laptop, export_package(county, tmp_path / "c.cdsync").path)
    assert member_by_name(laptop, "钱五")["household_id"] == home
    from cadre_desk.sync import allowed_household_numbers

    assert "3715811090010003" in allowed_household_numbers(laptop)
    assert allowed_household_numbers(county) is None


def test_new_household_for_a_third_laptop_does_not_leak(tmp_path):
    county = county_with_households(tmp_path / "county.db")
    add_household(county, "3715811090010009", "李强", [("吴九", make_id("19880808", 89))])
    laptop = enrol(county, "王芳", tmp_path / "a.db", tmp_path)
    assert not laptop.rows("SELECT 1 FROM members WHERE name IN ('吴九', '钱五')")
