"""Work spells (务工经历) of one member on the household page: the list, and
the actions that open the dialogs to add, edit and end a spell (the dialogs
are ``ui.spell_dialog``).

The window holds no rules: every write goes through ``cadre_desk.spells``
(``save_spells`` coerces the months, resolves the place to a county, checks
and warns: spells that overlap, naming both; a place it cannot resolve,
asking for the province; a monthly income under 400 元 …), and the list is
``spells_of``. The dialog only shows, while the cadre types, where the place
was found (``gazetteer.resolve``) and whether that is 县内 / 省内县外 / 省外.

Keys: in the list, Insert adds a spell, Enter edits the selected one, Ctrl+E
ends it; in the dialog Enter moves to the next field, Ctrl+S saves, Esc
cancels.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QGroupBox, QHBoxLayout, QHeaderView,
    QLabel, QMessageBox, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from cadre_desk import months, spells
from cadre_desk.changes import Changed
from cadre_desk.errors import CadreDeskError
from cadre_desk.storage import Store

from . import errors as ui_errors
from .colors import ERROR_COLOR, WARNING_COLOR
from .dialog_buttons import ask

from .spell_dialog import UNKNOWN_PLACE, SPELL_COLUMNS, EndSpellDialog, SpellDialog, cell_text, spell_label


class SpellsPanel(QGroupBox):
    """The selected member's spells with 添加 / 修改 / 结束 / 删除.
    ``changed(Changed)`` after a write."""

    changed = Signal(object)

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__("务工经历", parent)
        self.setObjectName("spellsPanel")
        self.store = store
        self.member_id: str | None = None
        self.member_name = ""
        self.spells: list[dict[str, Any]] = []
        self.table = QTableWidget(0, len(SPELL_COLUMNS))
        self.table.setObjectName("spellsTable")
        self.table.setHorizontalHeaderLabels([h for _k, h in SPELL_COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)  # Tab goes on to the buttons
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(SPELL_COLUMNS.index(("employer", "务工企业")), QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.edit_spell())
        self.table.installEventFilter(self)

        self.add_button = QPushButton("添加务工…")
        self.add_button.setObjectName("addSpellButton")
        self.add_button.setToolTip("添加务工 (在列表中按 Insert)")
        self.edit_button = QPushButton("修改…")
        self.edit_button.setObjectName("editSpellButton")
        self.edit_button.setToolTip("修改选中的务工 (Enter)")
        self.end_button = QPushButton("结束务工…")
        self.end_button.setObjectName("endSpellButton")
        self.end_button.setToolTip("结束选中的务工 (Ctrl+E)")
        self.delete_button = QPushButton("删除")
        self.delete_button.setObjectName("deleteSpellButton")
        self.delete_button.setToolTip("删除选中的务工（录错时用；可在修改历史中撤销）")
        self.delete_button.clicked.connect(lambda: self.delete_selected())
        self.add_button.clicked.connect(lambda: self.add_spell())
        self.edit_button.clicked.connect(lambda: self.edit_spell())
        self.end_button.clicked.connect(lambda: self.end_selected())
        self.message = QLabel()
        self.message.setObjectName("spellsMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar = QHBoxLayout()
        bar.addWidget(self.message, 1)
        for b in (self.add_button, self.edit_button, self.end_button, self.delete_button):
            bar.addWidget(b, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(bar)
        end = QShortcut(QKeySequence("Ctrl+E"), self.table)
        end.setContext(Qt.ShortcutContext.WidgetShortcut)
        end.activated.connect(lambda: self.end_selected())
        self._update_buttons()

    def eventFilter(self, obj, event) -> bool:
        # Insert and Enter belong to the list here, not to the household page's
        # shortcuts (Insert there adds a member).
        if obj is self.table and event.type() == QEvent.Type.ShortcutOverride and not event.modifiers() \
                and event.key() in (Qt.Key.Key_Insert, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return True
        if obj is self.table and event.type() == QEvent.Type.KeyPress and not event.modifiers():
            # The actions read the database: run_guarded keeps their errors inside this override.
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                ui_errors.run_guarded(self, self.edit_spell)
                return True
            if event.key() == Qt.Key.Key_Insert:
                ui_errors.run_guarded(self, self.add_spell)
                return True
        return super().eventFilter(obj, event)

    # ------------------------------------------------------------ showing
    def set_member(self, member_id: str | None, name: str = "") -> None:
        if member_id != self.member_id:
            self.message.clear()
        self.member_id, self.member_name = member_id, name
        self.refresh()

    def refresh(self) -> None:
        self.setTitle(f"务工经历 — {self.member_name}" if self.member_name else "务工经历")
        selected = self.selected_spell()
        self.spells = spells.spells_of(self.store, self.member_id) if self.member_id else []
        self.table.setRowCount(len(self.spells))
        for r, spell in enumerate(self.spells):
            for c, (key, _h) in enumerate(SPELL_COLUMNS):
                text = cell_text(self.store, spell, key)
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if key == "end_month" and not spell.get("end_month"):
                    item.setForeground(Qt.GlobalColor.darkGreen)
                if key == "scope" and text == UNKNOWN_PLACE:
                    item.setForeground(Qt.GlobalColor.darkYellow)
                self.table.setItem(r, c, item)
        ids = [s["id"] for s in self.spells]
        if selected and selected["id"] in ids:
            self.table.selectRow(ids.index(selected["id"]))
        elif ids:
            self.table.selectRow(0)
        if not self.spells and not self.message.text():
            self.message.setStyleSheet("color: #777;")
            self.message.setText("没有务工记录" if self.member_id else "请先在家庭成员表中选中一名成员")
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(bool(self.member_id))
        has = bool(self.spells)
        for b in (self.edit_button, self.end_button, self.delete_button):
            b.setEnabled(has)

    def selected_spell(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if rows and rows[0].row() < len(self.spells):
            return self.spells[rows[0].row()]
        return None

    def shown_rows(self) -> list[dict[str, str]]:
        """What the list shows: one {header: text} a spell."""
        return [{h: self.table.item(r, c).text() for c, (_k, h) in enumerate(SPELL_COLUMNS)}
                for r in range(self.table.rowCount())]

    # ------------------------------------------------------------ actions
    def add_spell(self, *, run: bool = True) -> SpellDialog | None:
        if not self.member_id:
            return None
        dialog = SpellDialog(self.store, self.member_id, None, self, member_name=self.member_name)
        self.dialog = dialog
        if run:
            self._run(dialog)
        return dialog

    def edit_spell(self, *, run: bool = True) -> SpellDialog | None:
        spell = self.selected_spell()
        if spell is None:
            return None
        dialog = SpellDialog(self.store, self.member_id, spell, self, member_name=self.member_name)
        self.dialog = dialog
        if run:
            self._run(dialog)
        return dialog

    def _run(self, dialog: SpellDialog) -> None:
        if dialog.exec():
            self.after_save(dialog)

    def after_save(self, dialog: SpellDialog) -> None:
        """Show the saved spell and what the core warned about it."""
        self.refresh()
        saved = next((s for s in self.spells if s["id"] in dialog.saved_ids), None)
        what = f"已保存（{spell_label(saved)}）" if saved else "已保存"
        if dialog.warnings:
            self.message.setStyleSheet(f"color: {WARNING_COLOR};")
            self.message.setText(what + "。请核实：" + "；".join(dialog.warnings))
        else:
            self.message.setStyleSheet("")
            self.message.setText(what)
        if saved:
            self.table.selectRow(self.spells.index(saved))
        self.changed.emit(Changed.of(work_spells=list(dialog.saved_ids) or None, members=self.member_id))
        self.table.setFocus()

    def end_selected(self, *, run: bool = True) -> EndSpellDialog | None:
        spell = self.selected_spell()
        if spell is None:
            return None
        if spell.get("end_month"):
            QMessageBox.information(self, "结束务工", f"这段务工已于 {spell['end_month']} 结束；要改结束时间请用“修改”。")
            return None
        dialog = EndSpellDialog(self.store, spell, self)
        self.dialog = dialog
        if run and dialog.exec():
            self.after_end(dialog)
        return dialog

    def after_end(self, dialog: EndSpellDialog) -> None:
        self.refresh()
        said = f"已结束：{months.display(dialog.spell.get('start_month'))} 起的务工"
        self.message.setStyleSheet(f"color: {WARNING_COLOR};" if dialog.warnings else "")
        self.message.setText(said + ("。请核实：" + "；".join(dialog.warnings) if dialog.warnings else ""))
        self.changed.emit(Changed.of(work_spells=dialog.spell["id"], members=self.member_id))
        self.table.setFocus()

    def delete_selected(self, *, confirm: bool = True) -> bool:
        """Delete a spell entered by mistake (after confirmation)."""
        spell = self.selected_spell()
        if spell is None:
            return False
        if confirm:
            if not ask(self, "删除务工", f"确定删除 {self.member_name} 的这条务工记录吗？\n{spell_label(spell)}", "删除",
                       destructive=True):
                return False
        try:
            spells.delete_spell(self.store, spell["id"])
        except CadreDeskError as exc:
            self.message.setStyleSheet(f"color: {ERROR_COLOR};")
            self.message.setText(exc.message)
            return False
        self.refresh()
        self.message.setStyleSheet("")
        self.message.setText(f"已删除：{spell_label(spell)}")
        self.changed.emit(Changed.of(work_spells=spell["id"], members=self.member_id))
        self.table.setFocus()
        return True
