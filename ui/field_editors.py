"""One editor widget per questionnaire field type, all with the same small
interface: ``value()`` (the raw answer the core's ``validate`` takes),
``set_value(v)``, a ``changed`` signal and ``focus_widgets()`` (the widgets that
take keyboard focus, for the form's Tab order and its Enter-moves-on filter).

- code: an editable combo box that filters its list as you type (a completer
  matching anywhere in the value); a validator refuses text that is in no
  value, and a unique partial match is completed when you leave the field.
- multi: a check list (one Tab stop; arrows move, Space ticks).
- int / number: a line edit that may stay empty (a spin box cannot), digits
  only; the range is checked by the core and shown beside the field.
- bool: 是 / 否 / empty; Y, N, 1, 0 also set it.
- date, month, id_number, phone, text: line edits with a fitting validator.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from PySide6.QtCore import QEvent, QRegularExpression, QSize, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator, QStandardItem, QStandardItemModel, QValidator
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QCompleter, QFrame, QLineEdit, QListView, QListWidget, QListWidgetItem,
    QSizePolicy, QWidget,
)

from cadre_desk.codes import CodeList, _canon
from cadre_desk.questionnaire import Field

EDITOR_WIDTH = 230


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class LineEditor(QLineEdit):
    """text, phone, id_number, date, int and number fields."""

    changed = Signal()

    PATTERNS = {
        "int": r"-?[0-9]{0,9}",
        "number": r"-?[0-9]{0,10}([.][0-9]{0,2})?",
        "id_number": r"[0-9xX ]{0,22}",
        "phone": r"[0-9 -]{0,24}",
        "date": r"[0-9]{0,4}(-[0-9]{0,2}(-[0-9]{0,2})?)?",
        # A month as the national exports write it: 2023-06, 202306, 2023年06月, 2023/6, 2023.06
        # (the core's coerce makes it YYYY-MM; a wrong month is said beside the field).
        "month": r"[0-9]{0,4}([-/.年]?[0-9]{0,2}月?)?",
    }

    def __init__(self, fld: Field, parent: QWidget | None = None):
        super().__init__(parent)
        self.field = fld
        pattern = self.PATTERNS.get(fld.type)
        if fld.type in ("int", "number") and fld.min is not None and fld.min >= 0:
            pattern = pattern.removeprefix("-?")
        if pattern:
            self.setValidator(QRegularExpressionValidator(QRegularExpression(pattern), self))
        if fld.type == "text" and fld.max_length:
            self.setMaxLength(fld.max_length)
        placeholder = {"date": "如 2020-05-01", "month": "如 2023-06 或 202306", "id_number": "18位证件号码",
                       "phone": "手机或座机号码"}.get(fld.type)
        if fld.type in ("int", "number") and fld.min is not None and fld.max is not None:
            placeholder = f"{_plain(fld.min)}–{_plain(fld.max)}"
        if placeholder:
            self.setPlaceholderText(placeholder)
        self.setFixedWidth(EDITOR_WIDTH)
        self.textEdited.connect(self._edited)

    def _edited(self, text: str) -> None:
        if self.field.type == "id_number" and "x" in text:
            pos = self.cursorPosition()
            self.setText(text.replace("x", "X"))
            self.setCursorPosition(pos)
        self.changed.emit()

    def value(self) -> Any:
        text = self.text().strip()
        return text or None

    def set_value(self, value: Any) -> None:
        self.setText(_plain(value))

    def focus_widgets(self) -> list[QWidget]:
        return [self]


SEARCH_ROLE = Qt.ItemDataRole.UserRole + 7  # "初中 cz chuzhong": what a code value is found by


@lru_cache(maxsize=4096)
def search_keys(value: str) -> str:
    """A code value with its pinyin initials and full pinyin (初中 → "初中 cz
    chuzhong"), as the register's search box finds names."""
    from cadre_desk.search import name_pinyin

    initials, full = name_pinyin(value)
    return f"{_canon(value)} {initials} {full}"


def matching_values(codes: CodeList, text: str) -> list[str]:
    """The values a partial entry fits: part of the name, of its pinyin
    initials or of its full pinyin (ss → 丧失劳动力)."""
    canon = _canon(text).lower()
    if not canon:
        return []
    return [v for v in codes.values if canon in search_keys(v).lower()]


class _CodeValidator(QValidator):
    """Acceptable: empty, a value or an alias. Intermediate: part of one, or
    of its pinyin. Anything else is refused as it is typed."""

    def __init__(self, codes: CodeList, parent=None):
        super().__init__(parent)
        self.codes = codes
        self.names = [_canon(v) for v in codes.values] + [_canon(a) for a in codes.aliases]

    def validate(self, text: str, pos: int):
        canon = _canon(text)
        if not canon or self.codes.normalize(text) is not None:
            return QValidator.State.Acceptable, text, pos
        if any(canon in name for name in self.names) or matching_values(self.codes, text):
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Invalid, text, pos


class _CodeValues(QStandardItemModel):
    """The values of a code list for the completer; each value's search keys
    (its pinyin) are worked out when the completer first filters by them, so
    that building a form does not load pypinyin (a quarter of a second)."""

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == SEARCH_ROLE:
            value = super().data(index, Qt.ItemDataRole.DisplayRole)
            return search_keys(value) if value else None
        return super().data(index, role)


class _CodeCompleter(QCompleter):
    """Matches on the search keys, puts the value itself in the field."""

    def pathFromIndex(self, index) -> str:
        return index.data(Qt.ItemDataRole.DisplayRole) or ""


class CodeEditor(QComboBox):
    """One value of a code list, with type-ahead filtering."""

    changed = Signal()

    def __init__(self, fld: Field, parent: QWidget | None = None):
        super().__init__(parent)
        self.field = fld
        self.codes = fld.code_list
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.addItems(list(self.codes.values))
        self.setMaxVisibleItems(12)
        model = _CodeValues(self)
        for value in self.codes.values:
            model.appendRow(QStandardItem(value))
        completer = _CodeCompleter(model, self)
        completer.setCompletionRole(SEARCH_ROLE)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self.lineEdit().setValidator(_CodeValidator(self.codes, self))
        self.lineEdit().setPlaceholderText("输入或选择")
        self.setCurrentIndex(-1)
        self.setFixedWidth(EDITOR_WIDTH)
        self.lineEdit().textEdited.connect(lambda _t: self.changed.emit())
        self.activated.connect(lambda _i: self.changed.emit())
        self.lineEdit().installEventFilter(self)

    def complete_unique(self) -> None:
        """Finish a partial entry that fits exactly one value (肢 -> 肢体); an
        alias becomes the current name (大病 -> 患有大病)."""
        text = self.currentText().strip()
        if not text:
            return
        value = self._resolved(text)
        if value is not None and value != text:
            self.set_value(value)
            self.changed.emit()

    def _resolved(self, text: str) -> str | None:
        """The one value ``text`` stands for: itself, an alias, or the only
        value it is part of (by name or pinyin); None when not one."""
        value = self.codes.normalize(text)
        if value is None:
            matches = matching_values(self.codes, text)
            value = matches[0] if len(matches) == 1 else None
        return value

    def eventFilter(self, obj, event) -> bool:
        if obj is self.lineEdit() and event.type() == QEvent.Type.FocusOut:
            self.complete_unique()
        return super().eventFilter(obj, event)

    def value(self) -> Any:
        # A partial entry that fits one value (初 → 初中, ss → 丧失劳动力) is
        # that value, so the rules beside the field judge what will be saved.
        text = self.currentText().strip()
        if not text:
            return None
        return self._resolved(text) or text

    def set_value(self, value: Any) -> None:
        text = _plain(value)
        index = self.findText(text)
        self.setCurrentIndex(index)
        self.setEditText(text)

    def focus_widgets(self) -> list[QWidget]:
        return [self]


class MultiEditor(QListWidget):
    """Several values of a code list as a check list laid out in rows."""

    changed = Signal()

    def __init__(self, fld: Field, parent: QWidget | None = None):
        super().__init__(parent)
        self.field = fld
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setSpacing(1)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        for value in fld.code_list.values:
            item = QListWidgetItem(value, self)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.itemChanged.connect(lambda _item: self.changed.emit())
        self._width = EDITOR_WIDTH

    def set_layout_width(self, width: int) -> None:
        self._width = width
        self.setFixedWidth(width)
        self.setFixedHeight(self._height_for(width))

    def _height_for(self, width: int) -> int:
        """Rows needed when the items wrap within ``width``."""
        x, rows, row_h = 0, 1, 0
        usable = width - 2 * self.frameWidth() - 4
        for i in range(self.count()):
            hint = self.sizeHintForIndex(self.model().index(i, 0))
            w, h = hint.width() + 2 * self.spacing(), hint.height() + 2 * self.spacing()
            row_h = max(row_h, h)
            if x and x + w > usable:
                rows, x = rows + 1, 0
            x += w
        return rows * row_h + 2 * self.frameWidth() + 4

    def sizeHint(self) -> QSize:
        return QSize(self._width, self._height_for(self._width))

    def keyPressEvent(self, event) -> None:
        # Space ticks the current item (also when nothing is selected yet).
        if event.key() == Qt.Key.Key_Space and not event.modifiers():
            item = self.currentItem() or self.item(0)
            if item is not None:
                self.setCurrentItem(item)
                checked = item.checkState() == Qt.CheckState.Checked
                item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        if self.currentItem() is None and self.count():
            self.setCurrentRow(0)

    def checked(self) -> list[str]:
        return [self.item(i).text() for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]

    def value(self) -> Any:
        return self.checked() or None

    def set_value(self, value: Any) -> None:
        if isinstance(value, str):
            from cadre_desk.codes import split_multi
            value = split_multi(value)
        wanted = {self.field.code_list.normalize(v) or v for v in (value or [])}
        self.blockSignals(True)
        for i in range(self.count()):
            item = self.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.text() in wanted else Qt.CheckState.Unchecked)
        # The previous record's highlighted item would make a blank list look filled.
        self.clearSelection()
        self.selectionModel().clearCurrentIndex()
        self.blockSignals(False)

    def focus_widgets(self) -> list[QWidget]:
        return [self]


class BoolEditor(QComboBox):
    """是 / 否 / not answered."""

    changed = Signal()
    CHOICES = ("", "是", "否")
    KEYS = {Qt.Key.Key_Y: 1, Qt.Key.Key_1: 1, Qt.Key.Key_N: 2, Qt.Key.Key_0: 2,
            Qt.Key.Key_Delete: 0, Qt.Key.Key_Backspace: 0}

    def __init__(self, fld: Field, parent: QWidget | None = None):
        super().__init__(parent)
        self.field = fld
        self.addItems(list(self.CHOICES))
        self.setItemText(0, "（未填）")
        self.setFixedWidth(EDITOR_WIDTH)
        self.currentIndexChanged.connect(lambda _i: self.changed.emit())

    def keyPressEvent(self, event) -> None:
        index = self.KEYS.get(event.key())
        if index is not None and not event.modifiers():
            self.setCurrentIndex(index)
            return
        if event.text() in ("是", "否"):
            self.setCurrentIndex(self.CHOICES.index(event.text()))
            return
        super().keyPressEvent(event)

    def value(self) -> Any:
        return {1: True, 2: False}.get(self.currentIndex())

    def set_value(self, value: Any) -> None:
        if isinstance(value, str):
            value = {"是": True, "否": False}.get(value.strip())
        self.setCurrentIndex(0 if value is None else (1 if value else 2))

    def focus_widgets(self) -> list[QWidget]:
        return [self]


EDITORS = {"code": CodeEditor, "multi": MultiEditor, "bool": BoolEditor}


def editor_for(fld: Field, parent: QWidget | None = None):
    """The editor widget for a questionnaire field."""
    return EDITORS.get(fld.type, LineEditor)(fld, parent)


def keep_newer_answers(answers: dict[str, Any], baseline: dict[str, Any], stored_then: dict[str, Any],
                       stored_now: dict[str, Any], editors: dict[str, tuple[Any, str]]) -> str:
    """A form about to save what it read earlier: the record may have been
    saved elsewhere since (the same database in a second window, a sync
    package imported meanwhile). The answers the user did not change take the
    newer stored value (in ``answers`` and in the editor, ``editors``: key →
    (editor, label)) instead of writing the old one back; the answers the
    user changed are saved as typed. Returns what to tell the user ("" when
    nothing had changed elsewhere)."""
    kept, overwritten = [], []
    for key, value in stored_now.items():
        if key not in editors or key not in answers or value == stored_then.get(key):
            continue
        editor, label = editors[key]
        if answers[key] == baseline.get(key):
            blocked = editor.blockSignals(True)
            try:
                editor.set_value(value)
            finally:
                editor.blockSignals(blocked)
            answers[key] = editor.value()
            kept.append(label)
        else:
            overwritten.append(label)
    said = []
    if kept:
        said.append(f"您编辑期间别处（另一个窗口或导入的数据包）已修改了{'、'.join(kept)}，已保留那次修改")
    if overwritten:
        said.append(f"{'、'.join(overwritten)}在您编辑期间也被别处修改过，现已保存为您的填写，请核实")
    return "；".join(said)
