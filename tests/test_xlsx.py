"""Excel writing shared by every export: cells keep their kind, and a file
that cannot be written gets a Chinese message."""

import datetime as dt

import pytest
import python_calamine

from cadre_desk.errors import CadreDeskError
from cadre_desk.xlsx import close_workbook, open_workbook, write_value


def test_values_become_cells_of_the_right_kind(tmp_path):
    path = tmp_path / "out.xlsx"
    wb = open_workbook(path)
    ws = wb.add_worksheet("表")
    for col, value in enumerate(["371581198001010013", 2800, ["缝纫", "电工"], True, dt.date(2020, 4, 30), None]):
        write_value(ws, 0, col, value, date_format=wb.add_format({"num_format": "yyyy-mm-dd"}))
    close_workbook(wb, path)
    (row,) = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert row[:5] == ["371581198001010013", 2800, "缝纫、电工", "是", dt.date(2020, 4, 30)]


def test_unwritable_place_says_what_to_do(tmp_path):
    path = tmp_path / "no-such-folder" / "out.xlsx"
    wb = open_workbook(path)
    wb.add_worksheet("表")
    with pytest.raises(CadreDeskError, match="无法写入文件.*请检查文件夹是否存在"):
        close_workbook(wb, path)
