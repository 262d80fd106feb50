"""Which tables sync carries, in which order, and which household a row
belongs to (a laptop sees and sends only its own households).

A table is synced when it has the common columns of an editable table
(``migrations.COMMON``); new editable tables added by later migrations are
carried without a change here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

from ..migrations import COMMON
from ..storage import Store

SYSTEM = ("id", "created_at", "updated_at", "device_id")


def synced_tables(store: Store) -> list[str]:
    """Editable tables, parents before children (foreign keys)."""
    names = [t for t in store.db.table_names()
             if not t.startswith(("sync_", "_")) and set(COMMON) <= set(store.db[t].columns_dict)]
    deps = {t: {fk.other_table for fk in store.db[t].foreign_keys if fk.other_table in names and fk.other_table != t}
            for t in names}
    ordered: list[str] = []
    while deps:
        ready = sorted(t for t, d in deps.items() if d <= set(ordered))
        if not ready:  # a cycle: keep the rest in name order (foreign keys are checked at commit)
            ready = sorted(deps)
        for t in ready:
            ordered.append(t)
            deps.pop(t)
    return ordered


def columns(store: Store, table: str) -> list[str]:
    return list(store.db[table].columns_dict)


def household_link(store: Store, table: str) -> str | None:
    """How a row of ``table`` names its household: "id" (households),
    "household_id", "member_id" (through the member), or None (county-wide)."""
    if table == "households":
        return "id"
    cols = store.db[table].columns_dict
    if "household_id" in cols:
        return "household_id"
    if "member_id" in cols:
        return "member_id"
    return None


def current_households(store: Store, cadre_id: str) -> set[str]:
    return {r["household_id"] for r in store.rows(
        "SELECT household_id FROM pairings WHERE cadre_id = ? AND deleted = 0 AND until IS NULL", [cadre_id])}


def ever_households(store: Store, cadre_id: str) -> set[str]:
    return {r["household_id"] for r in store.rows(
        "SELECT household_id FROM pairings WHERE cadre_id = ? AND deleted = 0", [cadre_id])}


def fill_ids(store: Store, ids: Iterable[str]) -> None:
    """Put ids into the temporary table ``temp.sync_ids`` for joins (a 20,000-id
    ``IN (...)`` list would hit SQLite's variable limit)."""
    conn = store.db.conn
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS sync_ids (id TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.execute("DELETE FROM temp.sync_ids")
    conn.executemany("INSERT OR IGNORE INTO temp.sync_ids VALUES (?)", ((i,) for i in ids))


NO_STAMP = ""  # a row or field without a clock stamp (sorts before every stamp)


def stamp_time(stamp: str) -> str:
    """The wall time inside an HLC stamp, as an ISO string (for change_log.at)."""
    return _ms_time((stamp or "").split("-", 1)[0])


@lru_cache(maxsize=4096)
def _ms_time(ms_text: str) -> str:
    # Cached: a large import has many stamps from the same millisecond.
    try:
        ms = int(ms_text)
    except ValueError:
        return ""
    return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).isoformat(timespec="milliseconds")


def stamp_device(stamp: str) -> str:
    parts = (stamp or "").split("-", 2)
    return parts[2] if len(parts) == 3 else ""
