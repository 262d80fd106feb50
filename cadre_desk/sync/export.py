"""Writing packages: one manifest builder and one log writer for both kinds
(a change package for the other side, a setup package for a new laptop).
Which rows go in is ``selection.py``'s; who is who (devices, enrolment) is
``roles.py``'s.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from .. import __version__, audit
from ..storage import Store, utc_now
from . import keys, roles
from .package import KIND_CHANGES, KIND_SETUP, content_hash, encode_body, new_code, seal
from .selection import Scope, apply_scope, changed_rows, collect, high_water
from .tables import current_households

FORMAT = 2  # manifest format; 1 (no refusals, no restore flags) is still read
REFUSALS_PER_PACKAGE = 500


def build_manifest(store: Store, *, kind: str, county: dict, receiver: str, seq: int, since: int, upto: int,
                   ack_upto: int, counts: dict, **more) -> dict:
    """The signed description of a package (sender, receiver, range, schema)."""
    return {
        "format": FORMAT, "kind": kind, "county": county, "sender": store.device_id, "receiver": receiver,
        "seq": seq, "created": utc_now(), "program": __version__, "schema": roles.schema_names(),
        "questionnaire": store.questionnaire.version, "since": since, "upto": upto, "ack_upto": ack_upto,
        "counts": counts, **more}


def log_export(store: Store, *, device_id: str, seq: int, kind: str, body: bytes, since: int, upto: int,
               counts: dict, path: Path, note: str = "") -> None:
    store.db["sync_log"].insert({
        "at": utc_now(), "direction": "export", "device_id": device_id, "package_seq": seq, "kind": kind,
        "content_hash": content_hash(body), "since": since, "upto": upto,
        "counts": json.dumps(counts, ensure_ascii=False), "file_name": path.name, "note": note})


@dataclass(frozen=True)
class ExportResult:
    path: object
    receiver: str
    receiver_name: str
    seq: int
    rows: int
    counts: dict
    full: bool


def _refusals_for(store: Store, device_id: str) -> list[dict]:
    """(County) The laptop's changes refused since it was last told: they go
    in the reply, so that the cadre can correct them."""
    rows = store.rows("SELECT * FROM sync_rejected WHERE device_id = ? AND status = 'open' AND told_at IS NULL "
                      "ORDER BY id LIMIT ?", [device_id, REFUSALS_PER_PACKAGE])
    return [{"table": r["table_name"], "row_id": r["row_id"] or "", "reason": r["reason"] or "",
             "row": r["row_json"] or "", "stamp": r["stamp"] or "", "at": r["at"] or ""} for r in rows]


def export_package(store: Store, path, *, full: bool = False, cadre: str | None = None,
                   device_id: str | None = None) -> ExportResult:
    """Write a change package for the other side: a laptop writes for the
    county office; the county office for one laptop (``cadre``/``device_id``,
    or the only one). Everything since the receiver's last acknowledgement,
    or everything with ``full``."""
    path = Path(path)
    my_role = roles.require_role(store)
    info = roles.county_info(store)
    if my_role == roles.LAPTOP:
        peer = roles.device(store, info["device_id"])
    else:
        peer = roles.laptop_for(store, cadre=cadre, device_id=device_id)
        if not peer.get("box_public"):
            raise roles.SyncSetupError(
                f"{peer['cadre_name']}的电脑还没有交回第一个数据包，县里还不能给它发数据。"
                "请先让帮扶干部导入启用包、导出数据包，并在县就业办导入它")
        homes = current_households(store, peer["cadre_id"])
    more: dict = {}
    # One transaction: the rows, stamps and high-water mark are read from one
    # snapshot (an edit made meanwhile goes in the next package, not half in
    # this one), and the temporary id tables are not committed row by row.
    with store.transaction():
        upto = high_water(store)
        restored = my_role == roles.LAPTOP and (store.get_setting("sync_restored")
                                                or int(peer["acked_upto"] or 0) > upto)
        resend = my_role == roles.COUNTY and bool(peer.get("resend_all"))
        since = 0 if (full or restored or resend) else int(peer["acked_upto"] or 0)
        # A restored receiver lacks some of its own changes: send them back too.
        wanted = changed_rows(store, since, upto, None if resend else peer["id"])
        if my_role == roles.COUNTY:
            fresh = homes if since == 0 else {r[0] for r in store.db.execute(
                "SELECT p.household_id FROM pairings p JOIN change_log c ON c.table_name = 'pairings' "
                "AND c.row_id = p.id AND c.field = '*' WHERE p.cadre_id = ? AND p.deleted = 0 "
                "AND p.until IS NULL AND c.seq > ?", [peer["cadre_id"], since])}
            wanted = apply_scope(store, wanted, Scope(peer["cadre_id"], frozenset(homes), frozenset(fresh & homes)))
            if resend:
                more["resend"] = True
        elif restored:
            more["restored"] = True
            store.set_setting("sync_restored", True)
        blocks, counts = collect(store, wanted)
        refused = _refusals_for(store, peer["id"]) if my_role == roles.COUNTY else []
        seq = int(peer["next_seq"] or 1)
        secret = store.get_setting(roles.ENROL_SECRET)
        if my_role == roles.LAPTOP and secret:
            sign_pub, box_pub = keys.public_keys(store)
            more["enrol"] = {"sign_public": sign_pub, "box_public": box_pub,
                             "proof": roles.enrol_proof(secret, store.device_id, sign_pub, box_pub)}
        more["next_key"] = keys.announce(store, peer["id"])
        sent_audit = audit.for_package(store) if my_role == roles.LAPTOP else []
        if my_role == roles.COUNTY:
            held_seq, held_hash = audit.held_tail(store, peer["id"])
            more["audit_upto"] = held_seq
            if held_hash:
                more["audit_upto_hash"] = held_hash  # which chain: a restored laptop's differs from here on
        manifest = build_manifest(store, kind=KIND_CHANGES, county={k: info[k] for k in ("key_id", "code", "name")},
                                  receiver=peer["id"], seq=seq, since=since, upto=upto,
                                  ack_upto=int(peer["received_upto"] or 0), counts=counts, **more)
        body = encode_body({"tables": blocks, **({"refused": refused} if refused else {}),
                            **({"audit": sent_audit} if sent_audit else {})})
        header = {"kind": KIND_CHANGES, "county": info["key_id"], "sender": store.device_id,
                  "receiver": peer["id"], "rk": keys.key_id(peer["box_public"])}
        data = seal(header, manifest, body, keys.signing_key(store),
                    receiver_box=keys.box_public_from(peer["box_public"]))
        store.db.execute("UPDATE sync_devices SET next_seq = ?, last_export_at = ?, resend_all = 0 WHERE id = ?",
                         [seq + 1, utc_now(), peer["id"]])
        if refused:
            store.db.execute("UPDATE sync_rejected SET told_at = ? WHERE device_id = ? AND told_at IS NULL "
                             "AND id IN (SELECT id FROM sync_rejected WHERE device_id = ? AND told_at IS NULL "
                             "ORDER BY id LIMIT ?)", [utc_now(), peer["id"], peer["id"], REFUSALS_PER_PACKAGE])
        note = "全部重发" if full or restored or resend else ""
        log_export(store, device_id=peer["id"], seq=seq, kind=KIND_CHANGES, body=body, since=since, upto=upto,
                   counts={"rows": sum(counts.values()), "tables": counts}, path=path, note=note)
        roles.write_file(path, data)
    return ExportResult(path, peer["id"], peer["cadre_name"] or "", seq, sum(counts.values()), counts,
                        full or bool(restored) or resend)


@dataclass(frozen=True)
class SetupResult:
    code: str
    device_id: str
    cadre: str
    households: int
    members: int
    path: Path


def write_setup_package(store: Store, cadre_name: str, path: str | Path) -> SetupResult:
    """(County office) Register a laptop for the cadre and write its setup
    package. Returns the one-time enrolment code to hand over separately."""
    path = Path(path)
    cadre = roles.cadre_by_name(store, cadre_name)
    info = roles.become_county(store)
    device_id = uuid.uuid4().hex[:12]
    secret = keys.b64(os.urandom(32))
    code = new_code()
    upto = high_water(store)
    homes = frozenset(current_households(store, cadre["id"]))
    wanted = apply_scope(store, changed_rows(store, 0, upto, None), Scope(cadre["id"], homes, homes))
    blocks, counts = collect(store, wanted)
    county = {k: info[k] for k in ("key_id", "code", "name", "device_id", "sign_public", "box_public")}
    manifest = build_manifest(
        store, kind=KIND_SETUP, county=county, receiver=device_id, seq=0, since=0, upto=upto, ack_upto=0,
        counts=counts,
        device={"id": device_id, "cadre_id": cadre["id"], "cadre_name": cadre["name"], "enrol_secret": secret})
    body = encode_body({"tables": blocks, "questionnaire": store.questionnaire.raw})
    header = {"kind": KIND_SETUP, "county": info["key_id"], "sender": info["device_id"], "receiver": device_id}
    data = seal(header, manifest, body, keys.signing_key(store), code=code)
    with store.transaction():
        roles.register_laptop(store, device_id, cadre, secret)
        log_export(store, device_id=device_id, seq=0, kind=KIND_SETUP, body=body, since=0, upto=upto,
                   counts=counts, path=path, note="启用包")
        roles.write_file(path, data)
    return SetupResult(code, device_id, cadre["name"], counts.get("households", 0), counts.get("members", 0), path)
