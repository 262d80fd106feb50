"""The recommendation dialog for one member: the three openings with their
reasons and the note, a button to record them, and the recorded offers with
their status, which the cadre moves on (推荐 → 联系 → 面试 → 录用 / 未录用 →
在岗 / 离岗). Everything is decided by the core (``cadre_desk.jobs``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDialog, QFrame, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from cadre_desk import register
from cadre_desk.idnumber import mask_id
from cadre_desk.jobs.matching import Recommendation, recommend
from cadre_desk.jobs.outcomes import NEXT, offers_of, record_recommendation, set_offer_status
from cadre_desk.storage import Store

from . import errors as ui_errors


class OfferCard(QFrame):
    def __init__(self, rank: int, offer, parent=None):
        super().__init__(parent)
        self.setObjectName(f"offer{rank}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("QFrame#offer%d { background: #f5f9ff; border: 1px solid #b8cce4; border-radius: 4px; }"
                           % rank)
        title = QLabel(f"{rank}. {offer.opening}　—　{offer.employer}")
        title.setObjectName("offerTitle")
        title.setStyleSheet("font-size: 12pt; color: #1f3b63;")
        pay = f"约 {offer.monthly_pay:,.0f} 元/月" if offer.monthly_pay is not None else "工资面议/计件"
        facts = QLabel(f"{offer.route}　·　{offer.place}　·　{pay}")
        reason = QLabel(f"理由：{offer.reason}")
        reason.setObjectName("offerReason")
        reason.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        for w in (title, facts, reason):
            layout.addWidget(w)


class RecommendDialog(QDialog):
    """Recommend for ``member_id``; ``on_changed`` runs after every write."""

    def __init__(self, store: Store, member_id: str, parent: QWidget | None = None, *,
                 as_of: dt.date | None = None, on_changed: Callable[[], None] | None = None):
        super().__init__(parent)
        self.setObjectName("recommendDialog")
        self.store = store
        self.member = register.member(store, member_id)
        self.as_of = as_of or dt.date.today()
        self.on_changed = on_changed or (lambda: None)
        self.recommendation: Recommendation | None = None
        self.setWindowTitle(f"岗位推荐 — {self.member['name']}")
        self.resize(860, 640)

        m = self.member
        who = QLabel(f"{m['name']}　{mask_id(m.get('id_number') or '')}　{m.get('labour_ability') or ''}　"
                     f"就业意愿：{m.get('job_intention') or '未填'}　技能：{'、'.join(m.get('skills') or []) or '无'}　"
                     f"可接受地点：{'、'.join(m.get('accepted_places') or []) or '不限'}")
        who.setObjectName("memberLine")
        who.setWordWrap(True)
        self.repeat = QCheckBox("允许推荐上次已推荐过的岗位")
        self.repeat.toggled.connect(self.refresh)
        self.cards = QVBoxLayout()
        self.note = QLabel()
        self.note.setObjectName("note")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #7a4a00; background: #fff8e1; padding: 6px;")
        self.record_button = QPushButton("保存这次推荐")
        self.record_button.setObjectName("recordButton")
        self.record_button.clicked.connect(self.record)

        self.offers = QTableWidget(0, 6)
        self.offers.setObjectName("offersTable")
        self.offers.setHorizontalHeaderLabels(["推荐日期", "岗位", "企业", "状态", "原因", "日期"])
        self.offers.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.offers.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.offers.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.offers.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.offers.itemSelectionChanged.connect(self._offer_selected)
        self.next_status = QComboBox()
        self.next_status.setObjectName("nextStatus")
        self.status_reason = QLineEdit()
        self.status_reason.setPlaceholderText("原因（未录用时必填）")
        self.status_button = QPushButton("更新状态")
        self.status_button.setObjectName("statusButton")
        self.status_button.clicked.connect(self.update_status)

        top = QHBoxLayout()
        top.addWidget(who, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        head = QHBoxLayout()
        head.addWidget(QLabel(f"推荐岗位（按 {self.as_of.isoformat()} 的有效岗位）"))
        head.addStretch(1)
        head.addWidget(self.repeat)
        head.addWidget(self.record_button)
        layout.addLayout(head)
        layout.addLayout(self.cards)
        layout.addWidget(self.note)
        layout.addWidget(QLabel("已保存的推荐及结果"))
        layout.addWidget(self.offers, 1)
        status = QHBoxLayout()
        status.addWidget(QLabel("把选中的岗位改为"))
        status.addWidget(self.next_status)
        status.addWidget(self.status_reason, 1)
        status.addWidget(self.status_button)
        layout.addLayout(status)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        self.refresh()
        self.refresh_offers()

    # ------------------------------------------------------------ recommendation
    def refresh(self) -> None:
        self.recommendation = recommend(self.store, self.member, as_of=self.as_of, repeat=self.repeat.isChecked())
        while self.cards.count():
            item = self.cards.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for i, offer in enumerate(self.recommendation.offers, start=1):
            self.cards.addWidget(OfferCard(i, offer, self))
        self.note.setText(self.recommendation.note)
        self.record_button.setEnabled(bool(self.recommendation.offers))

    def record(self) -> None:
        try:
            record_recommendation(self.store, self.recommendation)
        except Exception as exc:  # noqa: BLE001
            ui_errors.show_error(self, exc)
            return
        self.on_changed()
        self.refresh_offers()
        self.record_button.setEnabled(False)
        self.record_button.setText("已保存")

    # ------------------------------------------------------------ outcomes
    def refresh_offers(self) -> None:
        rows = offers_of(self.store, self.member["id"])
        self._offer_rows = rows
        self.offers.setRowCount(len(rows))
        for r, o in enumerate(rows):
            for c, value in enumerate((o["recommended_on"], o["opening"], o.get("employer") or "", o["status"],
                                       o.get("status_reason") or "", o.get("status_on") or "")):
                self.offers.setItem(r, c, QTableWidgetItem(value or ""))
        self._offer_selected()

    def _offer_selected(self) -> None:
        rows = self.offers.selectionModel().selectedRows()
        self.next_status.clear()
        if rows:
            self.next_status.addItems(NEXT[self._offer_rows[rows[0].row()]["status"]])
        self.status_button.setEnabled(self.next_status.count() > 0)

    def select_offer(self, row: int) -> None:
        self.offers.selectRow(row)

    def update_status(self) -> None:
        rows = self.offers.selectionModel().selectedRows()
        if not rows:
            return
        offer = self._offer_rows[rows[0].row()]
        try:
            set_offer_status(self.store, offer["id"], self.next_status.currentText(),
                             reason=self.status_reason.text(), on=self.as_of)
        except Exception as exc:  # noqa: BLE001
            ui_errors.show_error(self, exc)
            return
        self.status_reason.clear()
        self.on_changed()
        row = rows[0].row()
        self.refresh_offers()
        self.select_offer(row)
