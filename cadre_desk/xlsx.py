"""Writing Excel workbooks (XlsxWriter): opening and closing with a Chinese
message when the file cannot be written, and one rule for how a value becomes
a cell (numbers stay numbers, dates are dates, several values are joined with
、, everything else is text so that ID numbers never turn into floats)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import CadreDeskError, os_error_reason

if TYPE_CHECKING:
    import xlsxwriter

# XlsxWriter is imported when a workbook is written: the window and the
# commands that write none do not pay for it at start-up.


def _cannot_write(path: Path, exc: BaseException) -> CadreDeskError:
    if getattr(exc, "errno", None) == 28 or getattr(getattr(exc, "__context__", None), "errno", None) == 28:
        return CadreDeskError(f"磁盘已满，{path.name} 没有写成（也没有留下不完整的文件）。请清理磁盘空间后重试")
    return CadreDeskError(f"无法写入文件 {path}：{os_error_reason(exc)}。"
                          "请检查文件夹是否存在、文件是否正在 Excel 中打开")


def open_workbook(path: str | Path, options: dict | None = None) -> xlsxwriter.Workbook:
    require_xlsx(path)
    # Written under a temporary name, renamed by close_workbook when complete
    # (issue 12 §5: no partial file after a full disk or a crash).
    from .safe_write import temporary_name

    import xlsxwriter
    from xlsxwriter.exceptions import XlsxWriterException

    tmp = temporary_name(path)
    try:
        workbook = xlsxwriter.Workbook(str(tmp), options or {})
    except (XlsxWriterException, OSError) as exc:
        raise _cannot_write(Path(path), exc) from None
    workbook.cadre_desk_tmp = tmp
    return workbook


def close_workbook(workbook: xlsxwriter.Workbook, path: str | Path) -> None:
    from xlsxwriter.exceptions import XlsxWriterException

    tmp = getattr(workbook, "cadre_desk_tmp", None)
    try:
        workbook.close()
        if tmp is not None:
            os.replace(tmp, path)
    except (XlsxWriterException, OSError) as exc:
        _drop_half_closed_zip(exc)
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise _cannot_write(Path(path), exc) from None


def _drop_half_closed_zip(exc: BaseException) -> None:
    """A full disk fails XlsxWriter's ZipFile half-way; its __del__ would then
    print a traceback on stderr when collected. Collect it now, quietly."""
    import gc
    import sys

    hook = sys.unraisablehook
    sys.unraisablehook = lambda _info: None
    try:
        seen = exc
        while seen is not None:
            seen.__traceback__ = None
            seen = seen.__context__ or seen.__cause__
        gc.collect()
    finally:
        sys.unraisablehook = hook


def write_value(sheet, row: int, col: int, value: Any, *, date_format=None) -> None:
    """Write one cell; empty values leave the cell empty."""
    if isinstance(value, (list, tuple)):
        value = "、".join(str(v) for v in value)
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_string(row, col, "是" if value else "否")
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value)
    elif isinstance(value, (dt.date, dt.datetime)):
        moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        sheet.write_datetime(row, col, moment, date_format)
    else:
        sheet.write_string(row, col, str(value))


# ---------------------------------------------------------------- workbooks a clerk prints

def require_xlsx(path: str | Path) -> Path:
    """Workbooks are written as .xlsx only: another name would make a file
    whose extension lies about its content."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise CadreDeskError(f"只能写成 Excel 工作簿（.xlsx），“{path.name}”不是。请把文件名改成 {path.stem}.xlsx")
    return path


def text_width(value: Any) -> int:
    """Width of a cell's text in Excel's character units (a Chinese
    character is two)."""
    if value is None:
        return 0
    text = "、".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    longest = max(text.split("\n"), key=len) if text else ""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in longest)


class ColumnWidths:
    """Column widths from the content: the widest cell (header included),
    within ``low``..``high``; a wider text wraps (see ``lines``)."""

    def __init__(self, headers: list[str], *, low: int = 4, high: int = 40, fixed: dict[int, int] | None = None):
        self.low, self.high, self.fixed = low, high, dict(fixed or {})
        self.widths = [text_width(h) for h in headers]

    def see(self, col: int, value: Any) -> None:
        while col >= len(self.widths):
            self.widths.append(0)
        w = text_width(value)
        if w > self.widths[col]:
            self.widths[col] = w

    def width(self, col: int) -> int:
        if col in self.fixed:
            return self.fixed[col]
        return max(self.low, min(self.high, self.widths[col] + 2))

    def lines(self, col: int, value: Any) -> int:
        """How many lines ``value`` takes when wrapped in this column."""
        usable = max(1, self.width(col) - 1)
        text = "" if value is None else str(value)
        return sum(max(1, -(-text_width(part) // usable)) for part in text.split("\n")) if text else 1

    def apply(self, sheet, formats: dict[int, Any] | None = None) -> None:
        for col in range(len(self.widths)):
            sheet.set_column(col, col, self.width(col), (formats or {}).get(col))


LINE_HEIGHT = 15  # points, for the 11-point default font


def row_height(lines: int) -> float:
    return LINE_HEIGHT * max(1, lines) + 2


def print_setup(sheet, *, header_rows: int = 1, landscape: bool = True, pages_wide: int = 1) -> None:
    """A4, landscape, fit to ``pages_wide`` page widths (a sheet of fifty
    columns on one page would print unreadably small), as many pages down as
    needed, the header row(s) repeated on every printed page."""
    sheet.set_paper(9)
    if landscape:
        sheet.set_landscape()
    sheet.fit_to_pages(pages_wide, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    if header_rows:
        sheet.repeat_rows(0, header_rows - 1)
    sheet.hide_gridlines(0)
    sheet.set_footer("&C第 &P 页，共 &N 页")


def mask_phone(value: Any) -> str:
    """139****0001: the first 3 and last 4 digits of a phone number."""
    text = "" if value is None else str(value).strip()
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if len(digits) < 8:
        return "*" * len(text)
    keep = set(digits[:3]) | set(digits[-4:])
    return "".join(ch if (i in keep or not ch.isdigit()) else "*" for i, ch in enumerate(text))


ID_HEADERS = ("身份证号码", "证件号码", "户主证件号码", "户主身份证号码", "身份证号", "公民身份号码")
PHONE_HEADERS = ("联系电话", "电话", "手机号码", "手机", "联系方式")


def masked(header: str, value: Any) -> Any:
    """What a reading copy shows for a cell under ``header``: ID numbers and
    phone numbers masked, anything else as it is."""
    from .idnumber import mask_id

    if value is None or value == "":
        return value
    name = str(header).strip()
    if name in ID_HEADERS:
        return mask_id(str(value))
    if name in PHONE_HEADERS:
        return mask_phone(value)
    return value


_ID_IN_TEXT = __import__("re").compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9Xx])")
_PHONE_IN_TEXT = __import__("re").compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def mask_numbers_in_text(text: str) -> str:
    """ID numbers and mobile numbers inside a sentence (a problem's reason), masked."""
    from .idnumber import mask_id

    text = _ID_IN_TEXT.sub(lambda m: mask_id(m.group(0)), text)
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)
