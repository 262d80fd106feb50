"""Writing Excel workbooks (XlsxWriter): opening and closing with a Chinese
message when the file cannot be written, and one rule for how a value becomes
a cell (numbers stay numbers, dates are dates, several values are joined with
、, everything else is text so that ID numbers never turn into floats)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from .errors import CadreDeskError


def _cannot_write(path: Path, exc: BaseException) -> CadreDeskError:
    if getattr(exc, "errno", None) == 28 or getattr(getattr(exc, "__context__", None), "errno", None) == 28:
        return CadreDeskError(f"磁盘已满，{path.name} 没有写成（也没有留下不完整的文件）。请清理磁盘空间后重试")
    return CadreDeskError(f"无法写入文件 {path}：{getattr(exc, 'strerror', None) or exc}。"
                          "请检查文件夹是否存在、文件是否正在 Excel 中打开")


def open_workbook(path: str | Path, options: dict | None = None) -> xlsxwriter.Workbook:
    # Written under a temporary name, renamed by close_workbook when complete
    # (issue 12 §5: no partial file after a full disk or a crash).
    from .safe_write import temporary_name

    tmp = temporary_name(path)
    try:
        workbook = xlsxwriter.Workbook(str(tmp), options or {})
    except (XlsxWriterException, OSError) as exc:
        raise _cannot_write(Path(path), exc) from None
    workbook.cadre_desk_tmp = tmp
    return workbook


def close_workbook(workbook: xlsxwriter.Workbook, path: str | Path) -> None:
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
