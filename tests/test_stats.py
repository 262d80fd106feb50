"""Progress figures (domain.md §4): each figure on hand-built households, the age
bounds on the exact birthdays, scoping, settings, and the CLI."""

from __future__ import annotations

import datetime as dt
import json
from itertools import count
from pathlib import Path

import pytest

from cadre_desk.storage import open_store

from cadre_desk import places, register, terms
from cadre_desk.errors import NotFound
from cadre_desk.idnumber import check_character
from cadre_desk.stats import compute_stats
from helpers_cli import run_cli

AS_OF = dt.date(2020, 4, 30)
_seq = count(1)


def make_id(born: dt.date, male: bool = True, area: str = "371581") -> str:
    n = next(_seq) % 500
    seq = f"{n:02d}{1 if male else 2}"[-3:]
    body = f"{area}{born:%Y%m%d}{seq}"
    return body + check_character(body)


def years_before(day: dt.date, years: int, days: int = 0) -> dt.date:
    return day.replace(year=day.year - years) + dt.timedelta(days=days)


class County:
    """Builds households and members through the register, as a user would."""

    def __init__(self, store):
        self.store = store
        self.numbers = count(1)
        self.villages: dict[tuple[str, str], str] = {}

    def village(self, town: str, name: str) -> str:
        key = (town, name)
        if key not in self.villages:
            t = places.town_by_name(self.store, town)
            self.villages[key] = places.ensure_village(self.store, t["id"], name)
        return self.villages[key]

    def household(self, town: str = "烟店镇", village: str = "李庄村", status: str = "未脱贫") -> str:
        hid, _ = register.save_household(self.store, {
            "number": f"H{next(self.numbers):05d}", "head_name": "户主", "poverty_status": status,
            "attribute": "一般贫困户", "main_cause": "因病"}, village_id=self.village(town, village))
        return hid

    def member(self, household_id: str, born: dt.date, *, relation: str = "之子", labour: str = "普通劳动力",
               school: str | None = "非在校生", employed: str | None = None, people_employed: int | None = None,
               male: bool = True, name: str = "成员") -> str:
        answers = {"name": name, "id_number": make_id(born, male), "relation": relation, "health": "健康",
                   "labour_ability": labour, "school_status": school}
        if employed:
            answers.update(employment_status="已就业", employment_channel=employed)
            if people_employed is not None:
                answers["people_employed"] = people_employed
        elif employed is None:
            answers["employment_status"] = "未就业"
        mid, _ = register.save_member(self.store, answers, household_id=household_id, as_of=AS_OF)
        return mid


@pytest.fixture
def county(store):
    # These households model the May 2020 register: the county keeps the 2020
    # terms (扶贫车间, 公益性岗位), as one that imported its 2020 roster does.
    terms.set_terms(store, "2020")
    return County(store)


def adult(years: int = 35) -> dt.date:
    return years_before(AS_OF, years)


def test_empty_county_gives_zeros_and_all_channels(store):
    f = compute_stats(store, AS_OF)
    assert f["working_age_able"] == 0 and f["employed"] == 0
    assert f["employment_rate"] == 0
    # A new county: the 2021+ channels.
    assert set(f["by_channel"]) == {"企业就业", "帮扶车间", "居家就业", "有组织劳务输出", "自主创业", "乡村公益性岗位",
                                    "以工代赈", "灵活就业"}
    assert all(v == 0 for v in f["by_channel"].values())
    assert f["as_of"] == "2020-04-30"
    terms.set_terms(store, "2020")
    f = compute_stats(store, AS_OF)
    assert set(f["by_channel"]) == {"企业就业", "扶贫车间", "居家就业", "劳务输出", "自主创业", "公益性岗位", "灵活就业"}


def test_channels_counted_under_the_countys_spelling(store):
    county = County(store)
    h = county.household()
    county.member(h, adult(), relation="户主", employed="扶贫车间")
    county.member(h, adult(30), employed="帮扶车间")
    county.member(h, adult(25), employed="公益性岗位")
    f = compute_stats(store, AS_OF)
    assert f["by_channel"]["帮扶车间"] == 2 and "扶贫车间" not in f["by_channel"]
    assert f["by_channel"]["乡村公益性岗位"] == 1 and f["public_welfare_posts"] == 1
    terms.set_terms(store, "2020")
    f = compute_stats(store, AS_OF)
    assert f["by_channel"]["扶贫车间"] == 2 and f["by_channel"]["公益性岗位"] == 1


def test_each_figure_counted(store, county):
    h = county.household()
    a = county.member(h, adult(40), relation="户主", employed="企业就业")
    b = county.member(h, adult(38), relation="配偶", male=False, employed="自主创业", people_employed=3)
    c = county.member(h, adult(20), labour="弱劳动力或半劳动力", employed="自主创业", people_employed=2)
    d = county.member(h, adult(18), labour="技能劳动力")  # not employed
    county.member(h, adult(30), labour="丧失劳动力", employed="")  # not able: not counted
    county.member(h, adult(45), labour="无劳动力", employed="")
    h2 = county.household(status="已脱贫（不再享受政策）")  # any 脱贫状态 counts
    e = county.member(h2, adult(50), relation="户主", employed="公益性岗位")
    county.member(h2, adult(70), relation="之父", labour="丧失劳动力", employed="公益性岗位")

    opening = store.insert("openings", {"title": "缝纫工", "route": "扶贫车间"})
    for mid, day in ((a, "2020-03-01"), (d, "2020-04-30"), (d, "2020-04-01"), (c, "2020-05-01")):
        store.insert("applications", {"member_id": mid, "opening_id": opening, "applied_on": day})
    rec = store.insert("recommendations", {"member_id": a, "recommended_on": "2020-02-20"})
    store.insert("offers", {"recommendation_id": rec, "member_id": a, "opening_id": opening, "rank": 1,
                            "status": "在岗", "status_on": "2020-03-10"})
    rec_d = store.insert("recommendations", {"member_id": d, "recommended_on": "2020-03-20"})
    store.insert("offers", {"recommendation_id": rec_d, "member_id": d, "opening_id": opening, "rank": 1,
                            "status": "未录用", "status_on": "2020-04-20"})
    # A public-welfare post held as a measure by someone whose survey says otherwise.
    store.insert("measures", {"member_id": d, "kind": "公益性岗位", "title": "保洁",
                              "start_date": "2020-01-01", "end_date": "2020-12-31"})
    store.insert("measures", {"member_id": b, "kind": "公益性岗位", "title": "护林",  # ended before as_of
                              "start_date": "2019-01-01", "end_date": "2019-12-31"})
    for amount, day in ((400, "2020-01-31"), (400, "2020-04-30"), (400, "2020-05-31"), (350, "2019-12-31")):
        store.insert("subsidies", {"member_id": e, "kind": "公益性岗位补贴", "amount_yuan": amount, "paid_on": day})
    store.insert("subsidies", {"household_id": h, "kind": "公益性岗位补贴", "amount_yuan": 150.5,
                               "paid_on": "2020-02-01"})
    store.insert("subsidies", {"member_id": c, "kind": "一次性创业补贴", "amount_yuan": 5000, "paid_on": "2020-02-01"})

    f = compute_stats(store, AS_OF)
    assert f["households"] == 2
    assert f["working_age_able"] == 5  # a, b, c, d, e
    assert f["employed"] == 4
    assert f["employment_rate"] == pytest.approx(0.8)
    assert f["by_channel"]["企业就业"] == 1 and f["by_channel"]["自主创业"] == 2
    assert f["by_channel"]["公益性岗位"] == 1  # the 70-year-old is not working-age
    assert sum(f["by_channel"].values()) == f["employed"]
    assert f["applied"] == 2  # a and d (d twice); c applied after as_of
    assert f["placed_by_recommendation"] == 1  # a; d was not hired
    assert f["self_employed"] == 2
    assert f["driven_by_self_employed"] == 5
    assert f["public_welfare_posts"] == 3  # e, old (any age), d (measure); b's measure ended
    assert f["public_welfare_subsidy_yuan"] == pytest.approx(950.5)

    # Outcomes after as_of do not count yet; a later date sees them.
    later = compute_stats(store, dt.date(2020, 5, 31))
    assert later["applied"] == 3
    assert later["public_welfare_subsidy_yuan"] == pytest.approx(1350.5)
    # A new year starts the subsidy sum again.
    assert compute_stats(store, dt.date(2021, 1, 15))["public_welfare_subsidy_yuan"] == 0


def test_hire_recorded_after_as_of_is_not_counted(store, county):
    h = county.household()
    a = county.member(h, adult(), relation="户主")
    opening = store.insert("openings", {"title": "搬运工", "route": "企业就业"})
    store.insert("applications", {"member_id": a, "opening_id": opening, "applied_on": "2020-04-01"})
    store.insert("offers", {"member_id": a, "opening_id": opening, "status": "录用", "status_on": "2020-05-02"})
    assert compute_stats(store, AS_OF)["placed_by_recommendation"] == 0
    assert compute_stats(store, dt.date(2020, 5, 2))["placed_by_recommendation"] == 1


def test_age_bounds_on_the_exact_birthdays(store, county):
    h = county.household()
    county.member(h, years_before(AS_OF, 16), relation="户主", name="刚满16")
    county.member(h, years_before(AS_OF, 16, days=1), name="差一天16")
    county.member(h, years_before(AS_OF, 60), name="刚满60")
    county.member(h, years_before(AS_OF, 60, days=1), name="差一天60")
    f = compute_stats(store, AS_OF)
    assert f["working_age_able"] == 2  # 刚满16 and 差一天60
    # One day earlier, the 16-year-old is still 15 and the 60-year-old still 59.
    assert compute_stats(store, AS_OF - dt.timedelta(days=1))["working_age_able"] == 2
    names = {r["name"] for r in store.rows("SELECT name FROM members")}
    assert names == {"刚满16", "差一天16", "刚满60", "差一天60"}


def test_leap_day_birthday(store, county):
    h = county.household()
    county.member(h, dt.date(2004, 2, 29), relation="户主")
    # Born 29 Feb 2004: 16 on 1 March 2020? No: 2020 is a leap year, so on 29 Feb 2020.
    assert compute_stats(store, dt.date(2020, 2, 28))["working_age_able"] == 0
    assert compute_stats(store, dt.date(2020, 2, 29))["working_age_able"] == 1
    h2 = county.household()
    county.member(h2, dt.date(2005, 2, 28), relation="户主")
    county.member(h2, dt.date(2005, 3, 1))
    # 2021 is not a leap year: on 28 Feb 2021 the one born 28 Feb 2005 is 16, the one born 1 March is not.
    assert compute_stats(store, dt.date(2021, 2, 28))["working_age_able"] == 2
    assert compute_stats(store, dt.date(2021, 3, 1))["working_age_able"] == 3


def test_students_excluded_empty_school_status_included(store, county):
    h = county.household()
    county.member(h, adult(17), relation="户主", school="高中三年级")
    county.member(h, adult(19), school="高职一年级")
    county.member(h, adult(20), school=None)
    county.member(h, adult(21), school="非在校生")
    assert compute_stats(store, AS_OF)["working_age_able"] == 2


def test_deleted_members_and_households_excluded(store, county):
    h = county.household()
    keep = county.member(h, adult(), relation="户主", employed="企业就业")
    gone = county.member(h, adult(30), employed="公益性岗位")
    h2 = county.household()
    county.member(h2, adult(), relation="户主", employed="企业就业")
    assert compute_stats(store, AS_OF)["working_age_able"] == 3
    register.remove_member(store, gone)
    store.delete("households", h2)
    f = compute_stats(store, AS_OF)
    assert (f["working_age_able"], f["employed"], f["households"], f["public_welfare_posts"]) == (1, 1, 1, 0)
    assert keep


def test_scoping_by_town_and_village(store, county):
    h1 = county.household("烟店镇", "李庄村")
    county.member(h1, adult(), relation="户主", employed="企业就业")
    h2 = county.household("烟店镇", "王营村")
    county.member(h2, adult(), relation="户主")
    county.member(h2, adult(25))
    h3 = county.household("大辛庄街道", "李庄村")  # the same village name in another town
    m3 = county.member(h3, adult(), relation="户主", employed="扶贫车间")
    store.insert("subsidies", {"household_id": h2, "kind": "公益性岗位补贴", "amount_yuan": 300, "paid_on": "2020-03-01"})
    # A payment that names only the member belongs to the member's household.
    store.insert("subsidies", {"member_id": m3, "kind": "公益性岗位补贴", "amount_yuan": 120, "paid_on": "2020-03-01"})

    assert compute_stats(store, AS_OF)["working_age_able"] == 4
    town = compute_stats(store, AS_OF, town="烟店镇")
    assert (town["working_age_able"], town["employed"], town["households"]) == (3, 1, 2)
    assert town["town"] == "烟店镇" and town["village"] is None
    assert town["public_welfare_subsidy_yuan"] == 300
    assert compute_stats(store, AS_OF, town="烟店")["working_age_able"] == 3  # short name
    v = compute_stats(store, AS_OF, town="烟店镇", village="王营村")
    assert (v["working_age_able"], v["employed"], v["village"]) == (2, 0, "王营村")
    both = compute_stats(store, AS_OF, village="李庄村")  # both 李庄村
    assert (both["working_age_able"], both["employed"], both["households"]) == (2, 2, 2)
    assert compute_stats(store, AS_OF, town="大辛庄街道", village="李庄村")["by_channel"]["扶贫车间"] == 1
    assert compute_stats(store, AS_OF, town="大辛庄街道", village="李庄村")["public_welfare_subsidy_yuan"] == 120
    assert compute_stats(store, AS_OF)["public_welfare_subsidy_yuan"] == 420
    # A town with no villages yet: zeros, not an error.
    assert compute_stats(store, AS_OF, town="尚店镇")["working_age_able"] == 0


def test_unknown_place_names(store, county):
    with pytest.raises(NotFound, match="火星镇"):
        compute_stats(store, AS_OF, town="火星镇")
    with pytest.raises(NotFound, match="不存在村"):
        compute_stats(store, AS_OF, village="不存在村")


def test_settings_change_the_bounds(store, county):
    h = county.household()
    county.member(h, adult(15), relation="户主")
    county.member(h, adult(62))
    county.member(h, adult(40))
    assert compute_stats(store, AS_OF)["working_age_able"] == 1
    store.set_setting("working_age_max", 65)
    assert compute_stats(store, AS_OF)["working_age_able"] == 2
    store.set_setting("working_age_min", 15)
    f = compute_stats(store, AS_OF)
    assert f["working_age_able"] == 3
    assert (f["working_age_min"], f["working_age_max"]) == (15, 65)


def test_cli_json_equals_compute_stats(file_store, db_path):
    county = County(file_store)
    h = county.household("烟店镇", "李庄村")
    county.member(h, adult(), relation="户主", employed="劳务输出")
    county.member(h, adult(33), male=False, relation="配偶")
    expected = compute_stats(file_store, AS_OF)
    expected_town = compute_stats(file_store, AS_OF, town="烟店镇", village="李庄村")
    file_store.db.conn.close()

    rc, out, _ = run_cli("--db", str(db_path), "stats", "--as-of", "2020-04-30", "--json")
    assert rc == 0
    assert json.loads(out) == expected
    rc, out, _ = run_cli("--db", str(db_path), "stats", "--as-of", "2020-04-30", "--town", "烟店镇",
                         "--village", "李庄村", "--json")
    assert json.loads(out) == expected_town
    assert expected["employed"] == 1 and expected["working_age_able"] == 2


def test_cli_table_is_chinese_and_readable(db_path):
    open_store(db_path).db.conn.close()  # stats only reads: the database must exist (issue 11 §1)
    rc, out, _ = run_cli("--db", str(db_path), "stats", "--as-of", "2020-04-30")
    assert rc == 0
    assert "临清市 就业帮扶进度（截至 2020-04-30）" in out
    # A new county speaks the 2021 terms throughout (issue 14 §1).
    for label in ("劳动年龄内有劳动能力的脱贫人口和监测对象", "已实现就业", "其中：乡村公益性岗位", "推荐就业", "带动就业",
                  "公益性岗位补贴"):
        assert label in out
    assert "贫困人口" not in out


def test_cli_table_keeps_the_2020_names_for_a_2020_register(db_path):
    from cadre_desk import terms

    store = open_store(db_path)
    terms.note_import(store, "2020")
    store.db.conn.close()
    rc, out, _ = run_cli("--db", str(db_path), "stats", "--as-of", "2020-04-30")
    assert rc == 0
    assert "劳动年龄内有劳动能力的贫困人口（16至60岁以下）" in out and "其中：公益性岗位" in out
    assert "脱贫人口" not in out


@pytest.mark.parametrize("bad", ["2020-13-01", "30.04.2020", "yesterday"])
def test_cli_bad_date_is_one_chinese_line(db_path, bad):
    rc, out, err = run_cli("--db", str(db_path), "stats", "--as-of", bad)
    assert rc == 1 and out == ""
    assert err.strip().count("\n") == 0
    assert "日期" in err and "YYYY-MM-DD" in err and "Traceback" not in err


def test_cli_unknown_town_is_one_chinese_line(db_path):
    open_store(db_path).db.conn.close()  # stats only reads: the database must exist (issue 11 §1)
    rc, _, err = run_cli("--db", str(db_path), "stats", "--town", "火星镇")
    assert rc == 1
    assert err.strip() == "错误：没有名为“火星镇”的乡镇（街道），请检查名称"
    assert Path(db_path).exists()


SAMPLE = Path("/work/shared/samples/roster-sample.xlsx")
EXPECTED = SAMPLE.with_name("roster-sample.expected.json")


@pytest.mark.skipif(not SAMPLE.exists(), reason="the shared sample roster is not on this machine")
def test_sample_roster_gives_the_expected_figures(store):
    roster_import = pytest.importorskip("cadre_desk.roster")
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    result = roster_import.import_roster(store, SAMPLE, skip_bad_rows=True)
    assert {(b.row, b.kind) for b in result.bad_rows} == {(b["row"], b["kind"]) for b in expected["bad_rows"]}
    f = compute_stats(store, dt.date.fromisoformat(expected["as_of"]))
    for key in ("households", "working_age_able", "employed", "self_employed", "driven_by_self_employed"):
        assert f[key] == expected[key], key
    assert {k: v for k, v in f["by_channel"].items() if v} == expected["by_channel"]
    # The towns' figures add up to the county's.
    towns = [r["name"] for r in store.rows("SELECT DISTINCT t.name FROM villages v JOIN towns t ON t.id = v.town_id")]
    per_town = [compute_stats(store, AS_OF, town=t) for t in towns]
    for key in ("households", "working_age_able", "employed", "public_welfare_posts"):
        assert sum(p[key] for p in per_town) == f[key], key
