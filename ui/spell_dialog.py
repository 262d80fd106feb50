"""The dialogs of one work spell (务工): add or edit (``SpellDialog``, with
the place resolved to a county while the cadre types, and whether that is
县内 / 省内县外 / 省外) and end (``EndSpellDialog``), and how a spell's cells
and the core's problems read. Every write goes through ``cadre_desk.spells``;
the editors are built from the spell's answers as the core defines them
(``spells.spell_part``). In the dialog Enter moves to the next field, Ctrl+S
saves, Esc cancels."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QVBoxLayout,
)

from cadre_desk import gazetteer, months, spells, work_stats
from cadre_desk.errors import CadreDeskError
from cadre_desk.questionnaire import display
from cadre_desk.storage import Store

from .colors import ERROR_COLOR, WARNING_COLOR
from .dialog_buttons import save_cancel_buttons
from .field_editors import LineEditor, editor_for
from .screen import fit

OK_COLOR = "#2e6b30"
UNKNOWN_PLACE = work_stats.PLACE_UNKNOWN  # a spell whose place has no county code


# The dialog's editors, in order: the spell's answers as the core defines
# them (``resources/spells.json``; the editor widget follows the type, as in
# the survey form; the checks are the core's).
SPELL_FIELDS = list(spells.spell_part().fields)
FIELD_BY_KEY = spells.spell_part().by_key

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
        self.month = LineEditor(FIELD_BY_KEY["end_month"], self)
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
