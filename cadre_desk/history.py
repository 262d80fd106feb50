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
OTHER_LABELS = {"deleted": "删除", "household_id": "所属户", **DERIVED_FIELDS}

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
    """Undo one change of a member (a new change is written; history stays).
    Reverting the creation removes the member (soft). Returns what changed."""
    rows = store.rows("SELECT * FROM change_log WHERE seq = ?", [seq])
    if not rows:
        raise NotFound("找不到要撤销的修改记录")
    change = Change(**rows[0])
    if change.field in DERIVED_FIELDS:
        raise CadreDeskError(f"{DERIVED_FIELDS[change.field]}由证件号码决定，请撤销证件号码的修改")
    if change.table_name != "members":
        return store.revert(seq)
    current = store.get("members", change.row_id, include_deleted=True)
    with store.transaction():
        if change.field == "id_number" and change.old_value:
            # Through the one write path: the number must still be free, and
            # the sex and birth date read from it come back with it.
            result = register.save_members(store, [register.MemberRow({"id_number": change.old_value},
                                                                       member_id=change.row_id)],
                                           surveyed=False, block_missing=False)
            register.raise_errors(result.problems[0])
            after = store.get("members", change.row_id, include_deleted=True)
            return {k: (current.get(k), after[k]) for k in ("id_number", *DERIVED_FIELDS)
                    if current.get(k) != after[k]}
        if change.field == "deleted" and str(change.old_value) in ("0", "None", ""):
            if current.get("id_number"):
                register.check_unique_id_number(store, current["id_number"], change.row_id)
        return store.revert(seq)
