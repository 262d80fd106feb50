"""The household register as a Qt table model, filtered and sorted in SQL.

On every filter change the model asks SQLite for the ordered list of matching
household ids only (tens of milliseconds for 30,000 households); the visible
cells are then read in blocks of ``BLOCK`` rows as the view scrolls to them.
The row count is known at once (the scroll bar is right) and memory holds only
the ids plus the blocks that were looked at. A search box query goes through
the core's ``cadre_desk.search`` and shows the matching households in the
order of their best hit, with the matching person in an extra column.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from cadre_desk import search as core_search
from cadre_desk.storage import Store

HOUSEHOLD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
MEMBER_ID_ROLE = Qt.ItemDataRole.UserRole + 2

COLUMNS = ["户编号", "户主", "乡镇", "村", "人口", "脱贫状态", "帮扶责任人"]
MATCH_COLUMN = "匹配"
BLOCK = 200
SEARCH_LIMIT = 500

# Sort expressions per column (None: not sortable in SQL).
_ORDER = [
    "h.number", "head", "t.code, v.code", "v.name", "people", "h.poverty_status", "cadre",
]

_ROW_SQL = """
SELECT h.id, h.number,
       COALESCE(NULLIF(h.head_name, ''),
                (SELECT m.name FROM members m WHERE m.household_id = h.id AND m.deleted = 0
                 AND m.relation = '户主' LIMIT 1)) AS head,
       t.name AS town, v.name AS village,
       (SELECT count(*) FROM members m WHERE m.household_id = h.id AND m.deleted = 0) AS people,
       h.poverty_status,
       (SELECT c.name FROM pairings p JOIN cadres c ON c.id = p.cadre_id
        WHERE p.household_id = h.id AND p.deleted = 0 AND p.until IS NULL
        ORDER BY p.since DESC LIMIT 1) AS cadre
FROM households h JOIN villages v ON v.id = h.village_id JOIN towns t ON t.id = v.town_id
"""


@dataclass(frozen=True)
class Filters:
    town_id: str | None = None
    village_id: str | None = None
    status: str | None = None
    text: str = ""


class RegisterModel(QAbstractTableModel):
    """Households matching ``Filters``; ``set_filters`` re-queries."""

    def __init__(self, store: Store, parent=None):
        super().__init__(parent)
        self.store = store
        self.filters = Filters()
        self._ids: list[str] = []
        self._blocks: dict[int, list[tuple]] = {}
        self._hits: dict[str, core_search.Hit] = {}
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self.refresh()

    # ------------------------------------------------------------ queries
    def set_filters(self, filters: Filters) -> None:
        if filters != self.filters:
            self.filters = filters
            self.refresh()

    def refresh(self) -> None:
        """Re-run the query (after a filter change or any write)."""
        self.beginResetModel()
        self._blocks.clear()
        self._hits = {}
        self._ids = self._query_ids()
        self.endResetModel()

    def refresh_rows(self, household_ids) -> None:
        """Re-read the cells of these households where they are loaded (a write
        that changed only them: the list and its order stay as they are)."""
        wanted = set(household_ids)
        touched = []
        for block, rows in self._blocks.items():
            for offset, row in enumerate(rows):
                if row[0] in wanted:
                    touched.append((block, offset, row[0]))
        if not touched:
            return
        fresh = {r[0]: r for r in self._fetch_rows(sorted({t[2] for t in touched}))}
        last = len(COLUMNS) + (1 if self.searching else 0) - 1
        for block, offset, household_id in touched:
            if household_id in fresh:
                self._blocks[block][offset] = fresh[household_id]
            row = block * BLOCK + offset
            self.dataChanged.emit(self.index(row, 0), self.index(row, last))

    def _where(self) -> tuple[str, list]:
        clauses, params = ["h.deleted = 0"], []
        f = self.filters
        if f.town_id:
            clauses.append("v.town_id = ?")
            params.append(f.town_id)
        if f.village_id:
            clauses.append("h.village_id = ?")
            params.append(f.village_id)
        if f.status:
            clauses.append("h.poverty_status = ?")
            params.append(f.status)
        return " AND ".join(clauses), params

    def _query_ids(self) -> list[str]:
        where, params = self._where()
        text = self.filters.text.strip()
        if text:
            hits = core_search.search(self.store, text, limit=SEARCH_LIMIT)
            order: list[str] = []
            for hit in hits:
                if hit.household_id not in self._hits:
                    self._hits[hit.household_id] = hit
                    order.append(hit.household_id)
            if not order:
                return []
            marks = ",".join("?" * len(order))
            rows = self.store.db.execute(
                f"SELECT h.id FROM households h JOIN villages v ON v.id = h.village_id "
                f"WHERE {where} AND h.id IN ({marks})", [*params, *order]).fetchall()
            keep = {r[0] for r in rows}
            ids = [i for i in order if i in keep]
            if self._sort is not None:
                ids = self._sorted_ids(ids)
            return ids
        column, direction = self._sort if self._sort else (0, Qt.SortOrder.AscendingOrder)
        desc = " DESC" if direction == Qt.SortOrder.DescendingOrder else ""
        expr = _ORDER[column]
        if expr in ("head", "people", "cadre"):
            # Computed per row: sort the page query itself (one pass, only on a header click).
            sql = f"SELECT id FROM ({_ROW_SQL} WHERE {where}) ORDER BY {expr} IS NULL, {expr}{desc}, number"
        else:
            order_by = ", ".join(f"{part.strip()}{desc}" for part in expr.split(","))
            if expr != "h.number":  # ties by number (a second "h.number" would make SQLite sort the whole list)
                order_by += ", h.number"
            sql = (f"SELECT h.id FROM households h JOIN villages v ON v.id = h.village_id "
                   f"JOIN towns t ON t.id = v.town_id WHERE {where} ORDER BY {order_by}")
        return [r[0] for r in self.store.db.execute(sql, params).fetchall()]

    def _sorted_ids(self, ids: list[str]) -> list[str]:
        column, direction = self._sort
        rows = {r[0]: r for r in self._fetch_rows(ids)}
        key_index = {0: 1, 1: 2, 2: 3, 3: 4, 4: 5, 5: 6, 6: 7}[column]
        return sorted(ids, key=lambda i: (rows[i][key_index] is None, rows[i][key_index] or 0
                                          if column == 4 else str(rows[i][key_index] or "")),
                      reverse=direction == Qt.SortOrder.DescendingOrder)

    def _fetch_rows(self, ids: list[str]) -> list[tuple]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return self.store.db.execute(f"{_ROW_SQL} WHERE h.id IN ({marks})", ids).fetchall()

    def _row(self, row: int) -> tuple:
        block = row // BLOCK
        rows = self._blocks.get(block)
        if rows is None:
            ids = self._ids[block * BLOCK:(block + 1) * BLOCK]
            by_id = {r[0]: r for r in self._fetch_rows(ids)}
            rows = [by_id.get(i, (i, "", "", "", "", 0, "", "")) for i in ids]
            if len(self._blocks) > 50:  # keep memory flat when scrolling through everything
                self._blocks.clear()
            self._blocks[block] = rows
        return rows[row - block * BLOCK]

    # ------------------------------------------------------------ model API
    @property
    def searching(self) -> bool:
        return bool(self.filters.text.strip())

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent=QModelIndex()) -> int:
        if parent.isValid():
            return 0
        return len(COLUMNS) + (1 if self.searching else 0)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return (COLUMNS + [MATCH_COLUMN])[section] if 0 <= section <= len(COLUMNS) else None
        return str(section + 1)

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        household_id = self._ids[index.row()]
        if role == HOUSEHOLD_ID_ROLE:
            return household_id
        if role == MEMBER_ID_ROLE:
            hit = self._hits.get(household_id)
            return hit.member_id if hit else None
        col = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 4:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if col == len(COLUMNS):
            hit = self._hits.get(household_id)
            return describe_hit(hit) if hit else ""
        value = self._row(index.row())[col + 1]
        return "" if value is None else str(value)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column; a column of -1 restores the natural order (by
        household number, or by relevance while searching)."""
        new = (column, order) if 0 <= column < len(COLUMNS) else None
        natural = (0, Qt.SortOrder.AscendingOrder)  # by household number, what the list has without a sort
        same = new == self._sort or (not self.searching and (new or natural) == (self._sort or natural))
        self._sort = new
        if not same:  # the view enabling sorting at start-up asks for the order the list already has
            self.refresh()

    def clear_sort(self) -> None:
        """Forget the column sort without re-querying (the next filter change does)."""
        self._sort = None

    # ------------------------------------------------------------ helpers
    def household_id(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def hit(self, household_id: str) -> core_search.Hit | None:
        return self._hits.get(household_id)

    def row_of(self, household_id: str) -> int:
        try:
            return self._ids.index(household_id)
        except ValueError:
            return -1


def describe_hit(hit: core_search.Hit) -> str:
    """'武学亮 · 姓名' – who matched and by what."""
    who = hit.name or ""
    return f"{who} · {hit.matched}" if who else hit.matched
