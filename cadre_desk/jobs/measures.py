"""Assistance measures (帮扶措施) and subsidy payments, the records behind the
county's figures of self-employment, public-welfare posts and subsidies.

One ``measures`` table holds every kind: 培训 (course, dates, completed,
certificate), 自主创业 (business, start date, 带动就业人数) and 公益性岗位 (post,
start, months). Starting a business or a public-welfare post makes the member
已就业 through that channel, and a business's 带动就业人数 is kept equal to the
member's own 带动就业人数 (the figure ``stats`` adds up), all through
``register.save_member`` so the change log has it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .. import register
from ..errors import ValidationFailed
from ..questionnaire import Problem
from ..storage import Store

TRAINING, SELF_EMPLOYMENT, PUBLIC_WELFARE = "培训", "自主创业", "公益性岗位"
MEASURE_KINDS = (TRAINING, SELF_EMPLOYMENT, PUBLIC_WELFARE)
# Usual kinds of subsidy payment (domain.md §8); others may be typed in.
SUBSIDY_KINDS = ("公益性岗位补贴", "一次性创业补贴", "一次性求职创业补贴", "交通补贴", "培训补贴", "培训生活费补贴",
                 "创业担保贷款贴息", "其他")


def _need(value: Any, message: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationFailed([Problem(None, message)])
    return text


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def add_training(store: Store, member_id: str, *, course: str, start: dt.date, end: dt.date | None = None,
                 completed: bool = False, certificate: str | None = None, note: str | None = None) -> str:
    """Record a training course for a member."""
    course = _need(course, "请填写培训项目（如：缝纫工培训）")
    if end and end < start:
        raise ValidationFailed([Problem(None, f"培训结束日期 {end} 早于开始日期 {start}，请检查")])
    m = register.member(store, member_id)
    return store.insert("measures", {
        "member_id": member_id, "household_id": m["household_id"], "kind": TRAINING, "title": course,
        "start_date": _iso(start), "end_date": _iso(end), "completed": int(bool(completed)),
        "certificate": (certificate or "").strip() or None, "business": None, "people_employed": None,
        "months": None, "note": (note or "").strip() or None})


def complete_training(store: Store, measure_id: str, *, end: dt.date, certificate: str | None = None) -> None:
    store.update("measures", measure_id, {"completed": 1, "end_date": end.isoformat(),
                                          "certificate": (certificate or "").strip() or None})


def add_self_employment(store: Store, member_id: str, *, business: str, start: dt.date,
                        people_employed: int = 0, note: str | None = None) -> str:
    """Record a business a member started; the member becomes 已就业 (自主创业)."""
    business = _need(business, "请填写创业项目（如：蔬菜大棚、网店）")
    if people_employed < 0:
        raise ValidationFailed([Problem(None, "带动就业人数不能为负数")])
    m = register.member(store, member_id)
    with store.transaction():
        measure_id = store.insert("measures", {
            "member_id": member_id, "household_id": m["household_id"], "kind": SELF_EMPLOYMENT,
            "title": business, "start_date": _iso(start), "end_date": None, "completed": None, "certificate": None,
            "business": business, "people_employed": int(people_employed), "months": None,
            "note": (note or "").strip() or None})
        register.save_member(store, {"employment_status": "已就业", "employment_channel": SELF_EMPLOYMENT,
                                     "employer": business, "people_employed": int(people_employed)},
                             member_id=member_id, as_of=start)
    return measure_id


def set_people_employed(store: Store, measure_id: str, people_employed: int) -> None:
    """Change a business's 带动就业人数, and the member's with it."""
    if people_employed < 0:
        raise ValidationFailed([Problem(None, "带动就业人数不能为负数")])
    measure = store.get("measures", measure_id)
    if measure["kind"] != SELF_EMPLOYMENT:
        raise ValidationFailed([Problem(None, "只有自主创业记录才有带动就业人数")])
    with store.transaction():
        store.update("measures", measure_id, {"people_employed": int(people_employed)})
        total = store.db.execute("SELECT coalesce(sum(people_employed), 0) FROM measures WHERE member_id = ? "
                                 "AND kind = ? AND deleted = 0 AND (end_date IS NULL OR end_date = '')",
                                 [measure["member_id"], SELF_EMPLOYMENT]).fetchone()[0]
        m = register.member(store, measure["member_id"])
        if m.get("employment_channel") == SELF_EMPLOYMENT:
            register.save_member(store, {"people_employed": int(total)}, member_id=measure["member_id"])


def add_public_welfare_post(store: Store, member_id: str, *, post: str, start: dt.date, months: int,
                            note: str | None = None) -> str:
    """Place a member on a public-welfare post for ``months`` months; the member
    becomes 已就业 (公益性岗位)."""
    post = _need(post, "请填写公益性岗位名称（如：保洁员、护林员）")
    if not 1 <= int(months) <= 120:
        raise ValidationFailed([Problem(None, f"岗位月数应在 1 到 120 之间，现为 {months}")])
    end = _add_months(start, int(months)) - dt.timedelta(days=1)
    m = register.member(store, member_id)
    with store.transaction():
        measure_id = store.insert("measures", {
            "member_id": member_id, "household_id": m["household_id"], "kind": PUBLIC_WELFARE, "title": post,
            "start_date": _iso(start), "end_date": _iso(end), "completed": None, "certificate": None,
            "business": None, "people_employed": None, "months": int(months), "note": (note or "").strip() or None})
        register.save_member(store, {"employment_status": "已就业", "employment_channel": PUBLIC_WELFARE,
                                     "employer": post}, member_id=member_id, as_of=start)
    return measure_id


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError(day)


def pay_subsidy(store: Store, *, kind: str, amount_yuan: float, paid_on: dt.date, paid_to: str | None = None,
                member_id: str | None = None, household_id: str | None = None, note: str | None = None) -> str:
    """Record a subsidy payment (to a member, a household, or an employer named in ``paid_to``)."""
    kind = _need(kind, f"请填写补贴类型（如：{'、'.join(SUBSIDY_KINDS[:4])}）")
    try:
        amount = float(amount_yuan)
    except (TypeError, ValueError):
        raise ValidationFailed([Problem(None, f"补贴金额应为数字，现为“{amount_yuan}”")]) from None
    if not 0 < amount <= 10_000_000:
        raise ValidationFailed([Problem(None, f"补贴金额应大于 0 元，现为 {amount_yuan}")])
    if member_id and not household_id:
        household_id = register.member(store, member_id)["household_id"]
    if not (member_id or household_id or (paid_to or "").strip()):
        raise ValidationFailed([Problem(None, "请写明补贴发给谁：成员、户或领取单位")])
    return store.insert("subsidies", {"member_id": member_id, "household_id": household_id, "kind": kind,
                                      "amount_yuan": round(amount, 2), "paid_on": paid_on.isoformat(),
                                      "paid_to": (paid_to or "").strip() or None,
                                      "note": (note or "").strip() or None})


def measures_of(store: Store, member_id: str) -> list[dict[str, Any]]:
    return store.rows("SELECT * FROM measures WHERE member_id = ? AND deleted = 0 ORDER BY start_date, created_at",
                      [member_id])


def subsidies_of(store: Store, member_id: str) -> list[dict[str, Any]]:
    return store.rows("SELECT * FROM subsidies WHERE member_id = ? AND deleted = 0 ORDER BY paid_on", [member_id])
