"""Work spells (务工, shared/domain.md §11): a member's employment month by
month, any number of spells per person, each with its place resolved to a
county (``gazetteer``), its channel, employer, pay and subsidy.

``save_spells`` is the one write path (the national-export import, the
commands, the window, an offer that starts or ends): every row is coerced,
its place resolved, and it is upserted by (member, start month) — the same
person and start month is the same spell, so importing twice changes
nothing. Problems come back per row (nothing raises for a bad row):

- errors (the row is not written): no such member, a month that is no month,
  an end before the start, a channel not in the code list, a number out of
  range;
- warnings (written, to be looked at): spells of one person that overlap
  (both rows named), a monthly income under 400 元, no county for a spell
  (place empty, unknown, ambiguous — asking for the province — or only a city
  or province), 帮扶车间 or 乡村公益性岗位 outside the home county.

``employment_status_on`` is 就业状态 on a date: the spells decide for a person
who has any (a spell covering the month: 已就业), the member's own answer
otherwise (2020 data). After a write, a member whose stored 就业状态 no longer
matches the spells for this month gets it updated through
``register.save_members`` (so the seed figures, read from the answer, follow).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any

from . import gazetteer, months, places, register
from .codes import code_list
from .errors import CadreDeskError, InvalidIdNumber, NotFound
from .idnumber import parse_id_number
from .questionnaire import ERROR, WARNING, Problem
from .storage import Store

TABLE = "work_spells"
MIN_INCOME = 400  # 务工月收入 below this is a check-rule finding (domain.md §11)
# Channels that only exist inside the home county (current names).
IN_COUNTY_CHANNELS = ("帮扶车间", "乡村公益性岗位")
EMPLOYED, UNEMPLOYED = "已就业", "未就业"
COLUMNS = ("member_id", "start_month", "end_month", "place", "county_code", "province_code", "channel", "employer",
           "industry", "monthly_income", "point_to_point", "transport_subsidy", "offer_id", "extra", "note")


class _Keep:
    """A SpellRow field not given: an update keeps the stored value."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "KEEP"

    def __bool__(self) -> bool:
        return False


KEEP: Any = _Keep()


@dataclass
class SpellRow:
    """One spell to write. The person is ``member_id`` or ``id_number``; an
    existing spell is found by ``spell_id`` or else by (person, start month).
    Fields left at ``KEEP`` keep their stored value (a new spell: empty);
    ``None`` empties a field. ``place`` is resolved to codes unless
    ``county_code`` is given; ``province_hint`` helps an ambiguous name.
    ``ref`` names the row in messages (第 3 行, 务工.xlsx 第 5 行)."""

    start_month: Any = KEEP
    member_id: str | None = None
    id_number: str | None = None
    end_month: Any = KEEP
    place: Any = KEEP
    county_code: Any = KEEP
    province_code: Any = KEEP
    channel: Any = KEEP
    employer: Any = KEEP
    industry: Any = KEEP
    monthly_income: Any = KEEP
    point_to_point: Any = KEEP
    transport_subsidy: Any = KEEP
    offer_id: Any = KEEP
    extra: Any = KEEP
    note: Any = KEEP
    spell_id: str | None = None
    province_hint: str | None = None
    ref: str | None = None


@dataclass
class SpellResult:
    """What ``save_spells`` did: ``ids[i]`` the spell of row i (None when not
    written), ``problems[i]`` its errors and warnings."""

    ids: list[str | None]
    problems: list[list[Problem]]
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = True  # False: errors and skip_bad=False, nothing written
    changed: set[str] = field(default_factory=set)

    @property
    def errors(self) -> list[tuple[int, Problem]]:
        return [(i, p) for i, ps in enumerate(self.problems) for p in ps if p.severity == ERROR]

    @property
    def warnings(self) -> list[tuple[int, Problem]]:
        return [(i, p) for i, ps in enumerate(self.problems) for p in ps if p.severity != ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors


class SpellError(CadreDeskError):
    """A single spell that could not be written (the one-row commands)."""


# ---------------------------------------------------------------- reading

def _decode(row: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(row)
    if out.get("point_to_point") is not None:
        out["point_to_point"] = bool(out["point_to_point"])
    out["extra"] = json.loads(out["extra"]) if out.get("extra") else {}
    return out


def spells_of(store: Store, member_id: str) -> list[dict[str, Any]]:
    """A member's spells, oldest first, each with its ``scope`` (县内 / 省内县外 /
    省外 / None)."""
    home, aliases = home_county(store)
    rows = store.rows("SELECT * FROM work_spells WHERE member_id = ? AND deleted = 0 ORDER BY start_month",
                      [member_id])
    out = []
    for r in rows:
        d = _decode(r)
        d["scope"] = gazetteer.scope(d.get("county_code"), home, province_code=d.get("province_code"),
                                     home_aliases=aliases)
        out.append(d)
    return out


def get_spell(store: Store, spell_id: str) -> dict[str, Any]:
    return _decode(store.get(TABLE, spell_id))


def find_spell(store: Store, key: str) -> dict[str, Any]:
    """A spell by its id or a unique beginning of it (at least 4 characters)."""
    key = (key or "").strip().lower()
    if len(key) < 4:
        raise NotFound("务工记录编号至少要写前 4 位，请用 cadre-desk spell list 证件号码 查看编号")
    rows = store.rows("SELECT id FROM work_spells WHERE deleted = 0 AND id >= ? AND id < ? LIMIT 2",
                      [key, key + "\U0010ffff"])
    if not rows:
        raise NotFound(f"没有编号以 {key} 开头的务工记录，请用 cadre-desk spell list 证件号码 查看编号")
    if len(rows) > 1:
        raise NotFound(f"编号以 {key} 开头的务工记录不止一条，请多写几位")
    return get_spell(store, rows[0]["id"])


def home_county(store: Store) -> tuple[str, tuple[str, ...]]:
    """The county's code and its older codes (临清 371581, 372502)."""
    county = places.county(store)
    code = county["code"]
    spec = places.default_places()["county"]
    aliases = tuple(spec.get("old_codes", ())) if spec["code"] == code else ()
    return code, aliases


def scope_sql(store: Store, *, county_column: str = "county_code", province_column: str = "province_code"
              ) -> tuple[str, list[str]]:
    """An SQL expression giving 县内 / 省内县外 / 省外 (NULL: undecided) of a
    spell row by its codes, relative to the home county; with its parameters."""
    home, aliases = home_county(store)
    return gazetteer.scope_sql(home, county_column=county_column, province_column=province_column,
                               home_aliases=aliases)


def working_on(store: Store, month: str | dt.date) -> list[dict[str, Any]]:
    """People with a spell covering ``month`` (a ``YYYY-MM`` or a date), each
    once: when spells of one person overlap that month, the later-started
    spell decides. Rows: member_id, spell_id, start_month, end_month,
    county_code, province_code, channel, scope. Members who left the
    register (``left_on`` before the month's end) are not counted."""
    m = month if isinstance(month, str) else months.of(month)
    m = months.parse(m)
    expr, params = scope_sql(store, county_column="s.county_code", province_column="s.province_code")
    last = months.last_day(m).isoformat()
    rows = store.rows(
        f"SELECT s.member_id, s.id AS spell_id, s.start_month, s.end_month, s.county_code, s.province_code, "
        f"s.channel, {expr} AS scope FROM work_spells s JOIN members mb ON mb.id = s.member_id "
        "WHERE s.deleted = 0 AND mb.deleted = 0 AND s.start_month <= ? AND (s.end_month IS NULL OR s.end_month >= ?) "
        "AND (mb.left_on IS NULL OR mb.left_on = '' OR mb.left_on > ?) "
        "ORDER BY s.member_id, s.start_month DESC", [*params, m, m, last])
    seen: dict[str, dict] = {}
    for r in rows:
        seen.setdefault(r["member_id"], r)
    return list(seen.values())


def employment_status_on(store: Store, member_id: str, day: dt.date | str | None = None) -> str | None:
    """就业状态 on ``day`` (default today): from the spells when the member has
    any (a spell covering the month: 已就业, else 未就业); otherwise the member's
    own 就业状态 answer (None when unanswered)."""
    month = _month_of(day)
    rows = store.rows("SELECT start_month, end_month FROM work_spells WHERE member_id = ? AND deleted = 0",
                      [member_id])
    if rows:
        covered = any(r["start_month"] <= month and (r["end_month"] is None or r["end_month"] >= month) for r in rows)
        return EMPLOYED if covered else UNEMPLOYED
    found = store.rows("SELECT employment_status FROM members WHERE id = ?", [member_id])
    if not found:
        raise NotFound("找不到这名成员，它可能已被删除")
    return found[0]["employment_status"]


def _month_of(day: dt.date | str | None) -> str:
    if day is None:
        return months.of(dt.date.today())
    if isinstance(day, str):
        return months.parse(day)
    return months.of(day)


# ---------------------------------------------------------------- writing

_TEXT_LIMITS = {"employer": 60, "industry": 40, "place": 60, "note": 200}


@lru_cache(maxsize=1)
def _channels():
    return code_list("employment_channel")


def _member_ids(store: Store, rows: Sequence[SpellRow], problems: list[list[Problem]]) -> list[str | None]:
    """Each row's member id (``member_id`` checked, ``id_number`` looked up)."""
    numbers: dict[int, str] = {}
    given: dict[int, str] = {}
    for i, row in enumerate(rows):
        if row.member_id:
            given[i] = row.member_id
        elif row.id_number:
            try:
                numbers[i] = parse_id_number(row.id_number).value
            except InvalidIdNumber as exc:
                problems[i].append(Problem("id_number", exc.message, ERROR, "id_number"))
        elif not row.spell_id:
            problems[i].append(Problem("id_number", "请写明是哪位成员的务工记录（证件号码）", ERROR, "member"))
    found_numbers = _lookup(store, "id_number", set(numbers.values()))
    found_ids = _lookup(store, "id", set(given.values()))
    out: list[str | None] = [None] * len(rows)
    for i, mid in given.items():
        if mid in found_ids:
            out[i] = mid
        else:
            problems[i].append(Problem("member_id", "找不到这名成员，它可能已被删除", ERROR, "member"))
    for i, number in numbers.items():
        if number in found_numbers:
            out[i] = found_numbers[number]
        else:
            problems[i].append(Problem("id_number", f"没有证件号码为 {number[:6]}…{number[-4:]} 的成员，"
                                       "请先导入或登记该成员再登记务工", ERROR, "member"))
    return out


def _lookup(store: Store, column: str, values: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    values_list = sorted(values)
    for start in range(0, len(values_list), 500):
        block = values_list[start:start + 500]
        for r in store.rows(f"SELECT id, {column} AS k FROM members WHERE deleted = 0 AND {column} IN "
                            f"({', '.join('?' * len(block))})", block):
            out[r["k"]] = r["id"]
    return out


def _number(raw: Any, label: str, *, lo: float = 0, hi: float = 1_000_000) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        if isinstance(raw, bool):
            raise ValueError
        value = float(str(raw).strip().replace(",", "").replace("，", "").removesuffix("元")) \
            if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        raise _Bad(f"{label}应为数字（元），现为“{raw}”") from None
    if not lo <= value <= hi:
        raise _Bad(f"{label}应在 {lo:g} 到 {hi:g} 元之间，现为 {value:g}")
    return round(value, 2)


def _bool(raw: Any, label: str) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        return int(raw)
    text = str(raw).strip()
    if text in ("是", "有", "1", "1.0", "Y", "y", "True", "true", "√"):
        return 1
    if text in ("否", "无", "0", "0.0", "N", "n", "False", "false", "×"):
        return 0
    raise _Bad(f"{label}应填“是”或“否”，现为“{text}”")


def _text(raw: Any, key: str, label: str) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    if not text:
        return None
    limit = _TEXT_LIMITS.get(key)
    if limit and len(text) > limit:
        raise _Bad(f"{label}最多 {limit} 个字，现有 {len(text)} 个，请删减")
    return text


class _Bad(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


_LABELS = {"start_month": "开始时间", "end_month": "结束时间", "place": "务工所在地", "channel": "就业渠道",
           "employer": "务工企业名称", "industry": "所属行业", "monthly_income": "务工月收入",
           "point_to_point": "是否点对点输送", "transport_subsidy": "年度交通费补助", "note": "备注",
           "county_code": "务工所在县代码", "province_code": "务工所在省代码", "offer_id": "推荐编号", "extra": "其他列"}


def _coerce(row: SpellRow, problems: list[Problem]) -> dict[str, Any]:
    """The given fields of ``row`` as stored values (KEEP fields left out)."""
    out: dict[str, Any] = {}
    for name in ("start_month", "end_month", "place", "channel", "employer", "industry", "monthly_income",
                 "point_to_point", "transport_subsidy", "county_code", "province_code", "offer_id", "extra", "note"):
        raw = getattr(row, name)
        if raw is KEEP:
            continue
        label = _LABELS[name]
        try:
            if name in ("start_month", "end_month"):
                out[name] = months.parse(raw, label)
            elif name == "channel":
                if raw is None or not str(raw).strip():
                    out[name] = None
                else:
                    value = _channels().normalize_current(raw)
                    if value is None:
                        raise _Bad(f"就业渠道“{raw}”不在代码表中，可填：{'、'.join(_channels().values)}")
                    out[name] = value
            elif name in ("monthly_income", "transport_subsidy"):
                out[name] = _number(raw, label)
            elif name == "point_to_point":
                out[name] = _bool(raw, label)
            elif name in ("county_code", "province_code"):
                out[name] = _code(raw, label, county=name == "county_code")
            elif name == "extra":
                out[name] = json.dumps({str(k): v for k, v in raw.items()}, ensure_ascii=False) if raw else None
            elif name == "offer_id":
                out[name] = raw or None
            else:
                out[name] = _text(raw, name, label)
        except (months.MonthError, _Bad) as exc:
            problems.append(Problem(name, exc.message, ERROR, "value"))
    return out


def _code(raw: Any, label: str, *, county: bool) -> str | None:
    if raw is None or not str(raw).strip():
        return None
    text = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw).strip()
    found = gazetteer.lookup(text)
    if found is None or (county and found.county_code != text):
        raise _Bad(f"{label}“{raw}”不是有效的{'县级' if county else '省级'}行政区划代码（6 位数字）")
    return text if county else found.province_code


def check_spells(store: Store, rows: Sequence[SpellRow]) -> SpellResult:
    """What ``save_spells`` would say about ``rows``, writing nothing (live
    hints in a dialog): ``written`` is False, ``ids`` the spells they would
    update (None: a new one)."""
    return save_spells(store, rows, _dry_run=True)


def save_spells(store: Store, rows: Sequence[SpellRow], *, skip_bad: bool = False,
                as_of: dt.date | None = None, follow_status: bool = True, _dry_run: bool = False) -> SpellResult:
    """Write work spells: the one write path (see the module docstring).
    All or nothing: when any row has an error and ``skip_bad`` is False,
    nothing is written (``written`` False); with ``skip_bad`` the good rows
    are written. ``as_of``: the day whose month decides the members'
    就业状态 afterwards (default today); ``follow_status=False`` leaves the
    members' answers alone (a caller that writes them itself)."""
    rows = list(rows)
    problems: list[list[Problem]] = [[] for _ in rows]
    member_ids = _member_ids(store, rows, problems)
    values = [_coerce(row, problems[i]) for i, row in enumerate(rows)]
    home, aliases = home_county(store)
    stored = _stored(store, rows, member_ids, values)
    final: list[dict[str, Any] | None] = [None] * len(rows)
    for i, row in enumerate(rows):
        current = stored[i]
        if row.spell_id and current is None:
            problems[i].append(Problem(None, "找不到这条务工记录，它可能已被删除", ERROR, "spell"))
            continue
        if member_ids[i] is None and current is not None:
            member_ids[i] = current["member_id"]
        if member_ids[i] is None:
            continue
        merged = {k: (current or {}).get(k) for k in COLUMNS}
        merged.update(values[i])
        merged["member_id"] = member_ids[i]
        if not merged.get("start_month"):
            if not any(p.field == "start_month" for p in problems[i]):
                problems[i].append(Problem("start_month", "请填写务工开始时间（年月，如 2023-03）", ERROR, "required"))
            continue
        if current is not None and row.spell_id and merged["start_month"] != current["start_month"]:
            clash = _by_start(store, merged["member_id"], merged["start_month"])
            if clash is not None and clash["id"] != current["id"]:
                problems[i].append(Problem("start_month", f"这名成员已有 {months.display(merged['start_month'])} 开始的务工，"
                                           "同一人同一开始月份只能有一段，请改开始时间或修改那一段", ERROR, "duplicate"))
        if merged.get("end_month") and merged["end_month"] < merged["start_month"]:
            problems[i].append(Problem("end_month", f"结束时间 {months.display(merged['end_month'])} 早于开始时间 "
                                       f"{months.display(merged['start_month'])}，请检查", ERROR, "order"))
        place_given = row.place is not KEEP or row.county_code is not KEEP
        if place_given and row.county_code in (KEEP, None) and "place" not in {p.field for p in problems[i]}:
            _resolve_place(merged, row, problems[i])
        _row_warnings(merged, problems[i], home, aliases)
        final[i] = merged
    _overlaps(store, rows, final, stored, problems)
    bad = [i for i, ps in enumerate(problems) if any(p.severity == ERROR for p in ps)]
    result = SpellResult([None] * len(rows), problems)
    if _dry_run:
        result.written = False
        result.ids = [s["id"] if s else None for s in stored]
        return result
    if bad and not skip_bad:
        result.written = False
        return result
    bad_set = set(bad)
    writes = [(i, final[i]) for i in range(len(rows)) if final[i] is not None and i not in bad_set]
    given = {i: _given_keys(rows[i], values[i]) for i, _ in writes}
    with store.transaction():
        _write(store, writes, stored, result, given)
        if follow_status:
            touched = {merged["member_id"] for _, merged in writes}
            follow_employment(store, touched, as_of=as_of)
    return result


def _given_keys(row: SpellRow, values: dict[str, Any]) -> set[str]:
    """The columns a row sets: those it gave, and the codes its place decides."""
    keys = set(values)
    if "place" in keys or "county_code" in keys:
        keys |= {"county_code", "province_code"}
    return keys


def _write(store: Store, writes: list[tuple[int, dict[str, Any]]], stored: list[dict[str, Any] | None],
           result: SpellResult, given: dict[int, set[str]]) -> None:
    """New spells inserted in one statement, stored ones updated field by field
    (only real changes written and logged); a spell given twice in the batch
    (same person and start month) is written once, the later row winning."""
    new_rows: dict[tuple[str, str], dict[str, Any]] = {}
    new_ids: dict[tuple[str, str], str] = {}
    updates: dict[str, dict[str, Any]] = {}
    order: list[tuple[int, str, bool]] = []  # (row, spell id, new)
    for i, merged in writes:
        values = {k: merged[k] for k in COLUMNS}
        current = stored[i]
        key = (merged["member_id"], merged["start_month"])
        if current is None and key in new_rows:
            new_rows[key].update({k: v for k, v in values.items() if k in given[i]})
            order.append((i, new_ids[key], False))
        elif current is None:
            new_rows[key] = values
            new_ids[key] = uuid.uuid4().hex
            order.append((i, new_ids[key], True))
        elif current["id"] in updates:
            updates[current["id"]].update({k: v for k, v in values.items() if k in given[i]})
            order.append((i, current["id"], False))
        else:
            updates[current["id"]] = values
            order.append((i, current["id"], False))
    if new_rows:
        store.insert_many(TABLE, list(new_rows.values()), row_ids=list(new_ids.values()))
    diffs = dict(zip(updates, store.update_many(TABLE, list(updates.items())))) if updates else {}
    for i, spell_id, created in order:
        result.ids[i] = spell_id
        if created:
            result.created += 1
            result.changed.add(spell_id)
        elif diffs.get(spell_id):
            result.updated += 1
            result.changed.add(spell_id)
        else:
            result.unchanged += 1


def _stored(store: Store, rows: Sequence[SpellRow], member_ids: list[str | None],
            values: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """The stored spell each row updates (by id, else by person and start
    month), read 500 ids at a time."""
    out: list[dict[str, Any] | None] = [None] * len(rows)
    by_id = _read_in(store, "id", {row.spell_id for row in rows if row.spell_id})
    members = {member_ids[i] for i, row in enumerate(rows) if not row.spell_id and member_ids[i]}
    by_start = {(r["member_id"], r["start_month"]): r for r in _read_in(store, "member_id", members).values()}
    for i, row in enumerate(rows):
        if row.spell_id:
            out[i] = by_id.get(row.spell_id)
        elif member_ids[i] and values[i].get("start_month"):
            out[i] = by_start.get((member_ids[i], values[i]["start_month"]))
    return out


def _read_in(store: Store, column: str, keys: set[str]) -> dict[str, dict[str, Any]]:
    """Live spells whose ``column`` is one of ``keys``, by id."""
    found: dict[str, dict[str, Any]] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), 500):
        block = ordered[start:start + 500]
        for r in store.rows(f"SELECT * FROM work_spells WHERE deleted = 0 AND [{column}] IN "
                            f"({', '.join('?' * len(block))})", block):
            found[r["id"]] = r
    return found


def _by_start(store: Store, member_id: str, start: str) -> dict[str, Any] | None:
    found = store.rows("SELECT * FROM work_spells WHERE member_id = ? AND start_month = ? AND deleted = 0",
                       [member_id, start])
    return found[0] if found else None


def _resolve_place(merged: dict[str, Any], row: SpellRow, problems: list[Problem]) -> None:
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


def _row_warnings(merged: dict[str, Any], problems: list[Problem], home: str, aliases: tuple[str, ...]) -> None:
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


def _label(row: SpellRow, merged: Mapping[str, Any], i: int) -> str:
    span = f"{months.display(merged['start_month'])}—{months.display(merged.get('end_month')) or '至今'}"
    return f"{row.ref or f'第 {i + 1} 条'}（{span}）"


def _overlaps(store: Store, rows: Sequence[SpellRow], final: list[dict[str, Any] | None],
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
    ids = sorted(by_member)
    for start in range(0, len(ids), 500):
        block = ids[start:start + 500]
        for r in store.rows(f"SELECT * FROM work_spells WHERE deleted = 0 AND member_id IN "
                            f"({', '.join('?' * len(block))})", block):
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


def end_spell(store: Store, spell_id: str, month: Any, *, as_of: dt.date | None = None) -> list[Problem]:
    """End a running spell in ``month`` (YYYY-MM or any accepted form);
    returns the warnings, raises ``SpellError`` with the Chinese message."""
    result = save_spells(store, [SpellRow(spell_id=spell_id, end_month=month)], as_of=as_of)
    if not result.ok:
        raise SpellError("；".join(p.message for _, p in result.errors))
    return [p for _, p in result.warnings]


def delete_spell(store: Store, spell_id: str, *, as_of: dt.date | None = None) -> None:
    """Delete a spell (soft: sync carries it; the change log can undo it)."""
    spell = store.get(TABLE, spell_id)
    mid = spell["member_id"]
    with store.transaction():
        store.delete(TABLE, spell_id)
        if store.rows("SELECT 1 FROM work_spells WHERE member_id = ? AND deleted = 0 LIMIT 1", [mid]):
            follow_employment(store, {mid}, as_of=as_of)
            return
        # The person's last spell, entered by mistake: the 已就业 it set goes with it.
        m = store.rows("SELECT employment_status, employer FROM members WHERE id = ?", [mid])
        if m and m[0]["employment_status"] == EMPLOYED and m[0]["employer"] == spell["employer"]:
            register.save_members(store, [register.MemberRow(
                {"employment_status": UNEMPLOYED, "employment_channel": None, "employer": None,
                 "monthly_income": None}, member_id=mid)], as_of=as_of, surveyed=False, block_missing=False)


def save_spell(store: Store, row: SpellRow, *, as_of: dt.date | None = None) -> tuple[str, list[Problem]]:
    """One spell: returns its id and the warnings; raises ``SpellError``."""
    result = save_spells(store, [row], as_of=as_of)
    if not result.ok:
        raise SpellError("；".join(p.message for _, p in result.errors))
    return result.ids[0], [p for _, p in result.warnings]


def spell_warnings(store: Store, member_ids: Iterable[str] | None = None) -> list[tuple[dict[str, Any], Problem]]:
    """The warnings of ``save_spells`` over STORED spells (all, or of
    ``member_ids``): overlap (naming the other spell), low income, county
    missing, an in-county channel outside the county. For the whole-register
    check report. Returns (spell row, problem) pairs, by member and start."""
    home, aliases = home_county(store)
    if member_ids is None:
        rows = store.rows("SELECT * FROM work_spells WHERE deleted = 0 ORDER BY member_id, start_month")
    else:
        ids = sorted(set(member_ids))
        rows = []
        for start in range(0, len(ids), 500):
            block = ids[start:start + 500]
            rows += store.rows(f"SELECT * FROM work_spells WHERE deleted = 0 AND member_id IN "
                               f"({', '.join('?' * len(block))}) ORDER BY member_id, start_month", block)
        rows.sort(key=lambda r: (r["member_id"], r["start_month"]))
    out: list[tuple[dict[str, Any], Problem]] = []
    by_member: dict[str, list[dict]] = {}
    for r in rows:
        by_member.setdefault(r["member_id"], []).append(r)
    for own in by_member.values():
        for k, r in enumerate(own):
            found: list[Problem] = []
            _row_warnings(r, found, home, aliases)
            for other in own[:k] + own[k + 1:]:
                if _overlap(r, other):
                    found.append(_overlap_problem(
                        f"{months.display(other['start_month'])}—{months.display(other.get('end_month')) or '至今'}"
                        f"{'（' + other['place'] + '）' if other.get('place') else ''}的务工"))
            if r.get("place") and not r.get("county_code"):
                found.append(Problem("place", f"务工所在地“{r['place']}”没有对应到县（市、区），"
                                     "请写明省份和县（如：江苏省苏州市昆山市）", WARNING, "place_unresolved"))
            out.extend((_decode(r), p) for p in found)
    return out


# ---------------------------------------------------------------- 就业状态 follows the spells

def follow_employment(store: Store, member_ids: Iterable[str], *, as_of: dt.date | None = None) -> int:
    """Bring the stored 就业状态 of members who have spells in line with the
    spells for the month of ``as_of`` (default today): a covering spell makes
    them 已就业 with its channel, employer and pay; none makes them 未就业.
    Members without spells keep their answer. Returns how many changed."""
    ids = sorted(set(member_ids))
    if not ids:
        return 0
    month = _month_of(as_of)
    from . import terms

    spelled = terms.current(store)
    changes: list[register.MemberRow] = []
    for start in range(0, len(ids), 500):
        block = ids[start:start + 500]
        marks = ", ".join("?" * len(block))
        spells: dict[str, list[dict]] = {}
        for r in store.rows(f"SELECT * FROM work_spells WHERE deleted = 0 AND member_id IN ({marks}) "
                            "ORDER BY start_month DESC", block):
            spells.setdefault(r["member_id"], []).append(r)
        members = {r["id"]: r for r in store.rows(
            f"SELECT id, employment_status, employment_channel, employer, monthly_income FROM members "
            f"WHERE deleted = 0 AND id IN ({marks})", block)}
        for mid, own in spells.items():
            m = members.get(mid)
            if m is None:
                continue
            covering = next((s for s in own if s["start_month"] <= month and
                             (s["end_month"] is None or s["end_month"] >= month)), None)
            if covering is not None:
                want = {"employment_status": EMPLOYED}
                channel = _channels().spelled(covering["channel"], spelled) if covering["channel"] else None
                if m["employment_status"] != EMPLOYED or (channel and m["employment_channel"] != channel
                                                          and _channels().current(m["employment_channel"]) != covering["channel"]):
                    want["employment_channel"] = channel or m["employment_channel"] or "灵活就业"
                    want["employer"] = covering["employer"]
                    income = covering["monthly_income"]
                    want["monthly_income"] = int(round(income)) if income is not None else None
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


def spell_fields() -> tuple[str, ...]:
    """The SpellRow fields a caller may give (for the import's column map)."""
    return tuple(f.name for f in fields(SpellRow))
