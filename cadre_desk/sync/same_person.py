"""The same person entered on two laptops (same ID number, different row
ids), merged into one member while a package is merged (``merge.Merger``
mixes this in): the row created first (by stamp, then id) survives on every
device, fields are merged by stamp (a field one left empty is filled from the
other), the other row is soft-deleted, an alias sends later changes of the
old id to the survivor, and references (offers, measures, ...) are pointed at
the survivor as ordinary logged changes."""

from __future__ import annotations

from typing import Any

from ..storage import CREATE_FIELD, utc_now
from .tables import NO_STAMP, SYSTEM, fill_ids


class SamePersonMerging:
    """The same-person part of ``merge.Merger`` (it uses the merger's store,
    result, stamps, conflicts and refusals)."""

    def _merge_same_people(self, items: list) -> list:
        """New member rows whose ID number is already live here (or earlier in
        the package) are merged instead of inserted; returns the rows to insert."""
        numbers = {r.get("id_number") for r, *_ in items if r.get("id_number") and not r.get("deleted")}
        if not numbers:
            return items
        fill_ids(self.store, numbers)
        live = {r["id_number"]: r for r in self.store.rows(
            "SELECT m.* FROM members m JOIN temp.sync_ids i ON i.id = m.id_number WHERE m.deleted = 0")}
        if not live:
            return items
        fill_ids(self.store, [r["id"] for r in live.values()])
        live_stamps = self._stamps("members")
        out = []
        for row, created, stamps in items:
            other = live.get(row.get("id_number")) if not row.get("deleted") else None
            if other is None:
                out.append((row, created, stamps))
                continue
            if other.get("household_id") != row.get("household_id"):
                # The same ID number in another household: a duplicate for
                # review, never a move of that person into this household.
                self.refuse("members", row, f"证件号码 {row.get('id_number')} 已登记在本县另一户"
                            f"（{self._place(other)}），{self.sender_name or '对方'}新录入的“{row.get('name') or ''}”"
                            "没有导入，留待县就业办复核", max([created, *stamps.values()]))
                continue
            ostamps = live_stamps.get(other["id"], {})
            ocreated = ostamps.get(CREATE_FIELD, NO_STAMP)
            merged, merged_stamps = dict(row), dict(stamps)
            to_local: dict[str, Any] = {}
            to_local_log = []
            for fld in row:
                if fld in SYSTEM or fld == "deleted" or fld not in other:
                    continue
                rs, ls = stamps.get(fld, created), ostamps.get(fld, ocreated)
                rv, lv = row[fld], other[fld]
                if rv == lv:
                    continue
                # A field one of them left empty is filled from the other; else the later stamp wins.
                remote_wins = lv is None if rv is None or lv is None else rs > ls
                if rv is not None and lv is not None:
                    kept, lost = ((rv, rs), (lv, ls)) if remote_wins else ((lv, ls), (rv, rs))
                    self._conflict("members", other["id"], fld, kept[0], kept[1], lost[0], lost[1])
                # The kept value must carry the later stamp, or other devices
                # holding the other row would not take it: when it won by being
                # filled in rather than by its stamp, it gets a new one.
                stamp = rs if remote_wins else ls
                if stamp < max(rs, ls):
                    stamp = self.store.clock.now()
                if remote_wins:
                    to_local[fld] = rv
                    to_local_log.append(self._entry("members", other["id"], fld, lv, rv, stamp))
                else:
                    merged[fld] = lv
                    merged_stamps[fld] = stamp
            self.result.count("members", "merged_people")
            if (created, row["id"]) > (ocreated, other["id"]):
                # The row here was entered first: it carries on, with the newer fields.
                if to_local:
                    self.store.write_remote("members", updates=[(other["id"], to_local, utc_now(),
                                                                 self.store.device_id)], log=to_local_log)
                    other.update(to_local)
                gone = {**row, "deleted": 1}
                out.append((gone, created, {**stamps, "deleted": self.store.clock.now()}))
                self._alias(row["id"], other["id"])
            else:
                # The received row was entered first: this one is retired for it.
                self.store.write_remote("members", updates=[(other["id"], {"deleted": 1}, utc_now(),
                                                             self.store.device_id)],
                                        log=[self._local_entry("members", other["id"], "deleted", 0, 1)])
                out.append((merged, created, merged_stamps))
                self._alias(other["id"], row["id"])
                live[row["id_number"]] = merged
                self.member_households[row["id"]] = merged.get("household_id")
        return out

    def _place(self, member: dict) -> str:
        found = self.store.db.execute("SELECT number FROM households WHERE id = ?",
                                      [member.get("household_id")]).fetchone()
        return f"户编号 {found[0] if found else '?'} {member.get('name') or ''}".strip()

    def _alias(self, old_id: str, new_id: str) -> None:
        # Chains collapse: whatever pointed at old_id now points at new_id.
        self.store.db.execute("UPDATE sync_aliases SET new_id = ? WHERE new_id = ?", [new_id, old_id])
        self.store.db.execute("INSERT OR REPLACE INTO sync_aliases(old_id, table_name, new_id, merged_at) "
                              "VALUES (?, 'members', ?, ?)", [old_id, new_id, utc_now()])
        self.aliases = {r["old_id"]: r["new_id"] for r in self.store.rows("SELECT old_id, new_id FROM sync_aliases")}

    def _repoint(self) -> None:
        """References to merged-away members move to the survivor, and a
        merged-away member stays deleted, as ordinary logged changes."""
        if not self.aliases:
            return
        for table in self._tables:
            if self._fks.get(table, {}).get("member_id") != "members":
                continue
            for row in self.store.rows(f"SELECT t.id, a.new_id FROM [{table}] t "
                                       "JOIN sync_aliases a ON a.old_id = t.member_id"):
                self.store.update(table, row["id"], {"member_id": row["new_id"]})
        for row in self.store.rows("SELECT m.id FROM members m JOIN sync_aliases a ON a.old_id = m.id "
                                   "WHERE m.deleted = 0"):
            self.store.delete("members", row["id"])
