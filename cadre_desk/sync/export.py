"""Collecting what goes into a package: the rows changed since the other side
last acknowledged, with each field's clock stamp.

A package is cumulative: it holds every change after the point the receiver
has confirmed (``acked_upto``, a ``change_log.seq`` of this database), not
just the changes after the previous package. So a lost package costs nothing,
and packages may be imported in any order: an older one only repeats what a
newer one carries, and older stamps lose to newer ones field by field.

Changes that came FROM the receiver are not sent back to it. From the county
office to a laptop only what the laptop's cadre needs goes: county-wide data
(places, enterprises, openings, policies, cadres) and the rows of the
households currently paired with that cadre; a household newly paired with
the cadre goes in whole.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..storage import CREATE_FIELD, Store, utc_now
from .tables import columns, current_households, fill_ids, household_link, synced_tables


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


def _member_households(store: Store) -> dict[str, str]:
    return dict(store.db.execute("SELECT id, household_id FROM members").fetchall())


def apply_scope(store: Store, changed: dict[str, dict[str, dict]], scope: Scope) -> dict[str, dict[str, dict]]:
    """Keep what the laptop of ``scope.cadre_id`` should see, and add whole
    rows of the households in ``scope.whole``."""
    members = _member_households(store)
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
        fill_ids(store, rows)
        for rid, value in store.db.execute(
                f"SELECT t.id, t.[{col}] FROM [{table}] t JOIN temp.sync_ids i ON i.id = t.id"):
            house_of[rid] = members.get(value) if link == "member_id" else value
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


@dataclass(frozen=True)
class ExportResult:
    path: object
    receiver: str
    receiver_name: str
    seq: int
    rows: int
    counts: dict
    full: bool


def export_package(store: Store, path, *, full: bool = False, cadre: str | None = None,
                   device_id: str | None = None) -> ExportResult:
    """Write a change package for the other side: a laptop writes for the
    county office; the county office for one laptop (``cadre``/``device_id``,
    or the only one). Everything since the receiver's last acknowledgement,
    or everything with ``full``."""
    from pathlib import Path

    from .. import __version__
    from . import keys, roles
    from .package import KIND_CHANGES, content_hash, encode_body, seal

    path = Path(path)
    my_role = roles.require_role(store)
    info = roles.county_info(store)
    if my_role == roles.LAPTOP:
        peer = roles.device(store, info["device_id"])
        scope = None
    else:
        peer = roles.laptop_for(store, cadre=cadre, device_id=device_id)
        if not peer.get("box_public"):
            raise roles.SyncSetupError(
                f"{peer['cadre_name']}的电脑还没有交回第一个数据包，县里还不能给它发数据。"
                "请先让帮扶干部导入启用包、导出数据包，并在县就业办导入它")
        homes = current_households(store, peer["cadre_id"])
    # One transaction: the rows, stamps and high-water mark are read from one
    # snapshot (an edit made meanwhile goes in the next package, not half in
    # this one), and the temporary id tables are not committed row by row.
    with store.transaction():
        since = 0 if full else int(peer["acked_upto"] or 0)
        upto = high_water(store)
        wanted = changed_rows(store, since, upto, peer["id"])
        if my_role == roles.COUNTY:
            fresh = homes if since == 0 else {r[0] for r in store.db.execute(
                "SELECT p.household_id FROM pairings p JOIN change_log c ON c.table_name = 'pairings' "
                "AND c.row_id = p.id AND c.field = '*' WHERE p.cadre_id = ? AND p.deleted = 0 "
                "AND p.until IS NULL AND c.seq > ?", [peer["cadre_id"], since])}
            scope = Scope(peer["cadre_id"], frozenset(homes), frozenset(fresh & homes))
            wanted = apply_scope(store, wanted, scope)
        blocks, counts = collect(store, wanted)
        seq = int(peer["next_seq"] or 1)
        manifest = {
            "format": 1, "kind": KIND_CHANGES,
            "county": {k: info[k] for k in ("key_id", "code", "name")},
            "sender": store.device_id, "receiver": peer["id"], "seq": seq, "created": utc_now(),
            "program": __version__, "schema": roles.schema_names(), "questionnaire": store.questionnaire.version,
            "since": since, "upto": upto, "ack_upto": int(peer["received_upto"] or 0), "counts": counts,
        }
        secret = store.get_setting(roles.ENROL_SECRET)
        if my_role == roles.LAPTOP and secret:
            sign_pub, box_pub = keys.public_keys(store)
            manifest["enrol"] = {"sign_public": sign_pub, "box_public": box_pub,
                                 "proof": roles.enrol_proof(secret, store.device_id, sign_pub, box_pub)}
        body = encode_body({"tables": blocks})
        header = {"kind": KIND_CHANGES, "county": info["key_id"], "sender": store.device_id,
                  "receiver": peer["id"]}
        data = seal(header, manifest, body, keys.signing_key(store),
                    receiver_box=keys.box_public_from(peer["box_public"]))
        store.db.execute("UPDATE sync_devices SET next_seq = ?, last_export_at = ? WHERE id = ?",
                         [seq + 1, utc_now(), peer["id"]])
        store.db["sync_log"].insert({
            "at": utc_now(), "direction": "export", "device_id": peer["id"], "package_seq": seq,
            "kind": KIND_CHANGES, "content_hash": content_hash(body), "since": since, "upto": upto,
            "counts": json.dumps({"rows": sum(counts.values()), "tables": counts}, ensure_ascii=False),
            "file_name": path.name, "note": "全部重发" if full else ""})
        roles.write_file(path, data)
    return ExportResult(path, peer["id"], peer["cadre_name"] or "", seq, sum(counts.values()), counts, full)
