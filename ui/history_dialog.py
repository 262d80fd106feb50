"""The change history of one member (who, when, which question, old → new)
with a button that undoes the selected change. An undo is itself a new change
(``cadre_desk.history.revert_change``), so it can be undone in turn."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout,
)

from cadre_desk import register
from cadre_desk.errors import CadreDeskError
from cadre_desk.history import HistoryEntry, member_history, revert_change
from cadre_desk.storage import Store

from .screen import fit
from .colors import ERROR_STYLE

COLUMNS = ("时间", "修改人", "项目", "原值", "新值")


class HistoryDialog(QDialog):
    """``reverted(seq)`` is emitted after each undo."""

    reverted = Signal(int)

    def __init__(self, store: Store, member_id: str | None, parent=None, *, household_id: str | None = None):
        super().__init__(parent)
        self.store, self.member_id, self.household_id = store, member_id, household_id
        self.entries: list[HistoryEntry] = []
        if household_id:
            h = store.get("households", household_id)
            self.setWindowTitle(f"修改历史：户编号 {h.get('number') or ''}（户信息）")
        else:
            record = register.member(store, member_id) if self._exists() else {}
            self.setWindowTitle(f"修改历史：{record.get('name') or ''}")
        fit(self, 860, 480)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("选中一条修改，按“撤销所选修改”把该项改回原值（撤销本身也会记入历史）。"))
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for col in range(3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for 撤销所选修改 and 关闭
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table, 1)

        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.revert_button = QPushButton("撤销所选修改")
        self.close_button = QPushButton("关闭")
        self.revert_button.clicked.connect(self.revert_selected)
        self.close_button.clicked.connect(self.accept)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        QDialog.setTabOrder(self.table, self.revert_button)
        QDialog.setTabOrder(self.revert_button, self.close_button)
        self.reload()

    def _exists(self) -> bool:
        return bool(self.store.rows("SELECT 1 FROM members WHERE id = ?", [self.member_id]))

    def reload(self) -> None:
        if self.household_id:
            from cadre_desk.households import household_history

            self.entries = household_history(self.store, self.household_id)
        else:
            self.entries = member_history(self.store, self.member_id)
        self.table.setRowCount(len(self.entries))
        for r, e in enumerate(self.entries):
            for c, text in enumerate((e.at_local, e.who, e.label, e.old_text, e.new_text)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        if self.entries:
            self.table.selectRow(0)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self._selection_changed()

    def selected_entry(self) -> HistoryEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.entries[rows[0].row()] if rows else None

    def select_seq(self, seq: int) -> None:
        for r, e in enumerate(self.entries):
            if e.seq == seq:
                self.table.selectRow(r)
                return
        raise KeyError(seq)

    def _selection_changed(self) -> None:
        entry = self.selected_entry()
        self.revert_button.setEnabled(bool(entry and entry.revertible))
        if entry and not entry.revertible and self.household_id:
            self.message.setText("新建户不能在这里撤销；户的成员和记录都保留")
        elif entry and not entry.revertible:
            self.message.setText(f"{entry.label}由证件号码决定，请撤销证件号码的修改")
        else:
            self.message.clear()

    def revert_selected(self) -> bool:
        entry = self.selected_entry()
        if entry is None or not entry.revertible:
            return False
        if entry.is_creation:
            answer = QMessageBox.question(self, "撤销新建", "撤销“新建”会删除这名成员（可在修改历史中再撤销）。确定吗？")
            if answer != QMessageBox.StandardButton.Yes:
                return False
        try:
            revert_change(self.store, entry.seq)
        except CadreDeskError as exc:
            self.message.setStyleSheet(ERROR_STYLE)
            self.message.setText(exc.message)
            return False
        self.message.setStyleSheet("color: #2e7d32;")
        self.reload()
        self.message.setText(f"已撤销：{entry.label} 改回“{entry.old_text or '（空）'}”")
        self.reverted.emit(entry.seq)
        return True
