"""A household's life on the command line (issue 11 §2): household new/set,
member move/leave/set, and 家庭人口数 as one figure; export-roster and stats
see each change at once."""

from __future__ import annotations

import json

import pytest
from python_calamine import CalamineWorkbook

from cadre_desk import households, register
from cadre_desk.household_summary import income_summary
from cadre_desk.storage import open_store
from helpers_cli import run_cli
from helpers_roster import make_id

HEAD_ID = make_id("19700312", 11)
WIFE_ID = make_id("19720508", 22)
SON_ID = make_id("19980101", 31)
HEAD_FIELDS = ["--field", "健康状况=健康", "--field", "劳动技能=普通劳动力", "--field", "文化程度=初中",
               "--field", "在校生状况=非在校生"]


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "county.db")
    rc, out, err = run_cli("--db", path, "household", "new", "--town", "烟店镇", "--village", "李庄村",
                           "--number", "3715811090010001", "--head", "张建国", "--head-id", HEAD_ID,
                           "--field", "联系电话=13905350001", "--field", "脱贫状态=未脱贫", *HEAD_FIELDS)
    assert rc == 0, err
    assert "户编号 3715811090010001" in out
    return path


def add_member(path, name, id_number, relation):
    store = open_store(path)
    h = register.household_by_number(store, "3715811090010001")
    register.save_member(store, {"name": name, "id_number": id_number, "relation": relation, "health": ["健康"],
                                 "labour_ability": "普通劳动力", "education": "初中", "school_status": "非在校生"},
                         household_id=h["id"])
    households.refresh_size(store, h["id"])
    store.db.conn.close()


def roster_rows(path, tmp_path):
    out = tmp_path / "out.xlsx"
    rc, _, err = run_cli("--db", path, "export-roster", str(out))
    assert rc == 0, err
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    header_at = next(i for i, r in enumerate(rows) if "户编号" in r)
    header = rows[header_at]
    return [dict(zip(header, r)) for r in rows[header_at + 1:] if any(r)]


def stats_json(path):
    rc, out, err = run_cli("--db", path, "stats", "--json")
    assert rc == 0, err
    return json.loads(out)


def test_new_household_has_its_head_and_shows_in_the_roster_and_stats(db, tmp_path):
    rows = roster_rows(db, tmp_path)
    assert [(r["户编号"], r["姓名"], r["与户主关系"], r["联系电话"]) for r in rows] == [
        ("3715811090010001", "张建国", "户主", "13905350001")]
    assert str(rows[0]["家庭人口数"]).rstrip(".0") == "1"
    assert stats_json(db)["households"] == 1


def test_household_set_changes_facts_and_refuses_bad_values_saving_nothing(db, tmp_path):
    rc, out, err = run_cli("--db", db, "household", "set", "3715811090010001", "--field", "脱贫状态=已脱贫（享受政策）",
                           "--field", "工资性收入=12000")
    assert rc == 0, err
    rc, out, err = run_cli("--db", db, "household", "set", "3715811090010001", "--field", "联系电话=12345",
                           "--field", "脱贫状态=未脱贫")
    assert rc == 1
    assert err.startswith("错误：联系电话“12345”不像电话号码") and "没有保存" in err
    rows = roster_rows(db, tmp_path)
    assert rows[0]["脱贫状态"] == "已脱贫（享受政策）" and rows[0]["联系电话"] == "13905350001"
    rc, out, err = run_cli("--db", db, "household", "set", "3715811090010001", "--field", "户型=大户")
    assert rc == 1 and "没有名为“户型”的一栏" in err


def test_family_size_follows_the_members_unless_overridden(db):
    add_member(db, "李秀英", WIFE_ID, "配偶")
    add_member(db, "张伟", SON_ID, "之子")
    store = open_store(db)
    h = register.household_by_number(store, "3715811090010001")
    fs = households.family_size(store, h["id"])
    assert (fs.size, fs.registered, fs.overridden) == (3, 3, False)
    store.update("households", h["id"], {"size": 7})  # as an imported roster may say
    fs = households.family_size(store, h["id"])
    assert fs.size == 3 and "7" in fs.warning
    households.set_household(store, h["id"], {"size": 4, "wage_income": 12000})
    fs = households.family_size(store, h["id"])
    assert (fs.size, fs.overridden, fs.warning) == (4, True, None)
    assert income_summary(register.household(store, h["id"])).per_capita == 3000
    store.db.conn.close()


def test_member_leave_stops_counting_but_stays_on_record(db, tmp_path):
    add_member(db, "李秀英", WIFE_ID, "配偶")
    add_member(db, "张伟", SON_ID, "之子")
    before = stats_json(db)
    rc, out, err = run_cli("--db", db, "member", "leave", SON_ID, "--reason", "迁出", "--date", "2024-05-01")
    assert rc == 0, err
    store = open_store(db)
    h = register.household_by_number(store, "3715811090010001")
    assert households.family_size(store, h["id"]).size == 2
    assert register.household(store, h["id"])["size"] == 2
    assert [m["name"] for m in households.left_members(store, h["id"])] == ["张伟"]
    fields = {r["field"] for r in store.rows("SELECT field FROM change_log WHERE row_id = ?",
                                             [register.member_by_id_number(store, SON_ID)["id"]])}
    assert {"left_on", "left_reason"} <= fields
    store.db.conn.close()
    after = stats_json(db)
    assert after != before
    rc, out, err = run_cli("--db", db, "member", "leave", SON_ID, "--reason", "死亡", "--date", "2024-06-01")
    assert rc == 1 and "已于 2024-05-01 离开" in err
    rc, out, err = run_cli("--db", db, "member", "leave", WIFE_ID, "--reason", "出嫁", "--date", "2024-06-01")
    assert rc == 2


def test_member_move_to_a_new_number_makes_a_household_with_them_as_head(db, tmp_path):
    add_member(db, "李秀英", WIFE_ID, "配偶")
    add_member(db, "张伟", SON_ID, "之子")
    rc, out, err = run_cli("--db", db, "member", "move", SON_ID, "--to", "3715811090010002")
    assert rc == 0, err
    assert "新建的户" in out
    rows = roster_rows(db, tmp_path)
    by_name = {r["姓名"]: r for r in rows}
    assert by_name["张伟"]["户编号"] == "3715811090010002" and by_name["张伟"]["与户主关系"] == "户主"
    assert by_name["张建国"]["户编号"] == "3715811090010001"
    assert stats_json(db)["households"] == 2
    # and back as 之子 of the first household
    rc, out, err = run_cli("--db", db, "member", "move", SON_ID, "--to", "3715811090010001", "--relation", "之子")
    assert rc == 0, err
    assert {r["姓名"]: r["户编号"] for r in roster_rows(db, tmp_path)}["张伟"] == "3715811090010001"


def test_member_set_and_change_of_head(db, tmp_path):
    add_member(db, "李秀英", WIFE_ID, "配偶")
    rc, out, err = run_cli("--db", db, "member", "set", WIFE_ID, "--field", "文化程度=高中")
    assert rc == 0, err
    rc, out, err = run_cli("--db", db, "member", "set", WIFE_ID, "--field", "文化程度=博士后")
    assert rc == 1 and err.startswith("错误：") and "没有保存" in err
    rc, out, err = run_cli("--db", db, "household", "head", "3715811090010001", WIFE_ID, "--old-relation", "配偶")
    assert rc == 0, err
    by_name = {r["姓名"]: r for r in roster_rows(db, tmp_path)}
    assert by_name["李秀英"]["与户主关系"] == "户主" and by_name["张建国"]["与户主关系"] == "配偶"
    assert by_name["李秀英"]["文化程度"] == "高中"
    assert by_name["张建国"]["户主姓名"] == "李秀英"


def test_provisional_number_until_the_county_assigns_one(tmp_path):
    path = str(tmp_path / "c.db")
    rc, out, err = run_cli("--db", path, "household", "new", "--town", "烟店镇", "--village", "李庄村",
                           "--provisional", "--head", "张建国", "--head-id", HEAD_ID, *HEAD_FIELDS)
    assert rc == 0, err
    assert "临时0001" in out and "临时编号" in out
    rc, out, err = run_cli("--db", path, "household", "set", "临时0001", "--field", "户编号=3715811090010009")
    assert rc == 0, err


def test_a_bad_head_id_number_creates_nothing(tmp_path):
    path = str(tmp_path / "c.db")
    run_cli("--db", path, "demo", "--households", "1")
    before = stats_json(path)["households"]
    rc, out, err = run_cli("--db", path, "household", "new", "--town", "烟店镇", "--village", "李庄村",
                           "--number", "X1", "--head", "张建国", "--head-id", "123", *HEAD_FIELDS)
    assert rc == 1 and err.startswith("错误：")
    assert stats_json(path)["households"] == before


def test_the_handbook_prints_the_same_family_size_and_keeps_the_leaver_on_record(db, tmp_path):
    from pypdf import PdfReader

    add_member(db, "李秀英", WIFE_ID, "配偶")
    add_member(db, "张伟", SON_ID, "之子")
    store = open_store(db)
    h = register.household_by_number(store, "3715811090010001")
    store.update("households", h["id"], {"size": 7})  # as an imported roster may say
    store.db.conn.close()
    run_cli("--db", db, "member", "leave", SON_ID, "--reason", "迁出", "--date", "2024-05-01")
    out = tmp_path / "hb.pdf"
    rc, _, err = run_cli("--db", db, "handbook", "3715811090010001", "-o", str(out))
    assert rc == 0, err
    text = "".join(page.extract_text() for page in PdfReader(str(out)).pages).replace(" ", "").replace("\n", "")
    assert "共2人（另有1人已离开本户，仅作记录）" in text
    assert "张伟" in text and "迁出2024-05-01" in text
    assert "家庭人口数2" in text
    assert "劳动年龄内有劳动能力的成员2人" in text  # the leaver has no member page


def test_renaming_the_head_renames_the_household_everywhere(db, tmp_path):
    add_member(db, "李秀英", WIFE_ID, "配偶")
    rc, out, err = run_cli("--db", db, "member", "set", HEAD_ID, "--field", "姓名=张建军")
    assert rc == 0, err
    assert {r["姓名"]: r["户主姓名"] for r in roster_rows(db, tmp_path)} == {"张建军": "张建军", "李秀英": "张建军"}
    rc, out, err = run_cli("--db", db, "member", "set", WIFE_ID, "--field", "姓名=李秀兰")
    assert rc == 0, err
    assert {r["户主姓名"] for r in roster_rows(db, tmp_path)} == {"张建军"}


def test_the_household_head_name_is_changed_on_the_head_not_on_the_household(db, tmp_path):
    """户主姓名 follows the 户主's own record: typed on the household instead,
    it is refused with where to change it, and nothing is saved."""
    rc, out, err = run_cli("--db", db, "household", "set", "3715811090010001", "--field", "户主姓名=张建民",
                           "--field", "联系电话=13905350002")
    assert rc == 1 and "张建国" in err and "户主姓名" in err and "成员" in err
    row = roster_rows(db, tmp_path)[0]
    assert (row["户主姓名"], row["联系电话"]) == ("张建国", "13905350001")
    # A household whose head columns went stale (before this rule) is brought in line on its next save.
    store = open_store(db)
    h = register.household_by_number(store, "3715811090010001")
    store.update("households", h["id"], {"head_name": "旧名字"})
    households.set_household(store, h["id"], {"phone": "13905350003"})
    assert register.household(store, h["id"])["head_name"] == "张建国"
    store.db.conn.close()
