"""The one way a member is written (``register.save_members`` and the bulk
helpers beside it), and the callers that used to write members their own way:
a conflict settled by typing a value, a reverted change."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from cadre_desk import history, places, register
from cadre_desk.errors import DuplicateIdNumber, ValidationFailed
from cadre_desk.sync import conflicts
from cadre_desk.sync.export import export_package
from cadre_desk.sync.importer import import_package
from helpers_sync import county_with_households, enrol, make_id, member_answers, member_by_name, open_db


@pytest.fixture
def office(tmp_path):
    county = county_with_households(tmp_path / "county.db")
    a = enrol(county, "王芳", tmp_path / "a.db", tmp_path)
    b = enrol(county, "王芳", tmp_path / "b.db", tmp_path)
    yield county, a, b
    for s in (county, a, b):
        s.db.conn.close()


def edit(store, name, **answers):
    register.save_member(store, answers, member_id=member_by_name(store, name)["id"])


def conflict_on(county, a, b, tmp_path, name, **pairs):
    """Both laptops change the same fields of ``name`` (B later); the county
    office imports both packages. ``pairs``: field -> (A's value, B's value)."""
    edit(a, name, **{k: v[0] for k, v in pairs.items()})
    time.sleep(0.005)
    edit(b, name, **{k: v[1] for k, v in pairs.items()})
    import_package(county, export_package(a, tmp_path / "a.cdsync").path)
    import_package(county, export_package(b, tmp_path / "b.cdsync").path)
    return {c["field"]: c for c in conflicts.list_conflicts(county)}


# ---------------------------------------------------------------- conflict resolution by a typed value

def test_typed_value_empties_what_it_makes_irrelevant(office, tmp_path):
    county, a, b = office
    edit(a, "赵四", expected_income=3000)
    listed = conflict_on(county, a, b, tmp_path, "赵四", job_intention=("县内企业就业", "外出务工"))
    assert set(listed) == {"job_intention"}
    assert member_by_name(county, "赵四")["expected_income"] == 3000
    conflicts.resolve(county, listed["job_intention"]["id"], value="暂无意愿")
    row = member_by_name(county, "赵四")
    assert row["job_intention"] == "暂无意愿"
    # 期望月收入 is asked only of those who want work: it must not stay behind.
    assert row["expected_income"] is None


def test_typed_id_number_brings_its_sex_and_birth_date(office, tmp_path):
    county, a, b = office
    listed = conflict_on(county, a, b, tmp_path, "李梅",
                         id_number=(make_id("19720202", 42), make_id("19720202", 62)))
    assert set(listed) >= {"id_number"}
    typed = make_id("19750505", 13)  # a man born 1975-05-05
    conflicts.resolve(county, listed["id_number"]["id"], value=typed)
    row = member_by_name(county, "李梅")
    assert row["id_number"] == typed
    assert (row["sex"], row["birth_date"]) == ("男", "1975-05-05")


def test_typed_id_number_of_someone_else_is_refused_and_nothing_changes(office, tmp_path):
    county, a, b = office
    listed = conflict_on(county, a, b, tmp_path, "李梅",
                         id_number=(make_id("19720202", 42), make_id("19720202", 62)))
    before = member_by_name(county, "李梅")
    taken = member_by_name(county, "张三")["id_number"]
    with pytest.raises(DuplicateIdNumber):
        conflicts.resolve(county, listed["id_number"]["id"], value=taken)
    assert member_by_name(county, "李梅") == before
    assert "id_number" in {c["field"] for c in conflicts.list_conflicts(county)}  # still open


def test_typed_value_that_is_not_a_value_is_refused(office, tmp_path):
    county, a, b = office
    listed = conflict_on(county, a, b, tmp_path, "赵四", expected_income=(2000, 2600))
    with pytest.raises(ValidationFailed):
        conflicts.resolve(county, listed["expected_income"]["id"], value="很多")
    conflicts.resolve(county, listed["expected_income"]["id"], value="2300")
    assert member_by_name(county, "赵四")["expected_income"] == 2300


# ---------------------------------------------------------------- the bulk functions, one row at a time

@pytest.fixture
def store(tmp_path):
    s = open_db(tmp_path / "w.db")
    yield s
    s.db.conn.close()


def _village(store):
    town = places.town_by_name(store, "烟店镇")
    (village_id,) = places.ensure_villages(store, [(town["id"], "李庄村")])
    return village_id


def test_ensure_villages_one_row_is_ensure_village(store):
    town = places.town_by_name(store, "烟店镇")
    (first,) = places.ensure_villages(store, [(town["id"], "李庄村")])
    assert places.ensure_village(store, town["id"], "李庄村") == first
    (again, other) = places.ensure_villages(store, [(town["id"], " 李庄村 "), (town["id"], "王庄村")])
    assert again == first and other != first
    codes = [store.get("villages", v)["code"] for v in (first, other)]
    assert codes == [town["code"] + "001", town["code"] + "002"]


def test_ensure_cadres_and_pair_cadres_one_row(store):
    village_id = _village(store)
    hid, _ = register.save_household(store, {"number": "3715811090010001", "head_name": "张三"},
                                     village_id=village_id)
    (cadre,) = register.ensure_cadres(store, ["王芳"])
    assert register.ensure_cadre(store, "王芳") == cadre
    (pairing,) = register.pair_cadres(store, [(hid, cadre)], since=dt.date(2024, 1, 1))
    assert pairing is not None
    assert register.current_pairing(store, hid)["cadre_id"] == cadre
    assert register.pair_cadres(store, [(hid, cadre)]) == [None]  # already paired: nothing written
    (other,) = register.ensure_cadres(store, ["李强"])
    register.pair_cadres(store, [(hid, other)], since=dt.date(2024, 6, 1))
    history_rows = register.cadre_history(store, hid)
    assert [r["name"] for r in history_rows] == ["李强", "王芳"]
    assert history_rows[1]["until"] == "2024-06-01"


def test_save_members_one_row_reports_problems_instead_of_raising(store):
    village_id = _village(store)
    hid, _ = register.save_household(store, {"number": "3715811090010001", "head_name": "张三"},
                                     village_id=village_id)
    good = make_id("19700101", 11)
    result = register.save_members(store, [register.MemberRow(member_answers("张三", good), household_id=hid)])
    (member_id,) = result.ids
    assert result.problems == [[]]
    row = register.member(store, member_id)
    assert (row["sex"], row["birth_date"]) == ("男", "1970-01-01")
    # The household had no head ID number: its new 户主 gives it one (register.sync_heads).
    assert result.changed == {"members": {member_id}, "households": {hid}}
    # The same ID number again, in a second row: a problem of that row, nothing written for it.
    result = register.save_members(store, [register.MemberRow(member_answers("张三二", good, "之子"),
                                                              household_id=hid)])
    assert result.ids == [None]
    assert [p.rule for p in result.problems[0]] == ["duplicate"]
    assert "已登记在" in result.problems[0][0].message
    assert result.changed == {}
    # A bad answer: the row's errors, nothing written.
    result = register.save_members(store, [register.MemberRow({**member_answers("李四", make_id("19800101", 31)),
                                                               "work_months": "十三"}, household_id=hid)])
    assert result.ids == [None] and result.problems[0][0].field == "work_months"
    assert store.rows("SELECT count(*) AS n FROM members")[0]["n"] == 1


def test_save_members_rows_of_one_batch_cannot_share_an_id_number(store):
    village_id = _village(store)
    hid, _ = register.save_household(store, {"number": "3715811090010001", "head_name": "张三"}, village_id=village_id)
    same = make_id("19700101", 11)
    result = register.save_members(store, [register.MemberRow(member_answers("张三", same), household_id=hid),
                                           register.MemberRow(member_answers("张四", same, "之子"),
                                                              household_id=hid)])
    assert result.ids[0] is not None and result.ids[1] is None
    assert result.problems[1][0].rule == "duplicate"


def test_save_member_is_the_one_row_case(store):
    village_id = _village(store)
    hid, _ = register.save_household(store, {"number": "3715811090010001", "head_name": "张三"}, village_id=village_id)
    mid, _ = register.save_member(store, member_answers("张三", make_id("19700101", 11)), household_id=hid)
    with pytest.raises(DuplicateIdNumber):
        register.save_member(store, member_answers("张四", make_id("19700101", 11), "之子"), household_id=hid)
    with pytest.raises(ValidationFailed):
        register.save_member(store, {"id_number": "123"}, member_id=mid)
    # An update keeps what it does not mention, and relevance sees the whole record.
    register.save_member(store, {"health": ["残疾"], "disability_category": "肢体", "disability_grade": "一级",
                                 "stay_home_reasons": ["本人残疾"]}, member_id=mid)
    register.save_member(store, {"health": ["健康"]}, member_id=mid)
    assert register.member(store, mid)["disability_category"] is None
    assert register.member(store, mid)["name"] == "张三"


def test_revert_of_an_id_number_goes_through_the_write_path(store):
    village_id = _village(store)
    hid, _ = register.save_household(store, {"number": "3715811090010001", "head_name": "张三"}, village_id=village_id)
    first, second = make_id("19700101", 11), make_id("19750505", 22)
    mid, _ = register.save_member(store, member_answers("张三", first), household_id=hid)
    register.save_member(store, {"id_number": second}, member_id=mid)
    assert register.member(store, mid)["sex"] == "女"
    seq = [c.seq for c in store.history("members", mid) if c.field == "id_number"][-1]
    other, _ = register.save_member(store, member_answers("李四", make_id("19800101", 31), "之子"),
                                    household_id=hid)
    register.save_member(store, {"id_number": make_id("19800101", 51)}, member_id=other)
    changed = history.revert_change(store, seq)
    assert "id_number" in changed
    row = register.member(store, mid)
    assert (row["id_number"], row["sex"], row["birth_date"]) == (first, "男", "1970-01-01")


def test_the_able_bodied_rule_reads_the_working_age_setting(store):
    village_id = _village(store)
    hid, _ = register.save_household(store, {"number": "3715811090010001", "head_name": "张三"},
                                     village_id=village_id)
    born = dt.date.today().replace(year=dt.date.today().year - 62) - dt.timedelta(days=1)
    answers = {**member_answers("张三", make_id(born.strftime("%Y%m%d"), 11)), "labour_ability": "丧失劳动力"}
    _, warnings = register.save_member(store, answers, household_id=hid)
    assert "able_bodied_labour" not in {p.rule for p in warnings}  # 62 is past the default 60
    store.set_setting("working_age_max", 65)
    mid = register.member_by_id_number(store, answers["id_number"])["id"]
    _, warnings = register.save_member(store, {"name": "张三"}, member_id=mid)
    (warning,) = [p for p in warnings if p.rule == "able_bodied_labour"]
    assert warning.message.startswith("16至65岁")


def test_the_null_adapter_is_not_left_registered_for_the_whole_process(store):
    import sqlite3

    key = (type(None), sqlite3.PrepareProtocol)
    assert key not in sqlite3.adapters  # importing the core changes nothing for other sqlite3 users
    village_id = _village(store)
    hid, _ = register.save_household(store, {"number": "3715811090010001", "head_name": "张三"},
                                     village_id=village_id)
    result = register.save_members(store, [register.MemberRow(member_answers("张三", make_id("19700101", 11)),
                                                              household_id=hid)])
    assert key not in sqlite3.adapters
    assert register.member(store, result.ids[0])["work_company"] is None  # NULLs written as NULL


# ---------------------------------------------------------------- the household's head follows its 户主

def _head(store, hid):
    row = register.household(store, hid)
    return row["head_name"], row["head_id_number"]


def test_renaming_the_head_in_the_survey_form_renames_the_household_head(store):
    """The survey form saves through ``register.save_member``: the register,
    the household header and the handbook read ``households.head_name``."""
    village_id = _village(store)
    first = make_id("19700101", 11)
    hid, _ = register.save_household(store, {"number": "3715811090010001", "head_name": "张三",
                                             "head_id_number": first}, village_id=village_id)
    mid, _ = register.save_member(store, member_answers("张三", first), household_id=hid)
    long_name = "欧阳" * 15  # the longest name the form takes
    register.save_member(store, {"name": long_name}, member_id=mid)
    assert _head(store, hid) == (long_name, first)
    second = make_id("19700202", 13)
    register.save_member(store, {"id_number": second}, member_id=mid)
    assert _head(store, hid) == (long_name, second)
    # Another member's change leaves the head alone.
    wife, _ = register.save_member(store, member_answers("李四", make_id("19720303", 22), "配偶"), household_id=hid)
    register.save_member(store, {"name": "李四四"}, member_id=wife)
    assert _head(store, hid) == (long_name, second)


def test_the_head_follows_whoever_is_marked_head(store):
    village_id = _village(store)
    first, wife_id = make_id("19700101", 11), make_id("19720303", 22)
    hid, _ = register.save_household(store, {"number": "3715811090010001", "head_name": "张三",
                                             "head_id_number": first}, village_id=village_id)
    head, _ = register.save_member(store, member_answers("张三", first), household_id=hid)
    wife, _ = register.save_member(store, member_answers("李四", wife_id, "配偶"), household_id=hid)
    # 与户主关系 changed in two saves: between them the household has no 户主 and keeps its last head.
    register.save_member(store, {"relation": "配偶"}, member_id=head)
    assert _head(store, hid) == ("张三", first)
    result = register.save_members(store, [register.MemberRow({"relation": "户主"}, member_id=wife)])
    assert _head(store, hid) == ("李四", wife_id)
    assert result.changed["households"] == {hid}  # the window refreshes the household header from this
    # A household with two 户主 keeps the one it had (nothing to follow).
    register.save_member(store, {"relation": "户主"}, member_id=head)
    assert _head(store, hid) == ("李四", wife_id)


def test_a_head_who_moves_in_heads_the_household_and_the_change_is_logged(store):
    village_id = _village(store)
    hid, _ = register.save_household(store, {"number": "3715811090010001", "head_name": "张三"},
                                     village_id=village_id)
    other, _ = register.save_household(store, {"number": "3715811090010002", "head_name": "旧户主"},
                                       village_id=village_id)
    mid, _ = register.save_member(store, member_answers("张三", make_id("19700101", 11)), household_id=hid)
    register.save_members(store, [register.MemberRow({}, household_id=other, member_id=mid)])
    assert _head(store, other) == ("张三", make_id("19700101", 11))
    assert [c.new_value for c in store.history("households", other) if c.field == "head_name"] == ["张三"]


def test_when_one_of_two_heads_leaves_the_other_heads_the_household(store):
    from cadre_desk import households

    village_id = _village(store)
    hid, _ = register.save_household(store, {"number": "3715811090010001", "head_name": "张三"},
                                     village_id=village_id)
    first, _ = register.save_member(store, member_answers("张三", make_id("19700101", 11)), household_id=hid)
    register.save_member(store, member_answers("张四", make_id("19720303", 31)), household_id=hid)  # a second 户主
    assert _head(store, hid)[0] == "张三"
    households.leave_member(store, first, "死亡", dt.date(2024, 5, 1))
    assert _head(store, hid) == ("张四", make_id("19720303", 31))
