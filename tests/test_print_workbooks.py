"""The workbooks a clerk prints (issue 11 §4): widths from the content,
wrapped rows tall enough, A4 landscape fit to the page width, the header row
on every page, ID numbers as text, and ID numbers and phones masked in the
copies meant for reading."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from cadre_desk import demo
from cadre_desk.jobs.progress import export_progress
from cadre_desk.roster import export_roster, write_error_report
from cadre_desk.roster.export import ERROR_FIXED
from cadre_desk.roster import RosterImportFailed, import_roster
from helpers_cli import run_cli
from helpers_roster import HEADERS, family, write_roster

AS_OF = dt.date(2020, 4, 30)


def print_settings(ws):
    # fitToWidth 1 is the default, which XlsxWriter leaves out.
    return (ws.page_setup.orientation, ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight,
            ws.sheet_properties.pageSetUpPr.fitToPage, ws.print_title_rows)


def test_the_error_workbook_prints_like_a_list(tmp_path, store):
    rows = family()
    rows[1]["劳动能力"] = "强劳动力"
    rows[2]["文化程度"] = "博士后" + "（说明很长的一段文字）" * 6
    path = write_roster(tmp_path / "r.xlsx", rows)
    with pytest.raises(RosterImportFailed) as info:
        import_roster(store, path)
    out = tmp_path / "errors.xlsx"
    write_error_report(out, info.value.result)
    ws = openpyxl.load_workbook(out).active
    assert print_settings(ws) == ("landscape", 1, 0, True, "$1:$1")
    header = [c.value for c in ws[1]]
    number_col = len(ERROR_FIXED) + HEADERS.index("户编号") + 1
    id_col = len(ERROR_FIXED) + HEADERS.index("身份证号码") + 1
    letter = openpyxl.utils.get_column_letter
    assert ws.column_dimensions[letter(number_col)].width >= len(rows[0]["户编号"])  # not "37158110…"
    assert ws.column_dimensions[letter(id_col)].width >= 18
    reason_rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, 4).value]
    long_row = max(reason_rows, key=lambda r: len(ws.cell(r, 4).value))
    assert ws.row_dimensions[long_row].height >= 30  # wrapped: two lines or more
    id_cell = ws.cell(reason_rows[0], id_col)
    assert id_cell.data_type == "s" and "*" in id_cell.value  # text, masked
    assert header[:4] == ["工作表", "行号", "列", "问题"]
    # What is printed: the problem list and who each row is, not all the copied columns.
    assert ws.print_area == "'问题清单'!$A$1:$H$" + str(ws.max_row)


def test_progress_masks_by_default_and_prints_landscape(tmp_path, store):
    demo.build_demo(store, households=30, seed=2, as_of=AS_OF)
    out = tmp_path / "p.xlsx"
    export_progress(store, out, AS_OF)
    wb = openpyxl.load_workbook(out)
    ws = wb["未就业人员"]
    assert print_settings(ws) == ("landscape", 1, 0, True, "$1:$1")
    ids = [ws.cell(r, 5).value for r in range(2, ws.max_row + 1)]
    assert ids and all("********" in v for v in ids)
    numbers = [ws.cell(r, 3) for r in range(2, ws.max_row + 1)]
    assert all(c.data_type == "s" for c in numbers)
    assert ws.column_dimensions["C"].width >= len(numbers[0].value)
    export_progress(store, out, AS_OF, mask_ids=False)
    ws = openpyxl.load_workbook(out)["未就业人员"]
    assert "*" not in ws.cell(2, 5).value and len(ws.cell(2, 5).value) == 18


def test_the_roster_export_keeps_full_numbers_and_fits_its_columns(tmp_path, store):
    demo.build_demo(store, households=5, seed=2, as_of=AS_OF)
    out = tmp_path / "roster.xlsx"
    export_roster(store, out)
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    phone = header.index("联系电话") + 1
    status = header.index("脱贫状态") + 1
    letter = openpyxl.utils.get_column_letter
    longest_status = max(len(str(ws.cell(r, status).value or "")) for r in range(2, ws.max_row + 1))
    assert ws.column_dimensions[letter(phone)].width >= 11
    assert ws.column_dimensions[letter(status)].width >= 2 * longest_status
    ids = [ws.cell(r, header.index("证件号码") + 1).value for r in range(2, ws.max_row + 1)]
    assert all(len(v) == 18 and "*" not in v for v in ids)
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 4


def test_export_roster_to_a_csv_name_is_refused(tmp_path):
    db = tmp_path / "c.db"
    run_cli("--db", str(db), "demo", "--households", "2")
    rc, out, err = run_cli("--db", str(db), "export-roster", str(tmp_path / "x.csv"))
    assert rc == 1 and "只能写成 Excel 工作簿（.xlsx）" in err and "x.xlsx" in err
    assert not (tmp_path / "x.csv").exists()
