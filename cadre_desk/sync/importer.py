"""Importing a package: check everything, then apply it all or nothing.

Order of checks, before a single row is read: the file is a package of a
format this program knows; it belongs to this county (the county's key id);
its sender is a registered device and it is addressed to this one; it
decrypts (AES-GCM: any changed byte fails); the sender's Ed25519 signature
holds and the body's SHA-256 matches the signed manifest; the schema it was
made with is one this program knows. A refusal raises ``PackageRejected``
with a Chinese message and writes nothing (the checks: ``package_checks``).

Then the rows are merged (``merge.py``) in one transaction together with the
sync log entry and the acknowledgement bookkeeping; an error anywhere rolls
all of it back. A package already imported (same sender, same content hash)
changes nothing and says so.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import audit, search
from ..storage import Store, utc_now
from . import keys, roles
from .merge import ApplyError, Merger
from .package_checks import check_schema, open_change_package
from .selection import high_water
from .package import (BAD_CODE, CORRUPT, KIND_SETUP, PackageRejected, Sealed, decode_body, open_sealed, read_outer,
                      verify)
from .tables import current_households, fill_ids, stamp_time

# A received stamp may be at most this far ahead of the receiver's clock
# (the county office's): later ones are held for review, not applied.
MAX_DRIFT_MS = 24 * 3600 * 1000
# Wrong enrolment codes: after this many, a wait that doubles with each more.
CODE_TRIES = 5
CODE_WAIT_S = 60
CODE_FAILURES = "sync_code_failures"
MAX_FILE = 1 << 30  # a county of 100,000 members makes packages of about 10 MB
RESTORED = "sync_restored"  # this laptop found itself behind its own history


def wall_seconds() -> float:
    return time.time()


class SetupCodeNeeded(roles.SyncSetupError):
    def __init__(self):
        super().__init__("这是县就业办给的启用包，需要启用码才能打开。请输入县就业办告诉您的启用码"
                         "（命令行：加上 --code 启用码）")


@dataclass
class ImportResult:
    kind: str
    sender: str
    sender_name: str
    seq: int
    duplicate: bool = False
    counts: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """One line for the CLI and the UI."""
        if self.duplicate:
            return f"这个数据包（来自{self.sender_name}，第 {self.seq} 号）已经导入过，这次没有任何改动"
        c = self.counts
        head = "启用完成：" if self.kind == KIND_SETUP else f"已导入{self.sender_name}的第 {self.seq} 号数据包："
        text = (f"{head}新增 {c.get('new', 0)} 条，更新 {c.get('updated', 0)} 条，"
                f"冲突 {c.get('conflicts', 0)} 处，拒收 {c.get('rejected', 0)} 条")
        if c.get("merged_people"):
            text += f"，合并重复录入的人 {c['merged_people']} 名"
        if not (c.get("new") or c.get("updated") or c.get("conflicts") or c.get("rejected")):
            text += "（没有新的改动）"
        return text


def read_package_file(path: str | Path) -> bytes:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE:
            raise PackageRejected(CORRUPT, f"文件有 {path.stat().st_size // (1 << 20)} MB，数据包不会这么大")
        return path.read_bytes()
    except FileNotFoundError:
        raise roles.SyncSetupError(f"找不到文件 {path}，请检查文件名和位置") from None
    except IsADirectoryError:
        raise roles.SyncSetupError(f"{path} 是文件夹，请选择数据包文件") from None


def import_package(store: Store, source: str | Path | bytes, *, code: str | None = None,
                   file_name: str = "") -> ImportResult:
    data = source if isinstance(source, bytes) else read_package_file(source)
    if not isinstance(source, bytes):
        file_name = file_name or Path(source).name
    sealed = None
    try:
        sealed = read_outer(data)
        if sealed.header.get("kind") == KIND_SETUP:
            return _import_setup(store, sealed, code, file_name)
        return _import_changes(store, sealed, file_name)
    except PackageRejected as exc:
        _log_refusal(store, sealed, exc, file_name)
        raise


def _log_refusal(store: Store, sealed: Sealed | None, exc: PackageRejected, file_name: str) -> None:
    """A refused package leaves one line in the sync log (and nothing else)."""
    header = sealed.header if sealed is not None else {}
    try:
        with store.transaction():
            store.db["sync_log"].insert({
                "at": utc_now(), "direction": roles.REFUSED, "device_id": header.get("sender"),
                "kind": header.get("kind"), "file_name": file_name, "note": exc.message,
                "counts": json.dumps({"reason": exc.reason}, ensure_ascii=False)})
    except Exception:  # noqa: BLE001 - a log line must never hide the refusal itself
        pass


def _already(store: Store, sender: str, manifest: dict) -> dict | None:
    # The same package: same sender, number and rows (two packages with no
    # rows have the same content hash, yet each carries its own acknowledgement).
    rows = store.rows("SELECT * FROM sync_log WHERE direction = 'import' AND device_id = ? AND content_hash = ? "
                      "AND package_seq = ?", [sender, manifest["content_hash"], int(manifest.get("seq") or 0)])
    return rows[0] if rows else None


def _users(store: Store) -> dict[str, str]:
    return {d["id"]: d["cadre_name"] or "" for d in roles.devices(store)}


# ---------------------------------------------------------------- change packages

def _laptop_acceptor(store: Store, sender: dict):
    """At the county office: a laptop may change only its cadre's households
    and its cadre's own row; places, openings, policies and pairings are the
    county's. A household counts if it is paired with the cadre now, or was
    when the change was made (a visit made before a re-pairing still counts;
    a change stamped after the pairing ended does not)."""
    now_homes = current_households(store, sender["cadre_id"])
    ended: dict[str, str] = {}
    for r in store.rows("SELECT household_id, max(until) AS until FROM pairings WHERE cadre_id = ? AND deleted = 0 "
                        "AND until IS NOT NULL GROUP BY household_id", [sender["cadre_id"]]):
        ended[r["household_id"]] = r["until"]
    who = sender["cadre_name"] or "这位帮扶干部"

    def allowed(home: str | None, row: dict, merger: Merger) -> bool:
        if home in now_homes:
            return True
        until = ended.get(home)
        if until is None:
            return False
        latest = max(merger.row_stamps, default="")
        return (stamp_time(latest)[:10] or "9999") <= until

    def accept(table: str, row: dict, existing: dict | None, merger: Merger) -> str | None:
        if table == "cadres":
            return None if row.get("id") == sender["cadre_id"] else "帮扶干部的电脑不能修改其他帮扶责任人的信息，已拒收"
        if table == "pairings" or merger.links.get(table) is None:
            return "岗位、政策、地名和包户安排只能由县就业办修改，帮扶干部电脑上的这类改动已拒收"
        for candidate in (row, existing):
            if candidate is not None and not allowed(merger.household_of(table, candidate), row, merger):
                return f"有记录不属于{who}负责的户（或改动时已不归{who}负责），没有导入，留待县就业办复核"
        return None

    return accept


def _import_changes(store: Store, sealed: Sealed, file_name: str) -> ImportResult:
    my_role = roles.require_role(store)
    manifest, body, new_keys = open_change_package(store, sealed)
    sender = roles.device(store, manifest["sender"])
    name = sender["cadre_name"] or ""
    seq = int(manifest.get("seq") or 0)
    if _already(store, sender["id"], manifest):
        return ImportResult("changes", sender["id"], name, seq, duplicate=True)
    decoded = decode_body(body)
    now = utc_now()
    # New rows are indexed for search in one pass at the end (search.bulk_inserts).
    with store.transaction(), search.bulk_inserts(store.db):
        store.db.execute("PRAGMA defer_foreign_keys = ON")
        log_id = store.db["sync_log"].insert({
            "at": now, "direction": "import", "device_id": sender["id"], "package_seq": seq,
            "kind": manifest.get("kind"), "content_hash": manifest["content_hash"],
            "since": manifest.get("since"), "upto": manifest.get("upto"), "file_name": file_name}).last_pk
        if new_keys:
            store.db.execute("UPDATE sync_devices SET sign_public = ?, box_public = ?, keys_at = ?, "
                             "enrol_secret = NULL WHERE id = ?",
                             [new_keys["sign_public"], new_keys["box_public"], now, sender["id"]])
        next_key = manifest.get("next_key") or {}
        if next_key.get("box_public"):
            store.db.execute("UPDATE sync_devices SET box_public = ? WHERE id = ?",
                             [next_key["box_public"], sender["id"]])
        keys.after_import(store, sender["id"], sealed.header.get("rk"), laptop=my_role == roles.LAPTOP)
        county = my_role == roles.COUNTY
        accept = _laptop_acceptor(store, sender) if county else None
        limit = f"{store.clock.wall() + MAX_DRIFT_MS:013d}-99999-~" if county else None
        merger = Merger(store, record_conflicts=county, accept=accept, users=_users(store),
                        log_id=log_id, sender=sender["id"], sender_name=name, stamp_limit=limit)
        result = merger.apply(decoded["tables"])
        broken = merger.check_parents_of_touched()
        if broken:
            raise ApplyError(f"foreign key check failed after merge: {broken}")
        restored = _acknowledge(store, sender, manifest, now)
        if restored:
            result.note(restored)
        if county and decoded.get("audit"):
            _keep_audit(store, sender, decoded["audit"], result)
        elif not county and manifest.get("audit_upto") is not None:
            audit.county_holds(store, int(manifest["audit_upto"]), manifest.get("audit_upto_hash"))
        if not county:
            # The county could encrypt for this laptop: it has our keys; no more proof needed.
            store.db.execute("DELETE FROM settings WHERE key = ?", [roles.ENROL_SECRET])
            told = _record_county_refusals(store, sender, decoded.get("refused") or [], log_id)
            if told:
                result.notes.insert(0, told)
            if manifest.get("resend"):
                store.db.execute("DELETE FROM settings WHERE key = ?", [RESTORED])
            for note in _drop_handed_over(store, merger):
                result.note(note)
        counts = result.as_dict()
        store.db.execute("UPDATE sync_log SET counts = ?, note = ? WHERE id = ?",
                         [json.dumps(counts, ensure_ascii=False), "；".join(result.notes[:5]), log_id])
    return ImportResult("changes", sender["id"], name, seq, counts=counts, notes=result.notes)


def _keep_audit(store: Store, sender: dict, entries: list[dict], result) -> None:
    """(County) The laptop's audit entries, kept per device (both branches of
    a laptop restored from a backup, said in the summary). A broken or edited
    chain does not stop the rows (they have their own checks, and refusing
    them would strand the cadre's work too): the entries are left out and the
    import says so, for the county to look into."""
    from ..errors import CadreDeskError

    label = f"{sender['cadre_name'] or '这台'}的电脑（设备号 {sender['id']}）"
    try:
        forks: list[str] = []
        added = audit.import_remote(store, sender["id"], entries, label=label, said=forks)
    except CadreDeskError as exc:
        result.note(exc.message + "。请报告县就业办管理员")
        return
    for fork in forks:
        result.note(fork)
    if added:
        result.note(f"收到这台电脑的审计记录 {added} 条（审计记录 → 各台电脑）")


def _acknowledge(store: Store, sender: dict, manifest: dict, now: str) -> str | None:
    """``received_upto``: how far this side holds the sender's changes (a
    package counts when it starts where we already are: packages are
    cumulative). ``acked_upto``: how far the sender holds ours.

    A side restored from a backup is behind its own history: its package
    numbers repeat ones already received with other contents, or it is told
    it holds changes it no longer has. Then both sides start again from what
    is true: the restored side re-sends everything (``restored``) and the
    other side sends it everything in its scope, its own old changes
    included (``resend_all``). Returns a note when that happens."""
    received = int(sender["received_upto"] or 0)
    since, upto = int(manifest.get("since") or 0), int(manifest.get("upto") or 0)
    ack = int(manifest.get("ack_upto") or 0)
    seq_seen = store.db.execute(
        "SELECT 1 FROM sync_log WHERE direction = 'import' AND device_id = ? AND package_seq = ? "
        "AND content_hash != ? AND kind = 'changes' LIMIT 1",
        [sender["id"], int(manifest.get("seq") or 0), manifest["content_hash"]]).fetchone()
    note = None
    # A package number is never used twice for different rows (it is counted
    # in the same transaction that writes the file), except by a restored copy.
    if manifest.get("restored") or seq_seen:
        # The sender was restored from a backup: what it holds is this package (since 0) or less.
        received = upto if since == 0 else min(received, upto)
        acked = ack
        store.db.execute("UPDATE sync_devices SET resend_all = 1 WHERE id = ?", [sender["id"]])
        note = (f"{sender['cadre_name'] or '对方'}的电脑像是从备份恢复过（它的数据比上次交来的少）：已收下它现有的数据，"
                "下一个发给它的数据包会把它缺的全部带回")
    else:
        if since <= received:
            received = max(received, upto)
        acked = max(int(sender["acked_upto"] or 0), ack)
        if ack > high_water(store):
            # We were restored: the other side holds changes of ours that we no longer have.
            acked = 0
            store.set_setting(RESTORED, True)
            note = ("本机的数据比对方记得的少（可能从备份恢复过）：下一个数据包会把本机的数据全部重发，"
                    "并请对方把本机缺的数据发回")
    store.db.execute("UPDATE sync_devices SET received_upto = ?, acked_upto = ?, last_import_at = ? WHERE id = ?",
                     [received, acked, now, sender["id"]])
    return note


def _record_county_refusals(store: Store, county: dict, refused: list[dict], log_id: int) -> str | None:
    """(Laptop) The county's reply names the changes of ours it did not take:
    keep them (同步 page) and say so."""
    if not refused:
        return None
    for item in refused:
        store.db.execute(
            "INSERT OR IGNORE INTO sync_rejected(log_id, device_id, table_name, row_id, reason, row_json, stamp, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [log_id, county["id"], item.get("table", ""), item.get("row_id", ""), item.get("reason", ""),
             item.get("row", ""), item.get("stamp", ""), item.get("at", "")])
    reasons = "；".join(dict.fromkeys(item.get("reason", "") for item in refused[:5]))
    return f"县就业办没有接收本机的 {len(refused)} 条改动：{reasons}"


# ---------------------------------------------------------------- setup packages

def _import_setup(store: Store, sealed: Sealed, code: str | None, file_name: str) -> ImportResult:
    current = roles.role(store)
    if current == roles.LAPTOP and sealed.header.get("receiver") == store.device_id:
        cadre = roles.my_cadre(store) or {}
        return ImportResult(KIND_SETUP, str(sealed.header.get("sender")), "县就业办", 0, duplicate=True,
                            notes=[f"本机已经是{cadre.get('name', '')}的电脑"])
    if current is not None:
        raise roles.SyncSetupError(f"本数据库已经是{roles.ROLE_LABELS[current]}的数据库，启用包只能导入到新的数据库。"
                                   "请在帮扶干部的电脑上新建一个数据库后再导入")
    if not roles.is_new_database(store):
        raise roles.SyncSetupError("本数据库里已经有户和成员，启用包只能导入到新的数据库。"
                                   "请先备份，再换一个新的数据库文件导入")
    if not code:
        raise SetupCodeNeeded()
    _check_throttle(store)
    try:
        envelope = open_sealed(sealed, code=code)
    except PackageRejected as exc:
        if exc.reason == BAD_CODE:
            _count_wrong_code(store)
        raise
    try:
        manifest = envelope.manifest
        county = manifest["county"]
        manifest = verify(envelope, keys.sign_public_from(county["sign_public"]))
        if (keys.fingerprint(county["sign_public"]) != county["key_id"]
                or county["key_id"] != sealed.header.get("county")):
            raise PackageRejected(CORRUPT)
        if manifest["device"]["id"] != sealed.header.get("receiver"):
            raise PackageRejected(CORRUPT, "封面与内容不符")
    except (KeyError, TypeError, AttributeError):
        raise PackageRejected(CORRUPT) from None
    check_schema(manifest)
    decoded = decode_body(envelope.body)
    now = utc_now()
    # New rows are indexed for search in one pass at the end (search.bulk_inserts).
    with store.transaction(), search.bulk_inserts(store.db):
        store.db.execute("PRAGMA defer_foreign_keys = ON")
        roles.become_laptop(store, manifest)
        store.db.execute("DELETE FROM settings WHERE key = ?", [CODE_FAILURES])
        store.set_setting(roles.QUESTIONNAIRE, {"version": manifest.get("questionnaire"),
                                                "definition": decoded.get("questionnaire")})
        log_id = store.db["sync_log"].insert({
            "at": now, "direction": "import", "device_id": manifest["sender"], "package_seq": 0,
            "kind": KIND_SETUP, "content_hash": manifest["content_hash"], "since": 0,
            "upto": manifest.get("upto"), "file_name": file_name}).last_pk
        result = Merger(store, record_conflicts=False, users=_users(store), log_id=log_id).apply(decoded["tables"])
        if store.db.execute("PRAGMA foreign_key_check").fetchone():
            raise ApplyError("foreign key check failed after setup")
        counts = result.as_dict()
        store.db.execute("UPDATE sync_log SET counts = ?, note = ? WHERE id = ?",
                         [json.dumps(counts, ensure_ascii=False), "启用包", log_id])
    notes = list(result.notes)
    if manifest.get("questionnaire") != store.questionnaire.version:
        notes.append(f"县里的问卷版本是 {manifest.get('questionnaire')}，本机程序的是 {store.questionnaire.version}；"
                     "请向县就业办要最新版本的程序")
    return ImportResult(KIND_SETUP, manifest["sender"], "县就业办", 0, counts=counts, notes=notes)


# ---------------------------------------------------------------- wrong codes

def _check_throttle(store: Store) -> None:
    failures = store.get_setting(CODE_FAILURES) or {}
    wait = float(failures.get("until", 0)) - wall_seconds()
    if int(failures.get("count", 0)) >= CODE_TRIES and wait > 0:
        minutes = max(1, int(wait // 60) + (wait % 60 > 0))
        until = dt.datetime.fromtimestamp(float(failures["until"])).strftime("%H:%M")
        raise roles.SyncSetupError(f"启用码已经错了 {failures['count']} 次，为防止有人猜码，请在 {minutes} 分钟后再试"
                                   f"（{until} 以后）。请向县就业办核对启用码")


def _count_wrong_code(store: Store) -> None:
    failures = store.get_setting(CODE_FAILURES) or {}
    count = int(failures.get("count", 0)) + 1
    until = wall_seconds() + CODE_WAIT_S * 2 ** (count - CODE_TRIES) if count >= CODE_TRIES else 0
    store.set_setting(CODE_FAILURES, {"count": count, "until": until})


# ---------------------------------------------------------------- households handed over

def _drop_handed_over(store: Store, merger: Merger) -> list[str]:
    """(Laptop) Households no longer paired with this laptop's cadre (the
    county handed them to another cadre) leave this laptop: their rows are
    removed here only (not logged: the county and the new cadre keep them),
    once every change made here to them has reached the county."""
    from .tables import synced_tables

    cadre = (roles.my_cadre(store) or {}).get("id")
    gone = [r for r in store.rows(
        "SELECT h.id, h.number, h.head_name FROM households h WHERE NOT EXISTS (SELECT 1 FROM pairings p "
        "WHERE p.household_id = h.id AND p.cadre_id = ? AND p.deleted = 0 AND p.until IS NULL)", [cadre])]
    if not gone:
        return []
    county = roles.device(store, roles.county_info(store).get("device_id", "")) or {}
    acked = int(county.get("acked_upto") or 0)
    tables = synced_tables(store)
    notes = []
    for home in gone:
        rows: dict[str, list[str]] = {}
        for table in tables:
            link = merger.links.get(table)
            if link == "id":
                rows[table] = [home["id"]]
            elif link == "household_id":
                rows[table] = [r[0] for r in store.db.execute(
                    f"SELECT id FROM [{table}] WHERE household_id = ?", [home["id"]])]
            elif link == "member_id":
                rows[table] = [r[0] for r in store.db.execute(
                    f"SELECT t.id FROM [{table}] t JOIN members m ON m.id = t.member_id WHERE m.household_id = ?",
                    [home["id"]])]
        unsent = False
        for table, ids in rows.items():
            fill_ids(store, ids)
            if store.db.execute("SELECT 1 FROM change_log c JOIN temp.sync_ids i ON i.id = c.row_id "
                                "WHERE c.table_name = ? AND c.device_id = ? AND c.seq > ? LIMIT 1",
                                [table, store.device_id, acked]).fetchone():
                unsent = True
                break
        label = f"户编号 {home['number']} {home['head_name'] or ''}".strip()
        if unsent:
            notes.append(f"{label}已由县就业办改由其他帮扶干部负责；本机对它的改动还没交回县里，"
                         "请先导出数据包交给县就业办，之后这一户会从本机移除")
            continue
        for table in reversed(tables):
            ids = rows.get(table) or []
            if not ids:
                continue
            fill_ids(store, ids)
            store.db.execute(f"DELETE FROM [{table}] WHERE id IN (SELECT id FROM temp.sync_ids)")
            store.db.execute("DELETE FROM change_log WHERE table_name = ? AND row_id IN (SELECT id FROM temp.sync_ids)",
                             [table])
        people = len(rows.get("members") or [])
        notes.append(f"{label}已由县就业办改由其他帮扶干部负责，已从本机移除（{people} 人）；县里的记录不受影响")
    return notes

