"""Issue 14 §2: the national system's list exports, generated (tests/national_workbooks.py):
header on row 3 under two title rows, several spells per person, an overlapping spell, 2020 and
2021+ code values, unknown columns, full-path, bare and ambiguous place names. Import, re-import
(nothing changes), export → import (lossless, extras included), all or nothing across files, bad
rows named by file, sheet, row and column, hostile files, and `cadre-desk check`."""

from __future__ import annotations

import json
import shutil

import openpyxl
import pytest

from cadre_desk import places, register
from cadre_desk.cli import main
from cadre_desk.roster import FILE_FAILURE_KINDS, RosterImportFailed, export_roster, import_files, import_roster
from cadre_desk.roster.list_kinds import Vocabulary, survey_file
from cadre_desk.storage import memory_store
from helpers_roster import family, snapshot, write_roster
from national_workbooks import (
    HOUSEHOLD_HEADERS, Household, Person, Spell, small_county, write_all, write_households, write_list,
    write_monitoring, write_planned, write_spells,
)
from helpers_roster import make_id


@pytest.fixture
def county():
    return small_county()


@pytest.fixture
def lists(tmp_path, county):
    return write_all(tmp_path / "exports", county)


def spells(store) -> list[dict]:
    return store.rows("SELECT m.id_number, s.* FROM work_spells s JOIN members m ON m.id = s.member_id "
                      "WHERE s.deleted = 0 ORDER BY m.id_number, s.start_month")


def member(store, id_number: str) -> dict:
    return register.decode(store.questionnaire.member, register.member_by_id_number(store, id_number)) | {
        k: register.member_by_id_number(store, id_number)[k] for k in ("roster_extra", "planned_extra")}


def household(store, number: str) -> dict:
    row = register.household_by_number(store, number)
    return register.decode(store.questionnaire.household, row) | {"roster_extra": row["roster_extra"]}


def fails(store, paths, **kw) -> RosterImportFailed:
    before = snapshot(store)
    with pytest.raises(RosterImportFailed) as info:
        import_files(store, paths, **kw)
    assert snapshot(store) == before, "a failed import must leave the database as it was"
    return info.value


# ---------------------------------------------------------------- telling the kind

@pytest.mark.parametrize("title_rows", [0, 1, 2])
def test_each_list_is_told_from_its_headers_below_title_rows(tmp_path, county, title_rows, store):
    paths = write_all(tmp_path / "x", county, title_rows=title_rows)
    vocab = Vocabulary(store)
    kinds = []
    for path in paths:
        workbook, sheets = survey_file(path, vocab, "")
        workbook.close()
        assert [s.header_row for s in sheets] == [title_rows + 1]
        kinds.append(sheets[0].kind)
    assert kinds == ["monitoring", "households", "spells", "planned"]


def test_a_2020_roster_is_kind_roster(tmp_path, store):
    path = write_roster(tmp_path / "r.xlsx", family())
    workbook, sheets = survey_file(path, Vocabulary(store), "")
    workbook.close()
    assert [(s.kind, s.header_row) for s in sheets] == [("roster", 2)]


# ---------------------------------------------------------------- the four lists as one import

def test_the_four_lists_import_as_one(store, lists, county):
    result = import_files(store, lists)
    assert result.bad_rows == [] and result.written
    assert [(f["file"], f["kind"]) for f in result.files] == [
        ("监测对象信息.xlsx", "monitoring"), ("户信息.xlsx", "households"), ("已外出务工信息.xlsx", "spells"),
        ("计划外出务工信息.xlsx", "planned")]
    people = [p for h in county for p in h.members]
    assert (result.households_created, result.members_created) == (len(county), len(people)) == (4, 8)
    # Several spells per person, none refused as a duplicate ID.
    n_spells = sum(len(p.spells) for p in people)
    assert result.spells_created == n_spells == 7 and len(spells(store)) == 7
    by_person = {}
    for s in spells(store):
        by_person.setdefault(s["id_number"], []).append((s["start_month"], s["end_month"]))
    head = county[0].members[0]
    assert by_person[head.id_number] == [("2022-01", "2022-12"), ("2023-03", "2023-08"), ("2023-09", None)]


def test_household_fields_codes_and_months(store, lists, county):
    import_files(store, lists)
    h1 = household(store, county[0].number)
    assert (h1["household_type"], h1["monitoring_category"], h1["monitoring_since"]) == ("监测户", "边缘易致贫户",
                                                                                         "2023-06")
    assert (h1["risk_1"], h1["risk_2"], h1["medical_out_of_pocket"]) == ("因病", "因学", 0)
    h3 = household(store, county[2].number)
    assert (h3["monitoring_since"], h3["risk_cleared"], h3["risk_clear_method"], h3["risk_cleared_on"]) == (
        "2023-10", True, "帮扶消除", "2024-05")
    assert household(store, county[3].number)["household_type"] == "建档立卡贫困户"


def test_2021_code_values_are_kept_as_imported_and_2020_ones_still_read(store, lists, county):
    import_files(store, lists)
    wang = member(store, county[1].members[0].id_number)
    assert wang["education"] == "大专" and wang["id_type"] == "残疾人证"
    assert member(store, county[2].members[0].id_number)["education"] == "本科及以上"
    assert member(store, county[0].members[2].id_number)["school_status"] == "普通高中一年级"
    assert member(store, county[3].members[0].id_number)["education"] == "高中"  # a 2020 value
    assert member(store, county[0].members[1].id_number)["education"] == "文盲或半文盲"  # the 2020 alias 文盲
    # 扶贫车间 (2020) is read as 帮扶车间.
    sun = [s for s in spells(store) if s["id_number"] == county[3].members[0].id_number]
    assert [s["channel"] for s in sun] == ["帮扶车间"]


def test_unknown_columns_are_kept_with_their_row(store, lists, county):
    result = import_files(store, lists)
    for header in ("数据核验状态", "是否危房户", "饮水安全", "务工地址详情", "未计划原因"):
        assert header in result.extra_columns
    head = county[0].members[0]
    assert json.loads(member(store, head.id_number)["roster_extra"]) == {"数据核验状态": "已核验"}
    assert json.loads(household(store, county[0].number)["roster_extra"]) == {"是否危房户": "否", "饮水安全": "是"}
    first = next(s for s in spells(store) if s["id_number"] == head.id_number and s["start_month"] == "2023-03")
    assert json.loads(first["extra"]) == {"务工地址详情": "花桥镇"}
    zhao = county[1].members[1]
    assert json.loads(member(store, zhao.id_number)["planned_extra"]) == {"未计划原因": "年龄大"}


def test_planned_work_answers(store, lists, county):
    import_files(store, lists)
    li = member(store, county[0].members[1].id_number)
    assert (li["planned_work"], li["planned_work_county"], li["work_service_needs"]) == (True, "昆山市", "技能培训")
    assert member(store, county[1].members[1].id_number)["planned_work"] is False


def test_places_full_path_bare_and_ambiguous(store, lists, county):
    result = import_files(store, lists)
    codes = {(s["id_number"], s["start_month"]): (s["place"], s["county_code"], s["province_code"])
             for s in spells(store)}
    head = county[0].members[0].id_number
    assert codes[head, "2023-03"] == ("江苏省苏州市昆山市", "320583", "320000")
    assert codes[head, "2023-09"] == ("临清市", "371581", "370000")
    assert codes[head, "2022-01"][1] == "371502"  # 聊城市东昌府区
    wang = county[1].members[0].id_number
    assert codes[wang, "2023-05"][1] is None  # 朝阳区: Beijing's or Changchun's?
    ambiguous = [w for w in result.warnings if "朝阳区" in w.reason]
    assert ambiguous and ambiguous[0].file == "已外出务工信息.xlsx"
    assert ambiguous[0].row == 8 and "省" in ambiguous[0].reason  # title, title, header, four rows above


def test_an_overlapping_spell_is_a_warning_naming_both_rows(store, lists, county):
    result = import_files(store, lists)
    overlap = sorted((w.row, w.reason) for w in result.warnings if w.kind == "overlap")
    assert [row for row, _ in overlap] == [7, 8]  # 王大力: 2023-01..2023-06, then 2023-05.. while it ran
    assert "第 8 行" in overlap[0][1] and "第 7 行" in overlap[1][1]
    assert all(w.file == "已外出务工信息.xlsx" and w.column == "开始时间" for w in result.warnings
               if w.kind == "overlap")
    low = [w for w in result.warnings if w.kind == "low_income"]
    assert [(w.row, w.column) for w in low] == [(8, "务工月收入")]
    # Written all the same: a warning asks to look, it refuses nothing.
    assert result.spells_created == 7


def test_reimport_changes_nothing(store, lists):
    import_files(store, lists)
    before = snapshot(store)
    again = import_files(store, lists)
    assert (again.households_created, again.members_created, again.members_updated, again.households_updated,
            again.spells_created, again.spells_updated) == (0, 0, 0, 0, 0, 0)
    assert again.spells_unchanged == 7 and again.members_unchanged == 8
    assert snapshot(store) == before


def test_a_changed_spell_is_updated_in_place(store, tmp_path, county):
    import_files(store, write_all(tmp_path / "a", county))
    county[0].members[0].spells[1].end = "2024年02月"  # the running spell ended
    county[0].members[0].spells[1].income = 2800
    result = import_files(store, write_all(tmp_path / "b", county))
    assert (result.spells_created, result.spells_updated, result.spells_unchanged) == (0, 1, 6)
    spell = next(s for s in spells(store) if s["start_month"] == "2023-09")
    assert (spell["end_month"], spell["monthly_income"]) == ("2024-02", 2800)


def test_export_then_import_is_lossless_extras_included(store, lists, tmp_path):
    import_files(store, lists)
    out = tmp_path / "export.xlsx"
    export_roster(store, out)
    assert openpyxl.load_workbook(out, read_only=True).sheetnames == ["花名册", "户信息", "务工信息", "计划外出务工信息"]
    fresh = memory_store()
    places.ensure_county(fresh)
    result = import_files(fresh, [out])
    assert result.bad_rows == []
    assert _register(fresh) == _register(store)
    # Re-importing the export into the source changes nothing either.
    before = snapshot(store)
    import_files(store, [out])
    assert snapshot(store) == before


def _register(store) -> dict:
    q = store.questionnaire
    members = {m["id_number"]: ({k: v for k, v in register.decode(q.member, m).items() if k in q.member.by_key},
                                m["roster_extra"], m["planned_extra"])
               for m in store.rows("SELECT * FROM members WHERE deleted = 0")}
    households = {h["number"]: ({k: v for k, v in register.decode(q.household, h).items() if k in q.household.by_key},
                                h["roster_extra"])
                  for h in store.rows("SELECT * FROM households WHERE deleted = 0")}
    keys = ("id_number", "start_month", "end_month", "place", "county_code", "province_code", "channel", "employer",
            "industry", "monthly_income", "point_to_point", "transport_subsidy", "extra", "note")
    work = [tuple(s[k] for k in keys) for s in spells(store)]
    return {"members": members, "households": households, "spells": work}


# ---------------------------------------------------------------- all or nothing, bad rows named

def test_a_bad_spell_row_stops_the_whole_import_naming_file_sheet_row_and_column(store, tmp_path, county):
    county[1].members[0].spells[0].start = "2023年13月"
    paths = write_all(tmp_path / "bad", county)
    error = fails(store, paths)
    (bad,) = error.result.bad_rows
    assert (bad.file, bad.sheet, bad.row, bad.column) == ("已外出务工信息.xlsx", "Sheet1", 7, "开始时间")
    assert "没有导入任何数据" in error.message
    assert error.message.endswith("或选择跳过问题行") and error.skippable  # no CLI flag: the window shows it too
    assert bad.line().startswith("文件“已外出务工信息.xlsx”工作表“Sheet1”第 7 行【开始时间】")
    # Skipping bad rows imports the rest, and says what it skipped.
    result = import_files(store, paths, skip_bad_rows=True)
    assert result.bad_row_count == 1 and result.spells_created == 6 and result.members_created == 8


def test_bad_rows_in_several_files_are_all_reported(store, tmp_path, county):
    county[0].members[1].labour = "强劳动力"
    county[2].members[0].planned = ("也许", "", "")
    error = fails(store, write_all(tmp_path / "bad", county))
    where = sorted((b.file, b.row, b.column) for b in error.result.bad_rows)
    assert ("监测对象信息.xlsx", 5, "劳动技能") in where
    assert any(f == "计划外出务工信息.xlsx" and c == "是否计划务工" for f, _, c in where)


def test_a_spell_of_someone_not_registered_is_a_bad_row(store, tmp_path, county):
    path = write_spells(tmp_path / "s.xlsx", county)
    error = fails(store, [path])
    assert {b.kind for b in error.result.bad_rows} == {"unknown_member"}
    assert "监测对象信息" in error.result.bad_rows[0].reason


def test_spells_alone_after_the_members(store, tmp_path, county):
    import_files(store, [write_monitoring(tmp_path / "m.xlsx", county)])
    result = import_files(store, [write_spells(tmp_path / "s.xlsx", county)])
    assert result.spells_created == 7 and result.bad_rows == [] and result.members_created == 0


def test_the_spell_list_with_a_county_column(store, tmp_path, county):
    county[0].members[0].spells[0].place = "江苏省苏州市"
    county[0].members[0].spells[0].county = "昆山市"
    import_files(store, [write_monitoring(tmp_path / "m.xlsx", county),
                         write_spells(tmp_path / "s.xlsx", county, with_county=True)])
    first = next(s for s in spells(store) if s["start_month"] == "2023-03")
    assert first["county_code"] == "320583"


def test_a_2020_roster_imports_together_with_national_lists(store, tmp_path):
    rows = family()
    roster = write_roster(tmp_path / "r.xlsx", rows)
    people = [Person(r["成员姓名"], r["身份证号码"], relation=r["与户主关系"]) for r in rows]
    people[0].spells = [Spell("2023年03月", None, place="临清市", income=3000)]
    hh = Household(rows[0]["户编号"], "烟店镇", "程小集村", people)
    result = import_files(store, [roster, write_spells(tmp_path / "s.xlsx", [hh])])
    assert (result.members_created, result.spells_created) == (3, 1)
    assert [f["kind"] for f in result.files] == ["roster", "spells"]


# ---------------------------------------------------------------- hostile input

def test_a_sheet_without_a_recognisable_header_gets_a_chinese_message(store, tmp_path, lists):
    wb = openpyxl.Workbook()
    wb.active.append(["说明"])
    wb.active.append(["甲", "乙", "丙"])
    wb.active.append([1, 2, 3])
    junk = tmp_path / "junk.xlsx"
    wb.save(junk)
    error = fails(store, [*lists, junk])
    assert "junk.xlsx" in error.message and "缺少必需的列" in error.message
    assert all(b.file == "junk.xlsx" for b in error.result.bad_rows)


def test_a_huge_sheet_among_the_files_is_refused_with_a_chinese_message(store, tmp_path, lists):
    from tests.test_bad_input import _tiny_xlsx

    far = _tiny_xlsx(tmp_path / "far.xlsx", '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')
    before = snapshot(store)
    with pytest.raises(Exception) as info:
        import_files(store, [*lists, far])
    assert "单元格" in str(info.value) and "Traceback" not in str(info.value)
    assert snapshot(store) == before


def test_a_national_list_with_thousands_of_unknown_columns_is_refused(store, tmp_path, county):
    import_files(store, [write_monitoring(tmp_path / "m.xlsx", county)])
    headers = ["县", "乡", "村", "户编号", "姓名", "证件号码", "开始时间", *(f"附加{i}" for i in range(1, 1001))]
    rows = [{"县": "临清市", "乡": "烟店镇", "村": "程小集村", "户编号": county[0].number, "姓名": "张建国",
             "证件号码": county[0].members[0].id_number, "开始时间": "2024-03"}]
    error = fails(store, [write_list(tmp_path / "s.xlsx", "spells", rows, headers)])
    assert error.result.bad_rows[0].kind in FILE_FAILURE_KINDS and not error.skippable
    assert "有 1000 列不认识的列" in error.message and "请删去多余的列" in error.message


def test_a_missing_file_among_several(store, tmp_path, lists):
    error = fails(store, [*lists, tmp_path / "nowhere.xlsx"])
    assert "找不到文件" in error.message
    # A file that cannot be imported at all: skipping bad rows is no help (the window offers no skip button).
    assert [b.kind for b in error.result.bad_rows] == ["missing"] and not error.skippable
    assert set(FILE_FAILURE_KINDS) == {"missing", "format", "empty", "columns"}


def test_a_spell_list_without_start_column_says_which_column_is_missing(store, tmp_path, county):
    rows = [{"县": "临清市", "乡": "烟店镇", "村": "程小集村", "户编号": county[0].number, "姓名": "张建国",
             "证件号码": county[0].members[0].id_number, "务工所在地": "临清市", "所属行业": "制造业"}]
    path = write_list(tmp_path / "s.xlsx", "spells", rows, list(rows[0]))
    import_files(store, [write_monitoring(tmp_path / "m.xlsx", county)])
    error = fails(store, [path])
    assert "开始时间" in error.message and "缺少必需的列" in error.message
    assert error.result.bad_rows[0].kind in FILE_FAILURE_KINDS and not error.skippable


# ---------------------------------------------------------------- the command line and `check`

def test_cli_imports_several_files_and_check_reports_json(tmp_path, lists, capsys, county):
    db = tmp_path / "c.db"
    assert main(["--db", str(db), "import-roster", *map(str, lists)]) == 0
    out, _ = capsys.readouterr()
    assert "务工记录新建 7 条" in out and "提醒" in out
    assert main(["--db", str(db), "check", "--json", "--as-of", "2024-06-30"]) == 0
    report = json.loads(capsys.readouterr()[0])
    assert set(report) == {"as_of", "summary", "findings"}
    found = sorted((f["household_number"], f["member"] or "", f["rule"]) for f in report["findings"])
    h1, h2, h3 = county[0].number, county[1].number, county[2].number
    expected = sorted([
        (h1, "", "sick_without_out_of_pocket"),          # 监测户, 因病, 合规自付支出 0
        (h1, "李秀英", "member_phone_mobile"),            # 0635-2345678
        (h2, "赵桂兰", "welfare_post_age"),               # 公益性岗位 at 84
        (h2, "王大力", "spell_overlap"), (h2, "王大力", "spell_overlap"),  # each spell names the other
        (h2, "王大力", "spell_low_income"),               # 300 元
        (h2, "王大力", "spell_place_unresolved"),         # 朝阳区
        (h3, "刘玉哲", "healthy_weak_labour"),            # healthy, 35, 弱劳动力或半劳动力
        (h3, "刘玉哲", "member_phone_mobile"),            # ten digits
        (h3, "刘晓雨", "disabled_without_certificate"),   # 残疾, no 残疾人证
    ])
    assert found == expected
    assert all(f["id_number"] is None or "*" in f["id_number"] for f in report["findings"])
    assert report["summary"]["findings"] == len(report["findings"])
    assert main(["--db", str(db), "check"]) == 0
    text = capsys.readouterr()[0]
    assert "户编号" in text and "共" in text


def test_cli_failure_names_the_file(tmp_path, county, capsys):
    county[1].members[0].spells[0].start = "2023年13月"
    paths = write_all(tmp_path / "bad", county)
    assert main(["--db", str(tmp_path / "c.db"), "import-roster", *map(str, paths)]) == 1
    out, err = capsys.readouterr()
    assert "文件“已外出务工信息.xlsx”工作表“Sheet1”第 7 行【开始时间】" in out
    assert err.startswith("错误：") and err.count("\n") == 1
    assert err.endswith("或选择跳过问题行（--skip-bad-rows）\n")


def test_the_problem_workbook_names_the_file_of_each_bad_row(store, tmp_path, county):
    from cadre_desk.roster import write_error_report

    county[1].members[0].spells[0].start = "2023年13月"
    county[0].members[1].labour = "强劳动力"
    error = fails(store, write_all(tmp_path / "bad", county))
    out = tmp_path / "problems.xlsx"
    write_error_report(out, error.result)
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("工作表", "行号", "列", "问题")
    where = {(r[0], r[1], r[2]) for r in rows[1:] if r[1] is not None}
    assert ("监测对象信息.xlsx：Sheet1", 5, "劳动技能") in where
    assert ("已外出务工信息.xlsx：Sheet1", 7, "开始时间") in where
    # Each row's own cells follow under its own file's headers (the spell list's are repeated above it).
    spell_row = next(r for r in rows if r[0] == "已外出务工信息.xlsx：Sheet1")
    assert county[1].members[0].id_number[:6] in "".join(str(c) for c in spell_row if c)
