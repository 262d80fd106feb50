"""A large worksheet read a block of rows at a time (cadre_desk/roster/sheet_blocks.py,
issue 16 §6): the same rows as python-calamine's whole-sheet ``iter_rows``, the
same import, and a damaged block still gives the Chinese message."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
import python_calamine
import xlsxwriter

from cadre_desk import places
from cadre_desk.roster import RosterImportFailed, sheet_blocks
from cadre_desk.roster.importer import import_roster as import_sheets
from cadre_desk.roster.read import worksheet
from cadre_desk.storage import memory_store
from helpers_roster import family, write_roster


@pytest.fixture
def small_blocks(monkeypatch):
    """Every sheet read in blocks of about 2 KB of XML (a few rows each), 512 bytes at a time."""
    monkeypatch.setattr(sheet_blocks, "STREAM_FROM", 0)
    monkeypatch.setattr(sheet_blocks, "BLOCK_BYTES", 2048)
    monkeypatch.setattr(sheet_blocks, "READ", 512)


def _varied_workbook(path: Path, **options) -> Path:
    """Shared or inline strings, numbers, dates, booleans, rich text, formulas,
    text to escape, a row longer than a block; leading empty rows and columns,
    400 empty rows in the middle, style-only cells right of the values and one
    value far right late."""
    wb = xlsxwriter.Workbook(str(path), options)
    wb.add_worksheet("说明").write(0, 0, "见下一页")
    ws = wb.add_worksheet("数据")
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    bold = wb.add_format({"bold": 1})
    ws.write(3, 2, "标题")
    for r in range(5, 1500):
        if 600 <= r < 1000:
            continue
        ws.write_string(r, 2, f"姓名{r % 97}")
        ws.write_number(r, 3, r * 1.5)
        ws.write_datetime(r, 4, dt.datetime(2020, 1, 1) + dt.timedelta(days=r), date)
        if r % 7 == 0:
            ws.write_boolean(r, 5, r % 2 == 0)
        if r % 13 == 0:
            ws.write_rich_string(r, 6, "甲", bold, "乙", "丙")
        if r % 17 == 0:
            ws.write_formula(r, 7, "=1+1", None, 2)
        if r % 11 == 0:
            ws.write_blank(r, 10, None, bold)
        ws.write_string(r, 8, "长" * 6000 if r == 300 else "x" * (r % 5) + "&<>\"'")  # row 301: longer than a block
    if not options.get("constant_memory"):
        ws.write(1200, 9, "最右")
    wb.close()
    return path


@pytest.mark.parametrize("options", [{}, {"constant_memory": True}, {"date_1904": True}],
                         ids=["shared strings", "inline strings", "1904 dates"])
def test_rows_read_in_blocks_are_the_rows_of_the_whole_sheet(tmp_path, small_blocks, options):
    path = _varied_workbook(tmp_path / "t.xlsx", **options)
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    whole = workbook.get_sheet_by_index(1)
    blocks = worksheet(workbook, path, 1)
    assert isinstance(blocks, sheet_blocks.BlockSheet)
    assert len(list(blocks._blocks())) > 20  # really cut into many blocks
    assert (blocks.name, blocks.start, blocks.end[1]) == (whole.name, whole.start, whole.end[1])
    assert blocks.total_height == whole.total_height
    assert list(blocks.iter_rows()) == list(whole.iter_rows())
    rows = list(blocks.iter_rows())
    assert rows[1300][:3] == ["姓名39", 1950.0, dt.date(2023, 7, 24)]  # rows begin at column C
    assert rows[300][6] == "长" * 6000


def test_a_small_sheet_many_shared_strings_or_an_unusual_sheet_is_read_whole(tmp_path, monkeypatch):
    path = _varied_workbook(tmp_path / "t.xlsx")
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    assert isinstance(worksheet(workbook, path, 1), python_calamine.CalamineSheet)  # small: whole
    monkeypatch.setattr(sheet_blocks, "STREAM_FROM", 0)
    assert isinstance(worksheet(workbook, path, 1), sheet_blocks.BlockSheet)
    # many shared strings (each block would read them all again): whole
    monkeypatch.setattr(sheet_blocks, "MAX_SHARED_STRINGS", 100)
    assert isinstance(worksheet(workbook, path, 1), python_calamine.CalamineSheet)
    monkeypatch.setattr(sheet_blocks, "MAX_SHARED_STRINGS", 1 << 20)
    # a cell without its reference (allowed by the format, written by no common program): read whole
    odd = tmp_path / "odd.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(odd, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(b'<c r="C4" ', b"<c ", 1)
            out.writestr(info, data)
    workbook = python_calamine.CalamineWorkbook.from_path(str(odd))
    assert isinstance(worksheet(workbook, odd, 1), python_calamine.CalamineSheet)


def _roster(path: Path) -> Path:
    rows = [m for i in range(60) for m in family(f"371581109001{i:05d}")]
    return write_roster(path, rows)


def _members(store) -> list[tuple]:
    return [tuple(r.values()) for r in store.rows(
        "SELECT m.name, m.id_number, m.relation, m.sex, m.education, h.number, h.phone FROM members m "
        "JOIN households h ON h.id = m.household_id ORDER BY m.id_number")]


def test_a_roster_read_in_blocks_imports_as_a_whole_read_does(tmp_path, monkeypatch):
    path = _roster(tmp_path / "roster.xlsx")
    stores = []
    for stream_from in (1 << 40, 0):  # whole, then in blocks
        monkeypatch.setattr(sheet_blocks, "STREAM_FROM", stream_from)
        monkeypatch.setattr(sheet_blocks, "BLOCK_BYTES", 2048)
        store = memory_store()
        places.ensure_county(store)
        result = import_sheets(store, path, allowed_numbers=None)
        assert (result.members_created, result.bad_row_count) == (180, 0)
        stores.append(store)
    assert _members(stores[0]) == _members(stores[1])
    assert len(_members(stores[1])) == 180


def test_a_damaged_block_gives_the_chinese_message(tmp_path, small_blocks):
    path = _roster(tmp_path / "roster.xlsx")
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                at = data.index(b'<c r="G150"')
                data = data[:at] + b"<c r=\"G150\"><v>1</v>" + data[at:]  # an unclosed cell, far into the sheet
            out.writestr(info, data)
    workbook = python_calamine.CalamineWorkbook.from_path(str(broken))
    assert isinstance(worksheet(workbook, broken, 0), sheet_blocks.BlockSheet)  # the damage shows in a block
    store = memory_store()
    places.ensure_county(store)
    with pytest.raises(RosterImportFailed) as failed:
        import_sheets(store, broken, allowed_numbers=None)
    assert "已损坏" in str(failed.value) and "另存为 .xlsx" in str(failed.value)
    assert store.db.execute("SELECT count(*) FROM members").fetchone()[0] == 0
