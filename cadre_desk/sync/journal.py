"""The sync log in words: one line per package exported or imported, and per
laptop stopped or taken back, for the 同步 page and ``cadre-desk sync log``."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..storage import Store
from .package import KIND_SETUP
from .roles import REFUSED, RESTORE, RETIRE

DIRECTION_LABELS = {"import": "导入", "export": "导出", RETIRE: "停用", RESTORE: "恢复", REFUSED: "拒收"}


@dataclass(frozen=True)
class LogLine:
    at: str  # ISO 8601, UTC
    direction: str  # import, export, retire, restore, refused
    peer: str  # the cadre's name, else the device id
    package: str  # 启用包, 第 N 号, or "" for a device being stopped or taken back
    what: str
    file_name: str

    @property
    def direction_label(self) -> str:
        return DIRECTION_LABELS.get(self.direction, self.direction)


def log_lines(store: Store, device: str | None = None, *, newest_first: bool = False) -> list[LogLine]:
    """The log, of one device when ``device`` (a device id or a cadre's name) is given."""
    sql = "SELECT l.*, d.cadre_name FROM sync_log l LEFT JOIN sync_devices d ON d.id = l.device_id "
    params: list = []
    if device:
        sql += "WHERE l.device_id = ? OR d.cadre_name = ? "
        params = [device, device]
    rows = store.rows(sql + f"ORDER BY l.id {'DESC' if newest_first else ''}", params)
    return [_line(r) for r in rows]


def _line(r: dict) -> LogLine:
    counts = json.loads(r["counts"] or "{}")
    direction = r["direction"]
    if direction == "import":
        what = (f"新增 {counts.get('new', 0)}，更新 {counts.get('updated', 0)}，"
                f"冲突 {counts.get('conflicts', 0)}，拒收 {counts.get('rejected', 0)}")
    elif direction == "export":
        what = f"{counts.get('rows', sum(v for v in counts.values() if isinstance(v, int)))} 条"
    elif direction == REFUSED:
        what = r["note"] or "数据包被拒收"
    elif direction == RETIRE:
        what = "停用这台电脑：不再接受它的数据包，也不再给它导出" + (f"（{r['note']}）" if r["note"] else "")
    else:
        what = "恢复这台电脑：重新接受它的数据包" + (f"（{r['note']}）" if r["note"] else "")
    if direction in (RETIRE, RESTORE, REFUSED):
        package = ""
    else:
        package = "启用包" if r["kind"] == KIND_SETUP else f"第 {r['package_seq']} 号"
    return LogLine(r["at"] or "", direction, r["cadre_name"] or r["device_id"] or "", package, what,
                   r["file_name"] or "")


def refused_rows(store: Store, device: str | None = None) -> list[dict]:
    """Rows that packages carried and this database did not apply (kept for
    review: ``sync_rejected``), newest first, of one device when given (a
    device id or a cadre's name)."""
    sql = ("SELECT r.id, r.at, r.device_id, d.cadre_name, r.table_name, r.row_id, r.reason, r.status, r.told_at "
           "FROM sync_rejected r LEFT JOIN sync_devices d ON d.id = r.device_id ")
    params: list = []
    if device:
        sql += "WHERE r.device_id = ? OR d.cadre_name = ? "
        params = [device, device]
    return store.rows(sql + "ORDER BY r.id DESC", params)
