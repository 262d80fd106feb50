"""Core search: names (also two characters and one), pinyin, ID numbers and
household numbers; the index follows edits, deletes and bulk inserts."""

import json

import pytest

from cadre_desk import register, search
from cadre_desk.cli import main
from cadre_desk.idnumber import check_character

from tests.helpers_search import make_county


def idn(body17: str) -> str:
    return body17 + check_character(body17)


WU = idn("37158119800101123")
ZHANG = idn("37158119820304124")
LV = idn("37250219900505331")  # old address code 372502


@pytest.fixture
def county(store):
    make_county(store, 300, people=[("武学亮", WU), ("张秀英", ZHANG), ("吕学", LV)])
    search.update_search_index(store)
    return store


def names(hits):
    return [h.name for h in hits]


def test_two_character_fragment_finds_the_person(county):
    hits = search.search(county, "学亮")
    assert "武学亮" in names(hits)
    hit = next(h for h in hits if h.name == "武学亮")
    assert hit.id_number == WU and hit.kind == "name" and hit.matched == "姓名"
    assert hit.village.endswith("村") and hit.town and hit.household_number.startswith("371581")


def test_a_two_character_name_is_found_whole_and_ranked_first(county):
    hits = search.search(county, "吕学")
    assert hits[0].name == "吕学"
    assert all("吕学" in n for n in names(hits))


def test_one_character_query_puts_surnames_first(county):
    hits = search.search(county, "武", limit=5)
    assert hits and hits[0].name.startswith("武")


def test_three_characters_find_only_names_containing_them(county):
    hits = search.search(county, "武学亮")
    assert names(hits)[0] == "武学亮"
    assert all("武学亮" in n for n in names(hits))


def test_pinyin_initials_and_full_pinyin(county):
    assert "武学亮" in names(search.search(county, "wxl"))
    assert "武学亮" in names(search.search(county, "WXL"))
    assert "武学亮" in names(search.search(county, "wuxueliang"))
    assert "武学亮" in names(search.search(county, "wu xue"))
    assert "吕学" in names(search.search(county, "lvxue"))
    hit = next(h for h in search.search(county, "wuxuel") if h.name == "武学亮")
    assert hit.kind == "pinyin"


def test_id_number_whole_tail_and_lowercase_x(county):
    assert names(search.search(county, WU)) == ["武学亮"]
    assert "武学亮" in names(search.search(county, WU[-6:]))
    tail = search.search(county, WU[-4:])
    assert "武学亮" in names(tail)
    assert all(h.id_number.endswith(WU[-4:]) for h in tail if h.kind == "id_number")
    body = next(f"3715811977070{i:04d}" for i in range(10000) if check_character(f"3715811977070{i:04d}") == "X")
    x_person = body + "X"
    hid = county.rows("SELECT id FROM households LIMIT 1")[0]["id"]
    county.insert("members", {"household_id": hid, "name": "郝一", "id_number": x_person})
    assert "郝一" in names(search.search(county, x_person[-5:].lower()))
    assert "郝一" in names(search.search(county, x_person[-4:]))
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in x_person[-5:-1]) + "x"
    assert "郝一" in names(search.search(county, full_width))


def test_household_number_whole_and_tail(county):
    h = county.rows("SELECT id, number FROM households WHERE head_name = '武学亮'")[0]
    hits = search.search(county, h["number"])
    assert hits[0].household_id == h["id"] and hits[0].kind == "household_number"
    assert hits[0].name == "武学亮"
    assert h["id"] in [x.household_id for x in search.search(county, h["number"][-5:])]


def test_index_follows_renames_and_deletes(county):
    member = county.rows("SELECT id FROM members WHERE name = '张秀英'")[0]["id"]
    county.update("members", member, {"name": "张秀云"})
    assert "张秀英" not in names(search.search(county, "秀英"))
    assert "张秀云" in names(search.search(county, "秀云"))
    assert "张秀云" in names(search.search(county, "zxy"))  # pinyin recomputed for the new name
    assert "张秀云" in names(search.search(county, "zhangxiuyun"))
    county.update("members", member, {"id_number": idn("37158119820304999")})
    assert "张秀云" not in names(search.search(county, ZHANG[-4:]))
    county.delete("members", member)
    assert "张秀云" not in names(search.search(county, "秀云"))
    assert "张秀云" not in names(search.search(county, "zxy"))
    county.restore("members", member)
    assert "张秀云" in names(search.search(county, "秀云"))


def test_deleted_household_hides_its_people(county):
    hid = county.rows("SELECT household_id FROM members WHERE name = '武学亮'")[0]["household_id"]
    county.delete("households", hid)
    assert "武学亮" not in names(search.search(county, "学亮"))
    assert "武学亮" not in names(search.search(county, WU[-4:]))


def test_people_saved_through_the_register_are_found_at_once(county):
    hid = county.rows("SELECT id FROM households LIMIT 1")[0]["id"]
    answers = {"name": "欧阳娜娜", "id_number": idn("37158120000101242"), "relation": "之女",
               "health": ["健康"], "education": "高中", "school_status": "非在校生", "ethnicity": "汉族",
               "labour_ability": "普通劳动力"}
    register.save_member(county, answers, household_id=hid)
    assert "欧阳娜娜" in names(search.search(county, "娜娜"))
    assert "欧阳娜娜" in names(search.search(county, "oyn"))
    assert "欧阳娜娜" in names(search.search(county, "ouyang"))


def test_limit_and_empty_queries(county):
    with_char = county.db.execute("SELECT count(*) FROM members WHERE name LIKE '%英%'").fetchone()[0]
    assert with_char > 7
    assert len(search.search(county, "英", limit=7)) == 7
    assert len(search.search(county, "英", limit=1000)) == with_char
    assert search.search(county, "   ") == []
    assert search.search(county, "不存在的人") == []


def test_cli_prints_tab_separated_lines_and_json(file_store, db_path, capsys):
    make_county(file_store, 20, people=[("武学亮", WU)])
    file_store.db.conn.close()
    assert main(["--db", str(db_path), "search", "学亮"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    fields = lines[0].split("\t")
    assert fields[0] == WU and fields[1] == "武学亮" and fields[2].startswith("371581") and fields[3].endswith("村")
    assert main(["search", "wxl", "--json", "--db", str(db_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["name"] == "武学亮" and data[0]["matched"] == "拼音首字母"
    assert {"member_id", "household_id", "id_number", "household_number", "village", "town"} <= set(data[0])


def test_cli_refuses_an_empty_query(db_path, capsys):
    assert main(["--db", str(db_path), "search", " "]) == 1
    assert "请输入" in capsys.readouterr().err
