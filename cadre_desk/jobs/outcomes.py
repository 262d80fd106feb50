"""What happened after a recommendation: the recommendation recorded with its
offers, each offer's status, and the applications (岗位申请) people make.

An offer moves 推荐 → 联系 → 面试 → 录用 → 在岗 → 离岗; from 推荐, 联系 or 面试 it
may end as 未录用 (a reason is required), and 录用 may go straight to 离岗 (the
person never started). Any other move is refused with a Chinese message that
names the allowed next steps.

Starting work (在岗) opens a work spell (cadre_desk/spells.py) in that month
with the opening's employer, channel, place and pay; leaving (离岗) ends it.

Being hired (录用) makes the member 已就业 with the 就业渠道 of the opening's
route, the employer as 就业单位 and the monthly pay as 月收入, written through
``register.save_member`` so the change log has it. Leaving (离岗) sets the
member back to 未就业 when their recorded job is still this one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .. import gazetteer, months, places, register, spells, terms
from ..codes import code_list
from ..errors import CadreDeskError, ValidationFailed
from ..questionnaire import Problem
from ..storage import Store
from . import HOME_ROUTE, ROUTE_TO_CHANNEL
from .matching import Recommendation
from .openings import get_opening, place_label

STATUSES = ("推荐", "联系", "面试", "录用", "未录用", "在岗", "离岗")
NEXT = {
    "推荐": ("联系", "未录用"),
    "联系": ("面试", "未录用"),
    "面试": ("录用", "未录用"),
    "录用": ("在岗", "离岗"),
    "在岗": ("离岗",),
    "未录用": (),
    "离岗": (),
}
NEEDS_REASON = ("未录用",)


class InvalidTransition(CadreDeskError):
    """An offer status change the status machine does not allow."""


def record_recommendation(store: Store, rec: Recommendation, *, on: dt.date | None = None) -> str:
    """Save a recommendation and its offers (status 推荐); returns its id."""
    day = (on or dt.date.fromisoformat(rec.as_of)).isoformat()
    with store.transaction():
        rec_id = store.insert("recommendations", {"member_id": rec.member_id, "recommended_on": day,
                                                  "by_user": store.user, "note": rec.note})
        store.insert_many("offers", [
            {"recommendation_id": rec_id, "member_id": rec.member_id, "opening_id": o.opening_id, "rank": rank,
             "reason": o.reason, "status": "推荐", "status_reason": None, "status_on": day}
            for rank, o in enumerate(rec.offers, start=1)])
    return rec_id


_OFFER_SQL = ("SELECT f.*, o.title AS opening, o.route, e.name AS employer, r.recommended_on, m.name AS member_name "
              "FROM offers f JOIN recommendations r ON r.id = f.recommendation_id "
              "LEFT JOIN openings o ON o.id = f.opening_id LEFT JOIN enterprises e ON e.id = o.enterprise_id "
              "LEFT JOIN members m ON m.id = f.member_id ")


def offers_of(store: Store, member_id: str) -> list[dict[str, Any]]:
    """A member's offers, newest recommendation first, then by rank."""
    return store.rows(_OFFER_SQL + "WHERE f.member_id = ? AND f.deleted = 0 AND r.deleted = 0 "
                      "ORDER BY r.recommended_on DESC, r.created_at DESC, f.rank", [member_id])


def recommendations_of(store: Store, member_id: str) -> list[dict[str, Any]]:
    return store.rows("SELECT * FROM recommendations WHERE member_id = ? AND deleted = 0 "
                      "ORDER BY recommended_on DESC, created_at DESC", [member_id])


def find_offer(store: Store, key: str) -> dict[str, Any]:
    """An offer by its id or a unique beginning of it (at least 4 characters)."""
    offer_id = store.id_by_prefix("offers", key, what="推荐", listing="cadre-desk offers 证件号码")
    return store.rows(_OFFER_SQL + "WHERE f.id = ?", [offer_id])[0]


def set_offer_status(store: Store, offer_id: str, status: str, *, reason: str | None = None,
                     on: dt.date | None = None) -> dict[str, Any]:
    """Move an offer to ``status``; 录用 and 离岗 update the member's
    employment. Returns the offer as stored afterwards."""
    status = (status or "").strip()
    if status not in STATUSES:
        raise InvalidTransition(f"状态“{status}”不对，可填：{'、'.join(STATUSES[1:])}")
    offer = store.get("offers", offer_id)
    current = offer["status"] or "推荐"
    allowed = NEXT[current]
    if status not in allowed:
        nxt = "、".join(allowed) if allowed else "无（已结束）"
        raise InvalidTransition(f"不能从“{current}”改为“{status}”。下一步可以是：{nxt}")
    reason = (reason or "").strip() or None
    if status in NEEDS_REASON and not reason:
        raise InvalidTransition(f"改为“{status}”时请写明原因（如：本人放弃、企业未通过面试）")
    day = on or dt.date.today()
    if offer.get("status_on") and day.isoformat() < offer["status_on"]:
        raise InvalidTransition(f"日期 {day.isoformat()} 早于上一状态的日期 {offer['status_on']}，请检查日期")
    with store.transaction():
        opening = get_opening(store, offer["opening_id"])
        if status == "录用":
            places = opening.get("places")
            if places is not None and opening["filled"] >= places:
                raise InvalidTransition(f"岗位“{opening['title']}”的 {places} 个名额已招满，不能再录用。"
                                        "请先把离岗人员改为“离岗”，或增加招聘人数")
        store.update("offers", offer_id, {"status": status, "status_reason": reason, "status_on": day.isoformat()})
        if status == "录用":
            _hire(store, offer["member_id"], opening, day)
        elif status == "在岗":
            _open_spell(store, offer, opening, day)
        elif status == "离岗":
            _close_spell(store, offer, day)
            _leave(store, offer["member_id"], opening, day)
    return store.get("offers", offer_id)


def _spell_place(store: Store, opening: dict[str, Any]) -> dict[str, Any]:
    """Where the work of an opening is, for its work spell: a place in the
    county (a town or village, or piece work brought home) is the home county;
    otherwise the opening's county or province code, else its location text."""
    home, _ = spells.home_county(store)
    if opening.get("town_id") or opening.get("village_id") or (
            opening.get("route") == HOME_ROUTE and not opening.get("county_code") and not opening.get("province_code")):
        county = places.county(store)
        label = place_label(opening)
        return {"place": f"{county['name']}{label}" if label and label != "送料到户" else county["name"],
                "county_code": home}
    code = opening.get("county_code")
    found = gazetteer.lookup(code) if code else None
    if found is not None and found.county_code == code:
        return {"place": (found.full_name + " " + (opening.get("location") or "")).strip(), "county_code": code}
    if opening.get("province_code") and gazetteer.lookup(opening["province_code"]) is not None:
        prov = gazetteer.lookup(opening["province_code"])
        text = (opening.get("location") or "").strip()
        if text and isinstance(gazetteer.resolve(text, province_hint=prov.province_code), gazetteer.Resolved):
            return {"place": text, "province_hint": prov.province_code}
        return {"place": f"{prov.province_name}{text}", "province_hint": prov.province_code}
    return {"place": opening.get("location") or place_label(opening) or None}


def _open_spell(store: Store, offer: dict[str, Any], opening: dict[str, Any], day: dt.date) -> None:
    """Starting work (在岗) opens a work spell in the month of ``day``, with the
    opening's employer, channel, place and pay (spells.save_spells)."""
    pay = opening.get("monthly_pay")
    row = spells.SpellRow(
        member_id=offer["member_id"], start_month=months.of(day), end_month=None,
        channel=ROUTE_TO_CHANNEL[opening["route"]], employer=opening.get("employer") or opening["title"],
        monthly_income=round(pay, 2) if pay else None, offer_id=offer["id"],
        note=f"由岗位推荐“{opening['title']}”开始在岗", **_spell_place(store, opening))
    result = spells.save_spells(store, [row], as_of=day)
    if not result.ok:
        raise InvalidTransition("；".join(p.message for _, p in result.errors))


def _close_spell(store: Store, offer: dict[str, Any], day: dt.date) -> None:
    """Leaving (离岗) ends the spell the offer opened, in the month of ``day``."""
    for spell in store.rows("SELECT id, start_month FROM work_spells WHERE offer_id = ? AND deleted = 0 "
                            "AND end_month IS NULL", [offer["id"]]):
        end = max(months.of(day), spell["start_month"])
        result = spells.save_spells(store, [spells.SpellRow(spell_id=spell["id"], end_month=end)],
                                    follow_status=False)
        if not result.ok:
            raise InvalidTransition("；".join(p.message for _, p in result.errors))


def _channel(store: Store, opening: dict[str, Any]) -> str:
    """The 就业渠道 of an opening's route as the county's terms spell it."""
    return terms.spelled(store, "employment_channel", ROUTE_TO_CHANNEL[opening["route"]])


def _hire(store: Store, member_id: str, opening: dict[str, Any], day: dt.date) -> None:
    changes: dict[str, Any] = {"employment_status": "已就业", "employment_channel": _channel(store, opening),
                               "employer": opening.get("employer") or opening["title"]}
    pay = opening.get("monthly_pay")
    changes["monthly_income"] = int(round(pay)) if pay else None
    register.save_member(store, changes, member_id=member_id, as_of=day)


def _leave(store: Store, member_id: str, opening: dict[str, Any], day: dt.date) -> None:
    m = register.member(store, member_id)
    channels = code_list("employment_channel")
    if (m.get("employment_status") == "已就业"
            and channels.current(m.get("employment_channel")) == channels.current(_channel(store, opening))
            and m.get("employer") == (opening.get("employer") or opening["title"])):
        register.save_member(store, {"employment_status": "未就业", "employment_channel": None, "employer": None,
                                     "monthly_income": None}, member_id=member_id, as_of=day)


def apply_for(store: Store, member_id: str, opening_id: str, *, on: dt.date | None = None,
              note: str | None = None) -> str:
    """Record that a member applied for an opening (岗位申请)."""
    get_opening(store, opening_id)
    day = (on or dt.date.today()).isoformat()
    dup = store.rows("SELECT id FROM applications WHERE member_id = ? AND opening_id = ? AND deleted = 0",
                     [member_id, opening_id])
    if dup:
        raise ValidationFailed([Problem(None, "该成员已申请过这个岗位，不必重复登记")])
    return store.insert("applications", {"member_id": member_id, "opening_id": opening_id, "applied_on": day,
                                         "note": (note or "").strip() or None})


def applications_of(store: Store, member_id: str) -> list[dict[str, Any]]:
    return store.rows("SELECT a.*, o.title AS opening, e.name AS employer FROM applications a "
                      "LEFT JOIN openings o ON o.id = a.opening_id LEFT JOIN enterprises e ON e.id = o.enterprise_id "
                      "WHERE a.member_id = ? AND a.deleted = 0 ORDER BY a.applied_on DESC", [member_id])
