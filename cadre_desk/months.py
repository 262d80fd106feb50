"""Year-and-month values (the ``month`` field type): stored as text
``YYYY-MM``, so that they sort and compare as strings.

The national system and its Excel exports write a month many ways:
``202306``, ``2023年06月``, ``2023年6月``, ``2023-06``, ``2023/6``, ``2023.06``,
a full date (``2023-06-15``) or an Excel date cell (a datetime, or its serial
number). ``parse`` reads them all and says in Chinese what to write instead.
"""

from __future__ import annotations

import datetime as dt
import re

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_PATTERNS = (
    re.compile(r"^(\d{4})(\d{2})$"),                                  # 202306
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月?(?:\s*\d{1,2}\s*日)?$"),    # 2023年06月, 2023年6月5日
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})(?:\s*[-/.]\s*\d{1,2})?(?:[ T].*)?$"),  # 2023-06, 2023/6, 2023.06, 2023-06-15
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),                           # 20230615
)
HINT = "请按 2023-06、202306 或 2023年06月 的格式填写年月"


class MonthError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def parse(raw: object, label: str = "年月") -> str | None:
    """``raw`` as ``YYYY-MM`` (None when empty); raises ``MonthError``."""
    if raw is None:
        return None
    if isinstance(raw, dt.datetime):
        return f"{raw.year:04d}-{raw.month:02d}"
    if isinstance(raw, dt.date):
        return f"{raw.year:04d}-{raw.month:02d}"
    if isinstance(raw, bool):
        raise MonthError(f"{label}“{raw}”不是年月，{HINT}")
    if isinstance(raw, (int, float)):
        if float(raw).is_integer():
            number = int(raw)
            if 190001 <= number <= 299912:
                return _checked(number // 100, number % 100, raw, label)
            if 19000101 <= number <= 29991231:
                return _checked(number // 10000, number // 100 % 100, raw, label)
        if 1 <= float(raw) < 2958466:  # an Excel date serial (1900-01-01 … 9999-12-31)
            day = _EXCEL_EPOCH + dt.timedelta(days=int(raw))
            return f"{day.year:04d}-{day.month:02d}"
        raise MonthError(f"{label}“{raw}”不是年月，{HINT}")
    text = str(raw).strip().translate(_FULL_WIDTH)
    if not text:
        return None
    for pattern in _PATTERNS:
        m = pattern.match(text)
        if m:
            return _checked(int(m.group(1)), int(m.group(2)), raw, label)
    raise MonthError(f"{label}“{raw}”不是年月，{HINT}")


_FULL_WIDTH = {0xFF10 + i: 0x30 + i for i in range(10)} | {0xFF0D: 0x2D, 0xFF0F: 0x2F, 0xFF0E: 0x2E}


def _checked(year: int, month: int, raw: object, label: str) -> str:
    if not 1 <= month <= 12:
        raise MonthError(f"{label}“{raw}”的月份应在 1 到 12 之间，{HINT}")
    if not 1900 <= year <= 2999:
        raise MonthError(f"{label}“{raw}”的年份不对，{HINT}")
    return f"{year:04d}-{month:02d}"


def of(day: dt.date) -> str:
    """The month of a date."""
    return f"{day.year:04d}-{day.month:02d}"


def first_day(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:7]), 1)


def last_day(month: str) -> dt.date:
    return first_day(shift(month, 1)) - dt.timedelta(days=1)


def shift(month: str, months: int) -> str:
    """``month`` moved by ``months`` (negative: back)."""
    y, m = divmod(int(month[:4]) * 12 + int(month[5:7]) - 1 + months, 12)
    return f"{y:04d}-{m + 1:02d}"


def between(start: str, end: str) -> list[str]:
    """The months from ``start`` to ``end``, both included."""
    out, month = [], start
    while month <= end:
        out.append(month)
        month = shift(month, 1)
    return out


def count(start: str, end: str) -> int:
    """How many months ``start`` … ``end`` covers, both included."""
    return (int(end[:4]) * 12 + int(end[5:7])) - (int(start[:4]) * 12 + int(start[5:7])) + 1


def display(month: str | None) -> str:
    """``2023-06`` as printed: ``2023年06月``."""
    if not month:
        return ""
    return f"{month[:4]}年{month[5:7]}月"
