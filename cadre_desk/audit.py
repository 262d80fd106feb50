"""The audit trail: who signed in, exported, printed, backed up or changed users.

Append-only (triggers refuse UPDATE and DELETE) and tamper-evident: each entry
carries the SHA-256 of the entry before it and its own, over its canonical
JSON, so an entry edited or removed with another tool breaks the chain from
there on; ``verify`` names the first bad entry.

Other areas call ``record(store, action, detail, people=N)`` at the moment
something leaves the program (a file written, a page printed). ``action`` is
one of ``ACTIONS``; ``detail`` is a small dict (file name, what was chosen,
whether ID numbers were masked); ``people`` how many people it touched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import CadreDeskError

ACTIONS = {
    "sign_in": "登录",
    "sign_in_failed": "登录失败",
    "lock": "锁定",
    "unlock": "解锁",
    "export": "导出",
    "print": "打印",
    "backup": "备份",
    "restore": "恢复备份",
    "sync_export": "导出数据包",
    "sync_import": "导入数据包",
    "user_change": "用户变更",
    "password_change": "修改密码",
    "recovery": "找回密码",
    "enrol": "启用设备",
    "retire": "停用设备",
}

GENESIS = "0" * 64
KEYS = ("time", "user", "device", "action", "detail", "people")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def entry_hash(prev: str, entry: dict[str, Any]) -> str:
    body = json.dumps([prev, *(entry[k] for k in KEYS)], ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record(store, action: str, detail: dict[str, Any] | None = None, people: int = 0, *,
           user: str | None = None, at: str | None = None) -> None:
    """Append one entry. ``detail`` values should be short (a file's name, not
    its path; masked ID numbers). A store without an audit table (the demo's
    plaintext file before migrations) records nothing."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if getattr(store, "read_only", False):
        return
    detail = {k: (Path(v).name if isinstance(v, Path) else v) for k, v in (detail or {}).items() if v is not None}
    entry = {"time": at or _now(), "user": store.user if user is None else user, "device": store.device_id,
             "action": action, "detail": detail, "people": int(people or 0)}
    with store.transaction():
        row = store.db.execute("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        prev = row[0] if row else GENESIS
        store.db.execute(
            "INSERT INTO audit_log(time, user, device, action, detail, people, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [entry["time"], entry["user"], entry["device"], action,
             json.dumps(detail, ensure_ascii=False, sort_keys=True), entry["people"], prev,
             entry_hash(prev, entry)])


def entries(store, since: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT seq, time, user, device, action, detail, people FROM audit_log"
    params: list[Any] = []
    if since:
        sql += " WHERE time >= ?"
        params.append(since)
    out = []
    for r in store.rows(sql + " ORDER BY seq", params):
        r["detail"] = _load_detail(r["detail"])
        out.append(r)
    return out


def _load_detail(text):
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {"raw": text}
    return value


@dataclass(frozen=True)
class Verdict:
    ok: bool
    count: int
    first_bad: int | None = None
    reason: str = ""


def verify(store) -> Verdict:
    prev, n = GENESIS, 0
    for r in store.rows("SELECT seq, time, user, device, action, detail, people, prev_hash, hash "
                        "FROM audit_log ORDER BY seq"):
        n += 1
        entry = {**r, "detail": _load_detail(r["detail"])}
        if r["prev_hash"] != prev:
            return Verdict(False, n, r["seq"], "与上一条记录接不上（之前的记录被删除或改动）")
        if entry_hash(prev, entry) != r["hash"]:
            return Verdict(False, n, r["seq"], "这条记录的内容被改动过")
        prev = r["hash"]
    return Verdict(True, n)


def describe(entry: dict[str, Any]) -> str:
    detail = entry.get("detail") or {}
    parts = [f"{k}={v}" for k, v in detail.items()] if isinstance(detail, dict) else [str(detail)]
    return "，".join(parts)


def parse_since(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise CadreDeskError(f"日期“{text}”看不懂，请写成 2026-01-31 这样") from None


# ------------------------------------------------------------ travelling in sync packages
def export_entries(store, after_seq: int = 0) -> list[dict[str, Any]]:
    """This device's entries after ``after_seq``, with their chain hashes, for
    a sync package (the county checks and keeps them per device)."""
    out = []
    for r in store.rows("SELECT seq, time, user, device, action, detail, people, prev_hash, hash FROM audit_log "
                        "WHERE seq > ? ORDER BY seq", [after_seq]):
        r["detail"] = _load_detail(r["detail"])
        out.append(r)
    return out


def import_remote(store, device: str, entries: list[dict[str, Any]]) -> int:
    """Keep a laptop's entries (from its sync package) as they came. Each must
    continue that device's chain (its hash recomputed); an entry already held
    is skipped. Returns how many were added; a broken chain is refused whole."""
    last = store.db.execute("SELECT seq, hash FROM audit_remote WHERE device = ? ORDER BY seq DESC LIMIT 1",
                            [device]).fetchone()
    prev_seq, prev = (last[0], last[1]) if last else (0, None)
    rows = []
    for e in sorted(entries, key=lambda e: e["seq"]):
        if e["seq"] <= prev_seq:
            continue
        if prev is not None and e["prev_hash"] != prev:
            raise CadreDeskError(f"设备 {device} 的审计记录接不上（第 {e['seq']} 条之前有记录缺失或被改动），没有导入")
        if entry_hash(e["prev_hash"], {**e, "device": e.get("device", device)}) != e["hash"]:
            raise CadreDeskError(f"设备 {device} 的第 {e['seq']} 条审计记录被改动过，没有导入")
        rows.append([device, e["seq"], e["time"], e["user"], e["action"],
                     json.dumps(e["detail"], ensure_ascii=False, sort_keys=True), e["people"], e["prev_hash"],
                     e["hash"], _now()])
        prev_seq, prev = e["seq"], e["hash"]
    with store.transaction():
        store.db.conn.executemany("INSERT INTO audit_remote(device, seq, time, user, action, detail, people, "
                                  "prev_hash, hash, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def remote_entries(store, device: str | None = None, since: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT device, seq, time, user, action, detail, people FROM audit_remote WHERE 1"
    params: list[Any] = []
    if device:
        sql += " AND device = ?"
        params.append(device)
    if since:
        sql += " AND time >= ?"
        params.append(since)
    out = []
    for r in store.rows(sql + " ORDER BY device, seq", params):
        r["detail"] = _load_detail(r["detail"])
        out.append(r)
    return out
