"""Assistance measures (帮扶措施) and subsidy payments, the records behind the
county's figures of self-employment, public-welfare posts and subsidies.

One ``measures`` table holds every kind: 培训 (course, dates, completed,
certificate), 自主创业 (business, start date, 带动就业人数), 公益性岗位 (post,
start, months), 雨露计划 (a 中职/高职 student's school year, with its payment)
and 一次性交通补助 (for a work spell outside the county, with its payment).
The amounts of the last two are the year's settings (``yulu_amount.YYYY``,
``transport_subsidy_tiers.YYYY``, cadre_desk/county_settings.py); each is paid
once per person and year, and recorded as a subsidy payment of the same kind
(the 公示 lists read them). Starting a business or a public-welfare post makes the member
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
YULU, TRANSPORT = "雨露计划", "一次性交通补助"
MEASURE_KINDS = (TRAINING, SELF_EMPLOYMENT, PUBLIC_WELFARE, YULU, TRANSPORT)
# Usual kinds of subsidy payment (domain.md §8, §11); others may be typed in.
SUBSIDY_KINDS = ("公益性岗位补贴", "一次性创业补贴", "一次性求职创业补贴", "交通补贴", "培训补贴", "培训生活费补贴",
                 "创业担保贷款贴息", YULU, TRANSPORT, "其他")
# 在校生状况 (current names) that 雨露计划 supports: 中职 and 高职高专 students.
YULU_SCHOOL = ("中职一年级", "中职二年级", "中职三年级", "高职高专一年级", "高职高专二年级", "高职高专三年级")
# Households whose students 雨露计划 supports: 脱贫户 (and the 2020 建档立卡贫困户), and
# 监测户 whose risk is not cleared.
YULU_HOUSEHOLDS = ("脱贫户", "建档立卡贫困户")


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


def _paid_this_year(store: Store, member_id: str, kind: str, year: int) -> bool:
    return store.db.execute("SELECT 1 FROM subsidies WHERE member_id = ? AND kind = ? AND deleted = 0 "
                            "AND paid_on >= ? AND paid_on <= ?",
                            [member_id, kind, f"{year}-01-01", f"{year}-12-31"]).fetchone() is not None


def yulu_reason(store: Store, member_id: str) -> str | None:
    """Why a member cannot get 雨露计划 (None: they can): a 中职/高职 student of a
    脱贫户 or of a 监测户 whose risk is not cleared."""
    from ..codes import code_list

    m = register.member(store, member_id)
    h = register.household(store, m["household_id"])
    school = code_list("school_status").current(m.get("school_status"))
    if school not in YULU_SCHOOL:
        return (f"{m['name']}的在校生状况是“{m.get('school_status') or '未填写'}”：雨露计划只补助中职、高职（高职高专）在校生，"
                "请先在调查表中填写在校生状况")
    kind = h.get("household_type")
    if kind == "监测户":
        if h.get("risk_cleared"):
            return f"户编号 {h['number']} 是风险已消除的监测户，不在雨露计划补助范围内"
        return None
    if kind in YULU_HOUSEHOLDS or (not kind and h.get("poverty_status")):
        return None
    return (f"户编号 {h['number']} 的户类型是“{kind or '未填写'}”：雨露计划只补助脱贫户和风险未消除的监测户的学生，"
            "请先填写户类型")


def add_yulu(store: Store, member_id: str, *, year: int, paid_on: dt.date, school: str | None = None,
             amount_yuan: float | None = None, note: str | None = None) -> str:
    """Record 雨露计划 for a 中职/高职 student: a measure and its payment (the
    year's ``yulu_amount.YYYY`` unless ``amount_yuan`` is given). Once a year."""
    from ..county_settings import yulu_amount

    reason = yulu_reason(store, member_id)
    if reason:
        raise ValidationFailed([Problem(None, reason)])
    if _paid_this_year(store, member_id, YULU, year):
        raise ValidationFailed([Problem(None, f"{year} 年已为这名学生发放过雨露计划补助，不能重复发放")])
    amount = amount_yuan if amount_yuan is not None else yulu_amount(store, year)
    if amount is None:
        raise ValidationFailed([Problem(None, f"还没有设置 {year} 年的雨露计划补助标准。请用 cadre-desk setting set "
                                              f"yulu_amount.{year} 3000 设置，或写明金额")])
    m = register.member(store, member_id)
    with store.transaction():
        measure_id = store.insert("measures", {
            "member_id": member_id, "household_id": m["household_id"], "kind": YULU,
            "title": (school or "").strip() or m.get("school_status") or YULU, "start_date": paid_on.isoformat(),
            "end_date": None, "completed": None, "certificate": None, "business": None, "people_employed": None,
            "months": None, "note": (note or "").strip() or f"{year} 年"})
        pay_subsidy(store, kind=YULU, amount_yuan=amount, paid_on=paid_on, member_id=member_id,
                    note=f"{year} 年雨露计划")
    return measure_id


def transport_subsidy_due(store: Store, spell_id: str, year: int, *, as_of: dt.date | None = None
                          ) -> tuple[float | None, str]:
    """(amount, why) of the 一次性交通补助 a work spell earns in ``year`` by the
    year's tiers: work outside the county (省内县外 / 省外, a province may have
    its own amount) of at least the tiers' 最少月数 in the year. amount None:
    not due, ``why`` says why."""
    from .. import months, spells
    from ..county_settings import tiers as year_tiers

    spell = spells.get_spell(store, spell_id)
    home, aliases = spells.home_county(store)
    from .. import gazetteer

    where = gazetteer.scope(spell.get("county_code"), home, province_code=spell.get("province_code"),
                            home_aliases=aliases)
    if where is None:
        return None, "这条务工的务工所在地没有对应到县（市、区），无法判断是否县外务工，请先写明务工所在地"
    if where == "县内":
        return None, "一次性交通补助只发给县外务工人员，这条务工在县内"
    tiers = year_tiers(store, year)
    if not tiers:
        return None, (f"还没有设置 {year} 年的一次性交通补助档次。请用 cadre-desk setting set "
                      f"transport_subsidy_tiers.{year} 省内县外=200,省外=500,最少月数=3 设置")
    today = months.of(as_of or dt.date.today())
    first, last = max(spell["start_month"], f"{year}-01"), min(spell.get("end_month") or today, f"{year}-12", today)
    worked = months.count(first, last) if first <= last else 0
    need = int(tiers.get("min_months", 3))
    if worked < need:
        return None, f"{year} 年这条务工只有 {worked} 个月，满 {need} 个月才发放一次性交通补助"
    by_province = tiers.get("by_province") or {}
    amount = by_province.get(spell.get("province_code") or "") or tiers.get(where)
    if not amount:
        return None, f"{year} 年的交通补助档次中没有“{where}”一档，请补充设置"
    return float(amount), f"{where}务工 {worked} 个月"


def add_transport_subsidy(store: Store, spell_id: str, *, year: int, paid_on: dt.date,
                          amount_yuan: float | None = None, note: str | None = None) -> str:
    """Pay the 一次性交通补助 a work spell earns (``transport_subsidy_due``, or
    ``amount_yuan`` when the county decided another amount): a measure, the
    payment, and the spell's 年度交通费补助. Once per person and year."""
    from .. import spells

    spell = spells.get_spell(store, spell_id)
    member_id = spell["member_id"]
    due, why = transport_subsidy_due(store, spell_id, year, as_of=paid_on)
    if due is None and amount_yuan is None:
        raise ValidationFailed([Problem(None, why)])
    if _paid_this_year(store, member_id, TRANSPORT, year):
        raise ValidationFailed([Problem(None, f"{year} 年已为这名成员发放过一次性交通补助，不能重复发放")])
    amount = float(amount_yuan) if amount_yuan is not None else due
    m = register.member(store, member_id)
    with store.transaction():
        measure_id = store.insert("measures", {
            "member_id": member_id, "household_id": m["household_id"], "kind": TRANSPORT,
            "title": spell.get("place") or TRANSPORT, "start_date": paid_on.isoformat(), "end_date": None,
            "completed": None, "certificate": None, "business": None, "people_employed": None, "months": None,
            "note": (note or "").strip() or f"{year} 年，{why}"})
        pay_subsidy(store, kind=TRANSPORT, amount_yuan=amount, paid_on=paid_on, member_id=member_id,
                    note=f"{year} 年一次性交通补助（{spell.get('place') or ''}）")
        result = spells.save_spells(store, [spells.SpellRow(spell_id=spell_id, transport_subsidy=amount)],
                                    follow_status=False)
        if not result.ok:
            raise ValidationFailed([p for _, p in result.errors])
    return measure_id


def measures_of(store: Store, member_id: str) -> list[dict[str, Any]]:
    return store.rows("SELECT * FROM measures WHERE member_id = ? AND deleted = 0 ORDER BY start_date, created_at",
                      [member_id])


def subsidies_of(store: Store, member_id: str) -> list[dict[str, Any]]:
    return store.rows("SELECT * FROM subsidies WHERE member_id = ? AND deleted = 0 ORDER BY paid_on", [member_id])
