"""Reading a workbook: open it (with a Chinese message for each way that
fails), its visible worksheets, and each sheet's header row found by name
below any title rows, with the map from known columns to cell indexes.

The roster import reads its sheets here; the openings import uses the same
opening and header search.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import python_calamine as calamine

from ..xlsx_guard import check_workbook
from .columns import RosterFormat
from .result import RosterImportFailed, file_failure
from .sheet_blocks import sheet_of

HEADER_SCAN_ROWS = 30  # title rows tolerated above the header row
MIN_HEADER_MATCHES = 3  # known headers that make a row the header row


def open_workbook(path: Path) -> calamine.CalamineWorkbook:
    name = path.name
    if not path.exists():
        raise file_failure(path, f"找不到文件 {path}，请检查文件名和路径", "missing")
    if path.is_dir():
        raise file_failure(path, f"{path} 是文件夹，不是 Excel 文件。请选择花名册的 .xlsx 文件", "format")
    check_workbook(path)  # issue 12 §5: refuse a huge sheet or a zip bomb before calamine allocates it
    try:
        return calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError:
        raise file_failure(path, f"文件 {name} 设有密码，无法读取。请在 Excel 中取消密码后另存，再导入",
                            "format") from None
    except (calamine.CalamineError, ValueError, UnicodeError) as exc:
        raise not_excel(path, exc) from None
    except OSError as exc:
        raise file_failure(path, f"无法读取文件 {name}：{exc.strerror or exc}。请检查文件是否被占用或有无权限",
                            "format") from None


def worksheet(workbook: calamine.CalamineWorkbook, path: Path, index: int):
    """Sheet ``index`` of the workbook opened from ``path``: a large .xlsx
    sheet read a block of rows at a time (``sheet_blocks``: a 100,000-member
    roster in about 40 MB instead of 240), any other calamine's whole sheet.
    Either gives ``name``, ``start``, ``end``, ``total_height`` and ``iter_rows()``."""
    return sheet_of(workbook, path, index, lambda exc: not_excel(path, exc))


def not_excel(path: Path, exc: BaseException) -> RosterImportFailed:
    return file_failure(path, f"文件 {path.name} 不是 Excel 工作簿，或已损坏，无法读取。"
                               "请在 Excel 中打开它并另存为 .xlsx 后重新导入", "format")


def cell_text(value: Any) -> str:
    """A cell as text, the way Excel shows it (6.0 -> '6')."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value).strip()


def is_blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


@dataclass
class Sheet:
    """A worksheet's layout: where each known column is, what else it has."""

    name: str
    header_row: int  # Excel row number of the header
    header_cells: list
    columns: dict[str, int]  # Column.key -> cell index
    headers: dict[str, str]  # Column.key -> header as written in the file
    extras: list[tuple[int, str]]  # (cell index, header) of unknown columns
    unnamed: list[int]  # cell indexes without a header
    ignored: list[str]
    rows: Iterator[list]  # the data rows still to read
    first_data_row: int
    total_rows: int
    start_col: int  # calamine's rows begin at the sheet's first used column


def match_header(fmt: RosterFormat, cells: list) -> int:
    return sum(1 for c in cells if not is_blank(c) and fmt.match(c) is not None)


def scan_sheet(fmt: RosterFormat, sheet: calamine.CalamineSheet) -> tuple[Sheet | None, list | None, int]:
    """Find the header row. Returns (layout, None, 0) for a roster sheet, or
    (None, best candidate row, its row number) for a sheet without a header
    row (or (None, None, 0) for an empty one)."""
    rows = sheet.iter_rows()
    best: tuple[int, int, list | None, int] = (-1, -1, None, 0)
    for index in range(HEADER_SCAN_ROWS):
        try:
            cells = next(rows)
        except StopIteration:
            break
        matches = match_header(fmt, cells)
        if matches >= MIN_HEADER_MATCHES:
            return _layout(fmt, sheet, cells, index + 1, rows), None, 0
        filled = sum(1 for c in cells if not is_blank(c))
        if filled and (matches, filled) > best[:2]:
            best = (matches, filled, cells, index + 1)
    return None, best[2], best[3]


def _layout(fmt: RosterFormat, sheet: calamine.CalamineSheet, cells: list, header_row: int,
            rows: Iterator[list]) -> Sheet:
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    extras: list[tuple[int, str]] = []
    unnamed: list[int] = []
    ignored: list[str] = []
    for i, cell in enumerate(cells):
        text = cell_text(cell)
        if not text:
            unnamed.append(i)
            continue
        col = fmt.match(text)
        if col is not None and col.key not in columns:
            columns[col.key] = i
            headers[col.key] = text
        elif fmt.is_ignored(text):
            ignored.append(text)
        else:
            # Unknown, or a second column of the same name: kept aside, not lost.
            extras.append((i, text))
    total = (sheet.end[0] + 1) if sheet.end else header_row
    return Sheet(sheet.name, header_row, list(cells), columns, headers, extras, unnamed, ignored, rows,
                  header_row + 1, total, sheet.start[1] if sheet.start else 0)




def find_header(rows: Iterator[list], is_header: Callable[[list], bool], scan: int) -> tuple[int, list] | None:
    """The first of the next ``scan`` rows that ``is_header`` accepts, as
    (its index among them, its cells); ``rows`` then continues below it."""
    for index in range(scan):
        try:
            cells = next(rows)
        except StopIteration:
            return None
        if is_header(cells):
            return index, cells
    return None


def roster_sheets(workbook: calamine.CalamineWorkbook, path: Path, fmt: RosterFormat,
                  loaded: dict[int, calamine.CalamineSheet] | None = None) -> Iterator[tuple[int, Sheet]]:
    """The roster sheets of a workbook, in order, as (sheet index, layout).
    Charts and hidden sheets (code lists behind drop-downs) are passed over.
    ``loaded``: only these sheets (by index), already read by the caller
    (the national import tells each sheet's kind first). Raises
    ``RosterImportFailed`` for a sheet without the required columns, an
    empty workbook, or one in which no sheet has a roster header."""
    found = 0
    candidate = None
    any_cells = False
    for index, meta in enumerate(workbook.sheets_metadata):
        if loaded is not None and index not in loaded:
            continue
        if meta.typ != calamine.SheetTypeEnum.WorkSheet or meta.visible != calamine.SheetVisibleEnum.Visible:
            continue
        try:
            sheet = loaded[index] if loaded is not None else worksheet(workbook, path, index)
        except (calamine.CalamineError, ValueError) as exc:
            raise not_excel(path, exc) from None
        if sheet.end is None:
            continue
        any_cells = True
        layout, best, best_row = scan_sheet(fmt, sheet)
        if layout is None:
            if best is not None and (candidate is None or match_header(fmt, best) > match_header(fmt, candidate[1])):
                candidate = (sheet.name, best, best_row)
            continue
        present = set(layout.columns)
        if not all(c.key in present for c in fmt.required):
            raise missing_columns(path, fmt, layout.name, layout.header_row, layout.header_cells, present)
        found += 1
        yield index, layout
    if not any_cells:
        raise file_failure(path, f"文件 {path.name} 是空的，没有任何内容。请选择填好的花名册", "empty")
    if not found:
        if candidate is None:
            raise file_failure(path, f"文件 {path.name} 中没有花名册数据", "empty")
        name, cells, row = candidate
        raise missing_columns(path, fmt, name, row, cells, set())


def missing_columns(path: Path, fmt: RosterFormat, sheet: str, row: int, cells: list, present: set[str]
                    ) -> RosterImportFailed:
    missing = [c.header for c in fmt.required if c.key not in present]
    found = [t for t in (cell_text(c) for c in cells) if t]
    message = (f"工作表“{sheet}”缺少必需的列：{'、'.join(missing)}。"
               f"找到的列：{'、'.join(found) or '（无）'}。请按花名册格式补上这些列（列名可用别名）后重新导入")
    return file_failure(path, message, "columns", sheet=sheet, row=row)
