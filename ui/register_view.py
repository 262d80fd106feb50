"""The register page: every household in a table, with town / village / status
filters and the search box (name, pinyin, ID number or its tail, household
number). Double-click or Enter opens the household."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget,
)

from cadre_desk.codes import code_list
from cadre_desk.storage import Store

from .register_model import HOUSEHOLD_ID_ROLE, MEMBER_ID_ROLE, Filters, RegisterModel

SEARCH_DELAY_MS = 60  # coalesce a burst of keystrokes; a query itself takes ~1 ms
ALL = ""


class RegisterTable(QTableView):
    """Enter/Return opens the current household (a table eats them otherwise)."""

    activated_row = Signal(int)

    def keyPressEvent(self, event):
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


class SearchBox(QLineEdit):
    """Down arrow moves into the results; Esc clears the search."""

    to_results = Signal()

    def keyPressEvent(self, event):
        if event.key() == Qt.Key.Key_Down:
            self.to_results.emit()
            return
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.to_results.emit()
            return
        super().keyPressEvent(event)


class RegisterView(QWidget):
    """``open_requested(household_id, member_id_or_empty)`` when the user opens a row."""

    open_requested = Signal(str, str)

    def __init__(self, store: Store, parent=None):
        super().__init__(parent)
        self.setObjectName("registerView")
        self.store = store
        self.model = RegisterModel(store, self)

        self.search = SearchBox()
        self.search.setObjectName("registerSearch")
        self.search.setPlaceholderText("搜索：姓名或其中两个字、拼音首字母（如 wxl）、全拼、证件号码后4位、户编号  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.town = QComboBox()
        self.town.setObjectName("townFilter")
        self.village = QComboBox()
        self.village.setObjectName("villageFilter")
        self.status = QComboBox()
        self.status.setObjectName("statusFilter")
        for combo in (self.town, self.village, self.status):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.count_label = QLabel()
        self.count_label.setObjectName("registerCount")

        self.table = RegisterTable()
        self.table.setObjectName("registerTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        # Qt's default indicator is descending: set ours before sorting is enabled (it sorts at once).
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setWordWrap(False)
        self._size_columns()

        filters = QHBoxLayout()
        filters.addWidget(QLabel("乡镇"))
        filters.addWidget(self.town)
        filters.addWidget(QLabel("村"))
        filters.addWidget(self.village)
        filters.addWidget(QLabel("脱贫状态"))
        filters.addWidget(self.status)
        filters.addStretch(1)
        filters.addWidget(self.count_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        # A database without households (a first import that failed, say) says
        # how to fill it rather than a bare 共 0 户.
        self.empty_hint = QLabel("这个数据库里还没有任何户。县就业办：用“文件 → 导入花名册…”导入县里的花名册；"
                                 "帮扶干部：用“同步 → 导入数据包或启用包…”导入县就业办给您的启用包。")
        self.empty_hint.setObjectName("registerEmptyHint")
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setStyleSheet("color: #7a4a00; background: #fff3c4; padding: 8px;")
        self.empty_hint.hide()
        layout.addWidget(self.empty_hint)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.to_results.connect(self._focus_results)
        self.town.currentIndexChanged.connect(self._town_changed)
        self.village.currentIndexChanged.connect(self.apply_filters)
        self.status.currentIndexChanged.connect(self.apply_filters)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.table.activated_row.connect(self._open_row)
        self.model.modelReset.connect(self._update_count)
        # Ctrl+F is the main window's 户 → 查找 action (one shortcut, or Qt calls it ambiguous).

        self._load_filter_choices()
        self._update_count()

    # ------------------------------------------------------------ filters
    def _load_filter_choices(self) -> None:
        self.town.blockSignals(True)
        self.status.blockSignals(True)
        current_town, current_status = self.town.currentData(), self.status.currentData()
        self.town.clear()
        self.town.addItem("全部乡镇", ALL)
        for row in self.store.rows("SELECT id, name FROM towns WHERE deleted = 0 ORDER BY code"):
            self.town.addItem(row["name"], row["id"])
        self.status.clear()
        self.status.addItem("全部", ALL)
        for value in code_list("poverty_status").values:
            self.status.addItem(value, value)
        self._reselect(self.town, current_town)
        self._reselect(self.status, current_status)
        self.town.blockSignals(False)
        self.status.blockSignals(False)
        self._load_villages()

    def _load_villages(self) -> None:
        self.village.blockSignals(True)
        current = self.village.currentData()
        self.village.clear()
        self.village.addItem("全部村", ALL)
        town_id = self.town.currentData()
        if town_id:
            for row in self.store.rows("SELECT id, name FROM villages WHERE deleted = 0 AND town_id = ? "
                                       "ORDER BY code", [town_id]):
                self.village.addItem(row["name"], row["id"])
        self._reselect(self.village, current)
        self.village.blockSignals(False)

    @staticmethod
    def _reselect(combo: QComboBox, data) -> None:
        index = combo.findData(data) if data else 0
        combo.setCurrentIndex(max(index, 0))

    def _town_changed(self) -> None:
        self._load_villages()
        self.apply_filters()

    def current_filters(self) -> Filters:
        return Filters(town_id=self.town.currentData() or None, village_id=self.village.currentData() or None,
                       status=self.status.currentData() or None, text=self.search.text())

    def apply_filters(self) -> None:
        self._timer.stop()
        was_searching = self.model.searching
        filters = self.current_filters()
        if filters.text.strip() != self.model.filters.text.strip():
            # A new search shows the best hits first (no column sort); clearing
            # the search goes back to the register's order by household number.
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(-1 if filters.text.strip() else 0, Qt.SortOrder.AscendingOrder)
            header.blockSignals(False)
            self.model.clear_sort()
        self.model.set_filters(filters)
        if was_searching != self.model.searching:
            self._size_columns()
        if self.model.rowCount():
            self.table.selectRow(0)

    def refresh(self) -> None:
        """After a write elsewhere: reload the choices and the rows."""
        self._load_filter_choices()
        self.model.refresh()

    def update_households(self, household_ids) -> None:
        """After a write to these households only (a survey save): re-read
        their rows; the list, its order and the filter choices stay."""
        self.model.refresh_rows(household_ids)

    # ------------------------------------------------------------ actions
    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _focus_results(self) -> None:
        if self.model.rowCount():
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            if not self.table.currentIndex().isValid():
                self.table.selectRow(0)

    def _open_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        household_id = self.model.data(index, HOUSEHOLD_ID_ROLE)
        if household_id:
            self.open_requested.emit(household_id, self.model.data(index, MEMBER_ID_ROLE) or "")

    def selected_household_id(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.data(self.model.index(index.row(), 0), HOUSEHOLD_ID_ROLE) if index.isValid() else None

    def selected_member_id(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.data(self.model.index(index.row(), 0), MEMBER_ID_ROLE) if index.isValid() else None

    def _update_count(self) -> None:
        n = self.model.rowCount()
        self.count_label.setText(f"找到 {n} 户" if self.model.searching else f"共 {n} 户")
        self.empty_hint.setVisible(n == 0 and not self.store.rows(
            "SELECT 1 FROM households WHERE deleted = 0 LIMIT 1"))

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        widths = [130, 90, 110, 120, 50, 170, 100, 160]
        for col, width in enumerate(widths[:self.model.columnCount()]):
            self.table.setColumnWidth(col, width)
