"""Roster import and export from the 文件 menu, run as background jobs, and
the problem report: every bad row in a table that can be saved as an Excel
workbook (the county office sends it back to whoever made the roster)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QFileDialog, QHeaderView, QLabel, QMessageBox, QPushButton,
    QTableWidget, QTableWidgetItem, QVBoxLayout,
)

from cadre_desk import first_start, search
from cadre_desk.errors import CadreDeskError
from cadre_desk import exports
from cadre_desk.roster import ImportResult, RosterImportFailed, import_roster

from . import errors as ui_errors

EXCEL_FILTER = "Excel 花名册 (*.xlsx *.xlsm *.xls *.ods)"
REPORT_HEADERS = ["工作表", "行号", "列", "问题"]


class ImportReportDialog(QDialog):
    """The outcome of an import with its problem rows. When nothing was
    imported because of bad rows, the user may import the good rows instead
    (``skip_requested`` is then True after the dialog closes)."""

    def __init__(self, parent, result: ImportResult, *, message: str, failed: bool):
        super().__init__(parent)
        self.setObjectName("importReportDialog")
        self.setWindowTitle("花名册导入：问题清单" if result.bad_rows else "花名册导入")
        self.result = result
        self.skip_requested = False
        self.resize(900, 520)
        summary = QLabel(message)
        summary.setObjectName("importSummary")
        summary.setWordWrap(True)
        summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(len(result.bad_rows), len(REPORT_HEADERS))
        self.table.setObjectName("problemTable")
        self.table.setHorizontalHeaderLabels(REPORT_HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        for r, bad in enumerate(result.bad_rows):
            for c, value in enumerate([bad.sheet, "" if bad.row is None else str(bad.row), bad.column, bad.reason]):
                self.table.setItem(r, c, QTableWidgetItem(value))
        header = self.table.horizontalHeader()
        for c, width in enumerate([100, 60, 120]):
            self.table.setColumnWidth(c, width)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()

        buttons = QDialogButtonBox()
        self.save_button = QPushButton("保存问题清单（Excel）…")
        self.save_button.setObjectName("saveReportButton")
        self.save_button.clicked.connect(self.choose_report_path)
        self.save_button.setEnabled(bool(result.bad_rows))
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.skip_button = None
        if failed and result.bad_rows:
            self.skip_button = QPushButton("跳过问题行，导入其余各行")
            self.skip_button.setObjectName("skipBadRowsButton")
            self.skip_button.clicked.connect(self._skip)
            buttons.addButton(self.skip_button, QDialogButtonBox.ButtonRole.AcceptRole)
        close = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        if result.bad_rows:
            layout.addWidget(self.table, 1)
        else:
            self.table.hide()
        layout.addWidget(buttons)

    def _skip(self) -> None:
        self.skip_requested = True
        self.accept()

    def choose_report_path(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "保存问题清单", f"花名册问题清单-{dt.date.today():%Y%m%d}.xlsx",
                                              "Excel 工作簿 (*.xlsx)")
        if path:
            self.save_report(path)

    def save_report(self, path: str | Path) -> Path:
        path = Path(path)
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        from .export_options import ask_full_numbers

        store = self.parent().store
        full = ask_full_numbers(self, store, "问题清单")
        if full is None:
            return None
        try:
            exports.error_report(store, path, self.result, full=full)
        except Exception as exc:  # noqa: BLE001 - the standard dialog explains it
            ui_errors.show_error(self, exc)
            raise
        self.setWindowTitle(f"花名册导入：问题清单已保存到 {path.name}")
        return path


def import_roster_file(window, path: str | Path, *, skip_bad_rows: bool = False):
    """Import ``path`` in the background; show the outcome (and the problem
    table) when done. Returns the running job (None when the demo database
    is open: a real roster never goes into the demo)."""
    store = window.store
    try:
        first_start.refuse_in_demo(store, "真实的花名册")
    except CadreDeskError as exc:
        ui_errors.show_error(window, exc)
        return None

    def work(progress, cancelled):
        result = import_roster(store, path, skip_bad_rows=skip_bad_rows,
                               progress=lambda done, total=None: progress(done, total or 0, f"已读取 {done} 行"),
                               cancel=cancelled)
        search.update_search_index(store, progress=lambda d, t: progress(d, t, "正在更新拼音索引"))
        return result

    def done(result: ImportResult) -> None:
        window.data_changed.emit()
        show_report(window, result, message=result.summary(), failed=False)

    def failed(exc: BaseException) -> None:
        if isinstance(exc, RosterImportFailed) and exc.result.bad_rows:
            dialog = show_report(window, exc.result, message=f"{exc.message}\n{exc.result.summary()}",
                                 failed=not skip_bad_rows)
            dialog.accepted.connect(lambda: dialog.skip_requested and import_roster_file(window, path,
                                                                                         skip_bad_rows=True))
        else:
            ui_errors.show_error(window, exc)

    return window.run_job("导入花名册", work, done, on_error=failed)


def show_report(window, result: ImportResult, *, message: str, failed: bool) -> ImportReportDialog:
    dialog = ImportReportDialog(window, result, message=message, failed=failed)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window._roster_report = dialog  # the latest report (kept alive while open; tests look at it)
    dialog.open()
    return dialog


def export_roster_file(window, path: str | Path):
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")

    def done(count: int) -> None:
        QMessageBox.information(window, "导出花名册", f"已导出 {count} 人到：\n{path}")

    return window.run_job("导出花名册", lambda progress, cancelled: exports.roster(window.store, path), done)


def install(window) -> None:
    menu = window.menu("文件")
    first = menu.actions()[0] if menu.actions() else None

    def ask_import():
        path, _ = QFileDialog.getOpenFileName(window, "导入花名册", "", EXCEL_FILTER)
        if path:
            import_roster_file(window, path)

    def ask_export():
        path, _ = QFileDialog.getSaveFileName(window, "导出花名册", f"花名册-{dt.date.today():%Y%m%d}.xlsx",
                                              "Excel 工作簿 (*.xlsx)")
        if path:
            export_roster_file(window, path)

    for text, shortcut, slot, name in (("导入花名册…", "Ctrl+I", ask_import, "importRosterAction"),
                                       ("导出花名册…", "Ctrl+E", ask_export, "exportRosterAction")):
        action = QAction(text, window)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        if first is not None:
            menu.insertAction(first, action)
        else:
            menu.addAction(action)
