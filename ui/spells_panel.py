"""Work spells (务工经历) of one member on the household page: the list, and
the dialogs to add, edit and end a spell.

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

import datetime as dt
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView,
    QLabel, QMessageBox, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from cadre_desk import gazetteer, months, spells
from cadre_desk.changes import Changed
from cadre_desk.errors import CadreDeskError
from cadre_desk.questionnaire import Field, display
from cadre_desk.storage import Store

from . import errors as ui_errors
from .colors import ERROR_COLOR, WARNING_COLOR
from .dialog_buttons import save_cancel_buttons
from .field_editors import LineEditor, editor_for
from .screen import fit

OK_COLOR = "#2e6b30"
UNKNOWN_PLACE = "地点不详"  # a spell whose place has no county code (as work_stats counts it)


def _field(key: str, label: str, type_: str, codes: str | None = None, **kw) -> Field:
    return Field(key=key, label=label, type=type_, level="spell", section="spell", codes=codes, **kw)


# The dialog's editors, in order: the ``work_spells`` columns a cadre types
# (the editor widget follows the type, as in the survey form; the checks are
# the core's).
SPELL_FIELDS = [
    _field("start_month", "开始时间", "month", required=True),
    _field("end_month", "结束时间", "month"),
    _field("place", "务工所在地", "text", max_length=60),
    _field("channel", "就业渠道", "code", "employment_channel"),
    _field("employer", "务工企业名称", "text", max_length=60),
    _field("industry", "所属行业", "text", max_length=30),
    _field("monthly_income", "务工月收入（元）", "number", min=0),
    _field("point_to_point", "是否点对点输送", "bool"),
    _field("transport_subsidy", "年度交通费补助（元）", "number", min=0),
    _field("note", "备注", "text", max_length=200),
]
FIELD_BY_KEY = {f.key: f for f in SPELL_FIELDS}

# The list: (key, header).
SPELL_COLUMNS = [
    ("start_month", "开始时间"), ("end_month", "结束时间"), ("place", "务工所在地"), ("scope", "范围"),
    ("channel", "就业渠道"), ("employer", "务工企业"), ("monthly_income", "月收入"),
    ("point_to_point", "点对点"), ("transport_subsidy", "交通补助"),
]


def scope_of(store: Store, found: gazetteer.Resolved) -> str | None:
    """县内 / 省内县外 / 省外 of a resolved place (the core decides, by code)."""
    home, aliases = spells.home_county(store)
    return gazetteer.scope(found.county_code, home, province_code=found.province_code, home_aliases=aliases)


def cell_text(store: Store, spell: dict[str, Any], key: str) -> str:
    if key == "scope":
        return spell.get("scope") or UNKNOWN_PLACE
    if key == "end_month" and not spell.get("end_month"):
        return "仍在务工"
    value = spell.get(key)
    fld = FIELD_BY_KEY.get(key)
    if fld is None:
        return "" if value is None else str(value)
    if fld.type == "bool" and value is not None:
        return display(fld, bool(value))
    return display(fld, value)


def spell_label(spell: dict[str, Any]) -> str:
    """A spell as the messages name it: 2023年08月—2023年12月，聊城市东昌府区."""
    start = months.display(spell.get("start_month"))
    end = months.display(spell.get("end_month")) if spell.get("end_month") else "至今"
    return f"{start}—{end}" + (f"，{spell['place']}" if spell.get("place") else "")


def problem_texts(found) -> list[tuple[str, str]]:
    """(severity, message) of what ``save_spells`` said about a row: accepts the
    core's Problem objects (or plain strings)."""
    out = []
    for p in found or []:
        if isinstance(p, str):
            out.append(("warning", p))
        else:
            out.append((getattr(p, "severity", "warning"), getattr(p, "message", str(p))))
    return out


class SpellDialog(QDialog):
    """Add (``spell`` None) or edit one spell of ``member_id``. After an
    accepted ``exec()``, ``saved_ids`` are the spells written and ``warnings``
    what the core said about them (shown by the caller)."""

    def __init__(self, store: Store, member_id: str, spell: dict[str, Any] | None = None, parent=None, *,
                 member_name: str = ""):
        super().__init__(parent)
        self.setObjectName("spellDialog")
        self.store, self.member_id, self.spell = store, member_id, spell
        self.warnings: list[str] = []
        self.saved_ids: set[str] = set()
        who = f"{member_name} " if member_name else ""
        self.setWindowTitle(f"{who}修改务工" if spell else f"{who}添加务工")

        form = QFormLayout()
        form.setVerticalSpacing(6)
        self.editors: dict[str, Any] = {}
        for fld in SPELL_FIELDS:
            editor = editor_for(fld, self)
            editor.setObjectName(f"spell_{fld.key}")
            label = QLabel(fld.label + ("<span style='color:#c62828'> *</span>" if fld.required else ""))
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setBuddy(editor)
            self.editors[fld.key] = editor
            for w in editor.focus_widgets():
                w.installEventFilter(self)
            if fld.key == "end_month":
                editor.setPlaceholderText("仍在务工时不填")
                row = QHBoxLayout()
                row.addWidget(editor)
                row.addStretch(1)
                form.addRow(label, row)
            elif fld.key == "place":
                editor.setPlaceholderText("如 昆山市 或 江苏省苏州市昆山市")
                form.addRow(label, editor)
                # A name several counties share (朝阳区, 鼓楼区): the cadre picks
                # which one; shown only then.
                self.place_choice = QComboBox()
                self.place_choice.setObjectName("spell_place_choice")
                self.place_choice.setMinimumWidth(editor.width())
                self.place_choice.installEventFilter(self)
                self.place_choice_label = QLabel("是哪一处")
                self.place_choice_label.setBuddy(self.place_choice)
                form.addRow(self.place_choice_label, self.place_choice)
                self.place_hint = QLabel()
                self.place_hint.setObjectName("spell_place_hint")
                self.place_hint.setWordWrap(True)
                form.addRow("", self.place_hint)
                editor.changed.connect(self.update_place_hint)
                self.place_choice.currentIndexChanged.connect(lambda _i: self._choice_made())
            else:
                form.addRow(label, editor)

        self.message = QLabel()
        self.message.setObjectName("spellMessage")
        self.message.setWordWrap(True)
        self.buttons = save_cancel_buttons(self, self.save)
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setShortcut(QKeySequence("Ctrl+S"))
        save.setToolTip("保存 (Ctrl+S)")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        if spell:
            for key, editor in self.editors.items():
                value = spell.get(key)
                if FIELD_BY_KEY[key].type == "bool" and value is not None:
                    value = bool(value)
                editor.set_value(value)
        else:
            self.editors["start_month"].set_value(dt.date.today().strftime("%Y-%m"))
        self.update_place_hint()
        fit(self, 560, 560)
        self.editors["start_month"].setFocus()
        self.editors["start_month"].selectAll()

    def eventFilter(self, obj, event) -> bool:
        """Enter moves to the next field (as in the survey form)."""
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not event.modifiers():
            if isinstance(obj, QComboBox) and obj.isEditable() and obj.completer() is not None \
                    and obj.completer().popup().isVisible():
                return False
            self.focusNextChild()
            return True
        return super().eventFilter(obj, event)

    def chosen_place(self) -> gazetteer.Resolved | None:
        """The county picked for a name several share (None: not asked or not picked)."""
        return None if self.place_choice.isHidden() else self.place_choice.currentData()

    def _choice_made(self) -> None:
        found = self.chosen_place()
        if found is not None:
            self._show_resolved(found)

    def update_place_hint(self) -> None:
        """Where the place is, as the core resolves it, and 县内 / 省内县外 / 省外;
        a name several counties share offers them to pick from."""
        text = (self.editors["place"].value() or "").strip()
        self._set_choices([])
        if not text:
            self.place_hint.setText("")
            return
        if self._place_unchanged() and self.spell.get("county_code"):
            stored = gazetteer.lookup(self.spell["county_code"])  # as picked or resolved when saved
            if stored is not None:
                self._show_resolved(stored)
                return
        found = gazetteer.resolve(text)
        if isinstance(found, gazetteer.Resolved):
            self._show_resolved(found)
        elif isinstance(found, gazetteer.Ambiguous):
            self._set_choices(list(found.candidates))
            self.place_hint.setStyleSheet(f"color: {WARNING_COLOR};")
            self.place_hint.setText(f"“{text}”有 {len(found.candidates)} 处同名：请在上面选择是哪一处，"
                                    "或写明省份（如 江苏省苏州市昆山市）")
        else:
            self.place_hint.setStyleSheet(f"color: {WARNING_COLOR};")
            self.place_hint.setText(found.message)

    def _place_unchanged(self) -> bool:
        return bool(self.spell) and (self.editors["place"].value() or "") == (self.spell.get("place") or "")

    def _show_resolved(self, found: gazetteer.Resolved) -> None:
        scope = scope_of(self.store, found)
        level = "" if found.county_code else "（只写到了市或省，请写到县一级）"
        self.place_hint.setStyleSheet(f"color: {OK_COLOR if found.county_code else WARNING_COLOR};")
        self.place_hint.setText(found.full_name + (f"　{scope}" if scope else "") + level)

    def _set_choices(self, candidates: list) -> None:
        self.place_choice.blockSignals(True)
        self.place_choice.clear()
        if candidates:
            self.place_choice.addItem("（请选择）", None)
            for c in candidates:
                self.place_choice.addItem(c.full_name, c)
        self.place_choice.blockSignals(False)
        self.place_choice.setVisible(bool(candidates))
        self.place_choice_label.setVisible(bool(candidates))

    def row(self) -> spells.SpellRow:
        values = {key: editor.value() for key, editor in self.editors.items()}
        if values.get("point_to_point") is not None:
            values["point_to_point"] = int(bool(values["point_to_point"]))
        if self._place_unchanged():
            del values["place"]  # kept as stored, with the county it was resolved to (or picked)
        extra: dict[str, Any] = {}
        if self.spell and self.spell.get("id"):
            extra["spell_id"] = self.spell["id"]
        chosen = self.chosen_place()
        if chosen is not None and chosen.county_code:
            extra["county_code"], extra["province_code"] = chosen.county_code, chosen.province_code
        return spells.SpellRow(member_id=self.member_id, **values, **extra)

    def save(self) -> bool:
        try:
            result = spells.save_spells(self.store, [self.row()])
        except CadreDeskError as exc:
            self._say([("error", exc.message)])
            return False
        said = problem_texts(result.problems[0])
        if not result.ok:
            self._say(said)
            self.editors["start_month"].setFocus()
            return False
        self.warnings = [m for _s, m in said]
        self.saved_ids = {i for i in result.ids if i}
        self.accept()
        return True

    def _say(self, said: list[tuple[str, str]]) -> None:
        bad = any(sev == "error" for sev, _m in said)
        self.message.setStyleSheet(f"color: {ERROR_COLOR if bad else WARNING_COLOR};")
        self.message.setText("；".join(m for _s, m in said))


class EndSpellDialog(QDialog):
    """结束务工: the month the spell ended (this month by default)."""

    def __init__(self, store: Store, spell: dict[str, Any], parent=None):
        super().__init__(parent)
        self.setObjectName("endSpellDialog")
        self.store, self.spell = store, spell
        self.warnings: list[str] = []
        self.setWindowTitle("结束务工")
        self.month = LineEditor(_field("end_month", "结束时间", "month"), self)
        self.month.setObjectName("endSpellMonth")
        self.month.set_value(dt.date.today().strftime("%Y-%m"))
        self.month.selectAll()
        form = QFormLayout()
        form.addRow(QLabel(spell_label(spell)))
        form.addRow("结束时间", self.month)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {ERROR_COLOR};")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("结束务工")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.month.returnPressed.connect(self.save)
        self.month.setFocus()

    def save(self) -> bool:
        try:
            self.warnings = [p.message for p in spells.end_spell(self.store, self.spell["id"], self.month.value())]
        except CadreDeskError as exc:
            self.message.setText(exc.message)
            return False
        self.accept()
        return True


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
            box = QMessageBox(QMessageBox.Icon.Question, "删除务工",
                              f"确定删除 {self.member_name} 的这条务工记录吗？\n{spell_label(spell)}", parent=self)
            yes = box.addButton("删除", QMessageBox.ButtonRole.DestructiveRole)
            no = box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
            box.setDefaultButton(no)
            box.exec()
            if box.clickedButton() is not yes:
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
