"""就业状态 and the spells: the status on a date (the spells decide for a
person who has any, the member's own answer otherwise), and bringing the
stored answer in line with the spells after a write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .. import months, register
from ..errors import NotFound
from ..storage import Store
from .rows import EMPLOYED, UNEMPLOYED
from .values import channels

def employment_status_on(store: Store, member_id: str, day: dt.date | str | None = None) -> str | None:
    """就业状态 on ``day`` (default today): from the spells when the member has
    any (a spell covering the month: 已就业, else 未就业); otherwise the member's
    own 就业状态 answer (None when unanswered)."""
    month = month_of(day)
    rows = store.rows("SELECT start_month, end_month FROM work_spells WHERE member_id = ? AND deleted = 0",
                      [member_id])
    if rows:
        covered = any(r["start_month"] <= month and (r["end_month"] is None or r["end_month"] >= month) for r in rows)
        return EMPLOYED if covered else UNEMPLOYED
    found = store.rows("SELECT employment_status FROM members WHERE id = ?", [member_id])
    if not found:
        raise NotFound("找不到这名成员，它可能已被删除")
    return found[0]["employment_status"]


def month_of(day: dt.date | str | None) -> str:
    if day is None:
        return months.of(dt.date.today())
    if isinstance(day, str):
        return months.parse(day)
    return months.of(day)


def follow_employment(store: Store, member_ids: Iterable[str], *, as_of: dt.date | None = None) -> int:
    """Bring the stored 就业状态 of members who have spells in line with the
    spells for the month of ``as_of`` (default today): a covering spell makes
    them 已就业 with its channel, employer and pay; none makes them 未就业.
    Members without spells keep their answer. Returns how many changed."""
    ids = sorted(set(member_ids))
    if not ids:
        return 0
    month = month_of(as_of)
    from .. import terms

    spelled = terms.current(store)
    changes: list[register.MemberRow] = []
    spells: dict[str, list[dict]] = {}
    for r in store.rows_in("SELECT * FROM work_spells WHERE deleted = 0 AND member_id IN ({}) "
                           "ORDER BY start_month DESC", ids):
        spells.setdefault(r["member_id"], []).append(r)
    members = {r["id"]: r for r in store.rows_in(
        "SELECT id, employment_status, employment_channel, employer, monthly_income FROM members "
        "WHERE deleted = 0 AND id IN ({})", ids)}
    for mid, own in spells.items():
        m = members.get(mid)
        if m is None:
            continue
        covering = next((s for s in own if s["start_month"] <= month and
                         (s["end_month"] is None or s["end_month"] >= month)), None)
        if covering is not None:
            want = {"employment_status": EMPLOYED}
            channel = channels().spelled(covering["channel"], spelled) if covering["channel"] else None
            if m["employment_status"] != EMPLOYED or (channel and m["employment_channel"] != channel
                                                      and channels().current(m["employment_channel"]) != covering["channel"]):
                if channel:  # else the answer's own channel stays (none: left for the survey)
                    want["employment_channel"] = channel
                want["employer"] = covering["employer"]
                income = covering["monthly_income"]
                # The survey's 月收入 is whole yuan up to 100,000.
                want["monthly_income"] = int(round(income)) if income is not None and income <= 100_000 else None
            elif m["employment_status"] == EMPLOYED:
                continue
        else:
            if m["employment_status"] == UNEMPLOYED:
                continue
            want = {"employment_status": UNEMPLOYED, "employment_channel": None, "employer": None,
                    "monthly_income": None}
        changes.append(register.MemberRow(want, member_id=mid))
    if not changes:
        return 0
    result = register.save_members(store, changes, as_of=as_of, surveyed=False, block_missing=False)
    return sum(1 for i in result.ids if i)

