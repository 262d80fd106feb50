"""Parse, check and mask resident ID numbers (GB 11643-1999).

An ID number is 18 characters: a 6-digit address code, the birth date
YYYYMMDD, a 3-digit sequence (odd = male, even = female) and a check
character. Old 15-digit numbers (YYMMDD, no check character) are converted to
18 digits. Any address code is accepted: Linqing people still carry the old
code 372502 as well as the new 371581.

Numbers that Excel turned into floats (3.71581E+17) have lost their last
digits; they are rejected with a request to format the column as text, and
the digits are never guessed. Every error is an ``InvalidIdNumber`` with a
one-line Chinese message and a stable ``kind``.
"""

from __future__ import annotations

import datetime
import math
import operator
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass

from cadre_desk.errors import InvalidIdNumber

SEX_MALE = "男"
SEX_FEMALE = "女"

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ASCII_ZERO_SUM = ord("0") * sum(_WEIGHTS)
_DIGITS = frozenset("0123456789")
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_SCIENTIFIC = re.compile(r"[0-9]+(\.[0-9]*)?[eE][+-]?[0-9]+")
_FLOAT_MESSAGE = ("证件号码被Excel存成了数字（如3.71581E+17），后几位已丢失："
                  "请把该列设置为文本格式后，对照身份证重新录入完整号码")


@dataclass(frozen=True)
class IdNumber:
    """A valid ID number, always normalised to 18 characters."""

    value: str  # 18 characters, upper-case X
    converted_from_15: bool  # True when the input was an old 15-digit number
    birth_date: datetime.date
    sex: str  # SEX_MALE or SEX_FEMALE

    def age_on(self, day: datetime.date) -> int:
        """Completed years on ``day``; the birthday itself counts.

        Someone born on 29 February turns a year older on 1 March in non-leap
        years (on 28 February they have not yet had their birthday). Negative
        if ``day`` is before the birth date.
        """
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def normalize_raw(raw: object) -> str:
    """``str(raw)`` without any whitespace, full-width ASCII made half-width, x -> X.

    None gives "". Removes ordinary and ideographic (U+3000) spaces, tabs,
    line breaks and zero-width characters, also between digits.
    """
    if raw is None:
        return ""
    if type(raw) is str and raw.isascii() and raw.isalnum():
        return raw.replace("x", "X")  # the common clean case, same result as below
    out = []
    for ch in str(raw):
        if ch.isspace() or ch in _ZERO_WIDTH:
            continue
        if "\uff01" <= ch <= "\uff5e":  # full-width ASCII block: ０-９, Ｘ, ｘ, ．, ＋ ...
            ch = chr(ord(ch) - 0xFEE0)
        out.append(ch)
    return "".join(out).replace("x", "X")


def check_character(first17: str) -> str:
    """The GB 11643-1999 check character for the first 17 digits."""
    if len(first17) != 17 or not set(first17) <= _DIGITS:
        raise ValueError(f"check_character needs 17 ASCII digits, got {first17!r}")
    total = sum(map(operator.mul, map(int, first17), _WEIGHTS))
    return _CHECK_CHARS[total % 11]


def _from_number(raw: int | float) -> str:
    """Text for a number read from a spreadsheet cell, or raise if digits were lost."""
    if isinstance(raw, float):
        if math.isnan(raw):  # a blank cell read by pandas
            return ""
        if math.isinf(raw) or not raw.is_integer():
            return str(raw)  # rejected later for its length or characters
    text = str(abs(int(raw)))
    if len(text) > 15:  # a double holds only ~15 significant digits
        raise InvalidIdNumber(_FLOAT_MESSAGE, "float")
    return text if raw >= 0 else "-" + text


def parse_id_number(raw: object, *, allow_15: bool = True) -> IdNumber:
    """Check ``raw`` against GB 11643-1999 and return it normalised.

    Raises ``InvalidIdNumber`` (kind: empty, float, length, chars, date, check).
    """
    value, old, birth = _check(raw, allow_15)
    return IdNumber(value=value, converted_from_15=old, birth_date=birth, sex=sex_of(value))


def id_number_value(raw: object, *, allow_15: bool = True) -> str:
    """``parse_id_number(raw).value``: the same checks and errors, without
    building the ``IdNumber`` (the questionnaire's coercion, once per row of a
    roster import, needs only the normalised number)."""
    return _check(raw, allow_15)[0]


def _check(raw: object, allow_15: bool) -> tuple[str, bool, datetime.date]:
    """(normalised value, converted from 15 digits, birth date), or raise."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = _from_number(raw)
    text = normalize_raw(raw)
    if not text:
        raise InvalidIdNumber("未填写证件号码，请填写18位居民身份证号码", "empty")
    # Only digits and a final X: the common case, which needs neither the
    # scientific-notation test nor the per-character search below.
    clean = text.isascii() and text[:-1].isdigit() and (text[-1].isdigit() or (text[-1] == "X" and len(text) == 18))
    if not clean and _SCIENTIFIC.fullmatch(text):
        raise InvalidIdNumber(_FLOAT_MESSAGE, "float")

    old = len(text) == 15 and allow_15
    if len(text) != 18 and not old:
        hint = "（旧的15位号码请换成18位号码）" if len(text) == 15 else ""
        raise InvalidIdNumber(
            f"证件号码应为18位，现为{len(text)}位{hint}，请对照身份证核对后重新填写", "length")

    for pos, ch in enumerate(() if clean else text, start=1):
        if ch in _DIGITS or (ch == "X" and pos == 18):
            continue
        rule = "只有第18位（最后一位）可以是X" if ch == "X" else "除最后一位可为X外都应是数字"
        raise InvalidIdNumber(
            f"证件号码第{pos}位“{ch}”有误，{rule}，请对照身份证核对后重新填写", "chars")

    body = text[:6] + "19" + text[6:] if old else text[:17]
    birth = _birth_date(body[6:14])
    value = body + _check_of(body) if old else text
    if not old and text[17] != _check_of(body):
        raise InvalidIdNumber("证件号码校验位不符，号码可能录错了，请对照身份证逐位核对后重新填写", "check")
    return value, old, birth


def well_formed_18(values: Iterable[object]) -> set[str]:
    """The values that are 18-character ID numbers written exactly as they
    should be (digits, upper-case X last, a birth date that exists, from 1900
    to today, the right check character): those for which
    ``id_number_value(v) == v``. Anything else is left to ``parse_id_number``,
    which says what is wrong.

    The same checks, done for many numbers at once with NumPy: a roster
    import checks 100,000 of them, and one by one that cost as much as
    reading the whole workbook."""
    import numpy as np

    candidates = [v for v in values if type(v) is str and len(v) == 18 and v.isascii()]
    if not candidates:
        return set()
    chars = np.frombuffer("".join(candidates).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    digits = chars[:, :17].astype(np.int64) - 48
    ok = ((digits >= 0) & (digits <= 9)).all(axis=1)
    check = np.frombuffer(_CHECK_CHARS.encode("ascii"), dtype=np.uint8)[(digits @ np.array(_WEIGHTS)) % 11]
    ok &= chars[:, 17] == check
    year = digits[:, 6] * 1000 + digits[:, 7] * 100 + digits[:, 8] * 10 + digits[:, 9]
    month = digits[:, 10] * 10 + digits[:, 11]
    day = digits[:, 12] * 10 + digits[:, 13]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)]
    month_days = month_days + ((month == 2) & leap)
    today = _today()
    ok &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days) & (year >= 1900)
    ok &= year * 10000 + month * 100 + day <= today.year * 10000 + today.month * 100 + today.day
    return {candidates[i] for i in np.flatnonzero(ok)}


def _check_of(body: str) -> str:
    """``check_character`` of 17 characters already known to be ASCII digits:
    their bytes are the digit plus 48, which saves an ``int()`` per digit."""
    return _CHECK_CHARS[(sum(map(operator.mul, body.encode(), _WEIGHTS)) - _ASCII_ZERO_SUM) % 11]


def _birth_date(yyyymmdd: str) -> datetime.date:
    try:
        born = datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        raise InvalidIdNumber(
            f"证件号码中的出生日期{_shown(yyyymmdd)}不存在，请对照身份证核对后重新填写", "date") from None
    if born.year < 1900 or born > _today():
        raise InvalidIdNumber(
            f"证件号码中的出生日期{_shown(yyyymmdd)}不合理（早于1900年或晚于今天），请对照身份证核对后重新填写",
            "date")
    return born


_day: list = [None, 0.0]  # today's date, and the time.time() when it ends


def _today() -> datetime.date:
    """``datetime.date.today()``, asked of the OS once a day rather than once
    per ID number (a roster import checks 100,000 of them)."""
    now = time.time()
    if now >= _day[1]:
        today = datetime.date.today()
        midnight = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time())
        _day[:] = [today, min(midnight.timestamp(), now + 3600)]
    return _day[0]


def _shown(yyyymmdd: str) -> str:
    return f"{yyyymmdd[:4]}年{yyyymmdd[4:6]}月{yyyymmdd[6:]}日"


def is_valid(raw: object) -> bool:
    """True when ``parse_id_number(raw)`` would succeed."""
    try:
        parse_id_number(raw)
    except InvalidIdNumber:
        return False
    return True


def mask_id(value: str) -> str:
    """Keep the first 6 and last 4 characters and star the rest; never raises.

    Inputs of 10 characters or fewer keep a quarter at each end (nothing if
    shorter than 4), so a short value is never shown in full.
    """
    text = normalize_raw(value)
    n = len(text)
    head, tail = (6, 4) if n > 10 else (n // 4, n // 4)
    return text[:head] + "*" * (n - head - tail) + (text[n - tail:] if tail else "")


def sex_of(value: str) -> str:
    """Sex from the 17th character of a normalised 18-character number."""
    return SEX_MALE if int(value[16]) % 2 else SEX_FEMALE


def birth_date_of(value: str) -> datetime.date:
    """Birth date from a normalised 18-character number."""
    return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
