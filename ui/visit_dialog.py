"""Recording a visit to a household (走访记录): date, cadre, what was done,
problems solved. Saved through ``register.add_visit``; the new visit's id is
``visit_id`` after ``exec()`` returns Accepted."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox, QDateEdit, QDialog, QFormLayout, QLabel, QPlainTextEdit, QVBoxLayout,
)

from cadre_desk import register
from cadre_desk.errors import CadreDeskError
from cadre_desk.storage import Store

from .dialog_buttons import save_cancel_buttons
from .colors import ERROR_STYLE


class VisitDialog(QDialog):
    def __init__(self, store: Store, household_id: str, parent=None):
        super().__init__(parent)
        self.store, self.household_id = store, household_id
        self.visit_id: str | None = None
        self.setWindowTitle("添加走访记录")
        self.resize(520, 380)

        form = QFormLayout()
        self.date = QDateEdit(QDate.currentDate())
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setMaximumDate(QDate.currentDate())
        self.cadre = QComboBox()
        self.cadre.addItem("（未指定）", None)
        current = register.current_pairing(store, household_id)
        for c in store.rows("SELECT id, name, unit FROM cadres WHERE deleted = 0 ORDER BY name"):
            self.cadre.addItem(c["name"] + (f"（{c['unit']}）" if c["unit"] else ""), c["id"])
            if current and current["cadre_id"] == c["id"]:
                self.cadre.setCurrentIndex(self.cadre.count() - 1)
        self.content = QPlainTextEdit()
        self.content.setTabChangesFocus(True)
        self.content.setPlaceholderText("如：宣讲公益性岗位政策，了解就业意愿")
        self.solved = QPlainTextEdit()
        self.solved.setTabChangesFocus(True)
        self.solved.setPlaceholderText("如：推荐到扶贫车间就业")
        form.addRow("走访日期", self.date)
        form.addRow("帮扶责任人", self.cadre)
        form.addRow("走访内容 *", self.content)
        form.addRow("解决问题", self.solved)

        self.message = QLabel()
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        buttons = save_cancel_buttons(self, self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.content.setFocus()

    def save(self) -> None:
        try:
            self.visit_id = register.add_visit(
                self.store, self.household_id, visit_date=self.date.date().toPython(),
                content=self.content.toPlainText(), problems_solved=self.solved.toPlainText(),
                cadre_id=self.cadre.currentData())
        except CadreDeskError as exc:
            self.message.setText(exc.message)
            self.content.setFocus()
            return
        self.accept()
