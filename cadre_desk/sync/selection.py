"""Row selection: which rows go into a package, with each field's clock
stamp (the rows changed since the other side last acknowledged, within what
the receiver may see). Writing the package is ``export.py``'s.

A package is cumulative: it holds every change after the point the receiver
has confirmed (``acked_upto``, a ``change_log.seq`` of this database), not
just the changes after the previous package. So a lost package costs nothing,
and packages may be imported in any order: an older one only repeats what a
newer one carries, and older stamps lose to newer ones field by field.

Changes that came FROM the receiver are not sent back to it (except to a
receiver restored from a backup, which lacks some of its own). From the county
office to a laptop only what the laptop's cadre needs goes: county-wide data
(places, enterprises, openings, policies, cadres) and the rows of the
households currently paired with that cadre; a household newly paired with
the cadre goes in whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..storage import CREATE_FIELD, Store
from .tables import columns, fill_ids, household_link, synced_tables


@dataclass(frozen=True)
class Scope:
    """What a laptop may receive: its cadre's current households; ``whole``
    are households to send in full (newly paired, or a full package)."""

    cadre_id: str
    households: frozenset[str]
    whole: frozenset[str]


def high_water(store: Store) -> int:
    return store.db.execute("SELECT coalesce(max(seq), 0) FROM change_log").fetchone()[0]


def changed_rows(store: Store, since: int, upto: int, receiver: str | None) -> dict[str, dict[str, dict]]:
    """``{table: {row_id: {field: base}}}`` for changes in ``(since, upto]`` not
    made by ``receiver``; ``base`` is the value the field had before the
    latest author's run of changes in that range began: the value that author
    saw (what conflict detection compares with)."""
    out: dict[str, dict[str, dict]] = {}
    # A run of one author's changes to a field starts where the author differs
    # from the previous entry's (window function: one pass in SQL, not a
    # Python loop over every change); the last start in seq order wins.
    for table, row_id, fld, old, starts in store.db.execute(
            "SELECT table_name, row_id, field, old_value, "
            "  CASE WHEN prev_seq IS NULL THEN device_id IS NOT NULL ELSE prev IS NOT device_id END "
            "FROM (SELECT seq, table_name, row_id, field, old_value, device_id, "
            "        lag(device_id) OVER w AS prev, lag(seq) OVER w AS prev_seq "
            "      FROM change_log WHERE seq > ? AND seq <= ? AND device_id IS NOT ? "
            "      WINDOW w AS (PARTITION BY table_name, row_id, field ORDER BY seq)) "
            "ORDER BY seq", [since, upto, receiver]):
        fields = out.setdefault(table, {}).setdefault(row_id, {})
        if starts:
            fields[fld] = old
    return out


def apply_scope(store: Store, changed: dict[str, dict[str, dict]], scope: Scope) -> dict[str, dict[str, dict]]:
    """Keep what the laptop of ``scope.cadre_id`` should see, and add whole
    rows of the households in ``scope.whole``."""
    out: dict[str, dict[str, dict]] = {}
    for table in synced_tables(store):
        link = household_link(store, table)
        rows = dict(changed.get(table, {}))
        if link is None:
            out[table] = rows
            continue
        col = "id" if link == "id" else link
        # Row -> household for the changed rows and the rows of whole households.
        house_of: dict[str, str | None] = {}
        # Driven by the changed ids (temp table): the cost follows the package, not the county.
        fill_ids(store, rows)
        if link == "member_id":
            sql = (f"SELECT t.id, m.household_id FROM temp.sync_ids i CROSS JOIN [{table}] t ON t.id = i.id "
                   "LEFT JOIN members m ON m.id = t.member_id")
        else:
            sql = f"SELECT t.id, t.[{col}] FROM temp.sync_ids i CROSS JOIN [{table}] t ON t.id = i.id"
        for rid, value in store.db.execute(sql):
            house_of[rid] = value
        keep = {rid: b for rid, b in rows.items() if house_of.get(rid) in scope.households}
        if table == "pairings":  # the laptop must also learn that a pairing of its cadre ended
            for rid in store.db.execute(
                    "SELECT p.id FROM pairings p JOIN temp.sync_ids i ON i.id = p.id WHERE p.cadre_id = ?",
                    [scope.cadre_id]).fetchall():
                keep.setdefault(rid[0], rows[rid[0]])
        if scope.whole:
            fill_ids(store, scope.whole)
            if link == "member_id":
                sql = (f"SELECT t.id FROM [{table}] t JOIN members m ON m.id = t.member_id "
                       "JOIN temp.sync_ids i ON i.id = m.household_id")
            else:
                sql = f"SELECT t.id FROM [{table}] t JOIN temp.sync_ids i ON i.id = t.[{col}]"
            for (rid,) in store.db.execute(sql):
                keep.setdefault(rid, {})
        out[table] = keep
    return out


def collect(store: Store, wanted: dict[str, dict[str, dict]]) -> tuple[list[dict], dict[str, int]]:
    """Blocks of whole rows with field stamps, parents before children."""
    blocks, counts = [], {}
    for table in synced_tables(store):
        rows = wanted.get(table)
        if not rows:
            continue
        fill_ids(store, rows)
        cols = columns(store, table)
        values = store.db.execute(
            f"SELECT {', '.join(f't.[{c}]' for c in cols)} FROM [{table}] t JOIN temp.sync_ids i ON i.id = t.id"
        ).fetchall()
        stamps: dict[str, dict[str, str]] = {}
        for row_id, fld, hlc in store.db.execute(
                "SELECT c.row_id, c.field, max(c.hlc) FROM temp.sync_ids i "
                "JOIN change_log c ON c.table_name = ? AND c.row_id = i.id GROUP BY c.row_id, c.field", [table]):
            per = stamps.get(row_id)
            if per is None:
                per = stamps[row_id] = {}
            per[fld] = hlc
        meta = []
        for v in values:
            s = stamps.get(v[0], {})
            created = s.pop(CREATE_FIELD, "")
            bases = rows[v[0]]
            if CREATE_FIELD in bases:
                bases = {f: b for f, b in bases.items() if f != CREATE_FIELD}
            meta.append([created, s, bases])
        blocks.append({"name": table, "columns": cols, "rows": values, "meta": meta})
        counts[table] = len(values)
    return blocks, counts
