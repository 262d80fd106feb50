"""A read-only block of the household page built from one section of the
questionnaire (``monitoring`` 监测信息): one line per field, in the
definition's order, so a county that adds a field to the section sees it on
the page without a code change.

To read well on one screen:
- fields that are not relevant for the answers given (风险消除方式 while the
  risk is not cleared) are left out, by the questionnaire's own relevance
  rules (``Part.relevant_keys``);
- a run of fields that differ only by a trailing number (致贫/返贫风险1 … 5)
  is one line, the answers joined by 、 (empty ones left out);
- a household with no answer in the section shows one line saying so,
  instead of a column of dashes (2020 data has no monitoring answers).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QWidget

from cadre_desk.questionnaire import Field, Part, display
from cadre_desk.rules import is_empty

_NUMBERED = re.compile(r"^(.*?)\s*[0-9]+$")


def field_lines(fields: list[Field]) -> list[tuple[str, list[Field]]]:
    """The section's fields as lines: (label, fields). A run of consecutive
    fields of one code list whose labels are one stem with numbers 1, 2, …
    (致贫/返贫风险1 … 致贫/返贫风险5) is one line labelled by the stem."""
    lines: list[tuple[str, list[Field]]] = []
    for fld in fields:
        m = _NUMBERED.match(fld.label)
        stem = m.group(1) if m else None
        if stem and lines:
            label, group = lines[-1]
            prev = group[-1]
            if label == stem and prev.codes == fld.codes and prev.type == fld.type:
                group.append(fld)
                continue
        lines.append((stem or fld.label, [fld]))
    # A stem that matched only one field keeps the field's own label.
    return [(group[0].label if len(group) == 1 else label, group) for label, group in lines]


class SectionBox(QGroupBox):
    """The fields of ``section`` of ``part``; ``show(answers)`` fills it."""

    def __init__(self, part: Part, section: str, title: str | None = None, parent: QWidget | None = None, *,
                 empty_text: str = "未填写（在“编辑户信息”中填写）"):
        label = title or next((s.label for s in part.sections if s.key == section), section)
        super().__init__(label, parent)
        self.setObjectName(f"section_{section}")
        self.part = part
        self.section = section
        self.fields = [f for f in part.fields if f.section == section]
        self.lines = field_lines(self.fields)
        self.form = QFormLayout(self)
        self.form.setVerticalSpacing(3)
        self.form.setHorizontalSpacing(10)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.values: dict[str, QLabel] = {}  # line label -> value label
        self.captions: dict[str, QLabel] = {}
        for text, _group in self.lines:
            caption = QLabel(text + "：")
            value = QLabel()
            value.setObjectName(f"value_{_group[0].key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(caption, value)
            self.values[text] = value
            self.captions[text] = caption
        self.empty = QLabel(empty_text)
        self.empty.setObjectName(f"empty_{section}")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: #777;")
        self.form.addRow(self.empty)

    def show_answers(self, answers: Mapping[str, Any]) -> dict[str, str]:
        """Show ``answers`` (a household row); returns what each line shows
        (label -> text) for the lines on screen."""
        relevant = self.part.relevant_keys(answers) if self.fields else set()
        any_answer = any(not is_empty(answers.get(f.key)) for f in self.fields)
        shown: dict[str, str] = {}
        for text, group in self.lines:
            texts = [display(f, answers.get(f.key)) for f in group if f.key in relevant]
            visible = any_answer and any(f.key in relevant for f in group)
            value = "、".join(t for t in texts if t) or "—"
            self.values[text].setText(value)
            self.values[text].setToolTip(value)
            self.form.setRowVisible(self.values[text], visible)
            if visible:
                shown[text] = value
        self.empty.setVisible(not any_answer)
        return shown

    def shown(self) -> dict[str, str]:
        """The lines on screen now: label -> text."""
        return {text: self.values[text].text() for text, _g in self.lines if not self.values[text].isHidden()}
