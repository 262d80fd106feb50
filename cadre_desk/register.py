"""The household register: households, members, cadres and their pairings,
visits. Every write goes through the questionnaire's validation and the
store's change log.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import monitoring, validation
from .domain import working_age_bounds
from .errors import DuplicateIdNumber, NotFound, ValidationFailed
from .idnumber import parse_id_number, sex_of
from .questionnaire import ERROR, Part, Problem, validate
from .storage import Store
from .values import encode_column, from_storage, to_storage

_CHUNK = 500  # ids per ``IN (...)`` look-up
HEAD = "户主"  # 与户主关系 of the head of household
_HEAD_FIELDS = frozenset({"name", "id_number", "relation"})  # member fields the household's head columns follow


# ---------------------------------------------------------------- reading

def decode(part: Part, row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored row with questionnaire columns turned back into Python values."""
    out = dict(row)
    for fld in part.fields:
        value = out.get(fld.key)
        if value is not None and (type(value) is str or fld.type in _CONVERTED):
            out[fld.key] = from_storage(fld, value)
    return out


_CONVERTED = ("multi", "bool")  # field types whose stored value is not what the core works with


def encode(part: Part, values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (to_storage(part.by_key[k], v) if k in part.by_key else v) for k, v in values.items()}


def household_by_number(store: Store, number: str) -> dict:
    rows = store.rows("SELECT * FROM households WHERE number = ? AND deleted = 0", [str(number).strip()])
    if not rows:
        raise NotFound(f"没有户编号为“{number}”的户，请检查户编号")
    return decode(store.questionnaire.household, rows[0])


def household(store: Store, household_id: str) -> dict:
    return decode(store.questionnaire.household, store.get("households", household_id))


def household_place(store: Store, household_id: str) -> dict:
    rows = store.rows(
        "SELECT c.name AS county, t.name AS town, v.name AS village, v.id AS village_id, t.id AS town_id "
        "FROM households h JOIN villages v ON v.id = h.village_id JOIN towns t ON t.id = v.town_id "
        "JOIN counties c ON c.id = t.county_id WHERE h.id = ?", [household_id])
    return rows[0] if rows else {}


def members_of(store: Store, household_id: str) -> list[dict]:
    rows = store.rows("SELECT * FROM members WHERE household_id = ? AND deleted = 0 "
                      "ORDER BY CASE relation WHEN '户主' THEN 0 WHEN '配偶' THEN 1 ELSE 2 END, birth_date",
                      [household_id])
    return [decode(store.questionnaire.member, r) for r in rows]


def member(store: Store, member_id: str) -> dict:
    return decode(store.questionnaire.member, store.get("members", member_id))


def member_by_id_number(store: Store, raw_id: str) -> dict:
    value = parse_id_number(raw_id).value
    rows = store.rows("SELECT * FROM members WHERE id_number = ? AND deleted = 0", [value])
    if not rows:
        raise NotFound(f"没有证件号码为 {value[:6]}…{value[-4:]} 的成员")
    return decode(store.questionnaire.member, rows[0])


def describe_member_place(store: Store, member_id: str) -> str:
    """'烟店镇 李庄村 户编号 3715810001 张三' – to name where a record lives."""
    rows = store.rows(
        "SELECT m.name, h.number, v.name AS village, t.name AS town FROM members m "
        "JOIN households h ON h.id = m.household_id JOIN villages v ON v.id = h.village_id "
        "JOIN towns t ON t.id = v.town_id WHERE m.id = ?", [member_id])
    if not rows:
        return ""
    r = rows[0]
    return f"{r['town']}{r['village']} 户编号 {r['number']} {r['name']}"


# ---------------------------------------------------------------- writing

def _raise_errors(problems: list[Problem]) -> list[Problem]:
    errors = [p for p in problems if p.severity == ERROR]
    if errors:
        raise ValidationFailed(errors)
    return [p for p in problems if p.severity != ERROR]


def save_household(store: Store, answers: Mapping[str, Any], *, village_id: str | None = None,
                   household_id: str | None = None) -> tuple[str, list[Problem]]:
    """Create (with ``village_id``) or update a household. Raises
    ``ValidationFailed`` on errors; returns the id and the warnings."""
    part = store.questionnaire.household
    values, problems = validate(part, answers)
    warnings = _raise_errors(problems)
    count = None
    if household_id is not None:
        count = store.db.execute("SELECT count(*) FROM members WHERE household_id = ? AND deleted = 0 "
                                 "AND (left_on IS NULL OR left_on = '')", [household_id]).fetchone()[0]
    below = monitoring.below_line(store, values, count)  # 人均纯收入 under the year's monitoring line
    if below is not None:
        warnings.append(below)
    values["questionnaire_version"] = store.questionnaire.version
    with store.transaction():
        dupes = store.rows("SELECT id FROM households WHERE number = ? AND deleted = 0 AND id IS NOT ?",
                           [values.get("number"), household_id])
        if values.get("number") and dupes:
            raise ValidationFailed([Problem("number", f"户编号 {values['number']} 已被另一户使用，请检查")])
        if household_id is None:
            if not village_id:
                raise ValueError("a new household needs a village")
            household_id = store.insert("households", {"village_id": village_id, **encode(part, values)})
        else:
            store.update("households", household_id, encode(part, values))
    return household_id, warnings


# ---------------------------------------------------------------- members: the one write path
#
# Every member write goes through ``save_members`` (or its two halves,
# ``check_members`` and ``write_members``): the survey form and the commands
# (``save_member``, the one-row case), the roster import, undoing a change,
# settling a sync conflict and the demo. Validation (``questionnaire.validate``),
# the sex and birth date read from the ID number, the county-wide uniqueness of
# ID numbers, the household's head columns (``sync_heads``) and the change log
# therefore hold for all of them.

@dataclass
class MemberRow:
    """One member to write. A new member names its ``household_id``; an
    existing one its ``member_id`` (answers not given keep their stored values,
    and the rules see the whole record; a ``household_id`` moves it)."""

    answers: Mapping[str, Any]
    household_id: str | None = None
    member_id: str | None = None
    row_id: str | None = None  # the id a new member gets (when others refer to it before it is written)
    extra: Mapping[str, Any] = field(default_factory=dict)  # other columns as they are (roster_extra, surveyed_at)


@dataclass
class CheckedMember:
    """A ``MemberRow`` after ``check_members``: the values to store (coerced,
    irrelevant answers emptied, sex and birth date derived) and its problems."""

    row: MemberRow
    values: dict[str, Any]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)


@dataclass
class SaveResult:
    """What ``save_members`` did, row by row (``ids[i]`` is None when row i was
    not written, ``problems[i]`` says why) and as a whole: ``changed`` maps
    each table written to the ids of its rows that changed."""

    ids: list[str | None]
    problems: list[list[Problem]]
    changed: dict[str, set[str]] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def derived_from_id(id_number: str) -> tuple[str, str]:
    """(sex, ISO birth date) read from a checked 18-digit ID number."""
    return sex_of(id_number), f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"


def stored_members(store: Store, member_ids: Iterable[str], keys: Sequence[str] | None = None) -> dict[str, dict]:
    """Members by id, decoded, read ``_CHUNK`` at a time (deleted ones too);
    ``keys``: only these columns (and the id)."""
    ids = list(dict.fromkeys(member_ids))
    out: dict[str, dict] = {}
    part = store.questionnaire.member
    columns = "*" if keys is None else ", ".join(f"[{k}]" for k in dict.fromkeys(["id", *keys]))
    for start in range(0, len(ids), _CHUNK):
        block = ids[start:start + _CHUNK]
        for r in store.rows(f"SELECT {columns} FROM members WHERE id IN ({', '.join('?' * len(block))})", block):
            out[r["id"]] = decode(part, r)
    return out


def check_members(store: Store, rows: Sequence[MemberRow], *, as_of: dt.date | None = None,
                  block_missing: bool = True) -> list[CheckedMember]:
    """Validate and derive, writing nothing. ``block_missing=False``: a required
    answer missing from a field the row does not give is not an error (a
    conflict settled or a change undone touches one field of a record that may
    be incomplete, e.g. imported before its survey)."""
    part = store.questionnaire.member
    bounds = working_age_bounds(store)
    stored = stored_members(store, [r.member_id for r in rows if r.member_id is not None])
    merged = []
    for row in rows:
        answers = row.answers
        if row.member_id is not None:
            if row.member_id not in stored:
                raise NotFound("找不到这名成员，可能已被删除")
            answers = {**{k: v for k, v in stored[row.member_id].items() if k in part.by_key}, **answers}
        merged.append(answers)
    # One block through the validation engine (row by row the same as ``validate``).
    outcome = validation.check_rows(part, merged, as_of=as_of, working_age=bounds).rows() if merged else []
    checked = []
    for row, (values, problems) in zip(rows, outcome):
        problems = list(problems)
        if not block_missing:
            problems = [p for p in problems if not (p.rule == "required" and p.field not in row.answers)]
        if not any(p.severity == ERROR for p in problems):
            values["sex"], values["birth_date"] = derived_from_id(values["id_number"])
        checked.append(CheckedMember(row, values, problems))
    return checked


def id_number_holders(store: Store, id_numbers: Iterable[str]) -> dict[str, str]:
    """ID number -> id of the member (not deleted) registered with it."""
    values = list(dict.fromkeys(id_numbers))
    found: dict[str, str] = {}
    for start in range(0, len(values), _CHUNK):
        block = values[start:start + _CHUNK]
        for r in store.rows(f"SELECT id_number, id FROM members WHERE deleted = 0 AND id_number IN "
                            f"({', '.join('?' * len(block))})", block):
            found[r["id_number"]] = r["id"]
    return found


def check_unique(store: Store, checked: Sequence[CheckedMember]) -> None:
    """An ID number registered to another member, or given on two rows of the
    batch (the later one is refused): a ``duplicate`` error of that row."""
    good = [c for c in checked if c.ok]
    holders = id_number_holders(store, (c.values["id_number"] for c in good))
    claimed: dict[str, str | None] = {}
    for c in good:
        value = c.values["id_number"]
        holder = holders.get(value)
        if value in claimed or (holder is not None and holder != c.row.member_id):
            where = describe_member_place(store, holder) if holder is not None and value not in claimed \
                else "同一批记录的另一行"
            c.problems.append(Problem("id_number", duplicate_message(value, where), ERROR, "duplicate"))
            continue
        claimed[value] = c.row.member_id


def duplicate_message(id_number: str, where: str) -> str:
    return (f"证件号码 {id_number} 已登记在 {where}，同一证件号码在全县只能出现一次。"
            "请核对号码，或到原户中修改")


def write_members(store: Store, checked: Sequence[CheckedMember], *, surveyed: bool = True) -> SaveResult:
    """Write the rows that passed their checks (in one transaction): new
    members inserted in one statement, changed fields of existing ones updated
    and logged, and the head columns of the households whose 户主 they may
    change brought in line (``sync_heads``). ``surveyed``: a survey answer
    (stamps ``surveyed_at`` today and the questionnaire version); the roster
    import and the demo say otherwise."""
    part = store.questionnaire.member
    result = SaveResult([None] * len(checked), [c.problems for c in checked])
    today = dt.date.today().isoformat()
    version = store.questionnaire.version
    stamp = {"questionnaire_version": version, "surveyed_at": today} if surveyed else {}
    new: dict[tuple, list[tuple[int, CheckedMember]]] = {}
    updates: list[tuple[int, CheckedMember]] = []
    heads: set[str] = set()  # households whose 户主 these rows may change
    for i, c in enumerate(checked):
        if not c.ok:
            continue
        if c.row.member_id is None:
            if not c.row.household_id:
                raise ValueError("a new member needs a household")
            new.setdefault(tuple(c.row.extra), []).append((i, c))
            if c.values.get("relation") == HEAD:
                heads.add(c.row.household_id)
        else:
            updates.append((i, c))
    with store.transaction():
        keys = [f.key for f in part.fields]
        for extra_keys, group in new.items():
            columns = ["household_id", "sex", "birth_date", "questionnaire_version", *keys,
                       *(k for k in ("surveyed_at",) if surveyed and k not in extra_keys), *extra_keys]
            rows = [c for _, c in group]
            answers = list(zip(*(list(map(c.values.get, keys)) for c in rows)))
            cells = [[c.row.household_id for c in rows], [c.values["sex"] for c in rows],
                     [c.values["birth_date"] for c in rows], [version] * len(rows),
                     *(encode_column(part.by_key[k], list(col)) for k, col in zip(keys, answers))]
            if surveyed and "surveyed_at" not in extra_keys:
                cells.append([today] * len(rows))
            cells.extend([c.row.extra[k] for c in rows] for k in extra_keys)
            tuples = list(zip(*cells))
            ids = [c.row.row_id or uuid.uuid4().hex for _, c in group]
            store.insert_tuples("members", columns, tuples, ids)
            for (i, _), member_id in zip(group, ids):
                result.ids[i] = member_id
            result.created += len(group)
            result.changed.setdefault("members", set()).update(ids)
        if updates:
            changes = []
            converted = [f for f in part.fields if f.type in _CONVERTED]
            for _, c in updates:
                row = dict(c.values)
                for fld in converted:
                    if row.get(fld.key) is not None:
                        row[fld.key] = to_storage(fld, row[fld.key])
                if c.row.household_id:
                    row["household_id"] = c.row.household_id
                changes.append((c.row.member_id, {**row, **stamp, **c.row.extra}))
            diffs = store.update_many("members", changes)
            staying = []  # members whose head-related fields changed in their own household
            for (i, c), diff in zip(updates, diffs):
                result.ids[i] = c.row.member_id
                if diff:
                    result.updated += 1
                    result.changed.setdefault("members", set()).add(c.row.member_id)
                else:
                    result.unchanged += 1
                if "household_id" in diff:
                    heads.update(h for h in diff["household_id"] if h)
                elif not _HEAD_FIELDS.isdisjoint(diff):
                    staying.append(c.row.member_id)
            if staying:
                heads.update(r["household_id"] for r in store.rows_in(
                    "SELECT household_id FROM members WHERE id IN ({})", staying))
        changed = sync_heads(store, heads)
        if changed:
            result.changed.setdefault("households", set()).update(changed)
    return result


def sync_heads(store: Store, household_ids: Iterable[str]) -> set[str]:
    """The one rule for a household's head columns: ``head_name`` and
    ``head_id_number`` are those of its one present member (registered, not
    left) whose 与户主关系 is 户主. A household with no such member, or two,
    keeps the head it has (nothing to follow). Writes through the change log;
    returns the ids of the households changed."""
    found: dict[str, list[dict]] = {}
    for r in store.rows_in(
            "SELECT m.household_id, m.name, m.id_number, h.head_name, h.head_id_number FROM members m "
            "JOIN households h ON h.id = m.household_id WHERE m.deleted = 0 AND m.relation = ? "
            "AND (m.left_on IS NULL OR m.left_on = '') AND m.household_id IN ({})", household_ids, [HEAD]):
        found.setdefault(r["household_id"], []).append(r)
    changes = [(hid, {"head_name": r["name"], "head_id_number": r["id_number"]})
               for hid, (r, *more) in found.items()
               if not more and (r["head_name"], r["head_id_number"]) != (r["name"], r["id_number"])]
    store.update_many("households", changes)
    return {hid for hid, _ in changes}


def save_members(store: Store, rows: Sequence[MemberRow], *, as_of: dt.date | None = None,
                 surveyed: bool = True, block_missing: bool = True) -> SaveResult:
    """Validate, derive, check uniqueness and write members, in bulk. Rows with
    errors are not written and their problems are returned (nothing raises for
    a bad row); warnings are returned beside the rows written."""
    checked = check_members(store, rows, as_of=as_of, block_missing=block_missing)
    with store.transaction():
        check_unique(store, checked)
        return write_members(store, checked, surveyed=surveyed)


def save_member(store: Store, answers: Mapping[str, Any], *, household_id: str | None = None,
                member_id: str | None = None, as_of: dt.date | None = None) -> tuple[str, list[Problem]]:
    """Create (in ``household_id``) or update a member from survey answers: the
    one-row case of ``save_members``.

    Errors (a bad ID number, a missing required answer, the same ID number in
    another household) raise ``ValidationFailed``/``DuplicateIdNumber`` and
    write nothing; warnings are returned."""
    if member_id is None and not household_id:
        raise ValueError("a new member needs a household")
    if member_id is not None:
        household_id = None
    result = save_members(store, [MemberRow(answers, household_id=household_id, member_id=member_id)],
                          as_of=as_of)
    (problems,) = result.problems
    raise_errors(problems)
    return result.ids[0], problems


def raise_errors(problems: Sequence[Problem]) -> list[Problem]:
    """Raise the errors among ``problems`` (a taken ID number as
    ``DuplicateIdNumber``); return the warnings."""
    for p in problems:
        if p.rule == "duplicate" and p.severity == ERROR:
            raise DuplicateIdNumber(p.message)
    return _raise_errors(list(problems))


def check_unique_id_number(store: Store, id_number: str, member_id: str | None) -> None:
    holder = id_number_holders(store, [id_number]).get(id_number)
    if holder is not None and holder != member_id:
        raise DuplicateIdNumber(duplicate_message(id_number, describe_member_place(store, holder)))


def remove_member(store: Store, member_id: str) -> None:
    store.delete("members", member_id)


# ---------------------------------------------------------------- cadres, pairings, visits

def ensure_cadre(store: Store, name: str, **details: Any) -> str:
    """The cadre named ``name`` (created if needed; ``details`` are written
    either way): the one-row case of ``ensure_cadres``."""
    return ensure_cadres(store, [name], details=[details] if details else None)[0]


def ensure_cadres(store: Store, names: Sequence[str], *, details: Sequence[Mapping[str, Any]] | None = None,
                  new_id: Callable[[], str] | None = None) -> list[str]:
    """The ids of the cadres ``names`` (the first registered of each name),
    in order; the unknown ones are created in one statement. ``details[i]``
    (unit, phone...) is written to the cadre of ``names[i]``."""
    names = [n.strip() for n in names]
    found: dict[str, str] = {}
    unique = list(dict.fromkeys(names))
    for start in range(0, len(unique), _CHUNK):
        block = unique[start:start + _CHUNK]
        for r in store.rows(f"SELECT name, id FROM cadres WHERE deleted = 0 AND name IN ({', '.join('?' * len(block))}) "
                            "ORDER BY created_at, rowid", block):
            found.setdefault(r["name"], r["id"])
    with store.transaction():
        new = [n for n in unique if n not in found]
        given = {n: dict(d) for n, d in zip(names, details or ()) if d}
        ids = store.insert_many("cadres", [{"name": n} for n in new],
                                row_ids=[new_id() if new_id else uuid.uuid4().hex for _ in new])
        found.update(zip(new, ids))
        for n, d in given.items():
            store.update("cadres", found[n], d)
    return [found[n] for n in names]


def pair_cadre(store: Store, household_id: str, cadre_id: str, since: dt.date | None = None) -> str | None:
    """Make ``cadre_id`` the household's cadre from ``since``; the previous
    pairing is closed and stays in the history. No-op if already paired. The
    one-row case of ``pair_cadres``."""
    return pair_cadres(store, [(household_id, cadre_id)], since=since)[0]


def pair_cadres(store: Store, pairs: Sequence[tuple[str, str] | tuple[str, str, dt.date | str | None]], *,
                since: dt.date | None = None, new_id: Callable[[], str] | None = None) -> list[str | None]:
    """``(household id, cadre id)`` pairings from ``since`` (today), or
    ``(household id, cadre id, start)`` with a start of its own (a date or an
    ISO date; None: ``since``): each household's open pairing with another
    cadre is closed on the new one's start (never before its own), the new
    ones are inserted in one statement. Returns each new pairing's id, None
    where the household was already paired with that cadre (or listed before)."""
    default_s = (since or dt.date.today()).isoformat()
    households = list(dict.fromkeys(p[0] for p in pairs))
    current: dict[str, dict] = {}
    for start in range(0, len(households), _CHUNK):
        block = households[start:start + _CHUNK]
        for r in store.rows(f"SELECT * FROM pairings WHERE deleted = 0 AND until IS NULL AND household_id IN "
                            f"({', '.join('?' * len(block))}) ORDER BY since", block):
            current[r["household_id"]] = r  # the latest since wins, as current_pairing finds it
    out: list[str | None] = []
    written: list[int] = []  # positions in ``out`` of the pairings inserted
    new_rows, closing = [], []
    with store.transaction():
        for household_id, cadre_id, *start in pairs:
            since_s = str(start[0]) if start and start[0] else default_s  # a date or an ISO date
            now = current.get(household_id)
            if now is not None and now["cadre_id"] == cadre_id:
                out.append(None)
                continue
            if now is not None and now.get("id"):
                closing.append((now["id"], {"until": max(since_s, now["since"] or since_s)}))
            row = {"household_id": household_id, "cadre_id": cadre_id, "since": since_s, "until": None}
            current[household_id] = row
            new_rows.append(row)
            written.append(len(out))
            out.append(None)
        store.update_many("pairings", closing)
        ids = store.insert_many("pairings", new_rows,
                                row_ids=[new_id() if new_id else uuid.uuid4().hex for _ in new_rows])
    for position, pairing_id in zip(written, ids):
        out[position] = pairing_id
    return out


def current_pairing(store: Store, household_id: str) -> dict | None:
    rows = store.rows("SELECT * FROM pairings WHERE household_id = ? AND deleted = 0 AND until IS NULL "
                      "ORDER BY since DESC LIMIT 1", [household_id])
    return rows[0] if rows else None


def cadre_history(store: Store, household_id: str) -> list[dict]:
    """Pairings of a household with the cadre's details, the current one first."""
    return store.rows(
        "SELECT p.since, p.until, c.* FROM pairings p JOIN cadres c ON c.id = p.cadre_id "
        "WHERE p.household_id = ? AND p.deleted = 0 ORDER BY p.until IS NOT NULL, p.since DESC",
        [household_id])


def add_visit(store: Store, household_id: str, *, visit_date: dt.date, content: str,
              problems_solved: str = "", cadre_id: str | None = None) -> str:
    if not content.strip():
        raise ValidationFailed([Problem("content", "请填写走访内容")])
    if cadre_id is None:
        pairing = current_pairing(store, household_id)
        cadre_id = pairing["cadre_id"] if pairing else None
    return store.insert("visits", {"household_id": household_id, "cadre_id": cadre_id,
                                   "visit_date": visit_date.isoformat(), "content": content.strip(),
                                   "problems_solved": problems_solved.strip()})


def visits_of(store: Store, household_id: str) -> list[dict]:
    return store.rows("SELECT v.*, c.name AS cadre_name FROM visits v LEFT JOIN cadres c ON c.id = v.cadre_id "
                      "WHERE v.household_id = ? AND v.deleted = 0 ORDER BY v.visit_date", [household_id])
