"""The county office's review of conflicts: the same field changed on two
devices without either seeing the other's change.

The later change (by the hybrid logical clock) is already in the record;
the conflict keeps the other value. The clerk keeps the value in the record
("mine", nothing changes), takes the other one ("theirs") or types a new one;
both of the latter are ordinary edits, logged and carried to the laptops with
the next packages.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ..errors import CadreDeskError, NotFound, ValidationFailed
from .. import register
from ..questionnaire import CoerceError, coerce, display
from ..storage import Store, table_label, utc_now
from .tables import stamp_device, stamp_time
from ..values import from_storage, to_storage

KEEP_MINE = "mine"
TAKE_THEIRS = "theirs"


def _field_of(store: Store, table: str, fld: str):
    part = {"members": store.questionnaire.member, "households": store.questionnaire.household}.get(table)
    return part.by_key.get(fld) if part else None


def label(store: Store, table: str, fld: str) -> str:
    spec = _field_of(store, table, fld)
    return spec.label if spec else {"deleted": "删除标记", "pay": "工资"}.get(fld, fld)


def shown(store: Store, table: str, fld: str, value: Any) -> str:
    spec = _field_of(store, table, fld)
    if value is None:
        return "（空）"
    if spec:
        return display(spec, from_storage(spec, value)) or "（空）"
    return str(value)


def list_conflicts(store: Store, *, include_resolved: bool = False) -> list[dict]:
    """Conflicts with what a clerk needs to judge them: whose record, which
    field, the value in the record now and the value that lost, and who set
    each and when (``kept_by``/``kept_at``, ``lost_by``/``lost_at``)."""
    names = {d["id"]: d["cadre_name"] or "" for d in store.rows("SELECT id, cadre_name FROM sync_devices")}
    rows = store.rows(
        "SELECT c.*, d.cadre_name AS lost_by FROM sync_conflicts c LEFT JOIN sync_devices d ON d.id = c.lost_device "
        + ("" if include_resolved else "WHERE c.status = 'open' ") + "ORDER BY c.id")
    for r in rows:
        r["kept_value"] = json.loads(r["kept_value"])
        r["lost_value"] = json.loads(r["lost_value"])
        current = store.db.execute(f"SELECT [{r['field']}] FROM [{r['table_name']}] WHERE id = ?",
                                   [r["row_id"]]).fetchone()
        r["current_value"] = current[0] if current else None
        r["field_label"] = label(store, r["table_name"], r["field"])
        r["what"] = describe_row(store, r["table_name"], r["row_id"])
        r["kept_by"] = _who(store, names, stamp_device(r["kept_hlc"] or ""))
        r["lost_by"] = r["lost_by"] or _who(store, names, r["lost_device"] or "")
        r["kept_at"] = _when(r["kept_hlc"])
        r["lost_at"] = _when(r["lost_hlc"])
    return rows


def _who(store: Store, names: dict[str, str], device_id: str) -> str:
    """Who set a value: the cadre's name of a laptop, 县就业办, or the device id."""
    if device_id == store.device_id:
        return "本机"
    return names.get(device_id) or device_id or "未知"


def _when(stamp: str | None) -> str:
    """The local time a value was set, to the minute (from its clock stamp)."""
    text = stamp_time(stamp or "")
    if not text:
        return ""
    return dt.datetime.fromisoformat(text).astimezone().strftime("%Y-%m-%d %H:%M")


def set_by(row: dict, which: str) -> str:
    """"李强，2026-05-12 14:03" for the kept ("kept") or lost ("lost") value."""
    who, when = row[f"{which}_by"], row[f"{which}_at"]
    return f"{who}，{when}" if when else who


def describe_row(store: Store, table: str, row_id: str) -> str:
    if table == "members":
        found = store.rows("SELECT m.name, h.number FROM members m LEFT JOIN households h ON h.id = m.household_id "
                           "WHERE m.id = ?", [row_id])
        if found:
            return f"户编号 {found[0]['number']} {found[0]['name']}"
    if table == "households":
        found = store.rows("SELECT number, head_name FROM households WHERE id = ?", [row_id])
        if found:
            return f"户编号 {found[0]['number']} {found[0]['head_name'] or ''}".strip()
    return f"{table_label(table)} {row_id[:8]}"


def resolve(store: Store, conflict_id: int, *, keep: str | None = None, value: str | None = None) -> dict:
    """Settle one conflict: ``keep="mine"`` (the record stays), ``keep="theirs"``
    (the losing value is written back) or ``value`` (a new value, as text)."""
    rows = store.rows("SELECT * FROM sync_conflicts WHERE id = ?", [conflict_id])
    if not rows:
        raise NotFound(f"没有编号为 {conflict_id} 的冲突，请用“同步冲突”列表核对编号")
    c = rows[0]
    if c["status"] != "open":
        raise CadreDeskError(f"冲突 {conflict_id} 已经处理过了（{c['resolved_at']}）")
    if (keep is None) == (value is None):
        raise CadreDeskError("请选择一种处理方式：保留本机的值、采用对方的值，或填写新的值")
    table, fld = c["table_name"], c["field"]
    if keep == KEEP_MINE:
        status, new = "kept", None
    elif keep == TAKE_THEIRS:
        status, new = "taken", json.loads(c["lost_value"])
    elif keep is not None:
        raise CadreDeskError(f"处理方式只能是 mine（保留本机的值）或 theirs（采用对方的值），不能是“{keep}”")
    else:
        status, new = "edited", _coerce_text(store, table, fld, value)
    with store.transaction():
        if status != "kept":
            _write(store, table, c["row_id"], fld, new)
        store.db.execute("UPDATE sync_conflicts SET status = ?, resolved_at = ?, resolved_by = ?, resolved_value = ? "
                         "WHERE id = ?", [status, utc_now(), store.user, json.dumps(new, ensure_ascii=False)
                                          if status != "kept" else c["kept_value"], conflict_id])
    return {"id": conflict_id, "status": status}


def _write(store: Store, table: str, row_id: str, fld: str, new: Any) -> None:
    """The settled value written as an ordinary edit. A member's answer goes
    through the register's one write path: the whole record is validated (a
    value that makes other answers irrelevant empties them), an ID number
    brings its sex and birth date and must be free in the county."""
    spec = _field_of(store, table, fld)
    if table == "members" and spec is not None:
        result = register.save_members(store, [register.MemberRow({fld: from_storage(spec, new)}, member_id=row_id)],
                                       surveyed=False, block_missing=False)
        register.raise_errors(result.problems[0])
        return
    store.update(table, row_id, {fld: new})


def _coerce_text(store: Store, table: str, fld: str, text: str) -> Any:
    spec = _field_of(store, table, fld)
    if spec is None:
        return text
    try:
        return to_storage(spec, coerce(spec, text))
    except CoerceError as exc:
        raise ValidationFailed([_problem(fld, exc.message)]) from None


def _problem(fld: str, message: str):
    from ..questionnaire import Problem

    return Problem(fld, message)
