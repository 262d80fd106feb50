"""The 审计记录 page (key "audit"), for the county office's roles only
(``audit.view`` in ``users.DENIED``): this database's own entries or, at the
county office, those each laptop sent in its packages; filtered by day,
user, action and device; the chain check and the Excel copy are the core's
(``cadre_desk.audit``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QMessageBox, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from cadre_desk import audit, users
from cadre_desk.errors import CadreDeskError

from . import errors as ui_errors
from .colors import ERROR_STYLE

PERMISSION = "audit.view"
COLUMNS = audit.COLUMNS
ALL = "全部"
OK_STYLE = "color: #2e7d32;"
BAD_STYLE = ERROR_STYLE


class AuditPage(QWidget):
    def __init__(self, store, parent=None):
        users.require(store, PERMISSION)
        super().__init__(parent)
        self.setObjectName("auditPage")
        self.store = store
        self.rows: list[dict] = []

        self.source = QComboBox()
        self.source.addItem("本机的记录", "local")
        self.source.addItem("各台电脑送来的记录", "remote")
        self.source.currentIndexChanged.connect(self._source_changed)
        self.since = QLineEdit()
        self.until = QLineEdit()
        for field in (self.since, self.until):
            field.setPlaceholderText("如 2026-11-01")
            field.setToolTip("年-月-日；不填表示不限")
            field.setMaximumWidth(120)
            field.returnPressed.connect(self.refresh)
        self.user = QComboBox()
        self.action = QComboBox()
        self.action.addItem(ALL, None)
        for key, label in audit.ACTIONS.items():
            self.action.addItem(label, key)
        self.device = QComboBox()
        self.device_label = QLabel("设备")
        search = QPushButton("查询")
        search.clicked.connect(self.refresh)
        check = QPushButton("校验记录链")
        check.setObjectName("verifyAudit")
        check.clicked.connect(self.verify)
        export = QPushButton("导出 Excel…")
        export.clicked.connect(self.export_excel)

        filters = QHBoxLayout()
        for w in (self.source, QLabel("从"), self.since, QLabel("到"), self.until, QLabel("用户"), self.user,
                  QLabel("操作"), self.action, self.device_label, self.device, search):
            filters.addWidget(w)
        filters.addStretch(1)
        buttons = QHBoxLayout()
        self.verdict = QLabel("")
        self.verdict.setObjectName("auditVerdict")
        self.verdict.setWordWrap(True)
        buttons.addWidget(check)
        buttons.addWidget(self.verdict, 1)
        buttons.addWidget(export)
        self.message = QLabel("")
        self.message.setStyleSheet(BAD_STYLE)
        # (County) laptops restored from a backup: numbers held twice, both kept.
        self.forks = QLabel("")
        self.forks.setObjectName("auditForks")
        self.forks.setWordWrap(True)
        self.forks.hide()

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("auditTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("内容"), QHeaderView.ResizeMode.Stretch)
        self.count = QLabel("")

        layout = QVBoxLayout(self)
        title = QLabel("审计记录：登录、导出、打印、备份、恢复、用户和密码的变更。记录只能追加，"
                       "每条带有上一条的校验值，删改会被发现。")
        title.setWordWrap(True)
        layout.addWidget(title)
        layout.addLayout(filters)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.forks)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        self._stale = True  # read when first shown (off the start-up path)
        self._fill_devices()

    # ------------------------------------------------------------ filters
    def current_source(self) -> str:
        return self.source.currentData() or "local"

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _source_changed(self, *_args) -> None:
        self._fill_devices()
        self._fill_users()
        self.verdict.setText("")
        self.refresh()

    def _fill_devices(self) -> None:
        remote = self.current_source() == "remote"
        self.device.clear()
        self.device.addItem(ALL, None)
        if remote:
            for r in self.store.rows("SELECT DISTINCT a.device, COALESCE(d.cadre_name, '') AS name FROM "
                                     "audit_remote a LEFT JOIN sync_devices d ON d.id = a.device ORDER BY name"):
                self.device.addItem(f"{r['name'] or '未登记'}（{r['device']}）", r["device"])
        self.device.setVisible(remote)
        self.device_label.setVisible(remote)

    def _fill_users(self) -> None:
        chosen = self.user.currentText()
        self.user.blockSignals(True)
        self.user.clear()
        self.user.addItem(ALL)
        self.user.addItems(audit.user_names(self.store, self.current_source()))
        if chosen and self.user.findText(chosen) >= 0:
            self.user.setCurrentText(chosen)
        self.user.blockSignals(False)

    def _day(self, field: QLineEdit) -> str | None:
        text = field.text().strip()
        return audit.parse_since(text) if text else None

    # ------------------------------------------------------------ showing
    def refresh(self) -> None:
        self._stale = False
        if self.user.count() == 0:
            self._fill_users()
        self.message.setText("")
        try:
            since, until = self._day(self.since), self._day(self.until)
        except CadreDeskError as exc:
            self.message.setText(exc.message)
            return
        user = self.user.currentText()
        self.rows = audit.query(self.store, source=self.current_source(), since=since, until=until,
                                user=None if user in ("", ALL) else user, action=self.action.currentData(),
                                device=self.device.currentData() if self.current_source() == "remote" else None)
        remote = self.current_source() == "remote"
        forks = audit.fork_notes(self.store, self.device.currentData()) if remote else []
        self.forks.setText("\n".join(forks))
        self.forks.setVisible(bool(forks))
        self.table.setRowCount(len(self.rows))
        for r, entry in enumerate(self.rows):
            for c, value in enumerate(audit.table_row(entry)):
                item = QTableWidgetItem(str(value))
                if isinstance(value, int):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.count.setText(f"共 {len(self.rows)} 条记录")

    def verify(self) -> None:
        remote = self.current_source() == "remote"
        verdict = audit.verify_remote(self.store) if remote else audit.verify(self.store)
        self.verdict.setText(audit.verdict_text(verdict, remote=remote))
        self.verdict.setStyleSheet(OK_STYLE if verdict.ok else BAD_STYLE)

    # ------------------------------------------------------------ export
    def export_excel(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出审计记录", "审计记录.xlsx", "Excel 文件 (*.xlsx)")
        if path:
            try:
                n = self.export_to(path)
            except CadreDeskError as exc:
                ui_errors.show_error(self, exc)
                return
            QMessageBox.information(self, "导出审计记录", f"已导出 {n} 条审计记录到：\n{path}")

    def export_to(self, path: str | Path) -> int:
        path = Path(path)
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        return audit.write_xlsx(self.store, path, self.rows)


def allowed(store) -> bool:
    try:
        users.require(store, PERMISSION)
    except users.NotAllowed:
        return False
    return True


def install(window) -> AuditPage | None:
    """The page, for the roles that may see it; refreshed when shown."""
    if not allowed(window.store):
        return None
    page = AuditPage(window.store)
    window.add_page("audit", page, "审计记录")
    window.data_changed.connect(lambda: page.refresh() if page.isVisible() else setattr(page, "_stale", True))
    return page
