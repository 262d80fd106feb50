"""Openings: checking, saving, and the Excel workbook (import all-or-nothing,
bad rows reported by row number, export then import round-trips)."""

from __future__ import annotations

import pytest
import xlsxwriter

from cadre_desk.cli import main
from cadre_desk.errors import ImportFailed, ValidationFailed
from cadre_desk.jobs.openings import (EXCEL_COLUMNS, export_openings, find_opening, import_openings, list_openings,
                                      save_opening)
from cadre_desk.storage import memory_store
from cadre_desk import places
from helpers_jobs import opening

COMPARED = ("title", "employer", "route", "town_name", "village_name", "county_code", "province_code", "location",
            "pay", "pay_unit", "monthly_pay_estimate", "hours", "places", "min_education", "labour_abilities",
            "age_min", "age_max", "skills", "physical_demands", "suitable_disabled", "suitable_home_bound",
            "valid_from", "valid_until", "description", "id")


def write_sheet(path, rows, *, title_row=True):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    r = 0
    if title_row:
        ws.merge_range(0, 0, 0, 5, "临清市就业扶贫岗位信息表（2020年5月）")
        r = 1
    for line in rows:
        for c, v in enumerate(line):
            if v is not None:
                ws.write(r, c, v)
        r += 1
    wb.close()


HEAD = ["企业名称", "岗位名称", "就业渠道", "所在乡镇", "所在村", "省份", "工资", "工资单位", "招聘人数",
        "接受的劳动技能", "技能要求", "适合残疾人", "有效期止"]


def test_save_opening_checks_in_chinese(store):
    with pytest.raises(ValidationFailed) as info:
        save_opening(store, {"enterprise": "某厂", "title": "", "route": "打零工", "pay_unit": "元/周",
                             "places": 0, "age_min": 50, "age_max": 30, "town": "不存在镇"})
    text = " / ".join(p.message for p in info.value.problems)
    for expected in ("请填写岗位名称", "就业渠道“打零工”不对", "工资单位“元/周”不对", "招聘人数应在 1 到 100000 之间",
                     "最小年龄 50 大于最大年龄 30", "乡镇（街道）“不存在镇”不在临清市"):
        assert expected in text
    assert store.rows("SELECT count(*) AS n FROM openings")[0]["n"] == 0


def test_saving_and_editing_goes_through_the_change_log(store):
    oid = opening(store, village="李庄村")
    o = find_opening(store, oid[:8])
    assert (o["town_name"], o["village_name"], o["county_code"], o["province_code"]) == ("烟店镇", "李庄村", "371581",
                                                                                         "370000")
    save_opening(store, {**o, "enterprise_id": o["enterprise_id"], "town": None, "village": None, "places": 8},
                 opening_id=oid)
    assert find_opening(store, oid)["places"] == 8
    fields = [c.field for c in store.history("openings", oid)]
    assert fields[0] == "*" and "places" in fields


def test_import_all_or_nothing_with_row_numbers(store, tmp_path):
    path = tmp_path / "openings.xlsx"
    write_sheet(path, [
        HEAD,
        ["宏达手套厂", "手套缝制工", "扶贫车间", "烟店镇", "李庄村", None, 2800, "元/月", 5, "普通劳动力、技能劳动力",
         "缝纫", "是", "2020-12-31"],
        [None] * 13,
        ["苏州劳务公司", "电子厂普工", "劳务输出", None, None, "广东", 4500, "元/月", 20, None, None, "否", None],
        ["某厂", "", "企业就业", "烟店镇", None, None, 3000, "元/月", 2, None, None, "否", None],
        ["某厂", "焊工", "企业就业", "火星镇", None, None, "三千", "元/月", 2, "很强", "焊工", "否", "2020-13-01"],
    ])
    with pytest.raises(ImportFailed) as info:
        import_openings(store, path)
    problems = info.value.problems
    assert "第 6 行：请填写岗位名称" in problems
    assert any(p.startswith("第 7 行：乡镇（街道）“火星镇”不在临清市") for p in problems)
    assert "第 7 行：工资应为数字，现为“三千”" in problems
    assert any(p.startswith("第 7 行：接受的劳动技能“很强”不认识") for p in problems)
    assert "第 7 行：有效期止“2020-13-01”不是有效日期，请按 2020-05-01 的格式填写" in problems
    assert not any(p.startswith(("第 3 行", "第 5 行")) for p in problems)
    assert "2 行有问题，没有导入任何岗位" in info.value.message
    assert store.rows("SELECT count(*) AS n FROM openings")[0]["n"] == 0
    assert store.rows("SELECT count(*) AS n FROM enterprises")[0]["n"] == 0

    write_sheet(path, [HEAD,
                       ["宏达手套厂", "手套缝制工", "扶贫车间", "烟店镇", "李庄村", None, 2800, "元/月", 5,
                        "普通劳动力、技能劳动力", "缝纫", "是", "2020-12-31"],
                       ["苏州劳务公司", "电子厂普工", "劳务输出", None, None, "广东", 4500, "元/月", 20, None, None,
                        "否", None]])
    assert import_openings(store, path) == {"added": 2, "updated": 0}
    by_title = {o["title"]: o for o in list_openings(store)}
    glove = by_title["手套缝制工"]
    assert glove["village_name"] == "李庄村" and glove["labour_abilities"] == ["普通劳动力", "技能劳动力"]
    assert glove["suitable_disabled"] == 1 and glove["valid_until"] == "2020-12-31"
    assert by_title["电子厂普工"]["province_code"] == "440000" and by_title["电子厂普工"]["town_id"] is None


def test_export_then_import_round_trips(store, tmp_path):
    opening(store, village="李庄村", skills=["缝纫", "手工编织"], labour_abilities=["普通劳动力"], age_min=18,
            age_max=55, min_education="小学", suitable_disabled=1, hours="8:00-17:00", location="村东头车间",
            description="计件另有奖励", physical_demands="久坐")
    opening(store, title="毛绒玩具加工", enterprise="唐园玩具厂", route="居家就业", town=None, pay=None,
            pay_unit="计件", monthly_pay_estimate=1300, places_=30)
    opening(store, title="建筑工", enterprise="济南劳务", route="劳务输出", town=None, county_code="370102",
            pay=180, pay_unit="元/天", valid_from=None, valid_until=None)
    places.ensure_county(store)
    path = tmp_path / "out.xlsx"
    assert export_openings(store, path) == 3
    other = memory_store()
    places.ensure_county(other)
    assert import_openings(other, path) == {"added": 3, "updated": 0}
    before = sorted(({k: o[k] for k in COMPARED} for o in list_openings(store)), key=lambda o: o["title"])
    after = sorted(({k: o[k] for k in COMPARED} for o in list_openings(other)), key=lambda o: o["title"])
    assert before == after
    # importing the same file again updates, it does not duplicate
    assert import_openings(other, path) == {"added": 0, "updated": 3}
    assert len(list_openings(other)) == 3


def test_export_headers_are_chinese_and_complete(store, tmp_path):
    from python_calamine import CalamineWorkbook

    opening(store)
    path = tmp_path / "o.xlsx"
    export_openings(store, path)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    # Every column, 岗位编号 last (issue 11 §4: the printed page starts with what a reader looks for).
    assert rows[0] == [h for h, k, _ in EXCEL_COLUMNS if k != "id"] + ["岗位编号"]
    assert rows[1][0] == "临清市宏达手套厂"


def test_cli_import_reports_bad_rows_and_exits_1(db_path, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    write_sheet(path, [HEAD, ["某厂", "焊工", "上门", "烟店镇", None, None, 3000, "元/月", 2, None, None, "否", None]],
                title_row=False)
    assert main(["--db", str(db_path), "import-openings", str(path)]) == 1
    err = capsys.readouterr().err
    assert "第 2 行：就业渠道“上门”不对" in err and "错误：" in err
    assert main(["--db", str(db_path), "import-openings", str(tmp_path / "missing.xlsx")]) == 1
    assert "找不到文件 missing.xlsx" in capsys.readouterr().err
    (tmp_path / "broken.xlsx").write_text("not a workbook")
    assert main(["--db", str(db_path), "import-openings", str(tmp_path / "broken.xlsx")]) == 1
    assert "不是有效的 Excel 文件" in capsys.readouterr().err


def test_cli_export_and_list(db_path, tmp_path, capsys, file_store):
    opening(file_store)
    file_store.db.conn.close()
    out = tmp_path / "o.xlsx"
    assert main(["--db", str(db_path), "export-openings", str(out)]) == 0
    assert out.exists() and "已导出 1 个岗位" in capsys.readouterr().out
    assert main(["--db", str(db_path), "openings"]) == 0
    line = capsys.readouterr().out
    assert "临清市宏达手套厂 手套缝制工  [扶贫车间]  烟店镇  月薪 2,800 元  名额 0/5 至 2020-12-31" in line
