"""防止返贫动态监测 on the household record (shared/domain.md §11): the year's
monitoring line, the 致贫/返贫风险 of a household (read from the 2020 致贫原因 when
none were recorded), and the warnings a household gets from them.

The monitoring line is a setting per year, ``monitoring_line.YYYY`` in yuan
per person per year (``cadre-desk setting set monitoring_line.2026 7000``).
The household record holds the income of the previous year (上年度家庭收入), so
a household surveyed in 2026 is compared with the line of 2025; a year
without its own line uses the latest earlier one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .codes import code_list
from .domain import income_summary, yuan
from .questionnaire import WARNING, Problem
from .storage import Store

LINE_PREFIX = "monitoring_line."
RISK_FIELDS = tuple(f"risk_{i}" for i in range(1, 6))
MONITORED = "监测户"


def set_monitoring_line(store: Store, year: int, yuan_per_person: object) -> float:
    """Set the year's monitoring line (元/人·年); checked as ``cadre-desk setting set`` checks it."""
    from .county_settings import set_value

    return set_value(store, f"{LINE_PREFIX}{year}", str(yuan_per_person))


def monitoring_line(store: Store, year: int) -> tuple[int, float] | None:
    """(the year whose line applies, the line) for income of ``year``: its
    own line, else the latest earlier year's; None when no line is set."""
    rows = store.rows("SELECT key, value FROM settings WHERE key LIKE ?", [LINE_PREFIX + "%"])
    lines = {}
    for r in rows:
        suffix = r["key"][len(LINE_PREFIX):]
        if suffix.isdigit():
            try:
                lines[int(suffix)] = float(r["value"])
            except ValueError:
                continue
    earlier = [y for y in lines if y <= year]
    if not earlier:
        return None
    y = max(earlier)
    return y, lines[y]


def income_year(as_of: dt.date | None = None) -> int:
    """The year of the income a household record holds (the previous year)."""
    return (as_of or dt.date.today()).year - 1


def below_line(store: Store, household: Mapping[str, Any], member_count: int | None = None, *,
               as_of: dt.date | None = None) -> Problem | None:
    """A warning when 人均纯收入 is below the monitoring line of the income's year."""
    found = monitoring_line(store, income_year(as_of))
    if found is None:
        return None
    year, line = found
    s = income_summary(household, member_count)
    if s.per_capita is None or s.per_capita >= line:
        return None
    return Problem("wage_income", f"人均纯收入 {yuan(s.per_capita)} 元低于 {year} 年监测线 {yuan(line)} 元/人，"
                   "请核实收入，符合条件的应纳入防止返贫监测", WARNING, "below_monitoring_line")


def risks_of(household: Mapping[str, Any]) -> list[str]:
    """The household's 致贫/返贫风险, main one first: the recorded risk_1..5, or,
    for a 2020 record without them, its 主要致贫原因 and 其他致贫原因 mapped onto
    the risk list (codes.json ``risk.from_2020``; 因灾 → 因自然灾害, 缺劳力 → 缺劳动力)."""
    recorded = [household.get(k) for k in RISK_FIELDS if household.get(k)]
    if recorded:
        return list(dict.fromkeys(recorded))
    mapping = code_list("risk").extra.get("from_2020", {})
    causes = [household.get("main_cause"), *(household.get("other_causes") or [])]
    out = [mapping.get(c, "其他") for c in causes if c]
    return list(dict.fromkeys(out))[:5]
