"""The survey form of one member, generated from the questionnaire definition
(``store.questionnaire.member``): one group box per section, one row per field
(label, editor, message). No field is named here.

While the cadre types, the form
- hides and shows fields by the relevance rules (``Part.relevant_keys``),
- validates with the core (``questionnaire.validate``) and shows each message
  beside its field: errors red (they block saving), warnings orange (they do
  not),
- keeps a draft in the database one second after the last edit, and when it
  is hidden or closed (``cadre_desk.drafts``); a draft found on opening is
  offered back (drafts and saving: ``ui.survey_saving``).

Keyboard: Tab / Shift+Tab and Enter move through the visible fields in form
order, Ctrl+S saves, Ctrl+→ / Ctrl+← go to the next / previous member of the
household (saving first, or keeping a draft when the answers have errors),
Ctrl+H opens the change history, Esc goes back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication, QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QScrollArea,
    QSizePolicy, QVBoxLayout, QWidget,
)

from cadre_desk import drafts, register
from cadre_desk.errors import NotFound
from cadre_desk.questionnaire import ERROR, Field, Problem, validate
from cadre_desk.storage import Store
from ui.colors import ERROR_COLOR, WARNING_COLOR
from ui.field_editors import EDITOR_WIDTH, MultiEditor, editor_for
from ui.survey_saving import SurveySaving

DRAFT_DELAY_MS = 1000
MESSAGE_WIDTH = 230
SHORTCUT_KEYS = {
    QKeySequence("Ctrl+S"), QKeySequence("Ctrl+Right"), QKeySequence("Ctrl+Left"),
    QKeySequence("Esc"), QKeySequence("Ctrl+H"),
}


class _Row:
    """One field's label, editor and message label."""

    def __init__(self, fld: Field, label: QLabel, editor, message: QLabel):
        self.field, self.label, self.editor, self.message = fld, label, editor, message

    def set_visible(self, visible: bool) -> None:
        for w in (self.label, self.editor, self.message):
            w.setVisible(visible)

    def show_problems(self, problems: list[Problem]) -> None:
        if not problems:
            self.message.clear()
            self.message.setToolTip("")
            return
        worst = ERROR if any(p.severity == ERROR for p in problems) else "warning"
        color = ERROR_COLOR if worst == ERROR else WARNING_COLOR
        text = "；".join(dict.fromkeys(p.message for p in problems))
        self.message.setText(text)
        self.message.setToolTip(text)
        self.message.setStyleSheet(f"color: {color};")
        self.message.setProperty("severity", worst)


def split_sections(counts: list[int]) -> list[int]:
    """Break the sections (kept in order) into two columns of about equal
    length: returns how many sections go in each column."""
    if len(counts) < 2:
        return [len(counts)]
    total = sum(counts)
    best = min(range(1, len(counts)), key=lambda k: abs(2 * sum(counts[:k]) - total))
    return [best, len(counts) - best]


class SurveyForm(SurveySaving, QWidget):
    """Edit or create one member. Signals: ``saved(member_id)`` after every
    save, ``member_changed(member_id)`` when another member is shown ("" for a
    new one), ``closed()`` on Esc, ``history_requested(member_id)``."""

    saved = Signal(str)
    member_changed = Signal(str)
    closed = Signal()
    history_requested = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.part = store.questionnaire.member
        self.member_id: str | None = None
        self.household_id: str | None = None
        self._baseline: dict[str, Any] = {}
        self._stored: dict[str, Any] = {}  # the member as saved when the form read it
        self._touched: set[str] = set()
        self._save_attempted = False
        self._loading = False
        self._server_problems: list[Problem] = []
        self.last_warnings: list[Problem] = []
        # Tests answer the "restore the draft?" question through this hook's
        # default, a real QMessageBox; see ask_restore_draft.
        self.ask_restore: Callable[[drafts.Draft], bool] = self.ask_restore_draft

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.flush_draft)

        self._build()
        self._shortcuts()
        self.setEnabled(False)

    # ------------------------------------------------------------ building
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 6, 8, 6)
        outer.setSpacing(4)

        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 17px;")
        self.position_label = QLabel()
        self.position_label.setStyleSheet("color: #555;")
        # The name and the position give way to the buttons on a narrow screen
        # (a long name is cut, whole in the tooltip): Save stays on screen.
        for label in (self.title, self.position_label):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        top.addWidget(self.title, 2)
        top.addSpacing(12)
        top.addWidget(self.position_label, 3)
        self.back_button = QPushButton("返回 (Esc)")
        self.prev_button = QPushButton("上一位 (Ctrl+←)")
        self.next_button = QPushButton("下一位 (Ctrl+→)")
        self.history_button = QPushButton("修改历史 (Ctrl+H)")
        self.save_button = QPushButton("保存 (Ctrl+S)")
        self.save_button.setDefault(True)
        for b in (self.back_button, self.prev_button, self.next_button, self.history_button, self.save_button):
            b.setAutoDefault(True)
            top.addWidget(b)
        self.back_button.clicked.connect(self.go_back)
        self.prev_button.clicked.connect(lambda: self.go_relative(-1))
        self.next_button.clicked.connect(lambda: self.go_relative(1))
        self.history_button.clicked.connect(self.request_history)
        self.save_button.clicked.connect(self.save)
        outer.addLayout(top)

        self.status = QLabel()
        self.status.setStyleSheet("color: #555;")
        self.status.setWordWrap(True)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.general = QLabel()
        self.general.setWordWrap(True)
        self.general.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.general.setVisible(False)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        hint = QLabel("Enter / Tab 下一项　空格 勾选　Y / N 是否　Ctrl+S 保存")
        hint.setStyleSheet("color: #777;")
        status_row.addWidget(hint)
        outer.addLayout(status_row)
        outer.addWidget(self.general)

        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget()
        columns = QHBoxLayout(body)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.setSpacing(10)
        self.rows: dict[str, _Row] = {}
        self.groups: dict[str, QGroupBox] = {}
        metrics = self.fontMetrics()
        self._label_width = max(metrics.horizontalAdvance(f.label + " *") for f in self.part.fields) + 8

        sections = [s for s in self.part.sections if any(f.section == s.key for f in self.part.fields)]
        loose = [f for f in self.part.fields if f.section not in {s.key for s in sections}]
        counts = [sum(1 for f in self.part.fields if f.section == s.key) for s in sections]
        split = split_sections(counts)
        index = 0
        for n in split:
            column = QVBoxLayout()
            column.setSpacing(8)
            for section in sections[index:index + n]:
                column.addWidget(self._group(section.label, [f for f in self.part.fields if f.section == section.key]))
            index += n
            if loose and index == len(sections):
                column.addWidget(self._group("其他", loose))
                loose = []
            column.addStretch(1)
            columns.addLayout(column, 1)
        self.scroll.setWidget(body)
        outer.addWidget(self.scroll, 1)

        # Tab order is the form order; Qt skips hidden widgets by itself.
        chain = [w for row in self.rows.values() for w in row.editor.focus_widgets()]
        chain += [self.save_button, self.next_button, self.prev_button, self.history_button, self.back_button]
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)

    def _group(self, title: str, fields: list[Field]) -> QGroupBox:
        box = QGroupBox(title)
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(5)
        grid.setColumnStretch(2, 1)
        grid.setColumnMinimumWidth(0, self._label_width)
        for r, fld in enumerate(fields):
            label = QLabel(fld.label + ("<span style='color:#c62828'> *</span>" if fld.required else ""))
            label.setTextFormat(Qt.TextFormat.RichText)
            editor = editor_for(fld, box)
            if isinstance(editor, MultiEditor):
                editor.set_layout_width(EDITOR_WIDTH)
            label.setBuddy(editor)
            message = QLabel()
            message.setWordWrap(True)
            message.setMinimumWidth(MESSAGE_WIDTH - 60)
            # Ignored: a long message wraps in the space there is and never
            # widens the form (or the window) to fit itself on one line.
            message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            align = Qt.AlignmentFlag.AlignTop if isinstance(editor, MultiEditor) else Qt.AlignmentFlag.AlignVCenter
            grid.addWidget(label, r, 0, Qt.AlignmentFlag.AlignLeft | align)
            grid.addWidget(editor, r, 1, Qt.AlignmentFlag.AlignLeft | align)
            grid.addWidget(message, r, 2, align)
            editor.changed.connect(lambda key=fld.key: self._edited(key))
            for w in editor.focus_widgets():
                w.installEventFilter(self)
            if isinstance(editor, QComboBox) and editor.isEditable():
                # Enter on the completer popup reaches the line edit directly,
                # past the event filter: it picks the value, then moves on.
                editor.lineEdit().returnPressed.connect(lambda e=editor: self.focus_next(e))
            self.rows[fld.key] = _Row(fld, label, editor, message)
        self.groups[title] = box
        return box

    def _shortcuts(self) -> None:
        def add(keys: str, slot) -> None:
            sc = QShortcut(QKeySequence(keys), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)
        add("Ctrl+S", self.save)
        add("Ctrl+Right", lambda: self.go_relative(1))
        add("Ctrl+Left", lambda: self.go_relative(-1))
        add("Esc", self.escape)
        add("Ctrl+H", self.request_history)

    # ------------------------------------------------------------ keyboard
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ShortcutOverride:
            # Line edits claim Ctrl+← / Ctrl+→ (word moves); the form's
            # shortcuts win inside the form.
            if QKeySequence(event.keyCombination()) in SHORTCUT_KEYS:
                return True
        elif kind == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            if hasattr(obj, "complete_unique"):
                obj.complete_unique()
            self.focus_next(obj)
            return True
        elif kind == QEvent.Type.FocusIn and isinstance(obj, QWidget):
            self.scroll.ensureWidgetVisible(obj, 40, 40)
        return super().eventFilter(obj, event)

    def focus_chain(self) -> list[QWidget]:
        """The visible editors' focus widgets in form order."""
        return [w for row in self.rows.values() if not row.editor.isHidden()
                for w in row.editor.focus_widgets()]

    def focus_next(self, current: QWidget) -> None:
        chain = self.focus_chain()
        try:
            i = chain.index(current)
        except ValueError:
            i = -1
        target = chain[i + 1] if i + 1 < len(chain) else self.save_button
        target.setFocus(Qt.FocusReason.TabFocusReason)

    def focus_field(self, key: str) -> None:
        row = self.rows.get(key)
        if row and not row.editor.isHidden():
            row.editor.focus_widgets()[0].setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------ loading
    @property
    def draft_key(self) -> str | None:
        if self.member_id:
            return drafts.draft_key(member_id=self.member_id)
        if self.household_id:
            return drafts.draft_key(household_id=self.household_id)
        return None

    def open_member(self, member_id: str) -> None:
        """Show a saved member (offering back its draft if there is one)."""
        self._leave()
        record = register.member(self.store, member_id)
        self.member_id, self.household_id = member_id, record["household_id"]
        self._stored = self._stored_values(record)
        self._load(self._stored)
        self.member_changed.emit(member_id)

    def new_member(self, household_id: str) -> None:
        """An empty form for a new member of ``household_id``."""
        self.store.get("households", household_id)
        self._leave()
        self.member_id, self.household_id = None, household_id
        self._stored = {}
        self._load({f.key: None for f in self.part.fields})
        self.member_changed.emit("")

    def _load(self, values: dict[str, Any]) -> None:
        self._set_answers(values)
        self._baseline = self.answers()
        self._touched, self._save_attempted, self._server_problems = set(), False, []
        self.last_warnings = []
        self.setEnabled(True)
        self.status.setText("")
        self._update_header()
        self._offer_draft()
        self.refresh_validation()
        first = self.focus_chain()
        if first:
            first[0].setFocus(Qt.FocusReason.OtherFocusReason)
        self.scroll.verticalScrollBar().setValue(0)

    def _set_answers(self, values: dict[str, Any]) -> None:
        self._loading = True
        try:
            for key, row in self.rows.items():
                row.editor.set_value(values.get(key))
        finally:
            self._loading = False

    def _update_header(self) -> None:
        hh = register.household(self.store, self.household_id)
        if self.member_id:
            name = self.rows["name"].editor.value() if "name" in self.rows else ""
            ids = [m["id"] for m in register.members_of(self.store, self.household_id)]
            pos = ids.index(self.member_id) + 1 if self.member_id in ids else 0
            self.title.setText(f"调查表：{name or '（无名）'}")
            self.position_label.setText(f"户编号 {hh.get('number') or ''} · 户主 {hh.get('head_name') or ''}"
                                        f" · 第 {pos}/{len(ids)} 位成员")
        else:
            self.title.setText("调查表：新成员")
            self.position_label.setText(f"户编号 {hh.get('number') or ''} · 户主 {hh.get('head_name') or ''}")
        for label in (self.title, self.position_label):
            label.setToolTip(label.text())

    # ------------------------------------------------------------ editing
    def answers(self) -> dict[str, Any]:
        """The raw answers in the editors (hidden fields included)."""
        return {key: row.editor.value() for key, row in self.rows.items()}

    def is_dirty(self) -> bool:
        return self.answers() != self._baseline

    def _edited(self, key: str) -> None:
        if self._loading:
            return
        self._touched.add(key)
        self._server_problems = [p for p in self._server_problems if p.field != key]
        self.refresh_validation()
        self._draft_timer.start()
        self.status.setText("有未保存的修改")

    def refresh_validation(self) -> list[Problem]:
        """Show/hide fields by relevance and show the problems beside them;
        returns every problem of the current answers."""
        values, problems = validate(self.part, self.answers())
        coerced_ok = {k: v for k, v in values.items()}
        relevant = self.part.relevant_keys(coerced_ok)
        problems = problems + self._server_problems
        by_field: dict[str | None, list[Problem]] = {}
        for p in problems:
            if p.rule == "required" and p.field not in self._touched and not self._save_attempted:
                continue  # do not paint a fresh form red
            by_field.setdefault(p.field if p.field in self.rows else None, []).append(p)
        for key, row in self.rows.items():
            row.set_visible(key in relevant)
            row.show_problems(by_field.get(key, []) if key in relevant else [])
        general = by_field.get(None, [])
        self.general.setVisible(bool(general))
        if general:
            color = ERROR_COLOR if any(p.severity == ERROR for p in general) else WARNING_COLOR
            self.general.setStyleSheet(f"color: {color};")
            self.general.setText("；".join(p.message for p in general))
        return problems

    def message_of(self, key: str) -> str:
        """The message shown beside a field ("" when none)."""
        row = self.rows[key]
        return "" if row.editor.isHidden() else row.message.text()

    def severity_of(self, key: str) -> str | None:
        row = self.rows[key]
        return row.message.property("severity") if row.message.text() else None

    def is_field_visible(self, key: str) -> bool:
        return not self.rows[key].editor.isHidden()

    # ------------------------------------------------------------ drafts
    def hideEvent(self, event) -> None:
        if self.isEnabled() and self._alive():
            self.flush_draft()
        super().hideEvent(event)

    def closeEvent(self, event) -> None:
        if self._alive():
            self.flush_draft()
        super().closeEvent(event)

    # ------------------------------------------------------------ saving
    def go_relative(self, step: int) -> None:
        """Next / previous member of the household: save first; when the
        answers cannot be saved, keep them as a draft and move on."""
        if self.household_id is None:
            return
        ids = [m["id"] for m in register.members_of(self.store, self.household_id)]
        if self.is_dirty() and not self.save():
            self.flush_draft()
            kept = "答案有错误，已存为草稿。"
        else:
            kept = ""
        if not ids:
            return
        if self.member_id in ids:
            target = ids.index(self.member_id) + step
        else:
            target = 0 if step > 0 else len(ids) - 1
        if not 0 <= target < len(ids):
            self.status.setText(kept + ("已是最后一位成员" if step > 0 else "已是第一位成员"))
            return
        self.open_member(ids[target])
        if kept:
            self.status.setText(kept + self.status.text())

    def escape(self) -> None:
        """Esc: an open completer list closes first; only then the form."""
        popup = QApplication.activePopupWidget()
        if popup is not None and popup.isVisible():
            popup.hide()
            return
        for row in self.rows.values():
            completer = row.editor.completer() if isinstance(row.editor, QComboBox) else None
            if completer is not None and completer.popup().isVisible():
                completer.popup().hide()
                return
        self.go_back()

    def go_back(self) -> None:
        self.flush_draft()
        self.closed.emit()

    def request_history(self) -> None:
        if not self.member_id:
            self.status.setText("新成员还没有修改历史")
            return
        if self.is_dirty():
            self.status.setText("请先保存（Ctrl+S）当前的修改，再查看和撤销修改历史")
            return
        self.history_requested.emit(self.member_id)

    def reload(self) -> None:
        """Show the stored answers again (after an undo, or another window's
        write); unsaved edits are kept as they are."""
        if not self.member_id or self.is_dirty():
            return
        try:
            record = register.member(self.store, self.member_id)
        except NotFound:
            self.status.setText("该成员已被删除")
            self.setEnabled(False)
            return
        before = self._baseline
        self._set_answers({f.key: record.get(f.key) for f in self.part.fields})
        self._baseline = self.answers()
        problems = self.refresh_validation()
        self._update_header()
        if self._baseline == before:
            return
        # The status line counts what is stored now, not what the last save said.
        warnings = [p for p in problems if p.severity != ERROR]
        self.last_warnings = warnings
        self.status.setStyleSheet("color: #555;")
        self.status.setText(f"已重新读取保存的内容，有 {len(warnings)} 条提醒请核实" if warnings
                            else "已重新读取保存的内容")
