"""What the household page shows, computed from the register: the income
summary (纯收入 = 年收入 − 生产经营性支出, 人均纯收入 = 纯收入 ÷ 家庭人口数),
the household's assistance measures, and its members' ages.

Kept out of the widgets so that the printed handbook and reports use the same
figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .questionnaire import age_on
from .storage import Store

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
    """Income figures of a household record. ``None`` when nothing is known.
    When 家庭人口数 is empty the number of registered members stands in."""
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


def yuan(value: float | None) -> str:
    """'12,345.50 元' (no decimals for whole amounts); '—' when unknown."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{int(value):,} 元"
    return f"{value:,.2f} 元"


def measures_of(store: Store, household_id: str) -> list[dict]:
    """Assistance measures of the household and of its members, oldest first,
    with the member's name (empty for household-level measures)."""
    return store.rows(
        "SELECT ms.*, m.name AS member_name FROM measures ms LEFT JOIN members m ON m.id = ms.member_id "
        "WHERE ms.deleted = 0 AND (ms.household_id = ? OR m.household_id = ?) "
        "ORDER BY ms.start_date IS NULL, ms.start_date, ms.created_at", [household_id, household_id])


def member_age(member: Mapping[str, Any], as_of: dt.date | None = None) -> int | None:
    return age_on(member.get("id_number"), as_of or dt.date.today())
