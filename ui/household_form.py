"""The household form (户 → 新建户, and 编辑户信息 on the household page),
generated from the questionnaire's household part like the member survey
form: one group per section, each field's rule message beside it (errors
red, warnings orange), keyboard first (Tab / Enter move on, Ctrl+S saves,
Esc cancels, keeping a draft that is offered back). A new household also asks its place, its number (or a
provisional one until the county's arrives) and the head's own required
answers (from the member part), so that the head is registered with it.

Writes go through ``cadre_desk.households`` (validation, change log)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QGridLayout, QGroupBox, QLabel, QMessageBox, QScrollArea,
    QSizePolicy, QVBoxLayout, QWidget,
)

from cadre_desk import drafts, households, register
from cadre_desk.errors import CadreDeskError, ValidationFailed
from cadre_desk.questionnaire import ERROR, Field, Problem, validate
from cadre_desk.storage import Store

from .dialog_buttons import ask_restore_draft, save_cancel_buttons
from .field_editors import MultiEditor, editor_for, keep_newer_answers
from .screen import fit
from .colors import ERROR_COLOR, WARNING_COLOR

HEAD_SKIP = {"name", "id_number", "relation"}
DRAFT_PREFIX = "household:"  # drafts of the household form (member drafts are keyed by member)  # asked by the household part or fixed (户主)


class HouseholdForm(QDialog):
    """``household_id`` None: a new household. After ``exec()`` accepted,
    ``household_id`` is the saved household and ``warnings`` what was said."""

    def __init__(self, store: Store, household_id: str | None = None, parent: QWidget | None = None, *,
                 town_id: str | None = None, village_id: str | None = None):
        super().__init__(parent)
        self.setObjectName("householdForm")
        self.store = store
        self.household_id = household_id
        self.part = store.questionnaire.household
        self.head_part = store.questionnaire.member
        self.warnings: list[Problem] = []
        self._stored: dict[str, Any] = {}  # the household as saved when the form read it
        self.saved_elsewhere = ""  # what was kept from a save made elsewhere meanwhile
        self.rows: dict[str, tuple[QLabel, Any, QLabel]] = {}
        self.head_rows: dict[str, tuple[QLabel, Any, QLabel]] = {}
        self._save_attempted = False
        self.draft_key = f"{DRAFT_PREFIX}{household_id or 'new'}"
        # Tests answer "restore the draft?" through this hook (default: a real box).
        self.ask_restore: Callable[[drafts.Draft], bool] = self.ask_restore_draft
        self.setWindowTitle("编辑户信息" if household_id else "新建户")

        body = QWidget()
        layout = QVBoxLayout(body)
        if household_id is None:
            layout.addWidget(self._place_box(town_id, village_id))
        sections = {s.key: s.label for s in self.part.sections}
        for key, label in sections.items():
            fields = [f for f in self.part.fields if f.section == key]
            if fields:
                layout.addWidget(self._group(label, fields, self.rows))
        if household_id is None:
            required = [f for f in self.head_part.fields if f.required and f.key not in HEAD_SKIP]
            layout.addWidget(self._group("户主本人（其余调查项以后在调查表中填写）", required, self.head_rows))
        self.general = QLabel()
        self.general.setObjectName("householdFormGeneral")
        self.general.setWordWrap(True)
        layout.addWidget(self.general)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)

        outer = QVBoxLayout(self)
        outer.addWidget(scroll, 1)
        self.buttons = save_cancel_buttons(self, self.save)
        outer.addWidget(self.buttons)
        save = self.buttons.button(self.buttons.StandardButton.Save)
        save.setShortcut(QKeySequence("Ctrl+S"))  # one shortcut (a second one would be ambiguous)
        save.setToolTip("保存 (Ctrl+S)")
        self._load()
        # The combo boxes re-check while the answers are loaded, each seeing the
        # fields after it still empty: check the loaded answers as a whole.
        self.refresh_validation()
        self._baseline = (self.answers(), self.head_answers())
        fit(self, 820, 760)

    # ------------------------------------------------------------ building
    def _place_box(self, town_id: str | None, village_id: str | None) -> QGroupBox:
        box = QGroupBox("所在村")
        grid = QGridLayout(box)
        self.town = QComboBox()
        self.town.setObjectName("householdTown")
        for t in self.store.rows("SELECT id, name FROM towns WHERE deleted = 0 ORDER BY code, name"):
            self.town.addItem(t["name"], t["id"])
        self.village = QComboBox()
        self.village.setObjectName("householdVillage")
        self.village.setEditable(True)
        self.village.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.town.currentIndexChanged.connect(self._fill_villages)
        if town_id:
            self.town.setCurrentIndex(max(0, self.town.findData(town_id)))
        self._fill_villages()
        if village_id:
            self.village.setCurrentIndex(max(0, self.village.findData(village_id)))
        self.provisional = QCheckBox("还没有县里的户编号，先用临时编号")
        self.provisional.setObjectName("householdProvisional")
        self.provisional.toggled.connect(self._provisional_toggled)
        grid.addWidget(QLabel("乡镇（街道）"), 0, 0)
        grid.addWidget(self.town, 0, 1)
        grid.addWidget(QLabel("行政村"), 1, 0)
        grid.addWidget(self.village, 1, 1)
        grid.addWidget(self.provisional, 2, 0, 1, 2)
        return box

    def _fill_villages(self) -> None:
        self.village.clear()
        for v in self.store.rows("SELECT id, name FROM villages WHERE town_id = ? AND deleted = 0 ORDER BY name",
                                 [self.town.currentData()]):
            self.village.addItem(v["name"], v["id"])

    def _provisional_toggled(self, on: bool) -> None:
        editor = self.rows["number"][1]
        if on:
            editor.set_value(households.provisional_number(self.store))
        editor.setEnabled(not on)
        self.refresh_validation()

    def _group(self, title: str, fields: list[Field], rows: dict) -> QGroupBox:
        box = QGroupBox(title)
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(5)
        grid.setColumnStretch(2, 1)
        for r, fld in enumerate(fields):
            label = QLabel(fld.label + ("<span style='color:#c62828'> *</span>" if fld.required else ""))
            label.setTextFormat(Qt.TextFormat.RichText)
            editor = editor_for(fld, box)
            editor.setObjectName(f"field_{fld.key}")
            if isinstance(editor, MultiEditor):
                editor.set_layout_width(230)
            label.setBuddy(editor)
            message = QLabel()
            message.setObjectName(f"message_{fld.key}")
            message.setWordWrap(True)
            message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            grid.addWidget(label, r, 0)
            grid.addWidget(editor, r, 1, Qt.AlignmentFlag.AlignLeft)
            grid.addWidget(message, r, 2)
            editor.changed.connect(self.refresh_validation)
            for w in editor.focus_widgets():
                w.installEventFilter(self)
            if isinstance(editor, QComboBox) and editor.isEditable():
                # Enter on the completer list reaches the line edit: pick, then move on.
                editor.lineEdit().returnPressed.connect(self.focusNextChild)
            rows[fld.key] = (label, editor, message)
        return box

    def _load(self) -> None:
        if self.household_id is None:
            return
        h = register.household(self.store, self.household_id)
        figure = households.family_size(self.store, self.household_id)
        for key, (_l, editor, _m) in self.rows.items():
            editor.set_value(figure.size if key == "size" else h.get(key))
        self._loaded_size = figure.size
        self._stored = self._stored_values(h)
        head = households.head_member(self.store, self.household_id)
        if head is not None:  # they follow the 户主's own record (households.head_member)
            for key, what in (("head_name", "姓名"), ("head_id_number", "证件号码")):
                if key in self.rows:
                    label, editor, _message = self.rows[key]
                    editor.setEnabled(False)
                    tip = f"跟着户主本人的成员信息：要改，请在成员“{head['name']}”的调查表里改{what}"
                    editor.setToolTip(tip)
                    label.setToolTip(tip)

    def _stored_values(self, record: dict[str, Any]) -> dict[str, Any]:
        return {key: record.get(key) for key in self.rows if key != "size"}  # size follows the members

    def eventFilter(self, obj, event) -> bool:
        """Enter moves to the next field (as in the survey form); Ctrl+S saves."""
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not event.modifiers():
            if isinstance(obj, QComboBox) and obj.isEditable():
                return False  # its line edit's returnPressed moves on
            self.focusNextChild()
            return True
        return super().eventFilter(obj, event)

    # ------------------------------------------------------------ drafts
    def offer_draft(self) -> bool:
        """A draft left by a cancelled form is offered back; True if restored."""
        draft = drafts.load_draft(self.store, self.draft_key)
        if draft is None:
            return False
        if not self.ask_restore(draft):
            drafts.discard_draft(self.store, self.draft_key)
            return False
        for key, value in (draft.answers.get("household") or {}).items():
            if key in self.rows:
                self.rows[key][1].set_value(value)
        for key, value in (draft.answers.get("head") or {}).items():
            if key in self.head_rows:
                self.head_rows[key][1].set_value(value)
        self.refresh_validation()
        return True

    def ask_restore_draft(self, draft: drafts.Draft) -> bool:
        return ask_restore_draft(self, "户信息草稿", draft.saved_at_local)

    def is_dirty(self) -> bool:
        return (self.answers(), self.head_answers()) != self._baseline

    def reject(self) -> None:
        """Cancel (or Esc): unsaved answers are kept as a draft, not lost."""
        if self.is_dirty():
            drafts.save_draft(self.store, self.draft_key, {"household": self.answers(), "head": self.head_answers()},
                              household_id=self.household_id)
        super().reject()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not getattr(self, "_draft_offered", False):
            self._draft_offered = True
            self.offer_draft()

    # ------------------------------------------------------------ values and rules
    def answers(self) -> dict[str, Any]:
        return {k: e.value() for k, (_l, e, _m) in self.rows.items()}

    def head_answers(self) -> dict[str, Any]:
        values = {k: e.value() for k, (_l, e, _m) in self.head_rows.items()}
        if not values:
            return values
        relevant = self.head_part.relevant_keys(values)
        return {k: v for k, v in values.items() if k in relevant}

    def set_answer(self, key: str, value: Any) -> None:
        (self.rows.get(key) or self.head_rows[key])[1].set_value(value)

    def message_of(self, key: str) -> str:
        return (self.rows.get(key) or self.head_rows[key])[2].text()

    def refresh_validation(self, extra: list[Problem] | None = None) -> list[Problem]:
        _, problems = validate(self.part, self.answers())
        head_problems: list[Problem] = []
        if self.head_rows:
            head = {**self.head_answers(), "name": self.answers().get("head_name") or "",
                    "id_number": self.answers().get("head_id_number") or "", "relation": households.HEAD}
            _, head_problems = validate(self.head_part, head)
        problems = [*problems, *(extra or [])]
        relevant = {id(self.rows): self.part.relevant_keys(self.answers()),
                    id(self.head_rows): self.head_part.relevant_keys(self.head_answers())}
        head_problems = [p for p in head_problems if p.field in relevant[id(self.head_rows)]
                         or p.field not in self.head_rows]
        head_problems = [p for p in head_problems if p.field in self.head_rows]
        for rows, found in ((self.rows, problems), (self.head_rows, head_problems)):
            for key, (label, editor, message) in rows.items():
                visible = key in relevant[id(rows)]
                for w in (label, editor, message):
                    w.setVisible(visible)
                mine = [p for p in found if p.field == key and (self._save_attempted or p.rule != "required"
                                                                or _filled(editor.value()))]
                if not mine:
                    message.clear()
                    continue
                bad = any(p.severity == ERROR for p in mine)
                message.setStyleSheet(f"color: {ERROR_COLOR if bad else WARNING_COLOR};")
                message.setText("；".join(dict.fromkeys(p.message for p in mine)))
        general = [p for p in problems if p.field not in self.rows]
        self.general.setText("；".join(p.message for p in general))
        return problems + head_problems

    # ------------------------------------------------------------ saving
    def save(self) -> bool:
        self._save_attempted = True
        problems = self.refresh_validation()
        if any(p.severity == ERROR for p in problems):
            self._focus_first_error()
            return False
        answers = self.answers()
        try:
            if self.household_id is None:
                village = self.village.currentText().strip()
                vid = self.village.currentData() if self.village.findText(village) >= 0 else None
                hid, _, self.warnings = households.new_household(
                    self.store, town=self.town.currentText(), village=village, number=answers.get("number"),
                    head_name=answers.get("head_name") or "", head_id=answers.get("head_id_number") or "",
                    answers={k: v for k, v in answers.items() if k not in ("size",)} if not answers.get("size")
                    else answers, head_answers=self.head_answers(), village_id=vid)
                self.household_id = hid
            else:
                said = keep_newer_answers(
                    answers, self._baseline[0], self._stored,
                    self._stored_values(register.household(self.store, self.household_id)),
                    {f.key: (self.rows[f.key][1], f.label) for f in self.part.fields if f.key in self.rows})
                if said:
                    self.saved_elsewhere = said
                if answers.get("size") == getattr(self, "_loaded_size", None) or answers.get("size") in ("", None):
                    answers.pop("size", None)  # unchanged: keeps following the members
                self.warnings = households.set_household(self.store, self.household_id, answers)
        except ValidationFailed as exc:
            self.refresh_validation(exc.problems)
            if not any(p.field in self.rows for p in exc.problems):
                self.general.setStyleSheet(f"color: {ERROR_COLOR};")
                self.general.setText("；".join(p.message for p in exc.problems))
            self._focus_first_error()
            return False
        except CadreDeskError as exc:
            self.general.setStyleSheet(f"color: {ERROR_COLOR};")
            self.general.setText(exc.message)
            return False
        drafts.discard_draft(self.store, self.draft_key)
        self.accept()
        return True

    def _focus_first_error(self) -> None:
        for rows in (self.rows, self.head_rows):
            for _l, editor, message in rows.values():
                if message.text() and ERROR_COLOR in message.styleSheet():
                    editor.setFocus()
                    return


def _filled(value: Any) -> bool:
    return value not in (None, "", [])


def ask_member_leave(parent, store: Store, member_id: str) -> bool:
    """死亡 / 迁出 / 其他 with a date; the member stays on record."""
    from PySide6.QtWidgets import QDateEdit, QDialogButtonBox, QFormLayout
    from PySide6.QtCore import QDate

    m = register.member(store, member_id)
    dialog = QDialog(parent)
    dialog.setObjectName("memberLeaveDialog")
    dialog.setWindowTitle(f"{m['name']} 离开本户")
    form = QFormLayout(dialog)
    reason = QComboBox()
    reason.setObjectName("leaveReason")
    reason.addItems(list(households.LEAVE_REASONS))
    day = QDateEdit(QDate.currentDate())
    day.setObjectName("leaveDate")
    day.setDisplayFormat("yyyy-MM-dd")
    day.setCalendarPopup(True)
    day.setMaximumDate(QDate.currentDate())
    note = QLabel("从这一天起不再计入家庭人口数和各项统计，但仍保留在修改历史和帮扶手册的记录中。")
    note.setWordWrap(True)
    form.addRow("原因", reason)
    form.addRow("日期", day)
    form.addRow(note)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form.addRow(buttons)
    parent.leave_dialog = dialog
    if not dialog.exec():
        return False
    try:
        done = households.leave_member(store, member_id, reason.currentText(), day.date().toPython())
    except CadreDeskError as exc:
        QMessageBox.warning(parent, "离开本户", exc.message)
        return False
    if done["head_left"]:
        QMessageBox.information(parent, "离开本户", "离开的是户主，请在家庭成员中选一人，用“设为户主”指定新户主。")
    return True


def ask_member_move(parent, store: Store, member_id: str) -> bool:
    """Move to another household by its number (a new number makes a new household)."""
    from PySide6.QtWidgets import QInputDialog

    m = register.member(store, member_id)
    number, ok = QInputDialog.getText(parent, f"{m['name']} 迁到另一户",
                                      "迁入户的户编号（没有这个户编号时新建一户，本人为户主）：")
    if not ok or not number.strip():
        return False
    try:
        done = households.move_member(store, member_id, number)
    except CadreDeskError as exc:
        QMessageBox.warning(parent, "迁到另一户", exc.message)
        return False
    if done["source_without_head"]:
        QMessageBox.information(parent, "迁到另一户", "原户现在没有户主，请用“设为户主”指定新户主。")
    return True
