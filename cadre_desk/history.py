"""A member's change history in words (who, when, which question, old → new)
and undoing one change.

``Store.history`` gives the raw change log; this module names the fields with
the questionnaire's labels, shows values the way the form does, and reverts a
change through ``Store.revert`` with the checks the register needs: an ID
number put back must still be unique in the county (and brings back the sex
and birth date derived from it), and a member brought back from deletion must
not collide with someone registered since.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from .errors import CadreDeskError, NotFound
from .questionnaire import Part, display
from . import register
from .storage import CREATE_FIELD, Change, Store
from .values import from_storage

# Columns that every save touches (bookkeeping, not answers): not listed.
HIDDEN_FIELDS = {"surveyed_at", "questionnaire_version", "updated_at", "created_at", "device_id"}
# Derived from the ID number: reverted together with it, never alone.
DERIVED_FIELDS = {"sex": "性别", "birth_date": "出生日期"}
OTHER_LABELS = {"deleted": "删除", "household_id": "所属户", **DERIVED_FIELDS,
                "left_on": "离开本户日期", "left_reason": "离开本户原因", "size_override": "家庭人口数按填写计"}

CREATED_LABEL = "新建"


@dataclass(frozen=True)
class HistoryEntry:
    seq: int
    at: str  # ISO 8601, UTC
    who: str
    field: str
    label: str
    old_text: str
    new_text: str
    is_creation: bool
    revertible: bool

    @property
    def at_local(self) -> str:
        try:
            return dt.datetime.fromisoformat(self.at).astimezone().strftime("%Y-%m-%d %H:%M:%S")
        except ValueError:
            return self.at


def describe_value(part: Part, field_key: str, raw: Any) -> str:
    if field_key == "deleted":
        return "已删除" if str(raw) in ("1", "True") else "在册"
    fld = part.by_key.get(field_key)
    value = from_storage(fld, raw)
    if value is None:
        return "（空）"
    return display(fld, value) if fld else str(value)


def field_label(part: Part, field_key: str) -> str:
    if field_key in part.by_key:
        return part.by_key[field_key].label
    return OTHER_LABELS.get(field_key, field_key)


def _who(change: Change) -> str:
    return change.user or f"设备 {change.device_id}"


def _entry(part: Part, change: Change, created: dict[str, Any] | None = None) -> HistoryEntry:
    if change.field == CREATE_FIELD:
        try:
            row = json.loads(change.new_value) if change.new_value else (created or {})
        except ValueError:
            row = created or {}
        summary = "、".join(str(row[k]) for k in ("name", "relation") if row.get(k))
        return HistoryEntry(change.seq, change.at, _who(change), CREATE_FIELD, CREATED_LABEL, "",
                            f"{CREATED_LABEL}（{summary}）" if summary else CREATED_LABEL, True, True)
    return HistoryEntry(change.seq, change.at, _who(change), change.field, field_label(part, change.field),
                        describe_value(part, change.field, change.old_value),
                        describe_value(part, change.field, change.new_value),
                        False, change.field not in DERIVED_FIELDS)


def created_values(store: Store, table: str, row_id: str, changes: list[Change] | None = None) -> dict[str, Any]:
    """The row as it was created. Bulk creations log no values (see
    ``Store.insert_tuples``): a field's first logged change holds the value it
    replaced, and a field never changed still holds its first value."""
    row = store.get(table, row_id, include_deleted=True)
    first_old: dict[str, Any] = {}
    for change in changes if changes is not None else store.history(table, row_id):
        if change.field != CREATE_FIELD:
            first_old.setdefault(change.field, change.old_value)
    return {**row, **first_old}


def member_history(store: Store, member_id: str, *, newest_first: bool = True) -> list[HistoryEntry]:
    """The member's changes as the history dialog lists them."""
    part = store.questionnaire.member
    changes = store.history("members", member_id)
    created = None
    if any(c.field == CREATE_FIELD and not c.new_value for c in changes):
        created = created_values(store, "members", member_id, changes)
    entries = [_entry(part, c, created) for c in changes if c.field not in HIDDEN_FIELDS]
    return entries[::-1] if newest_first else entries


def revert_change(store: Store, seq: int) -> dict[str, tuple[Any, Any]]:
    """Undo one change (a new change is written; history stays). Reverting the
    creation removes the member (soft). Returns what changed.

    An answer is put back the way an edit writes it: a member's through the
    register's one write path (``register.save_members``: validated, an ID
    number must still be free and brings its sex and birth date back,
    answers the restored one no longer asks for are emptied), a household's
    through ``households.set_household``. An answer that the current answers
    do not ask for (a 残疾类别 after 健康状况 became 健康) is refused, naming
    the answer to undo first."""
    rows = store.rows("SELECT * FROM change_log WHERE seq = ?", [seq])
    if not rows:
        raise NotFound("找不到要撤销的修改记录")
    change = Change(**rows[0])
    if change.field in DERIVED_FIELDS:
        raise CadreDeskError(f"{DERIVED_FIELDS[change.field]}由证件号码决定，请撤销证件号码的修改")
    part = {"members": store.questionnaire.member, "households": store.questionnaire.household}.get(
        change.table_name)
    current = store.get(change.table_name, change.row_id, include_deleted=True)
    if part is not None and change.field in part.by_key:
        fld = part.by_key[change.field]
        value = from_storage(fld, change.old_value)
        with store.transaction():
            if change.table_name == "members":
                _put_back_member_answer(store, part, change.row_id, fld, value)
            else:
                _put_back_household_answer(store, part, change.row_id, fld, value)
            after = store.get(change.table_name, change.row_id, include_deleted=True)
        return {k: (current.get(k), after[k]) for k in after
                if k not in _BOOKKEEPING and current.get(k) != after[k]}
    if change.table_name == "members" and change.field == "deleted" \
            and str(change.old_value) in ("0", "None", ""):
        if current.get("id_number"):
            register.check_unique_id_number(store, current["id_number"], change.row_id)
    return store.revert(seq)


_BOOKKEEPING = {*HIDDEN_FIELDS, "id"}


def _put_back_member_answer(store: Store, part: Part, member_id: str, fld, value: Any) -> None:
    row = register.MemberRow({fld.key: value}, member_id=member_id)
    (checked,) = register.check_members(store, [row], block_missing=False)
    register.raise_errors([p for p in checked.problems if p.field == fld.key or p.rule == "duplicate"])
    _refuse_unasked(part, fld, value, checked.values.get(fld.key))
    result = register.save_members(store, [row], surveyed=False, block_missing=False)
    register.raise_errors(result.problems[0])


def _put_back_household_answer(store: Store, part: Part, household_id: str, fld, value: Any) -> None:
    from . import households
    from .questionnaire import validate

    stored = {k: v for k, v in register.household(store, household_id).items() if k in part.by_key}
    values, problems = validate(part, {**stored, fld.key: value})
    register.raise_errors([p for p in problems if p.field == fld.key])
    _refuse_unasked(part, fld, value, values.get(fld.key))
    households.set_household(store, household_id, {fld.key: value})


def _refuse_unasked(part: Part, fld, value: Any, kept: Any) -> None:
    """The value was emptied by the relevance rules: the current answers do not ask for it."""
    from .rules import fields_of, is_empty

    if is_empty(value) or not is_empty(kept):
        return
    deciding = "、".join(field_label(part, k) for k in sorted(fields_of(fld.relevant)) if k in part.by_key) \
        or "其他回答"
    raise CadreDeskError(f"按现在的{deciding}，不需要填写{fld.label}，所以这项修改不能单独撤销。"
                         f"请先撤销{deciding}的修改，或在调查表中改好{deciding}后再填写{fld.label}")
