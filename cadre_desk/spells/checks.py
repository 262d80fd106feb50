"""The warnings of a work spell (written, to be looked at): its place
resolved to a county or not, a low income, no county, an in-county channel
outside the county, a start after this month (a typo or a wrong clock) or
before the person was 16, the same spell given twice in one batch, and spells
of one person that overlap, both for a batch being written and for the stored
spells (the check report)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .. import gazetteer, months
from ..domain import WORKING_AGE_DEFAULT, age_from_birth_date
from ..questionnaire import WARNING, Problem
from ..storage import Store
from .read import home_county
from .rows import IN_COUNTY_CHANNELS, MIN_INCOME, SpellRow, decode
from .status import month_of


def resolve_place(merged: dict[str, Any], row: SpellRow, problems: list[Problem]) -> None:
    """The county and province codes of a spell's place (a warning when it names no county)."""
    merged["county_code"] = merged["province_code"] = None
    text = merged.get("place")
    if not text:
        return
    found = gazetteer.resolve(text, province_hint=row.province_hint)
    if isinstance(found, gazetteer.Resolved):
        merged["county_code"] = found.county_code
        merged["province_code"] = found.province_code
        if not found.county_code:
            problems.append(Problem("place", f"务工所在地“{text}”只写到{'市' if found.city_code else '省'}，"
                                    "请写到县（市、区），如：江苏省苏州市昆山市", WARNING, "place_county"))
    else:
        problems.append(Problem("place", found.message, WARNING, "place_ambiguous" if isinstance(
            found, gazetteer.Ambiguous) else "place_unknown"))


def row_warnings(merged: dict[str, Any], problems: list[Problem], home: str, aliases: tuple[str, ...]) -> None:
    """A spell's own warnings: a low income, no county, an in-county channel outside the county."""
    income = merged.get("monthly_income")
    if income is not None and income < MIN_INCOME:
        problems.append(Problem("monthly_income", f"务工月收入 {income:g} 元低于 {MIN_INCOME} 元，请核实",
                                WARNING, "low_income"))
    if not merged.get("county_code") and not merged.get("place"):
        problems.append(Problem("place", "务工人员的务工所在县为空，请填写到县（市、区）", WARNING, "county_missing"))
    channel = merged.get("channel")
    if channel in IN_COUNTY_CHANNELS:
        where = gazetteer.scope(merged.get("county_code"), home, province_code=merged.get("province_code"),
                                home_aliases=aliases)
        if where in ("省内县外", "省外"):
            problems.append(Problem("channel", f"就业渠道“{channel}”只用于本县内就业，这条务工在{where}，"
                                    "请核对就业渠道或务工所在地", WARNING, "channel_outside"))


# A spell before the lower working age (the law's 16) is a typo in the month
# or in the person: the fixed bound, not the county's working-age setting.
WORKING_AGE_FROM = WORKING_AGE_DEFAULT[0]


def timing_warnings(merged: Mapping[str, Any], problems: list[Problem], this_month: str,
                     born: str | None) -> None:
    """A spell that starts after ``this_month``, or before the person (born
    ``born``, ISO date) was 16."""
    start = merged["start_month"]
    if start > this_month:
        problems.append(Problem("start_month", f"开始时间 {months.display(start)} 晚于本月（{months.display(this_month)}）："
                                "已外出务工的记录不应从以后的月份开始，请核对开始时间和电脑的日期", WARNING, "future_start"))
    if born:
        age = age_from_birth_date(born, months.last_day(start))  # in any day of that month
        if age is not None and age < WORKING_AGE_FROM:
            problems.append(Problem("start_month", f"开始时间 {months.display(start)} 时本人还不满 {WORKING_AGE_FROM} 岁"
                                    f"（{born[:4]}年{born[5:7]}月出生），请核对开始时间或证件号码", WARNING, "too_young"))


def births(store: Store, member_ids: Iterable[str]) -> dict[str, str | None]:
    """The members' birth dates (ISO), for ``timing_warnings``."""
    return {r["id"]: r["birth_date"] for r in store.rows_in(
        "SELECT id, birth_date FROM members WHERE id IN ({})", {m for m in member_ids if m})}


def repeated(rows: Sequence[SpellRow], final: list[dict[str, Any] | None], problems: list[list[Problem]]) -> None:
    """The same spell (person and start month) twice in one batch: written
    once, the later row winning, and that row says so, naming the earlier."""
    first: dict[tuple[str, str], int] = {}
    for i, merged in enumerate(final):
        if merged is None:
            continue
        key = (merged["member_id"], merged["start_month"])
        if key in first:
            j = first[key]
            problems[i].append(Problem("start_month", f"与{_label(rows[j], final[j], j)}是同一人同一开始月份的务工，"
                                       "只保留一条（以本行为准）；如果是两段务工，请改正开始时间", WARNING, "repeated"))
        else:
            first[key] = i


def _label(row: SpellRow, merged: Mapping[str, Any], i: int) -> str:
    span = f"{months.display(merged['start_month'])}—{months.display(merged.get('end_month')) or '至今'}"
    return f"{row.ref or f'第 {i + 1} 条'}（{span}）"


def overlaps(store: Store, rows: Sequence[SpellRow], final: list[dict[str, Any] | None],
              stored: list[dict[str, Any] | None], problems: list[list[Problem]]) -> None:
    """Spells of one person must not overlap: a warning on each row of the
    batch that overlaps another (of the batch or already stored), naming it."""
    by_member: dict[str, list[int]] = {}
    for i, merged in enumerate(final):
        if merged is not None:
            by_member.setdefault(merged["member_id"], []).append(i)
    if not by_member:
        return
    replaced = {s["id"] for s in stored if s}
    existing: dict[str, list[dict]] = {}
    for r in store.rows_in("SELECT * FROM work_spells WHERE deleted = 0 AND member_id IN ({})", by_member):
        existing.setdefault(r["member_id"], []).append(r)
    for member_id, idx in by_member.items():
        starts = {final[i]["start_month"] for i in idx}
        others = [r for r in existing.get(member_id, ())
                  if r["id"] not in replaced and r["start_month"] not in starts]
        for a_pos, i in enumerate(idx):
            a = final[i]
            for j in idx[a_pos + 1:]:
                b = final[j]
                if a["start_month"] != b["start_month"] and _overlap(a, b):
                    problems[i].append(_overlap_problem(_label(rows[j], b, j) + "的务工"))
                    problems[j].append(_overlap_problem(_label(rows[i], a, i) + "的务工"))
            for r in others:
                if _overlap(a, r):
                    where = f"已登记的务工（{months.display(r['start_month'])}—" \
                            f"{months.display(r.get('end_month')) or '至今'}{'，' + r['place'] if r.get('place') else ''}）"
                    problems[i].append(_overlap_problem(where))


def _overlap(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Two spells overlap when each starts before the other ended (an open
    spell never ends; a spell may start in the month the previous one ended)."""
    far = "9999-12"
    return a["start_month"] < (b.get("end_month") or far) and b["start_month"] < (a.get("end_month") or far)


def _overlap_problem(other: str) -> Problem:
    return Problem("start_month", f"与{other}时间重叠：同一人的务工时间不应重叠，请核对开始和结束时间",
                   WARNING, "overlap")


def spell_warnings(store: Store, member_ids: Iterable[str] | None = None) -> list[tuple[dict[str, Any], Problem]]:
    """The warnings of ``save_spells`` over STORED spells (all, or of
    ``member_ids``): overlap (naming the other spell), low income, county
    missing, an in-county channel outside the county, a start after this
    month or before the person was 16. For the whole-register
    check report. Returns (spell row, problem) pairs, by member and start."""
    home, aliases = home_county(store)
    this_month = month_of(None)
    if member_ids is None:
        rows = store.rows("SELECT * FROM work_spells WHERE deleted = 0 ORDER BY member_id, start_month")
    else:
        rows = store.rows_in("SELECT * FROM work_spells WHERE deleted = 0 AND member_id IN ({})", member_ids)
        rows.sort(key=lambda r: (r["member_id"], r["start_month"]))
    out: list[tuple[dict[str, Any], Problem]] = []
    by_member: dict[str, list[dict]] = {}
    for r in rows:
        by_member.setdefault(r["member_id"], []).append(r)
    born = births(store, by_member)
    for member_id, own in by_member.items():
        for k, r in enumerate(own):
            found: list[Problem] = []
            row_warnings(r, found, home, aliases)
            timing_warnings(r, found, this_month, born.get(member_id))
            for other in own[:k] + own[k + 1:]:
                if _overlap(r, other):
                    found.append(_overlap_problem(
                        f"{months.display(other['start_month'])}—{months.display(other.get('end_month')) or '至今'}"
                        f"{'（' + other['place'] + '）' if other.get('place') else ''}的务工"))
            if r.get("place") and not r.get("county_code"):
                found.append(Problem("place", f"务工所在地“{r['place']}”没有对应到县（市、区），"
                                     "请写明省份和县（如：江苏省苏州市昆山市）", WARNING, "place_unresolved"))
            out.extend((decode(r), p) for p in found)
    return out

