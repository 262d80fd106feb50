"""Roster import: the sample county file, every kind of bad row and bad file
(each leaving the database as it was), re-import, update in place, the error
workbook and the command line."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile
from pathlib import Path

import pytest
import python_calamine

from cadre_desk import places, register
from cadre_desk.cli import main
from cadre_desk.errors import CadreDeskError
from cadre_desk.roster import RosterImportFailed, import_roster, write_error_report
from cadre_desk.roster.export import ERROR_FIXED
from helpers_roster import HEADERS, family, make_id, member, snapshot, write_roster

SAMPLES = Path("/work/shared/samples")
if not SAMPLES.exists():
    SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
SAMPLE = SAMPLES / "roster-sample.xlsx"
EXPECTED = SAMPLES / "roster-sample.expected.json"
needs_sample = pytest.mark.skipif(not SAMPLE.exists(), reason="shared sample roster not available")


def members(store) -> list[dict]:
    return store.rows("SELECT * FROM members WHERE deleted = 0 ORDER BY id_number")


def fails(store, path, **kw) -> RosterImportFailed:
    before = snapshot(store)
    with pytest.raises(RosterImportFailed) as info:
        import_roster(store, path, **kw)
    assert snapshot(store) == before, "a failed import must leave the database as it was"
    return info.value


# ---------------------------------------------------------------- the sample county file

@needs_sample
def test_sample_with_skip_bad_rows_reports_exactly_the_expected_rows(store):
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    result = import_roster(store, SAMPLE, skip_bad_rows=True)
    got = sorted((b.row, b.kind) for b in result.bad_rows)
    assert got == sorted((b["row"], b["kind"]) for b in expected["bad_rows"])
    assert all(b.sheet == "花名册" and b.column and b.reason for b in result.bad_rows)
    assert result.households_created == expected["households"] == 54
    assert store.rows("SELECT count(*) AS n FROM households")[0]["n"] == 54
    assert result.extra_columns == ["备注"] and result.ignored_columns == ["序号"]
    # Row 37 is the copy error: 之父 with a woman's ID number; row 94 holds the person.
    dup = next(b for b in result.bad_rows if b.kind == "duplicate")
    assert "第 94 行" in dup.reason
    kept = register.member_by_id_number(store, "371581193701180045")
    assert kept["relation"] == "之母"


@needs_sample
def test_sample_figures_equal_the_expected_json(store):
    stats = pytest.importorskip("cadre_desk.stats")
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    import_roster(store, SAMPLE, skip_bad_rows=True)
    figures = stats.compute_stats(store, dt.date.fromisoformat(expected["as_of"]))
    for key in ("households", "working_age_able", "employed", "self_employed", "driven_by_self_employed",
                "by_channel"):
        assert figures[key] == expected[key], key


@needs_sample
def test_sample_without_skip_writes_nothing(store):
    error = fails(store, SAMPLE)
    assert sorted({b.row for b in error.result.bad_rows}) == [17, 28, 37, 39, 42, 128]
    assert "6 行有问题" in error.message and "没有导入" in error.message


@needs_sample
def test_sample_reimport_is_idempotent(store):
    import_roster(store, SAMPLE, skip_bad_rows=True)
    before = snapshot(store)
    again = import_roster(store, SAMPLE, skip_bad_rows=True)
    assert (again.households_created, again.members_created, again.members_updated) == (0, 0, 0)
    assert again.members_unchanged == 135
    assert snapshot(store) == before


# ---------------------------------------------------------------- bad rows, one kind each

def _one_bad(tmp_path, store, row: dict, kind: str, column: str, *, numeric_ids=False) -> str:
    rows = family() + [row]
    path = write_roster(tmp_path / "r.xlsx", rows, numeric_ids=numeric_ids)
    error = fails(store, path)
    bad = error.result.bad_rows
    assert [(b.row, b.kind, b.column) for b in bad] == [(6, kind, column)]  # title + header + 3 rows
    assert bad[0].sheet == "花名册"
    # With --skip-bad-rows the good rows go in and the bad one is left out.
    result = import_roster(store, path, skip_bad_rows=True)
    assert result.members_created == 3 and result.bad_row_count == 1
    return bad[0].reason


def test_wrong_check_character(tmp_path, store):
    good = make_id("19850601", 21)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    reason = _one_bad(tmp_path, store, member("37158110900100002", "王芳", wrong), "check", "身份证号码")
    assert "校验位" in reason


def test_impossible_birth_date(tmp_path, store):
    body = "37158119850231012"
    reason = _one_bad(tmp_path, store, member("37158110900100002", "王芳", body + "X"), "date", "身份证号码")
    assert "1985年02月31日不存在" in reason


def test_id_stored_as_a_number(tmp_path, store):
    reason = _one_bad(tmp_path, store, member("37158110900100002", "王芳", 3.71581198502206e17), "float",
                      "身份证号码")
    assert "文本格式" in reason


def test_id_typed_as_number_in_excel_is_detected(tmp_path, store):
    rows = family()
    path = write_roster(tmp_path / "n.xlsx", rows, numeric_ids=True)
    error = fails(store, path)
    assert {b.kind for b in error.result.bad_rows} == {"float"}
    assert [b.row for b in error.result.bad_rows] == [3, 4, 5]


def test_unknown_code_list_value(tmp_path, store):
    reason = _one_bad(tmp_path, store, member("37158110900100002", "王芳", make_id("19850601", 22),
                                              劳动能力="强劳动力"), "code", "劳动能力")
    assert "强劳动力" in reason and "普通劳动力" in reason


def test_truncated_id(tmp_path, store):
    reason = _one_bad(tmp_path, store, member("37158110900100002", "王芳", make_id("19850601", 22)[:16]),
                      "short", "身份证号码")
    assert "18位" in reason and "16位" in reason


def test_same_id_twice_in_the_file_the_second_is_bad(tmp_path, store):
    twin = family()[1]["身份证号码"]
    reason = _one_bad(tmp_path, store, member("37158110900100002", "王芳", twin), "duplicate", "身份证号码")
    assert "第 4 行" in reason  # names the first occurrence


def test_sex_column_contradicting_the_id(tmp_path, store):
    row = member("37158110900100002", "王芳", make_id("19850601", 22))
    row["性别"] = "男"
    reason = _one_bad(tmp_path, store, row, "sex", "性别")
    assert "女" in reason


def test_unknown_town(tmp_path, store):
    _one_bad(tmp_path, store, member("37158110900100002", "王芳", make_id("19850601", 22), town="月亮镇"),
             "place", "乡镇")


def test_household_columns_must_agree(tmp_path, store):
    row = member("37158110900100001", "张小红", make_id("20000101", 24), relation="之女", head="张建国",
                 贫困户属性="低保贫困户")
    reason = _one_bad(tmp_path, store, row, "household", "贫困户属性")
    assert "第 3 行" in reason and "一般贫困户" in reason


def test_missing_name_in_a_data_row(tmp_path, store):
    row = member("37158110900100002", "", make_id("19850601", 22), head="王五")
    _one_bad(tmp_path, store, row, "required", "成员姓名")


def test_id_of_a_member_of_another_household_in_the_database(tmp_path, store):
    import_roster(store, write_roster(tmp_path / "first.xlsx", family()))
    other = member("37158111000100009", "李秀英", family()[1]["身份证号码"], town="唐园镇", village="江大楼村")
    error = fails(store, write_roster(tmp_path / "second.xlsx", [other]))
    (bad,) = error.result.bad_rows
    assert bad.kind == "duplicate" and bad.row == 3
    assert "烟店镇程小集村" in bad.reason and "37158110900100001" in bad.reason  # where it is registered
    assert "唐园镇江大楼村" in bad.reason and "37158111000100009" in bad.reason  # where this row puts it


def test_member_moved_to_another_household_of_the_same_file(tmp_path, store):
    import_roster(store, write_roster(tmp_path / "first.xlsx", family()))
    rows = family()
    son = rows.pop()
    son.update({"户编号": "37158110900100005", "户主姓名": "张伟", "与户主关系": "户主"})
    result = import_roster(store, write_roster(tmp_path / "second.xlsx", rows + [son]))
    assert result.members_created == 0 and result.households_created == 1
    moved = register.member_by_id_number(store, son["身份证号码"])
    assert register.household(store, moved["household_id"])["number"] == "37158110900100005"
    assert len(members(store)) == 3


# ---------------------------------------------------------------- bad files

def test_missing_required_columns(tmp_path, store):
    headers = [h for h in HEADERS if h not in ("身份证号码", "行政村")]
    error = fails(store, write_roster(tmp_path / "cols.xlsx", family(), headers=headers))
    assert "缺少必需的列：证件号码、行政村" in error.message
    assert "找到的列：序号、县(市、区)、乡镇" in error.message
    assert error.result.bad_rows[0].kind == "columns" and error.result.bad_rows[0].row == 2


def test_a_sheet_with_thousands_of_unknown_columns_is_refused_before_its_rows(tmp_path, store):
    from cadre_desk.roster.columns import MAX_UNKNOWN_COLUMNS

    rows = family()
    many = [f"附加{i}" for i in range(1, 10_001)]
    rows[0].update(dict.fromkeys(many, "x"))
    error = fails(store, write_roster(tmp_path / "wide.xlsx", rows, headers=HEADERS + many))
    (bad,) = error.result.bad_rows
    assert bad.kind == "columns" and bad.sheet == "花名册" and bad.row == 2 and not error.skippable
    assert error.message.startswith(f"工作表“花名册”有 {len(many) + 1} 列不认识的列")  # 备注 is unknown too
    assert "附加1、附加2、附加3" in error.message and "附加10000" not in error.message
    assert "请删去多余的列" in error.message and "选错了文件" in error.message
    assert members(store) == []
    # A real export's handful of unknown columns, and as many as the limit, are still kept aside.
    some = many[:MAX_UNKNOWN_COLUMNS - 1]
    result = import_roster(store, write_roster(tmp_path / "ok.xlsx", family(), headers=HEADERS + some))
    assert result.members_created == 3 and len(result.extra_columns) == MAX_UNKNOWN_COLUMNS



def test_thousands_of_columns_without_a_header_but_with_values_are_refused(tmp_path, store):
    rows = family()
    for r in rows:
        r[""] = "x"  # under every blank header cell
    error = fails(store, write_roster(tmp_path / "wide.xlsx", rows, headers=HEADERS + [""] * 1000))
    assert error.result.bad_rows[0].kind == "columns" and not error.skippable
    assert "有 1001 列不认识的列" in error.message and "请删去多余的列" in error.message  # 备注 and 1,000 blank
    assert members(store) == []


def test_a_sheet_that_is_no_roster_at_all(tmp_path, store):
    path = write_roster(tmp_path / "x.xlsx", [{"名字": "张三"}], headers=["名字", "号码"], title=None)
    error = fails(store, path)
    assert "缺少必需的列：户编号、姓名、证件号码、乡(镇)、行政村" in error.message
    assert "找到的列：名字、号码" in error.message


def test_empty_file(tmp_path, store):
    path = tmp_path / "empty.xlsx"
    import xlsxwriter

    xlsxwriter.Workbook(str(path)).close()
    error = fails(store, path)
    assert "空的" in error.message and error.result.bad_rows[0].kind == "empty"


def test_header_without_data_rows(tmp_path, store):
    error = fails(store, write_roster(tmp_path / "h.xlsx", [], notes=None))
    assert "没有成员数据" in error.message


@pytest.mark.parametrize("content", [b"\xef\xbb\xbf\xe5\xa7\x93\xe5\x90\x8d,\xe8\xaf\x81\xe4\xbb\xb6\n", b""])
def test_not_an_excel_file(tmp_path, store, content):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(content)
    error = fails(store, path)
    assert "不是 Excel 工作簿" in error.message


def test_corrupt_excel_file(tmp_path, store):
    good = write_roster(tmp_path / "good.xlsx", family())
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    assert "不是 Excel 工作簿，或已损坏" in fails(store, broken).message
    # A zip that holds no workbook.
    odd = tmp_path / "odd.xlsx"
    with zipfile.ZipFile(odd, "w") as z:
        z.writestr("hello.txt", "hi")
    assert "不是 Excel 工作簿，或已损坏" in fails(store, odd).message


def test_missing_file(tmp_path, store):
    error = fails(store, tmp_path / "nowhere.xlsx")
    assert "找不到文件" in error.message and error.result.bad_rows[0].kind == "missing"


# ---------------------------------------------------------------- the format

def test_title_and_notes_rows_and_row_numbers(tmp_path, store):
    rows = family()
    rows[2]["劳动能力"] = "壮劳力"
    path = write_roster(tmp_path / "t.xlsx", rows, title="某某镇花名册（截至2020年4月30日）", notes="合计：3人")
    error = fails(store, path)
    assert [b.row for b in error.result.bad_rows] == [5]  # title row 1, header row 2, data 3..5
    path = write_roster(tmp_path / "u.xlsx", family(), title=None, notes=None)
    assert import_roster(store, path).members_created == 3


def test_aliases_fullwidth_brackets_spaces_and_order(tmp_path, store):
    rows = family()
    renamed = {"乡镇": "镇（街道）", "行政村": " 村 ", "成员姓名": "姓 名", "身份证号码": "证件号码",
               "劳动能力": "劳动技能", "务工时间（月）": "务工时间(月)", "县(市、区)": "县（市、区）"}
    headers = [renamed.get(h, h) for h in reversed(HEADERS)] + ["村干部意见"]
    for r in rows:
        for old, new in renamed.items():
            if old in r:
                r[new] = r.pop(old)
    rows[0]["务工时间(月)"] = 6
    rows[0]["务工状况"] = "省外务工"
    rows[1]["村干部意见"] = "已核实"
    result = import_roster(store, write_roster(tmp_path / "a.xlsx", rows, headers=headers))
    assert result.members_created == 3 and not result.bad_rows
    assert result.extra_columns == ["备注", "村干部意见"]
    head = register.member_by_id_number(store, rows[0]["证件号码"])
    assert head["work_months"] == 6 and head["labour_ability"] == "普通劳动力"
    spouse = store.rows("SELECT roster_extra FROM members WHERE id_number = ?", [rows[1]["证件号码"]])[0]
    assert json.loads(spouse["roster_extra"]) == {"村干部意见": "已核实"}


def test_several_values_in_one_cell_and_messy_ids(tmp_path, store):
    rows = family()
    rows[0]["技能特长"] = "缝纫、电工,驾驶，厨师"
    messy = rows[1]["身份证号码"]
    rows[1]["身份证号码"] = " " + "".join(chr(ord(c) + 0xFEE0) for c in messy[:6]) + messy[6:] + "  "
    x_id = make_id("19760101", 25)
    while not x_id.endswith("X"):
        x_id = make_id("19760101", int(x_id[14:17]) + 2)
    rows[2]["身份证号码"] = x_id.lower()
    result = import_roster(store, write_roster(tmp_path / "m.xlsx", rows))
    assert result.members_created == 3, result.bad_rows
    head = register.member_by_id_number(store, rows[0]["身份证号码"])
    assert head["skills"] == ["缝纫", "电工", "驾驶", "厨师"]
    assert register.member_by_id_number(store, messy)["name"] == "李秀英"
    assert register.member_by_id_number(store, x_id)["id_number"] == x_id


def test_fifteen_digit_id_is_converted_and_reported(tmp_path, store):
    eighteen = make_id("19650412", 123)
    fifteen = eighteen[:6] + eighteen[8:17]
    rows = family() + [member("37158110900100002", "赵大山", fifteen)]
    result = import_roster(store, write_roster(tmp_path / "15.xlsx", rows))
    assert [(c.row, c.old, c.new) for c in result.converted_ids] == [(6, fifteen, eighteen)]
    assert register.member_by_id_number(store, eighteen)["name"] == "赵大山"
    assert "1 个15位证件号码已转换为18位" in result.summary()


def test_survey_answers_may_be_missing_register_answers_may_not(tmp_path, store):
    rows = family()
    rows[0].update({"健康状况": "残疾", "残疾类别": "肢体", "残疾等级": "二级"})  # 不能外出原因 left empty
    assert import_roster(store, write_roster(tmp_path / "s.xlsx", rows)).members_created == 3
    rows[1]["劳动能力"] = ""
    error = fails(store, write_roster(tmp_path / "s2.xlsx", rows))
    assert [(b.row, b.kind, b.column) for b in error.result.bad_rows] == [(4, "required", "劳动能力")]


# ---------------------------------------------------------------- re-import and updates

def test_reimport_updates_in_place_and_logs_the_change(tmp_path, store):
    rows = family()
    first = import_roster(store, write_roster(tmp_path / "1.xlsx", rows))
    assert (first.households_created, first.members_created) == (1, 3)
    ids = {m["id_number"]: m["id"] for m in members(store)}
    rows[2].update({"就业状态": "已就业", "就业渠道": "企业就业", "就业单位": "临清市坤德电子有限公司"})
    rows[0]["联系电话"] = rows[1]["联系电话"] = rows[2]["联系电话"] = "13800000000"
    second = import_roster(store, write_roster(tmp_path / "2.xlsx", rows))
    assert (second.households_created, second.households_updated) == (0, 1)
    assert (second.members_created, second.members_updated, second.members_unchanged) == (0, 1, 2)
    assert {m["id_number"]: m["id"] for m in members(store)} == ids  # same records, no duplicates
    son = register.member(store, ids[rows[2]["身份证号码"]])
    assert son["employment_channel"] == "企业就业"
    changed = {c.field: c.new_value for c in store.history("members", son["id"]) if c.field != "*"}
    assert changed["employment_status"] == "已就业" and changed["employer"] == "临清市坤德电子有限公司"


def test_file_without_survey_columns_keeps_stored_answers(tmp_path, store):
    rows = family()
    rows[2].update({"就业状态": "已就业", "就业渠道": "灵活就业"})
    import_roster(store, write_roster(tmp_path / "1.xlsx", rows))
    short = [h for h in HEADERS if h not in ("就业状态", "就业渠道", "就业单位", "技能特长")]
    result = import_roster(store, write_roster(tmp_path / "2.xlsx", family(), headers=short))
    assert result.members_updated == 0 and result.members_unchanged == 3
    son = register.member_by_id_number(store, rows[2]["身份证号码"])
    assert son["employment_channel"] == "灵活就业"


def test_cadre_is_created_and_paired_and_a_new_one_replaces_it(tmp_path, store):
    import_roster(store, write_roster(tmp_path / "1.xlsx", family()))
    hh = register.household_by_number(store, "37158110900100001")
    assert [c["name"] for c in register.cadre_history(store, hh["id"])] == ["刘玉哲"]
    import_roster(store, write_roster(tmp_path / "2.xlsx", family(帮扶责任人="王海")))
    history = register.cadre_history(store, hh["id"])
    assert [c["name"] for c in history] == ["王海", "刘玉哲"]
    assert history[0]["until"] is None and history[1]["until"] is not None


def test_all_or_nothing_and_skip_bad_rows(tmp_path, store):
    rows = family() + family("37158110900100002", head_name="王大力")
    rows[4]["身份证号码"] = rows[4]["身份证号码"][:-1] + ("1" if rows[4]["身份证号码"][-1] != "1" else "2")
    path = write_roster(tmp_path / "r.xlsx", rows)
    error = fails(store, path)
    assert members(store) == []
    # The window shows this message too: no command-line flag in it (the CLI adds its own, below).
    assert error.message.endswith("请按问题清单改正后重新导入，或选择跳过问题行") and "--" not in error.message
    assert error.skippable
    result = import_roster(store, path, skip_bad_rows=True)
    assert result.members_created == 5 and result.households_created == 2 and result.skipped_rows
    assert "问题行 1 行（已跳过）" in result.summary()


def test_progress_and_cancel(tmp_path, store):
    path = write_roster(tmp_path / "r.xlsx", family())
    seen = []
    import_roster(store, path, progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] >= 5 and seen[-1][1] >= 5
    store2_before = snapshot(store)
    path2 = write_roster(tmp_path / "r2.xlsx", family("37158110900100002"))
    with pytest.raises(CadreDeskError, match="已取消"):
        import_roster(store, path2, cancel=lambda: True)
    assert snapshot(store) == store2_before


# ---------------------------------------------------------------- error workbook and CLI

def test_error_workbook_lists_problems_with_the_original_cells(tmp_path, store):
    rows = family()
    rows[1]["劳动能力"] = "强劳动力"
    path = write_roster(tmp_path / "r.xlsx", rows)
    error = fails(store, path)
    out = tmp_path / "errors.xlsx"
    write_error_report(out, error.result)
    table = python_calamine.CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    fixed = len(ERROR_FIXED)  # where, what, the cell, who (printed), then the original row (issue 11 §4)
    assert table[0][:fixed] == ["工作表", "行号", "列", "问题", "该格内容", "户编号", "姓名", "证件号码"]
    assert table[0][fixed:] == HEADERS
    sheet, row, column, reason, content, number, name, _idn, *cells = table[1]
    assert (sheet, row, column) == ("花名册", 4, "劳动能力") and "强劳动力" in reason
    assert (content, number, name) == ("强劳动力", rows[1]["户编号"], "李秀英")
    assert cells[HEADERS.index("成员姓名")] == "李秀英" and cells[HEADERS.index("劳动能力")] == "强劳动力"
    # A copy for reading: ID numbers and phones masked by default (issue 11 §4) ...
    assert cells[HEADERS.index("身份证号码")] == rows[1]["身份证号码"][:6] + "********" + rows[1]["身份证号码"][-4:]
    assert cells[HEADERS.index("联系电话")] == "139****0001"
    # ... and in full when asked.
    write_error_report(out, error.result, full_numbers=True)
    table = python_calamine.CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert table[1][fixed + HEADERS.index("身份证号码")] == rows[1]["身份证号码"]


def test_cli_import_failure_exit_code_and_one_line_stderr(tmp_path, capsys):
    rows = family()
    rows[1]["劳动能力"] = "强劳动力"
    path = write_roster(tmp_path / "r.xlsx", rows)
    db = tmp_path / "c.db"
    errors = tmp_path / "e.xlsx"
    assert main(["--db", str(db), "import-roster", str(path), "--errors", str(errors)]) == 1
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("错误：") and "没有导入任何数据" in err
    assert err.endswith("或选择跳过问题行（--skip-bad-rows）\n")
    assert "第 4 行【劳动能力】" in out and errors.exists()
    assert main(["--db", str(db), "import-roster", str(path), "--skip-bad-rows", "--json"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert {"households_created", "households_updated", "members_created", "members_updated",
            "members_unchanged", "bad_rows", "extra_columns"} <= set(data)
    assert data["members_created"] == 2 and data["households_created"] == 1
    assert data["bad_rows"] == [{"sheet": "花名册", "row": 4, "column": "劳动能力",
                                 "reason": data["bad_rows"][0]["reason"], "kind": "code"}]
    assert data["extra_columns"] == ["备注"] and err == ""


def test_cli_summary_line_and_bad_files(tmp_path, capsys):
    db = tmp_path / "c.db"
    path = write_roster(tmp_path / "r.xlsx", family())
    assert main(["--db", str(db), "import-roster", str(path)]) == 0
    out, _ = capsys.readouterr()
    assert out.strip().splitlines()[-1].startswith("导入完成：新建 1 户、更新 0 户；新建成员 3 人")
    for bad, words in ((tmp_path / "none.xlsx", "找不到文件"), (tmp_path / "text.xlsx", "不是 Excel")):
        if "text" in bad.name:
            bad.write_text("姓名,证件号码\n", encoding="utf-8")
        assert main(["--db", str(db), "import-roster", str(bad)]) == 1
        out, err = capsys.readouterr()
        assert err.count("\n") == 1 and words in err and "Traceback" not in err + out


@needs_sample
def test_cli_on_the_sample_via_subprocess(tmp_path):
    import subprocess
    import sys

    copy = tmp_path / "花名册.xlsx"
    shutil.copy(SAMPLE, copy)
    proc = subprocess.run([sys.executable, "-m", "cadre_desk", "--db", str(tmp_path / "s.db"), "import-roster",
                           str(copy), "--skip-bad-rows", "--json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["households_created"] == 54
    assert sorted(b["row"] for b in data["bad_rows"]) == [17, 28, 37, 39, 42, 128]


def test_the_same_bad_answers_on_several_rows_are_reported_on_each(tmp_path, store):
    # Validation of repeated answers is remembered by value: every row must still get its problems.
    rows = family() + [
        member("37158110900100002", "王芳", make_id("19850601", 22), 劳动能力="强劳动力"),
        member("37158110900100003", "赵敏", make_id("19860702", 32), 劳动能力="强劳动力"),
        member("37158110900100004", "钱进", make_id("19870803", 41), 劳动能力="强劳动力", **{"务工时间（月）": "十二"}),
    ]
    bad = fails(store, write_roster(tmp_path / "r.xlsx", rows)).result.bad_rows
    assert [(b.row, b.kind, b.column) for b in bad] == [
        (6, "code", "劳动能力"), (7, "code", "劳动能力"), (8, "code", "劳动能力"), (8, "number", "务工时间（月）")]
    assert len({b.reason for b in bad if b.kind == "code"}) == 1


def test_new_villages_are_numbered_on_from_the_towns_existing_villages(tmp_path, store):
    town = places.town_by_name(store, "烟店镇")
    first = places.ensure_village(store, town["id"], "程小集村")
    rows = (family("37158110900100001") + family("37158110900100002", village="东王庄村")
            + family("37158110900100003", village="西王庄村") + family("37158110900100004", village="东王庄村"))
    import_roster(store, write_roster(tmp_path / "r.xlsx", rows))
    codes = {v["name"]: v["code"] for v in store.rows("SELECT name, code FROM villages WHERE town_id = ?",
                                                       [town["id"]])}
    assert codes == {"程小集村": f"{town['code']}001", "东王庄村": f"{town['code']}002",
                     "西王庄村": f"{town['code']}003"}
    hh = register.household_by_number(store, "37158110900100001")
    assert hh["village_id"] == first


# ---------------------------------------------------------------- cells that are not what their column holds

def _retype(path, cells):
    """Give cells ({(Excel row, header): value}) their own Excel type (a date,
    a yes/no), as a county clerk's formatting does."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb.active
    header_row = 2
    columns = {ws.cell(header_row, c).value: c for c in range(1, ws.max_column + 1)}
    for (row, header), value in cells.items():
        ws.cell(row, columns[header]).value = value
    wb.save(path)
    return path


def test_a_date_or_yes_no_cell_in_a_text_column_is_a_bad_row_also_when_skipping(tmp_path, store):
    import datetime as dt

    path = _retype(write_roster(tmp_path / "t.xlsx", family()),
                   {(4, "成员姓名"): dt.datetime(2020, 1, 1), (5, "行政村"): True})
    error = fails(store, path)
    assert {(b.row, b.column, b.kind) for b in error.result.bad_rows} == {(4, "成员姓名", "type"), (5, "行政村", "type")}
    result = import_roster(store, path, skip_bad_rows=True)
    assert result.members_created == 1
    names = {m["name"] for m in members(store)}
    assert names == {"张建国"}
    assert not store.rows("SELECT * FROM villages WHERE name IN ('True', '1')")


def test_an_over_long_cell_is_refused_with_a_message(tmp_path, store):
    import zipfile

    rows = family()
    rows[1]["备注"] = "PLACEHOLDER-LONG-CELL"
    plain = write_roster(tmp_path / "plain.xlsx", rows)
    path = tmp_path / "long.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as out:
        for name in src.namelist():
            out.writestr(name, src.read(name).replace(b"PLACEHOLDER-LONG-CELL", "长".encode() * 40000))
    error = fails(store, path)
    (bad,) = error.result.bad_rows
    assert (bad.row, bad.column, bad.kind) == (4, "备注", "too_long")
    assert "40000" in bad.reason and "32767" in bad.reason


def test_the_result_says_which_rows_were_written(tmp_path, store):
    first = import_roster(store, write_roster(tmp_path / "1.xlsx", family()))
    assert first.changed["members"] == {m["id"] for m in members(store)}
    assert len(first.changed["households"]) == 1
    rows = family()
    rows[2]["文化程度"] = "高中"
    again = import_roster(store, write_roster(tmp_path / "2.xlsx", rows))
    (son,) = [m for m in members(store) if m["name"] == "张伟"]
    assert again.changed == {"members": {son["id"]}}
