"""Field-level merge of rows received from another device.

Every field of every row has a clock: the hybrid-logical-clock stamp of the
change that wrote its current value (the latest ``change_log`` entry for that
field, or the row's creation entry ``*``). A received row carries the same
stamps from its sender. For each field the later stamp wins; wall clocks only
enter through the HLC, so a laptop with a wrong date cannot win by it alone.

A *conflict* is two devices changing the same field without having seen each
other's change. The package tells, for each field its sender changed since the
last acknowledged package, the value the sender changed it FROM (``bases``):
if that is not the value here, the two edits were concurrent. The later one
wins and the other value goes into ``sync_conflicts`` for the county office.

The same person entered on two laptops (same ID number, different row ids) is
merged into one member: the row created first (by stamp, then id) survives on
every device, fields are merged by stamp, the other row is soft-deleted, an
alias sends later changes of the old id to the survivor, and references
(offers, measures, ...) are pointed at the survivor as ordinary logged
changes, so that every device ends up the same (``same_person``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..storage import CREATE_FIELD, INTEGRITY_ERRORS, Store, table_label, utc_now
from .same_person import SamePersonMerging
from .tables import NO_STAMP, SYSTEM, columns, fill_ids, household_link, stamp_device, stamp_time, synced_tables


class ApplyError(Exception):
    """Raised inside the import transaction to roll everything back."""


@dataclass
class MergeResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0
    rejected: int = 0
    merged_people: int = 0
    notes: list[str] = field(default_factory=list)
    tables: dict[str, dict[str, int]] = field(default_factory=dict)

    def count(self, table: str, key: str, n: int = 1) -> None:
        setattr(self, key, getattr(self, key) + n)
        per = self.tables.setdefault(table, {})
        per[key] = per.get(key, 0) + n

    def note(self, text: str) -> None:
        if text not in self.notes and len(self.notes) < 50:
            self.notes.append(text)

    def as_dict(self) -> dict[str, Any]:
        return {"new": self.new, "updated": self.updated, "unchanged": self.unchanged,
                "conflicts": self.conflicts, "rejected": self.rejected, "merged_people": self.merged_people,
                "tables": {t: dict(sorted(per.items())) for t, per in self.tables.items()}, "notes": self.notes}


def _text(value: Any) -> str | None:
    """change_log keeps values as text: compare a stored base with a value."""
    return None if value is None else str(value)


# Acceptance hook: returns None to accept a row, or a Chinese reason to reject it.
Acceptor = Callable[[str, dict, "dict | None", "Merger"], "str | None"]


def _unique_reason(store: Store, table: str, row: dict, exc: Exception) -> str:
    """Why a row could not be written, in the clerk's words."""
    text = str(exc)
    if "households.number" in text:
        return (f"户编号 {row.get('number')} 已被本县另一户使用，这一户（{row.get('head_name') or ''}）的改动没有导入；"
                "请核对户编号后在帮扶干部的电脑上改正")
    if "members.id_number" in text:
        return (f"证件号码 {row.get('id_number')} 已登记在本县另一户，{row.get('name') or ''}的改动没有导入，"
                "留待县就业办复核")
    if "work_spells" in text:
        return (f"这名成员 {row.get('start_month') or ''} 开始的务工已在本机登记（同一人同一开始月份是同一段务工），"
                "这条务工记录没有导入，留待县就业办复核")
    return f"有一条{table_label(table)}记录与本机已有的数据冲突（{text}），没有导入，留待县就业办复核"


class Merger(SamePersonMerging):
    def __init__(self, store: Store, *, record_conflicts: bool, accept: Acceptor | None = None,
                 users: dict[str, str] | None = None, log_id: int | None = None, sender: str | None = None,
                 stamp_limit: str | None = None, sender_name: str = ""):
        self.store = store
        self.sender = sender
        self.sender_name = sender_name
        # Stamps later than this (the receiver's wall clock plus the allowed
        # drift) are not applied: their rows are kept for review.
        self.stamp_limit = stamp_limit
        self.touched: dict[str, set[str]] = {}
        self.row_stamps: list[str] = []  # the stamps of the row being accepted
        self.record_conflicts = record_conflicts
        self.accept = accept
        self.users = users or {}
        self.log_id = log_id
        self.result = MergeResult()
        self.aliases = {r["old_id"]: r["new_id"] for r in store.rows("SELECT old_id, new_id FROM sync_aliases")}
        self.member_households: dict[str, str] = {}
        self._tables = synced_tables(store)
        self._fks = {t: {fk.column: fk.other_table for fk in store.db[t].foreign_keys} for t in self._tables}
        self.links = {t: household_link(store, t) for t in self._tables}

    # ------------------------------------------------------------ entry point
    def apply(self, blocks: list[dict]) -> MergeResult:
        by_name = {b["name"]: b for b in blocks}
        for name in [t for t in self._tables if t in by_name] + [n for n in by_name if n not in self._tables]:
            self._table(by_name[name])
        self._repoint()
        return self.result

    # ------------------------------------------------------------ refusals
    def refuse(self, table: str, row: dict, reason: str, stamp: str = "") -> None:
        """Count and name a row that is not applied, and keep it whole for
        review (``sync_rejected``), once per row and stamp."""
        self.result.count(table, "rejected")
        self.result.note(reason)
        if self.log_id is None:
            return
        self.store.db.execute(
            "INSERT OR IGNORE INTO sync_rejected(log_id, device_id, table_name, row_id, reason, row_json, stamp, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [self.log_id, self.sender, table, str(row.get("id")), reason,
             json.dumps(row, ensure_ascii=False, default=str), stamp, utc_now()])

    def _too_late(self, created: str, stamps: dict) -> str | None:
        if self.stamp_limit is None:
            return None
        top = max([created, *stamps.values()])
        return top if top > self.stamp_limit else None

    def _write(self, table: str, rows: dict[str, dict], *, new_rows: list = (), updates: list = (),
               log: list = ()) -> None:
        """Write received rows; a row the database refuses (a unique number
        used by another row here) is refused alone, the rest is written."""
        try:
            with self.store.transaction():
                self.store.write_remote(table, new_rows=new_rows, updates=updates, log=log)
            self._touch(table, [u[0] for u in updates] + [r["id"] for r in new_rows])
            return
        except INTEGRITY_ERRORS:  # either driver's (connections are SQLCipher's)
            pass
        by_row: dict[str, list] = {}
        for entry in log:
            by_row.setdefault(entry[1], []).append(entry)
        pieces = [(u[0], {"updates": [u]}, "updated") for u in updates]
        pieces += [(r["id"], {"new_rows": [r]}, "new") for r in new_rows]
        for row_id, what, key in pieces:
            row_log = by_row.pop(row_id, [])
            try:
                with self.store.transaction():
                    self.store.write_remote(table, log=row_log, **what)
                self._touch(table, [row_id])
            except INTEGRITY_ERRORS as exc:
                self.result.count(table, key, -1)
                row = rows.get(row_id) or (what.get("new_rows") or [{"id": row_id}])[0]
                self.refuse(table, row, _unique_reason(self.store, table, row, exc),
                            max((e[8] for e in row_log), default=""))
        rest = [e for entries in by_row.values() for e in entries]
        if rest:
            self.store.write_remote(table, log=rest)

    def _touch(self, table: str, ids) -> None:
        self.touched.setdefault(table, set()).update(ids)

    def check_parents_of_touched(self) -> list[str]:
        """Foreign keys of the rows this merge wrote (not of the whole
        database: the cost follows the package, not the county's size)."""
        broken = []
        for table, ids in self.touched.items():
            fks = self._fks.get(table) or {}
            if not ids or not fks:
                continue
            fill_ids(self.store, ids)
            for col, parent in fks.items():
                found = self.store.db.execute(
                    f"SELECT t.id FROM temp.sync_ids i JOIN [{table}] t ON t.id = i.id "
                    f"LEFT JOIN [{parent}] p ON p.id = t.[{col}] WHERE t.[{col}] IS NOT NULL AND p.id IS NULL "
                    "LIMIT 1").fetchone()
                if found:
                    broken.append(f"{table}.{col}")
        return broken

    # ------------------------------------------------------------ helpers
    def _user(self, stamp: str) -> str:
        return self.users.get(stamp_device(stamp), "")

    def _entry(self, table: str, row_id: str, fld: str, old: Any, new: Any, stamp: str) -> tuple:
        return (table, row_id, fld, old, new, self._user(stamp), stamp_device(stamp), stamp_time(stamp), stamp)

    def _local_entry(self, table: str, row_id: str, fld: str, old: Any, new: Any) -> tuple:
        s = self.store
        return (table, row_id, fld, old, new, s.user, s.device_id, utc_now(), s.clock.now())

    def _stamps(self, table: str) -> dict[str, dict[str, str]]:
        """Field stamps of the rows whose ids are in temp.sync_ids."""
        out: dict[str, dict[str, str]] = {}
        for row_id, fld, hlc in self.store.db.execute(
                "SELECT row_id, field, max(hlc) FROM change_log WHERE table_name = ? "
                "AND row_id IN (SELECT id FROM temp.sync_ids) GROUP BY row_id, field", [table]):
            out.setdefault(row_id, {})[fld] = hlc
        return out

    def _conflict(self, table: str, row_id: str, fld: str, kept: Any, kept_hlc: str, lost: Any, lost_hlc: str):
        if not self.record_conflicts:
            return
        cur = self.store.db.execute(
            "INSERT OR IGNORE INTO sync_conflicts(table_name, row_id, field, kept_value, kept_hlc, lost_value, "
            "lost_hlc, lost_device, detected_at, log_id, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')",
            [table, row_id, fld, json.dumps(kept, ensure_ascii=False), kept_hlc,
             json.dumps(lost, ensure_ascii=False), lost_hlc, stamp_device(lost_hlc), utc_now(), self.log_id])
        if cur.rowcount:
            self.result.count(table, "conflicts")

    def _seen(self, table: str, row_id: str, fld: str, stamp: str) -> bool:
        return self.store.db.execute(
            "SELECT 1 FROM change_log WHERE table_name = ? AND row_id = ? AND field = ? AND hlc = ? LIMIT 1",
            [table, row_id, fld, stamp]).fetchone() is not None

    def _superseded(self, table: str, row_id: str, fld: str, stamp: str) -> bool:
        """A later change of the same field by the same device is here: the
        received value is that device's own earlier one (an older package
        imported after a newer one), not a concurrent edit."""
        return self.store.db.execute(
            "SELECT 1 FROM change_log WHERE table_name = ? AND row_id = ? AND field = ? AND device_id = ? "
            "AND hlc > ? LIMIT 1", [table, row_id, fld, stamp_device(stamp), stamp]).fetchone() is not None

    def household_of(self, table: str, row: dict) -> str | None:
        link = self.links.get(table)
        if link == "id":
            return row.get("id")
        if link == "household_id":
            return row.get("household_id")
        if link == "member_id":
            mid = self.aliases.get(row.get("member_id"), row.get("member_id"))
            if mid in self.member_households:
                return self.member_households[mid]
            found = self.store.db.execute("SELECT household_id FROM members WHERE id = ?", [mid]).fetchone()
            return found[0] if found else None
        return None

    # ------------------------------------------------------------ one table
    def _table(self, block: dict) -> None:
        table = block["name"]
        rows, metas = block["rows"], block["meta"]
        if table not in self._tables:
            self.result.count(table, "rejected", len(rows))
            self.result.note(f"本机的程序没有“{table}”这类数据，{len(rows)} 条未导入；请升级帮扶工作台")
            return
        local_cols = set(columns(self.store, table))
        cols = block["columns"]
        keep = [i for i, c in enumerate(cols) if c in local_cols]
        if len(keep) < len(cols):
            missing = "、".join(c for c in cols if c not in local_cols)
            self.result.note(f"本机的程序不认识这些栏目，已忽略：{missing}（升级程序后可重新导入）")
        kcols = [cols[i] for i in keep]
        whole = len(keep) == len(cols)
        incoming = []
        for values, (created, stamps, bases) in zip(rows, metas):
            row = dict(zip(kcols, values if whole else [values[i] for i in keep]))
            incoming.append((row, created or NO_STAMP, stamps or {}, bases or {}))

        aliases = self.aliases
        fill_ids(self.store, [aliases.get(r["id"], r["id"]) for r, *_ in incoming])
        cursor = self.store.db.execute(f"SELECT t.* FROM [{table}] t JOIN temp.sync_ids i ON i.id = t.id")
        names = [d[0] for d in cursor.description]
        local = {r[0]: dict(zip(names, r)) for r in cursor.fetchall()}
        local_stamps = self._stamps(table) if local else {}

        accepted = []
        for item in incoming:
            row, created, stamps, _bases = item
            target = aliases.get(row["id"], row["id"])
            existing = local.get(target)
            late = self._too_late(created, stamps)
            if late:
                self.refuse(table, row, f"{self.sender_name or '对方'}电脑上的时钟比本机快一天以上（改动时间记为 "
                            f"{stamp_time(late)[:10]}），这些改动没有导入，留待复核；请把那台电脑的日期和时间改正",
                            late)
                continue
            if self.accept is not None:
                self.row_stamps = [created, *stamps.values()]
                reason = self.accept(table, row, existing, self)
                if reason:
                    self.refuse(table, row, reason, max([created, *stamps.values()]))
                    continue
            accepted.append((item, target, existing))
        accepted = self._check_parents(table, accepted)
        received = {target: item[0] for item, target, _ in accepted}

        updates, log = [], []
        new_items = []
        for (row, created, stamps, bases), target, existing in accepted:
            if table == "members":
                self.member_households[target] = (existing or row).get("household_id")
            if existing is None:
                new_items.append((row, created, stamps))
                continue
            changes = self._merge_fields(table, target, row, created, stamps, bases, existing,
                                         local_stamps.get(target, {}), log, aliased=target != row["id"])
            if changes:
                top = max(stamps.get(k, created) for k in changes)
                updates.append((target, changes, stamp_time(top), stamp_device(top)))
                existing.update(changes)
                self.result.count(table, "updated")
            else:
                self.result.count(table, "unchanged")
        self._write(table, received, updates=updates, log=log)

        if table == "members":
            new_items = self._merge_same_people(new_items)
        new_rows, log = [], []
        for row, created, stamps in new_items:
            full = {"created_at": row.get("created_at") or stamp_time(created),
                    "updated_at": row.get("updated_at") or stamp_time(created),
                    "device_id": row.get("device_id") or stamp_device(created), "deleted": 0, **row}
            new_rows.append(full)
            body = {k: v for k, v in full.items() if k not in SYSTEM}
            log.append(self._entry(table, full["id"], CREATE_FIELD, None, json.dumps(body, ensure_ascii=False),
                                   created))
            log.extend(self._entry(table, full["id"], f, None, full.get(f), s)
                       for f, s in stamps.items() if f in full and f != CREATE_FIELD)
            if table == "members":
                self.member_households[full["id"]] = full.get("household_id")
            self.result.count(table, "new")
        self._write(table, received, new_rows=new_rows, log=log)

    def _check_parents(self, table: str, accepted: list) -> list:
        """Reject rows whose parent (household, member, opening, ...) exists
        neither here nor earlier in this package; their children follow."""
        fks = self._fks.get(table, {})
        if not fks:
            return accepted
        def ref(row: dict, existing: dict | None, col: str, parent: str):
            value = row.get(col, (existing or {}).get(col))
            return self.aliases.get(value, value) if parent == "members" else value

        wanted: dict[str, set] = {}
        for (row, *_), _target, existing in accepted:
            for col, parent in fks.items():
                value = ref(row, existing, col, parent)
                if value is not None:
                    wanted.setdefault(parent, set()).add(value)
        present: dict[str, set] = {}
        for parent, ids in wanted.items():
            fill_ids(self.store, ids)
            present[parent] = {r[0] for r in self.store.db.execute(
                f"SELECT p.id FROM [{parent}] p JOIN temp.sync_ids i ON i.id = p.id")}
        out = []
        for item in accepted:
            (row, *_), _target, existing = item
            missing = [col for col, parent in fks.items()
                       if ref(row, existing, col, parent) is not None
                       and ref(row, existing, col, parent) not in present[parent]]
            if missing:
                row = item[0][0]
                self.refuse(table, row, f"有记录缺少它所属的上级记录（{table}.{missing[0]}），未导入；"
                            "请让对方用“全部重发”导出后再导入", max([item[0][1], *item[0][2].values()]))
                continue
            out.append(item)
        return out

    # ------------------------------------------------------------ field merge
    def _merge_fields(self, table: str, row_id: str, row: dict, created: str, stamps: dict, bases: dict,
                      local: dict, lstamps: dict, log: list, *, aliased: bool = False) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        local_created = lstamps.get(CREATE_FIELD, NO_STAMP)
        # Only fields that differ, or that carry their own stamp, need a look
        # (this loop is the hot path of a large import).
        fields = [f for f, v in row.items() if v != local.get(f, v)]
        fields.extend(f for f in stamps if f in local and f in row and row[f] == local[f])
        for fld in fields:
            if fld in SYSTEM:
                continue
            remote_value = row[fld]
            if aliased and (fld == "deleted" or fld not in stamps):
                # A merged-away row: only its later edits move to the survivor;
                # its first values were weighed when the two were merged.
                continue
            rs = stamps.get(fld, created)
            ls = lstamps.get(fld, local_created)
            local_value = local.get(fld)
            if remote_value == local_value:
                if rs > ls:  # same value, later stamp: adopt it so clocks agree everywhere
                    log.append(self._entry(table, row_id, fld, local_value, remote_value, rs))
                continue
            if rs > ls:
                if table == "members" and not self._unique_ok(row_id, fld, remote_value, local):
                    self._conflict(table, row_id, fld, local_value, ls, remote_value, rs)
                    continue
                if fld in bases and _text(bases[fld]) != _text(local_value) and fld in lstamps:
                    self._conflict(table, row_id, fld, remote_value, rs, local_value, ls)
                changes[fld] = remote_value
                log.append(self._entry(table, row_id, fld, local_value, remote_value, rs))
            elif (rs < ls and fld in bases and not self._seen(table, row_id, fld, rs)
                  and not self._superseded(table, row_id, fld, rs)):
                self._conflict(table, row_id, fld, local_value, ls, remote_value, rs)
        return changes

    def _unique_ok(self, row_id: str, fld: str, value: Any, local: dict) -> bool:
        """A received ID number (or an undelete) must not make two live members
        with the same number; such a change is kept as a conflict instead."""
        if fld not in ("id_number", "deleted"):
            return True
        id_number = value if fld == "id_number" else local.get("id_number")
        deleted = value if fld == "deleted" else local.get("deleted")
        if deleted or not id_number:
            return True
        return self.store.db.execute("SELECT 1 FROM members WHERE id_number = ? AND deleted = 0 AND id != ?",
                                     [id_number, row_id]).fetchone() is None
