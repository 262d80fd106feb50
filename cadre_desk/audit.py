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
    return _read(store, "SELECT seq, time, user, device, action, detail, people FROM audit_log WHERE 1",
                 {"time >= ?": since}, "seq")


def _read(store, sql: str, conditions: dict[str, Any], order: str) -> list[dict[str, Any]]:
    """The entries of ``sql`` (ending in a WHERE) under the ``conditions`` whose
    value is given, in ``order``, their details decoded."""
    given = {cond: value for cond, value in conditions.items() if value}
    rows = store.rows(sql + "".join(f" AND {cond}" for cond in given) + f" ORDER BY {order}", list(given.values()))
    for r in rows:
        r["detail"] = _load_detail(r["detail"])
    return rows


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


# What an entry's detail says, in Chinese (the CLI listing, the page, the Excel copy).
DETAIL_LABELS = {"what": "内容", "file": "文件", "folder": "文件夹", "ids": "证件号码", "town": "乡镇",
                 "village": "村", "household": "户编号", "households": "户数", "pages": "页数", "name": "用户",
                 "role": "角色", "change": "变更", "reason": "原因", "failures": "连续失败次数", "data_from": "数据截至",
                 "as_of": "截至", "first_user": "第一个用户", "request": "申请文件", "answer": "答复文件",
                 "continues_from": "接着第几条记录", "continues_hash": "那条记录的校验值",
                 "copy": "从备份恢复后的第几份记录"}
DETAIL_VALUES = {"full": "完整", "masked": "隐去中间数字", "roster": "花名册", "progress": "就业进度",
                 "errors": "问题清单", "openings": "岗位", "policies": "政策汇编", "handbook": "帮扶手册",
                 "handbooks": "帮扶手册（整村）", "warehouse": "数据仓库", "audit": "审计记录",
                 "created": "建立", "added": "添加", "disabled": "停用", "wrong_password": "密码错误",
                 "unknown_user": "没有这个用户", "unlock": "解锁时密码错误", "admin": "县就业办管理员",
                 "county": "县就业办", "town": "乡镇", "cadre": "帮扶干部"}


def describe(entry: dict[str, Any]) -> str:
    detail = entry.get("detail") or {}
    if not isinstance(detail, dict):
        return str(detail)
    parts = []
    for k, v in sorted(detail.items(), key=lambda kv: kv[0] != "what"):  # what it was, first
        if isinstance(v, bool):
            shown = "是" if v else "否"
        elif isinstance(v, str):
            shown = DETAIL_VALUES.get(v, v)
        else:
            shown = v
        parts.append(f"{DETAIL_LABELS.get(k, k)}：{shown}")
    return "，".join(parts)


def verdict_text(verdict: Verdict, *, remote: bool = False) -> str:
    """The chain check said in one sentence (the page and the CLI)."""
    whose = "各台电脑送来的审计记录" if remote else "本机的审计记录"
    if verdict.ok:
        return f"{whose}完整：{verdict.count} 条记录，没有发现删除或改动"
    return (f"{whose}链断了：第 {verdict.first_bad} 条记录{verdict.reason}。记录可能被人改动过，"
            "请报告县就业办管理员")


COLUMNS = ["时间", "用户", "设备", "操作", "内容", "人数"]


def table_row(entry: dict[str, Any]) -> list[Any]:
    """One entry as the page and the Excel copy show it (local time of the UTC stamp)."""
    return [local_time(entry["time"]), entry.get("user") or "", entry.get("device_name") or entry.get("device") or "",
            action_label(entry["action"]), describe(entry), int(entry.get("people") or 0)]


def local_time(stamp: str) -> str:
    try:
        return dt.datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return str(stamp)


def write_xlsx(store, path: str | Path, rows: list[dict[str, Any]], *, title: str = "审计记录") -> int:
    """The entries shown on the page, as a workbook (recorded as an export)."""
    from .xlsx import ColumnWidths, close_workbook, open_workbook, print_setup

    path = Path(path)
    workbook = open_workbook(path)
    sheet = workbook.add_worksheet(title[:31])
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    widths = ColumnWidths(COLUMNS, high=60)
    for i, h in enumerate(COLUMNS):
        sheet.write_string(0, i, h, head)
    for r, entry in enumerate(rows, start=1):
        for i, value in enumerate(table_row(entry)):
            if isinstance(value, int):
                sheet.write_number(r, i, value)
            else:
                sheet.write_string(r, i, value)
            widths.see(i, value)
    widths.apply(sheet, {})
    print_setup(sheet)
    sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)
    close_workbook(workbook, path)
    record(store, "export", {"what": "audit", "file": path.name, "entries": len(rows)})
    return len(rows)


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


# A package carries at most this many entries; the rest go in the next one.
PER_PACKAGE = 20_000
# (Laptop) How far the county office holds this laptop's entries (its reply says).
SENT_SETTING = "audit_county_holds"


def for_package(store) -> list[dict[str, Any]]:
    """(Laptop) The entries a package to the county carries: those the
    county has not said it holds, oldest first, at most ``PER_PACKAGE``."""
    return export_entries(store, int(store.get_setting(SENT_SETTING) or 0))[:PER_PACKAGE]


def held_tail(store, device: str) -> tuple[int, str]:
    """(County) The last entry of ``device`` kept here, as (seq, hash), on
    the branch it last added to (the chain the laptop is on now); (0, "")
    when none."""
    row = store.db.execute("SELECT seq, hash FROM audit_remote WHERE device = ? ORDER BY rowid DESC LIMIT 1",
                           [device]).fetchone()
    return (int(row[0]), row[1]) if row else (0, "")


def county_holds(store, seq: int, hash_: str | None = None) -> None:
    """(Laptop) The county's reply said it holds our entries up to ``seq``,
    the one with ``hash_``. A reply about another chain (ours went back to a
    backup, and the county holds the entries of before) moves nothing: what
    we have after the backup must still be sent. A reply that names our own
    entry is the truth, also when it is behind our mark (the county's
    database was restored): what it lacks is sent again (an entry it holds
    already is skipped there). Without a hash (an older county program) the
    mark only moves forward."""
    mark = int(store.get_setting(SENT_SETTING) or 0)
    if hash_ is None:
        if seq > mark:
            store.set_setting(SENT_SETTING, seq)
        return
    row = store.db.execute("SELECT hash FROM audit_log WHERE seq = ?", [seq]).fetchone()
    if row is not None and row[0] == hash_ and seq != mark:
        store.set_setting(SENT_SETTING, seq)


def restore_detail(backup_last: tuple[int, str] | None, data_from: str | None) -> dict[str, Any]:
    """What a ``restore`` entry says for the county: the backup's date and the
    entry the restored chain continues from (its seq and hash), so that the
    second set of entries from there on is explained."""
    seq, hash_ = backup_last or (0, GENESIS)
    return {"data_from": data_from, "continues_from": seq, "continues_hash": hash_}


def import_remote(store, device: str, entries: list[dict[str, Any]], *, label: str | None = None,
                  said: list[str] | None = None) -> int:
    """Keep a laptop's entries (from its sync package) as they came. Each must
    carry its own hash and continue a chain held here: the entry before it
    (same seq and hash) may be the end of one of the device's branches (the
    entry is appended to it) or an entry inside one (the laptop was restored
    from a backup: a new branch starts, both kept). An entry held already
    (same seq and hash) is skipped. An entry that continues nothing held
    (a gap, or an entry edited) refuses the entries whole. Returns how many
    were added; a sentence per fork started is appended to ``said``."""
    who = label or f"设备 {device}"
    seqs = [e["seq"] for e in entries] or [0]
    # Only the numbers this package touches (and the one before) are looked at.
    held = {(seq, hash_): branch for seq, hash_, branch in store.db.execute(
        "SELECT seq, hash, branch FROM audit_remote WHERE device = ? AND seq BETWEEN ? AND ?",
        [device, min(seqs) - 1, max(seqs)])}
    tails = {branch: (seq, hash_) for branch, seq, hash_ in store.db.execute(
        "SELECT branch, seq, hash FROM audit_remote a WHERE device = ? AND seq = "
        "(SELECT max(seq) FROM audit_remote WHERE device = a.device AND branch = a.branch)", [device])}
    rows, new_branches = [], []
    for e in sorted(entries, key=lambda e: e["seq"]):
        if entry_hash(e["prev_hash"], {**e, "device": e.get("device", device)}) != e["hash"]:
            raise CadreDeskError(f"{who}的第 {e['seq']} 条审计记录被改动过，这些审计记录没有导入")
        if (e["seq"], e["hash"]) in held:
            continue
        parent = held.get((e["seq"] - 1, e["prev_hash"]))
        if parent is not None and tails[parent] == (e["seq"] - 1, e["prev_hash"]):
            branch = parent
        elif not tails:
            branch = 0  # the first entries of this device received here
        elif parent is not None or (e["seq"] == 1 and e["prev_hash"] == GENESIS):
            branch = max(tails) + 1
            new_branches.append(branch)
        else:
            raise CadreDeskError(f"{who}的审计记录接不上（第 {e['seq']} 条之前有记录缺失或被改动），"
                                 "这些审计记录没有导入")
        rows.append([device, branch, e["seq"], e["time"], e["user"], e["action"],
                     json.dumps(e["detail"], ensure_ascii=False, sort_keys=True), e["people"], e["prev_hash"],
                     e["hash"], _now(), e.get("device", device)])
        held[(e["seq"], e["hash"])] = branch
        tails[branch] = (e["seq"], e["hash"])
    with store.transaction():
        store.db.conn.executemany("INSERT INTO audit_remote(device, branch, seq, time, user, action, detail, "
                                  "people, prev_hash, hash, received_at, entry_device) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    if new_branches and said is not None:
        said.extend(f.text for f in forks(store, device, label=label) if f.branch in new_branches)
    return len(rows)


@dataclass(frozen=True)
class Fork:
    device: str
    branch: int
    first: int   # the first seq held twice
    last: int    # the last seq held twice (so far)
    text: str


def forks(store, device: str | None = None, *, label: str | None = None) -> list[Fork]:
    """(County) Where a device's entries fork (it was restored from a backup):
    for each branch after its first, the numbers held in both it and the
    branch it starts from, with the restore's time and the backup's date."""
    sql = ("SELECT a.device, a.branch, a.seq, a.prev_hash, COALESCE(d.cadre_name, '') AS name FROM audit_remote a "
           "LEFT JOIN sync_devices d ON d.id = a.device WHERE a.branch > 0")
    params: list[Any] = []
    if device:
        sql += " AND a.device = ?"
        params.append(device)
    firsts = {}
    for r in store.rows(sql + " ORDER BY a.device, a.branch, a.seq", params):
        firsts.setdefault((r["device"], r["branch"]), r)
    out = []
    for (dev, branch), first in firsts.items():
        parent = store.db.execute("SELECT branch FROM audit_remote WHERE device = ? AND seq = ? AND hash = ?",
                                  [dev, first["seq"] - 1, first["prev_hash"]]).fetchone()
        parent_branch = parent[0] if parent else 0
        ends = [store.db.execute("SELECT max(seq) FROM audit_remote WHERE device = ? AND branch = ?",
                                 [dev, b]).fetchone()[0] for b in (parent_branch, branch)]
        last = min(ends)
        restore = store.rows("SELECT time, detail FROM audit_remote WHERE device = ? AND branch = ? "
                             "AND action = 'restore' ORDER BY seq LIMIT 1", [dev, branch])
        who = label or f"{first['name'] or '这台'}的电脑（设备号 {dev}）"
        if restore:
            made = (_load_detail(restore[0]["detail"]).get("data_from") or "")[:16].replace("T", " ")
            when = f"于 {local_time(restore[0]['time'])[:16]} 从备份恢复" + (f"（备份中的数据截至 {made}）" if made else "")
        else:
            when = "像是从备份恢复过"
        # A fork starts inside a branch (else it would continue it): ``last`` >= the first seq.
        span = f"{first['seq']}–{last}" if last > first["seq"] else f"{first['seq']}"
        copies = f"第 {span} 条有两份记录，均已保存"
        out.append(Fork(dev, branch, first["seq"], last, f"{who}{when}：{copies}"))
    return out


def fork_notes(store, device: str | None = None) -> list[str]:
    """The sentences of ``forks`` (the 审计记录 page, ``cadre-desk audit --devices``)."""
    return [f.text for f in forks(store, device)]


def verify_remote(store) -> Verdict:
    """The chains the laptops sent, device by device and branch by branch,
    checked again here (an entry edited in the county's own database is found
    like a local one). A branch after a device's first starts from an entry
    held in another of its branches."""
    n = 0
    prev: dict[tuple[str, int], str] = {}
    held = {(r[0], r[1], r[2]) for r in store.db.execute("SELECT device, seq, hash FROM audit_remote")}
    for r in store.rows("SELECT device, branch, COALESCE(entry_device, device) AS entry_device, seq, time, user, "
                        "action, detail, people, prev_hash, hash FROM audit_remote ORDER BY device, branch, seq"):
        n += 1
        entry = {**r, "device": r["entry_device"], "detail": _load_detail(r["detail"])}
        where = f"（设备 {r['device']}" + (f"，第 {r['branch'] + 1} 份" if r["branch"] else "") + "）"
        seen = prev.get((r["device"], r["branch"]))
        links = (r["prev_hash"] == seen if seen is not None else
                 r["branch"] == 0 or (r["device"], r["seq"] - 1, r["prev_hash"]) in held
                 or (r["seq"] == 1 and r["prev_hash"] == GENESIS))
        if not links:
            return Verdict(False, n, r["seq"], f"{where}与上一条记录接不上（之前的记录被删除或改动）")
        if entry_hash(r["prev_hash"], entry) != r["hash"]:
            return Verdict(False, n, r["seq"], f"{where}的内容被改动过")
        prev[(r["device"], r["branch"])] = r["hash"]
    return Verdict(True, n)


def query(store, *, source: str = "local", since: str | None = None, until: str | None = None,
          user: str | None = None, action: str | None = None, device: str | None = None,
          limit: int = 50_000) -> list[dict[str, Any]]:
    """Entries for the 审计记录 page and its Excel export: this database's own
    (``source="local"``) or those the laptops sent (``"remote"``), newest
    first, filtered by day (``since``/``until`` as YYYY-MM-DD, both
    included), user, action and device. Each row has ``device_name`` (the
    cadre whose laptop it is, 本机 for this database)."""
    if source == "remote":
        sql = ("SELECT a.seq, a.branch, a.time, a.user, a.device, COALESCE(d.cadre_name, '') AS device_name, "
               "a.action, a.detail, a.people FROM audit_remote a LEFT JOIN sync_devices d ON d.id = a.device WHERE 1")
    else:
        sql = ("SELECT a.seq, a.time, a.user, a.device, '本机' AS device_name, a.action, a.detail, a.people "
               "FROM audit_log a WHERE 1")
    params: list[Any] = []
    for cond, value in ((" AND a.time >= ?", since), (" AND a.time < ?", _day_after(until)),
                        (" AND a.user = ?", user), (" AND a.action = ?", action), (" AND a.device = ?", device)):
        if value:
            sql += cond
            params.append(value)
    out = []
    for r in store.rows(sql + " ORDER BY a.time DESC, a.device, a.seq DESC LIMIT ?", [*params, limit]):
        r["detail"] = _load_detail(r["detail"])
        out.append(r)
    return _mark_copies(out)


def _day_after(day: str | None) -> str | None:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat() if day else None


def user_names(store, source: str = "local") -> list[str]:
    table = "audit_remote" if source == "remote" else "audit_log"
    return [r[0] for r in store.db.execute(f"SELECT DISTINCT user FROM {table} WHERE user != '' ORDER BY user")]


def action_label(action: str) -> str:
    return ACTIONS.get(action, action)


def remote_entries(store, device: str | None = None, since: str | None = None) -> list[dict[str, Any]]:
    """The entries the laptops sent, by device and seq (both copies of a
    number held twice next to each other, the later branch's marked)."""
    return _mark_copies(_read(store, "SELECT device, branch, seq, time, user, action, detail, people, hash "
                                     "FROM audit_remote WHERE 1",
                              {"device = ?": device, "time >= ?": since}, "device, seq, branch"))


def _mark_copies(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An entry of a device's later branch (after a restore from a backup)
    says which copy it is, in its detail (the listing's keys stay)."""
    for r in rows:
        if r.get("branch") and isinstance(r["detail"], dict):
            r["detail"] = {**r["detail"], "copy": r["branch"] + 1}
    return rows
