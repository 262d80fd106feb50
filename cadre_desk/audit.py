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
