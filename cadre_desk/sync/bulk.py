"""The set-based field merge for large packages: the same decisions as
``Merger._merge_fields`` (cadre_desk/sync/merge.py), made in SQL for a whole
table block at once.

A package of 20,000 changed members spent most of its import time comparing
rows field by field in Python and building one change-log tuple per changed
field. Here the received rows go into a TEMP table, the fields to look at
(different from the local value, or carrying their own stamp) are found by
joining it with the local table, the local stamps come from ``change_log``
through its index, and the winners are written with ``UPDATE ... FROM`` and
``INSERT INTO change_log SELECT ...``: still one change-log row per changed
field, in the same order, with the sender's stamp. Only the rare cases stay
in Python: conflicts (their values are stored as JSON by Python, exactly as
the row-by-row path stores them) and the uniqueness check of a received ID
number or undelete.

Rows go through this path only when they already exist here under their own
id; new rows, merged-away ids (aliases) and small blocks take the row-by-row
path. tests/test_sync_bulk.py checks that both paths leave the same database.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from .tables import SYSTEM

if TYPE_CHECKING:  # pragma: no cover
    from .merge import Merger

# Position of an equal-valued field with a newer stamp among a row's fields:
# after the differing ones, in the order of the row's stamps (as in _merge_fields).
_STAMPED_AFTER = 1_000_000


def _q(name: str) -> str:
    return "[" + name.replace("]", "]]") + "]"


# The parts of an HLC stamp "PPPPPPPPPPPPP-CCCCC-DEVICE" (cadre_desk/clock.py) in
# SQL, equal to tables.stamp_device / tables.stamp_time for every stamp the
# clock makes (13-digit milliseconds): no Python call per change-log row.
def _device_sql(stamp: str) -> str:
    return f"substr({stamp}, 21)"


def _time_sql(stamp: str) -> str:
    ms = f"CAST(substr({stamp}, 1, 13) AS INTEGER)"
    return (f"(strftime('%Y-%m-%dT%H:%M:%S', {ms} / 1000, 'unixepoch') || '.' || "
            f"printf('%03d', {ms} % 1000) || '+00:00')")


def _users(conn: sqlite3.Connection, users: dict[str, str]) -> None:
    conn.execute("DROP TABLE IF EXISTS temp.sync_users")
    conn.execute("CREATE TEMP TABLE sync_users (device PRIMARY KEY, name)")
    conn.executemany("INSERT INTO temp.sync_users VALUES (?, ?)", users.items())


def _temp_tables(conn: sqlite3.Connection, fields: list[str]) -> None:
    for name in ("sync_in", "sync_in_f", "sync_cand", "sync_rows"):
        conn.execute(f"DROP TABLE IF EXISTS temp.{name}")
    # Columns without a declared type keep every value exactly as received.
    conn.execute(f"CREATE TEMP TABLE sync_in (pos INTEGER PRIMARY KEY, target, created, lcreated, "
                 f"{', '.join(_q(f) for f in fields)})")
    conn.execute("CREATE TEMP TABLE sync_in_f (pos INTEGER, field, hlc, base, has_base, ord, "
                 "PRIMARY KEY (pos, field)) WITHOUT ROWID")
    conn.execute("CREATE TEMP TABLE sync_cand (pos INTEGER, target, field, ord, differ, rv, lv, rs, ls, "
                 "lstamped, base, has_base, blocked DEFAULT 0)")
    conn.execute("CREATE TEMP TABLE sync_rows (target PRIMARY KEY, sig, top) WITHOUT ROWID")


def merge_existing(m: Merger, table: str, fields_in: list[str], items: list[tuple]) -> None:
    """Merge received rows into existing local rows of ``table``.

    ``fields_in``: the received columns this database has; ``items``:
    ``(row, created, stamps, bases, target)`` with ``target == row["id"]``,
    already accepted and checked for parents."""
    store = m.store
    conn = store.db.conn
    fields = [f for f in fields_in if f not in SYSTEM]
    fset = set(fields)
    _temp_tables(conn, fields)
    _users(conn, m.users)

    in_rows, in_f, stamped = [], [], set()
    for pos, (row, created, stamps, bases, target) in enumerate(items):
        in_rows.append((pos, target, created, *[row[f] for f in fields]))
        for k, (f, hlc) in enumerate(stamps.items()):
            if f in fset:
                in_f.append((pos, f, hlc, bases.get(f), f in bases, k))
                stamped.add(f)
        for f, base in bases.items():
            if f in fset and f not in stamps:
                in_f.append((pos, f, None, base, True, None))
    marks = ", ".join("?" * (3 + len(fields)))
    conn.executemany(f"INSERT INTO temp.sync_in (pos, target, created, {', '.join(_q(f) for f in fields)}) "
                     f"VALUES ({marks})", in_rows)
    conn.executemany("INSERT INTO temp.sync_in_f VALUES (?, ?, ?, ?, ?, ?)", in_f)
    conn.execute("UPDATE temp.sync_in SET lcreated = (SELECT max(c.hlc) FROM change_log c "
                 "WHERE c.table_name = ? AND c.row_id = temp.sync_in.target AND c.field = '*')", [table])

    # Which columns differ anywhere (one pass), plus the stamped ones: only
    # those get a look, column by column.
    t = _q(table)
    flags = conn.execute(
        f"SELECT {', '.join(f'max(i.{_q(f)} IS NOT l.{_q(f)})' for f in fields)} "
        f"FROM temp.sync_in i JOIN main.{t} l ON l.id = i.target").fetchone()
    active = [(k, f) for k, f in enumerate(fields) if (flags and flags[k]) or f in stamped]
    for k, f in active:
        c = _q(f)
        conn.execute(
            "INSERT INTO temp.sync_cand (pos, target, field, ord, differ, rv, lv, rs, ls, lstamped, base, has_base) "
            "SELECT pos, target, ?, CASE WHEN differ THEN ? ELSE ? + sord END, differ, rv, lv, rs, "
            "coalesce(lf, lcreated, ''), lf IS NOT NULL, base, has_base FROM ("
            f"  SELECT i.pos, i.target, i.{c} IS NOT l.{c} AS differ, i.{c} AS rv, l.{c} AS lv, "
            "    coalesce(s.hlc, i.created) AS rs, i.lcreated, s.base, coalesce(s.has_base, 0) AS has_base, "
            "    s.ord AS sord, (SELECT max(x.hlc) FROM change_log x WHERE x.table_name = ? AND x.row_id = i.target "
            "      AND x.field = ?) AS lf "
            f"  FROM temp.sync_in i JOIN main.{t} l ON l.id = i.target "
            "  LEFT JOIN temp.sync_in_f s ON s.pos = i.pos AND s.field = ? "
            f"  WHERE i.{c} IS NOT l.{c} OR s.hlc IS NOT NULL)",
            [f, k, _STAMPED_AFTER, table, f, f])

    conn.execute("CREATE INDEX temp.sync_cand_key ON sync_cand (target, field)")  # after the bulk insert: cheaper
    if table == "members":
        # A received ID number or undelete must not make two live members with
        # the same number (the same check as Merger._unique_ok, on the same
        # state: nothing of this block is written yet).
        for pos, target, fld, rv in conn.execute(
                "SELECT pos, target, field, rv FROM temp.sync_cand WHERE differ AND rs > ls "
                "AND field IN ('id_number', 'deleted')").fetchall():
            local = dict(zip(("id_number", "deleted"), conn.execute(
                "SELECT id_number, deleted FROM members WHERE id = ?", [target]).fetchone()))
            if not m._unique_ok(target, fld, rv, local):
                conn.execute("UPDATE temp.sync_cand SET blocked = 1 WHERE target = ? AND field = ?", [target, fld])

    # Conflicts, in the order the row-by-row path meets them.
    for target, fld, rv, lv, rs, ls, kind in conn.execute(
            "SELECT target, field, rv, lv, rs, ls, CASE WHEN rs > ls AND NOT blocked THEN 'won' ELSE 'kept' END "
            "FROM temp.sync_cand c WHERE differ AND ("
            "  (rs > ls AND (blocked OR (has_base AND lstamped AND CAST(base AS TEXT) IS NOT CAST(lv AS TEXT)))) "
            "  OR (rs < ls AND has_base AND NOT EXISTS (SELECT 1 FROM change_log x WHERE x.table_name = ? "
            "      AND x.row_id = c.target AND x.field = c.field AND x.hlc = c.rs))) "
            "ORDER BY pos, ord", [table]).fetchall():
        if kind == "won":
            m._conflict(table, target, fld, rv, rs, lv, ls)
        else:
            m._conflict(table, target, fld, lv, ls, rv, rs)

    # The winners, grouped by the set of columns they change (as
    # Store.write_remote does): a trigger "AFTER UPDATE OF name" fires only
    # for rows whose name really changes.
    win = "differ AND rs > ls AND NOT blocked"
    conn.execute("INSERT INTO temp.sync_rows SELECT target, group_concat(field, char(31)), max(rs) FROM "
                 f"(SELECT target, field, rs FROM temp.sync_cand WHERE {win} ORDER BY pos, ord) GROUP BY target")
    for (sig,) in conn.execute("SELECT DISTINCT sig FROM temp.sync_rows").fetchall():
        sets = ", ".join(
            f"{_q(f)} = (SELECT w.rv FROM temp.sync_cand w WHERE w.target = main.{t}.id AND w.field = ? "
            f"AND w.differ AND w.rs > w.ls AND NOT w.blocked)" for f in sig.split("\x1f"))
        conn.execute(f"UPDATE main.{t} SET {sets}, updated_at = max(updated_at, {_time_sql('r.top')}), "
                     f"device_id = {_device_sql('r.top')} FROM temp.sync_rows r "
                     f"WHERE r.target = main.{t}.id AND r.sig = ?", [*sig.split("\x1f"), sig])
    changed = conn.execute("SELECT count(*) FROM temp.sync_rows").fetchone()[0]
    if changed:
        m.result.count(table, "updated", changed)
    if len(items) - changed:
        m.result.count(table, "unchanged", len(items) - changed)

    # One change-log row per adopted or changed field, with the sender's stamp.
    logged = "(rs > ls AND (NOT differ OR NOT blocked))"
    conn.execute("INSERT INTO change_log (table_name, row_id, field, old_value, new_value, user, device_id, at, hlc) "
                 f"SELECT ?, c.target, c.field, c.lv, c.rv, coalesce(u.name, ''), {_device_sql('c.rs')}, "
                 f"{_time_sql('c.rs')}, c.rs FROM temp.sync_cand c "
                 f"LEFT JOIN temp.sync_users u ON u.device = {_device_sql('c.rs')} "
                 f"WHERE {logged} ORDER BY c.pos, c.ord", [table])
    top = conn.execute(f"SELECT max(rs) FROM temp.sync_cand WHERE {logged}").fetchone()[0]
    if top:
        store.clock.observe(top)
    for name in ("sync_in", "sync_in_f", "sync_cand", "sync_rows", "sync_users"):
        conn.execute(f"DROP TABLE temp.{name}")
