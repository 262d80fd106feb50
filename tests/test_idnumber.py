"""Tests for cadre_desk.idnumber (GB 11643-1999 resident ID numbers)."""

import datetime
import re

import pytest
from hypothesis import given, settings, strategies as st

from cadre_desk.errors import InvalidIdNumber
from cadre_desk.idnumber import (
    SEX_FEMALE, SEX_MALE, IdNumber, birth_date_of, check_character, id_number_value, is_valid, mask_id,
    normalize_raw, parse_id_number, sex_of, well_formed_18,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
BODY = "37158119900101123"  # Linqing, born 1990-01-01, sequence 123 (male)
VALID = BODY + check_character(BODY)


def make(body: str) -> str:
    return body + check_character(body)


def kind_of(raw, **kw) -> InvalidIdNumber:
    with pytest.raises(InvalidIdNumber) as info:
        parse_id_number(raw, **kw)
    err = info.value
    assert CJK.search(err.message) and "\n" not in err.message
    assert "请" in err.message  # every message says what to do
    return err


def test_check_character_known_value():
    # 3*7+7*9+1*10+5*5+8*8+1*4+1*2+9*1+9*6+0+0+1*9+0+1*5+1*8+2*4+3*2 = 288; 288 % 11 = 2 -> X
    assert check_character(BODY) == "X"
    assert check_character("11010519491231002") == "X"  # the standard's own example
    with pytest.raises(ValueError):
        check_character("123")


def test_valid_number():
    idn = parse_id_number(VALID)
    assert idn == IdNumber(VALID, False, datetime.date(1990, 1, 1), SEX_MALE)
    assert is_valid(VALID)


def test_old_and_new_address_codes_both_accepted():
    assert is_valid(make("37250219850315002")) and is_valid(make("99999919850315002"))


def test_lower_case_x():
    assert parse_id_number(VALID.lower()).value == VALID


def test_full_width_digits_and_stray_spaces():
    wide = "".join(chr(ord(c) + 0xFEE0) for c in VALID)  # ３７...Ｘ
    assert parse_id_number(f"\u3000{wide[:6]} {wide[6:14]}\t{wide[14:]}\n").value == VALID
    assert normalize_raw(" ３７１５８１　ｘ ") == "371581X"
    assert normalize_raw(None) == ""


def test_wrong_check_character():
    wrong = BODY + "1"
    err = kind_of(wrong)
    assert err.kind == "check" and "X" not in err.message
    assert not is_valid(wrong)


def test_impossible_dates():
    assert kind_of(make("37158119900230123")).kind == "date"
    assert kind_of(make("37158118991231123")).kind == "date"
    next_year = datetime.date.today().year + 1
    assert kind_of(make(f"371581{next_year}0101123")).kind == "date"


def test_length():
    err = kind_of(VALID[:17])
    assert err.kind == "length" and "现为17位" in err.message
    assert kind_of("371581900101123", allow_15=False).kind == "length"


def test_chars():
    assert kind_of(VALID[:5] + "X" + VALID[6:]).kind == "chars"
    assert kind_of(VALID[:10] + "A" + VALID[11:]).kind == "chars"
    assert kind_of("37158190010112X").kind == "chars"  # old numbers have no check char


def test_empty():
    for raw in (None, "", " \u3000 ", float("nan")):
        assert kind_of(raw).kind == "empty"


def test_fifteen_digit_conversion():
    idn = parse_id_number("371581900101123")
    assert idn.value == "37158119900101123X"
    assert idn.converted_from_15 and idn.birth_date == datetime.date(1990, 1, 1)
    assert idn.sex == SEX_MALE


@pytest.mark.parametrize("raw", [3.71581199001011e17, 371581199001011234, "3.71581E+17",
                                 "3.71581199001011E+17", "３.７１５８１Ｅ＋１７"])
def test_excel_float_corruption(raw):
    err = kind_of(raw)
    assert err.kind == "float" and "设置为文本格式" in err.message
    assert "3715811990010" not in err.message  # never guesses digits


def test_integral_fifteen_digit_float_is_intact():
    assert parse_id_number(371581900101123.0).value == "37158119900101123X"
    assert parse_id_number(371581900101123).converted_from_15


def test_sex_from_17th_digit():
    assert parse_id_number(make("37158119900101124")).sex == SEX_FEMALE
    assert sex_of(make("37158119900101131")) == SEX_MALE
    assert birth_date_of(VALID) == datetime.date(1990, 1, 1)


def test_age_on():
    idn = parse_id_number(make("37158119900615123"))
    assert idn.age_on(datetime.date(2020, 6, 14)) == 29
    assert idn.age_on(datetime.date(2020, 6, 15)) == 30
    assert idn.age_on(datetime.date(2020, 6, 16)) == 30


def test_age_on_29_february():
    idn = parse_id_number(make("37158120000229002"))
    assert idn.age_on(datetime.date(2021, 2, 28)) == 20
    assert idn.age_on(datetime.date(2021, 3, 1)) == 21
    assert idn.age_on(datetime.date(2024, 2, 28)) == 23
    assert idn.age_on(datetime.date(2024, 2, 29)) == 24


def test_mask_id():
    assert mask_id(VALID) == "371581********123X"
    assert mask_id("371581900101123") == "371581*****1123"
    assert mask_id("") == "" and mask_id(None) == ""
    assert mask_id("123") == "***" and mask_id("123456") == "1****6"
    assert mask_id("1234567890") == "12******90"


@given(
    address=st.text("0123456789", min_size=6, max_size=6),
    born=st.dates(datetime.date(1900, 1, 1), datetime.date.today()),
    sequence=st.integers(0, 999),
    other=st.sampled_from("0123456789X"),
)
def test_property_check_character(address, born, sequence, other):
    body = f"{address}{born:%Y%m%d}{sequence:03d}"
    idn = parse_id_number(body + check_character(body))
    assert idn.birth_date == born and idn.sex == (SEX_MALE if sequence % 2 else SEX_FEMALE)
    if other != check_character(body):
        assert kind_of(body + other).kind == "check"


# ---------------------------------------------------------------- many at once


def _scalar_accepts_as_written(value) -> bool:
    try:
        return id_number_value(value) == value
    except InvalidIdNumber:
        return False


@st.composite
def _near_id_numbers(draw):
    """18-character strings around valid ID numbers: real and impossible
    dates (29 February, month 13, day 00, the future, before 1900), right and
    wrong check characters, x and X, stray letters and full-width digits."""
    year = draw(st.integers(1890, 2035))
    month = draw(st.integers(0, 13))
    day = draw(st.integers(0, 32))
    body = f"{draw(st.sampled_from(['371581', '372502', '110101']))}{year:04d}{month:02d}{day:02d}" \
           f"{draw(st.integers(0, 999)):03d}"
    last = draw(st.one_of(st.just(check_character(body)), st.sampled_from(list("0123456789Xx"))))
    text = body + last
    if draw(st.booleans()):
        at = draw(st.integers(0, 17))
        text = text[:at] + draw(st.sampled_from(["A", "X", "x", " ", "１", "."])) + text[at + 1:]
    return text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_near_id_numbers(), st.sampled_from([None, 3.71581e17, 371581, "", "37158119800101002"])),
                max_size=40))
def test_many_at_once_accepts_exactly_what_the_check_accepts_as_written(values):
    assert well_formed_18(values) == {v for v in values if type(v) is str and _scalar_accepts_as_written(v)}


def test_many_at_once_knows_leap_years_and_the_calendar():
    def number(date: str) -> str:
        return make("371581" + date + "123")

    good = [number("20000229"), number("19961231"), number("19000101")]
    bad = [number("19000229"), number("20230229"), number("19990431"), number("18991231"),
           number("20991231"), good[0][:-1] + ("0" if good[0][-1] != "0" else "1")]
    assert well_formed_18(good + bad) == set(good)
