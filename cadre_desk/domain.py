"""The domain's vocabulary and derived figures (domain.md), defined once.

Statistics, job matching, the demo, the printed handbook, the household page
and the questionnaire's rules all use these: which labour abilities can take
work, which offer outcomes mean "hired", the working-age bounds (a setting:
``working_age_min`` <= age < ``working_age_max``), a person's age on a date,
a household's income summary, and how money is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import InvalidIdNumber
from .idnumber import parse_id_number

if TYPE_CHECKING:  # pragma: no cover
    from .storage import Store

# ---------------------------------------------------------------- labour and work

# Labour abilities that can take work (劳动技能); an opening accepts a subset of these.
ABLE_LABOUR = ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力")
WEAK_LABOUR = "弱劳动力或半劳动力"
NOT_STUDENT = "非在校生"
EMPLOYED = "已就业"
SELF_EMPLOYED = "自主创业"
PUBLIC_WELFARE = "公益性岗位"
# Offer outcomes that mean "hired": taken on, at work, or left after being at work.
HIRED_STATUSES = ("录用", "在岗", "离岗")
# Offers that hold one of an opening's places now.
HIRED_NOW = ("录用", "在岗")

# Each 文化程度 (the 2020 names and the 2021+ ones: 技师, 大专, 本科及以上) at its level in
# the order of the code list ``education_level``: an opening's minimum is met by
# the same level or higher.
EDUCATION_LEVEL = {"文盲或半文盲": 0, "小学": 1, "初中": 2, "高中": 3, "技师": 3, "大专": 4, "大专及以上": 4,
                   "本科及以上": 5}

# The survey part of the questionnaire (printed as the handbook's survey table),
# and of it the answers a cadre completes at the door: a county roster need
# not carry them, so a missing one there is an unfinished survey, not a bad row.
SURVEY_SECTIONS = ("work", "survey", "employment")
COMPLETED_AT_THE_DOOR = frozenset({"survey", "employment"})

# ---------------------------------------------------------------- age

WORKING_AGE_DEFAULT = (16, 60)  # the settings' defaults: 16 <= age < 60


def working_age_bounds(store: Store) -> tuple[int, int]:
    """(lowest age, first age past) of working age, from the settings."""
    low, high = WORKING_AGE_DEFAULT
    return int(store.get_setting("working_age_min", low)), int(store.get_setting("working_age_max", high))


def in_working_age(age: int | None, bounds: tuple[int, int]) -> bool:
    return age is not None and bounds[0] <= age < bounds[1]


def age_on(id_number: str | None, day: dt.date) -> int | None:
    """Age on ``day`` read from an ID number (None when it is not a valid one);
    reached on the birthday itself."""
    if not id_number:
        return None
    try:
        return parse_id_number(id_number).age_on(day)
    except (InvalidIdNumber, TypeError):
        return None


def age_from_birth_date(born: str | None, day: dt.date) -> int | None:
    """Completed years on ``day`` of someone born on ``born`` (an ISO date,
    None when it is not one); reached on the birthday itself."""
    try:
        b = dt.date.fromisoformat(str(born)[:10])
    except (TypeError, ValueError):
        return None
    return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


def member_age(member: Mapping[str, Any], as_of: dt.date | None = None) -> int | None:
    return age_on(member.get("id_number"), as_of or dt.date.today())


def birthday_cutoff(as_of: dt.date, years: int) -> str:
    """The latest ISO birth date of someone who is at least ``years`` old on ``as_of``.

    Age has been reached on the birthday itself. The cutoff is compared as a
    string, so for ``as_of`` = 29 February and a non-leap target year the
    non-existent date 'YYYY-02-29' is exactly right: someone born on 28 February
    qualifies, someone born on 1 March does not (and someone born on 29 February
    of a leap year reaches the age on 29 February, or on 1 March otherwise, as
    ``IdNumber.age_on`` counts it)."""
    return f"{as_of.year - years:04d}-{as_of.month:02d}-{as_of.day:02d}"


# ---------------------------------------------------------------- income

# 年收入 is the sum of the four income kinds; the "其中" items are parts of
# 转移性收入 and are not added again.
INCOME_PARTS = ("wage_income", "business_income", "property_income", "transfer_income")


@dataclass(frozen=True)
class IncomeSummary:
    annual_income: float | None  # 年收入
    business_expense: float | None  # 生产经营性支出
    net_income: float | None  # 纯收入
    size: int | None  # 家庭人口数 used for the per-head figure
    size_from_members: bool  # True when 家庭人口数 was empty and the member count was used
    per_capita: float | None  # 人均纯收入


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def income_summary(household: Mapping[str, Any], member_count: int | None = None) -> IncomeSummary:
    """纯收入 = 年收入 − 生产经营性支出, 人均纯收入 = 纯收入 ÷ 家庭人口数 (domain.md
    §2). ``None`` when nothing is known. When 家庭人口数 is empty the number of
    registered members stands in."""
    parts = [_number(household.get(k)) for k in INCOME_PARTS]
    annual = None if all(p is None for p in parts) else sum(p or 0.0 for p in parts)
    expense = _number(household.get("business_expense"))
    net = None if annual is None else annual - (expense or 0.0)
    size = household.get("size")
    from_members = False
    if not size and member_count:
        size, from_members = member_count, True
    per_capita = round(net / size, 2) if net is not None and size else None
    return IncomeSummary(annual, expense, net, int(size) if size else None, from_members, per_capita)


# ---------------------------------------------------------------- money

def amount(value: Any) -> str:
    """An amount of yuan as written in tables: '12,345' or '12,345.50'; '' when unknown."""
    number = _number(value)
    if number is None:
        return ""
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}"


def yuan(value: float | None) -> str:
    """An amount with its unit, as the household page shows it: '12,345.50 元';
    '—' when unknown."""
    text = amount(value)
    return f"{text} 元" if text else "—"
