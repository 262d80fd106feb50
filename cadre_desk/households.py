"""A household's life in the app: a new household with its head, household
facts edited, members who move to another household (分户, 婚嫁) or leave it
(死亡 / 迁出 / 其他, with a date), and a new head of household.

家庭人口数 is one figure (``family_size``): the members registered and not
left, unless the user set another number on purpose (``size_override``). The
stored ``size`` follows the members after every change made here, so that the
page, 人均纯收入, the handbook and the roster export print the same number; a
roster's own 家庭人口数 that disagrees with the members is a warning.

Every write goes through ``register`` (validation, change log, undo).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import places, register
from .errors import CadreDeskError, NotFound, ValidationFailed
from .questionnaire import WARNING, Field, Part, Problem
from .storage import Store

HEAD = register.HEAD
LEAVE_REASONS = ("死亡", "迁出", "其他")
PROVISIONAL_PREFIX = "临时"


# ---------------------------------------------------------------- column names

def field_for_column(part: Part, column: str) -> Field:
    """The field a roster column (header, alias or label) names."""
    name = column.strip()
    for fld in part.fields:
        names = {fld.label, fld.key, fld.roster_header or "", *fld.roster_aliases}
        if name in names:
            return fld
    known = "、".join(f.label for f in part.fields)
    raise CadreDeskError(f"没有名为“{name}”的一栏。可以填写的栏目有：{known}")


def answers_from_pairs(part: Part, pairs: Iterable[str]) -> dict[str, Any]:
    """``["联系电话=139…", "脱贫状态=未脱贫"]`` → answers by field key (values
    are still text: the questionnaire's validation converts and checks them)."""
    answers: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise CadreDeskError(f"“{pair}”的写法不对，应写成 列名=值，例如 联系电话=13905350001")
        column, value = pair.split("=", 1)
        fld = field_for_column(part, column)
        value = value.strip()
        if fld.is_multi and value:
            value = [v.strip() for v in value.replace("，", ",").replace("、", ",").split(",") if v.strip()]
        answers[fld.key] = value if value != "" else None
    return answers


def split_pairs(store: Store, pairs: Iterable[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Household columns and the head's own columns (健康状况, 劳动技能, …) of a
    new household's ``列名=值`` pairs."""
    household_pairs, member_pairs = [], []
    hpart, mpart = store.questionnaire.household, store.questionnaire.member
    for pair in pairs:
        column = pair.split("=", 1)[0]
        try:
            field_for_column(hpart, column)
            household_pairs.append(pair)
        except CadreDeskError:
            try:
                field_for_column(mpart, column)
            except CadreDeskError:
                known = "、".join(f.label for f in [*hpart.fields, *mpart.fields])
                raise CadreDeskError(f"没有名为“{column.strip()}”的一栏。可以填写的栏目有：{known}") from None
            member_pairs.append(pair)
    return answers_from_pairs(hpart, household_pairs), answers_from_pairs(mpart, member_pairs)


# ---------------------------------------------------------------- 家庭人口数

def is_present(member: Mapping[str, Any], as_of: dt.date | None = None) -> bool:
    left = member.get("left_on")
    if not left:
        return True
    return as_of is not None and str(left) > as_of.isoformat()


def present_members(store: Store, household_id: str, as_of: dt.date | None = None) -> list[dict]:
    """The members who count: registered and not left (on ``as_of``, default now)."""
    return [m for m in register.members_of(store, household_id) if is_present(m, as_of)]


@dataclass(frozen=True)
class FamilySize:
    size: int  # the 家庭人口数 every figure uses
    registered: int  # members registered and not left
    overridden: bool  # the user set ``size`` on purpose
    warning: str | None  # a stored figure that disagrees with the members


def family_size(store: Store, household_id: str, as_of: dt.date | None = None) -> FamilySize:
    return size_of(store.get("households", household_id), register.members_of(store, household_id), as_of)


def size_of(household: Mapping[str, Any], members: Iterable[Mapping[str, Any]],
            as_of: dt.date | None = None) -> FamilySize:
    """``family_size`` of a household row and its members already read (the
    handbook reads both anyway)."""
    registered = sum(1 for m in members if is_present(m, as_of))
    stored = household.get("size")
    if household.get("size_override") and stored:
        return FamilySize(int(stored), registered, True, None)
    warning = None
    if stored and int(stored) != registered:
        warning = (f"花名册上的家庭人口数为 {int(stored)} 人，与在册 {registered} 人不符；"
                   f"按在册 {registered} 人计。如确需按 {int(stored)} 人计，请在“编辑户信息”中填写家庭人口数")
    return FamilySize(registered, registered, False, warning)


def refresh_size(store: Store, household_id: str) -> None:
    """Keep the stored 家庭人口数 equal to the members (unless overridden)."""
    h = store.get("households", household_id)
    if h.get("size_override"):
        return
    registered = len(present_members(store, household_id))
    if registered and h.get("size") != registered:
        store.update("households", household_id, {"size": registered})


# ---------------------------------------------------------------- households

def _village(store: Store, town: str, village: str) -> str:
    t = places.town_by_name(store, town or "")
    if t is None:
        raise NotFound(f"没有名为“{town}”的乡镇（街道），请检查名称")
    if not (village or "").strip():
        raise CadreDeskError("请填写行政村")
    return places.ensure_village(store, t["id"], village)


def provisional_number(store: Store) -> str:
    """A number to use until the county assigns one: 临时0001, 临时0002, …"""
    rows = store.rows("SELECT number FROM households WHERE number LIKE ?", [f"{PROVISIONAL_PREFIX}%"])
    used = {r["number"] for r in rows}
    n = 1
    while f"{PROVISIONAL_PREFIX}{n:04d}" in used:
        n += 1
    return f"{PROVISIONAL_PREFIX}{n:04d}"


def is_provisional(number: str | None) -> bool:
    return bool(number) and str(number).startswith(PROVISIONAL_PREFIX)


def _head_answers(store: Store, head_name: str, head_id: str, extra: Mapping[str, Any] | None) -> dict:
    return {"name": head_name, "id_number": head_id, "relation": HEAD, **(extra or {})}


def new_household(store: Store, *, town: str, village: str, number: str | None, head_name: str, head_id: str,
                  answers: Mapping[str, Any] | None = None, head_answers: Mapping[str, Any] | None = None,
                  village_id: str | None = None) -> tuple[str, str, list[Problem]]:
    """Create a household with its head (与户主关系 户主). ``number`` empty gives
    a provisional number. All or nothing; returns (household id, head member
    id, warnings)."""
    number = (number or "").strip() or provisional_number(store)
    values = {**(answers or {}), "number": number, "head_name": head_name}
    if head_id:
        values.setdefault("head_id_number", head_id)
    with store.transaction():
        vid = village_id or _village(store, town, village)
        hid, warnings = register.save_household(store, values, village_id=vid)
        try:
            mid, member_warnings = register.save_member(store, _head_answers(store, head_name, head_id, head_answers),
                                                        household_id=hid)
        except ValidationFailed as exc:
            raise ValidationFailed([Problem(p.field, f"户主：{p.message}", p.severity) for p in exc.problems]) \
                from None
        refresh_size(store, hid)
    return hid, mid, [*warnings, *member_warnings]


def set_household(store: Store, household_id: str, answers: Mapping[str, Any]) -> list[Problem]:
    """Change household facts; fields not given keep their values. A 家庭人口数
    that differs from the members is kept as the user's own figure."""
    part = store.questionnaire.household
    current = {k: v for k, v in register.household(store, household_id).items() if k in part.by_key}
    merged = {**current, **answers}
    with store.transaction():
        _, warnings = register.save_household(store, merged, household_id=household_id)
        _head_follows_its_member(store, household_id, current)
        if "size" in answers:
            registered = len(present_members(store, household_id))
            stored = store.get("households", household_id).get("size")
            override = 1 if stored and int(stored) != registered else None
            store.update("households", household_id, {"size_override": override})
            if override:
                warnings = [*warnings, Problem("size", f"家庭人口数按 {stored} 人计（在册 {registered} 人）",
                                               WARNING)]
        refresh_size(store, household_id)
    return warnings


def head_member(store: Store, household_id: str) -> dict[str, Any] | None:
    """The household's one present member whose 与户主关系 is 户主 (None: none,
    or two): the member its 户主姓名 and 户主证件号码 follow."""
    heads = [m for m in present_members(store, household_id) if m.get("relation") == HEAD]
    return heads[0] if len(heads) == 1 else None


def _head_follows_its_member(store: Store, household_id: str, before: Mapping[str, Any]) -> None:
    """户主姓名 and 户主证件号码 are the 户主's own (``register.sync_heads``): typed
    on a household that has its one 户主, another value is refused, saying where
    to change it; a value gone stale is brought in line."""
    head = head_member(store, household_id)
    if head is None:
        return
    now = store.get("households", household_id)
    for key, member_key, label in (("head_name", "name", "户主姓名"), ("head_id_number", "id_number", "户主证件号码")):
        if now.get(key) != before.get(key) and now.get(key) != head.get(member_key):
            what = "姓名" if member_key == "name" else "证件号码"
            raise ValidationFailed([Problem(key, f"{label}跟着户主本人的成员信息：要改，请在成员“{head['name']}”的"
                                                 f"调查表里改{what}，户的信息会随之改好")])
    register.sync_heads(store, [household_id])


def set_member(store: Store, member_id: str, answers: Mapping[str, Any]) -> list[Problem]:
    """Change a member's answers (the household's head columns follow a 户主: ``register.sync_heads``)."""
    _, warnings = register.save_member(store, answers, member_id=member_id)
    return warnings


def change_head(store: Store, household_id: str, member_id: str, *, old_head_relation: str = "其他") -> None:
    """Make ``member_id`` the head; the previous head gets ``old_head_relation``."""
    m = store.get("members", member_id)
    if m["household_id"] != household_id or not is_present(m):
        raise CadreDeskError("新户主必须是本户在册的成员")
    with store.transaction():
        for other in present_members(store, household_id):
            if other["id"] != member_id and other.get("relation") == HEAD:
                register.save_member(store, {"relation": old_head_relation}, member_id=other["id"])
        register.save_member(store, {"relation": HEAD}, member_id=member_id)


def move_member(store: Store, member_id: str, to_number: str, *, relation: str | None = None,
                town: str | None = None, village: str | None = None) -> dict:
    """Move a member to the household ``to_number`` (分户, 婚嫁). When no
    household has that number, a new one is made in the same village (or
    ``town``/``village``) with the member as its head. Returns what happened."""
    m = register.member(store, member_id)
    if not is_present(m):
        raise CadreDeskError(f"{m['name']} 已于 {m['left_on']} 离开原户，不能再迁移")
    source = m["household_id"]
    to_number = (to_number or "").strip()
    if not to_number:
        raise CadreDeskError("请给出要迁入的户编号（--to）")
    rows = store.rows("SELECT id FROM households WHERE number = ? AND deleted = 0", [to_number])
    created = False
    with store.transaction():
        if rows:
            target = rows[0]["id"]
            if target == source:
                raise CadreDeskError(f"{m['name']} 已经在户编号 {to_number} 的户里")
            new_relation = relation or ("其他" if m.get("relation") == HEAD else m.get("relation"))
            if new_relation == HEAD:
                raise CadreDeskError("迁入的户已经有户主。迁入后如要更换户主，请用“更换户主”")
        else:
            if town or village:
                place = register.household_place(store, source)
                vid = _village(store, town or place["town"], village or place["village"])
            else:
                vid = register.household_place(store, source)["village_id"]
            target, _ = register.save_household(store, {"number": to_number, "head_name": m["name"],
                                                        "head_id_number": m["id_number"]}, village_id=vid)
            new_relation, created = HEAD, True
        moved = register.save_members(store, [register.MemberRow({"relation": new_relation}, household_id=target,
                                                                 member_id=member_id)])
        register.raise_errors(moved.problems[0])
        for hid in (source, target):
            refresh_size(store, hid)
        left_without_head = not any(x.get("relation") == HEAD for x in present_members(store, source))
    return {"household_id": target, "created": created, "relation": new_relation,
            "source_without_head": left_without_head and bool(present_members(store, source))}


def leave_member(store: Store, member_id: str, reason: str, on: dt.date) -> dict:
    """A member leaves the household (死亡 / 迁出 / 其他) on ``on``: kept on
    record and in the history, no longer counted from that date."""
    if reason not in LEAVE_REASONS:
        raise CadreDeskError(f"离开原因应为 {'、'.join(LEAVE_REASONS)} 之一，现为“{reason}”")
    if on > dt.date.today():
        raise CadreDeskError(f"离开日期 {on.isoformat()} 还没到，请填写已经发生的日期")
    m = store.get("members", member_id)
    if m.get("left_on"):
        raise CadreDeskError(f"{m['name']} 已于 {m['left_on']} 离开（{m.get('left_reason') or ''}）")
    with store.transaction():
        store.update("members", member_id, {"left_on": on.isoformat(), "left_reason": reason})
        register.sync_heads(store, [m["household_id"]])  # a second 户主 left behind now heads it alone
        refresh_size(store, m["household_id"])
        no_head = m.get("relation") == HEAD and bool(present_members(store, m["household_id"]))
    return {"household_id": m["household_id"], "head_left": no_head}


def left_members(store: Store, household_id: str) -> list[dict]:
    return [m for m in register.members_of(store, household_id) if not is_present(m)]


def household_history(store: Store, household_id: str, *, newest_first: bool = True) -> list:
    """The household's own changes (facts, number, head) as the history dialog
    lists them; each can be undone except the creation (its members stay)."""
    from .history import CREATED_LABEL, HIDDEN_FIELDS, HistoryEntry, describe_value, field_label
    from .storage import CREATE_FIELD

    part = store.questionnaire.household
    entries = []
    for c in store.history("households", household_id):
        if c.field in HIDDEN_FIELDS:
            continue
        who = c.user or f"设备 {c.device_id}"
        if c.field == CREATE_FIELD:
            entries.append(HistoryEntry(c.seq, c.at, who, CREATE_FIELD, CREATED_LABEL, "", CREATED_LABEL, True, False))
            continue
        entries.append(HistoryEntry(c.seq, c.at, who, c.field, field_label(part, c.field),
                                    describe_value(part, c.field, c.old_value),
                                    describe_value(part, c.field, c.new_value), False, True))
    return entries[::-1] if newest_first else entries
