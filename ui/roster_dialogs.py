"""Roster import and export from the 文件 menu, run as background jobs, and
the problem report: every bad row in a table that can be saved as an Excel
workbook (the county office sends it back to whoever made the roster).

导入花名册 takes several files at once (a 2020 roster, or the national
system's list exports: 监测对象信息, 户信息, 已外出务工信息, 计划外出务工信息),
imported as one (``roster.import_files``: all or nothing, or the good rows);
the report then names each row's file, and lists the warnings (spells that
overlap, a place without its county …) under the problems."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QFileDialog, QHeaderView, QLabel, QMessageBox, QPushButton,
    QTableWidget, QTableWidgetItem, QVBoxLayout,
)

from cadre_desk import first_start, search
from cadre_desk.errors import CadreDeskError
from cadre_desk import exports
from cadre_desk.idnumber import mask_id
from cadre_desk.roster import ImportResult, RosterImportFailed, export_roster, import_files, write_error_report

from . import errors as ui_errors

EXCEL_FILTER = "Excel 花名册 (*.xlsx *.xlsm *.xls *.ods)"
REPORT_HEADERS = ["工作表", "行号", "列", "问题"]
FILE_HEADER = "文件"  # first column when the rows came from several files
FINDING_HEADERS = ["户编号", "乡镇、村", "成员", "提醒"]
WARNING_COLOR = "#b45f06"  # as the forms' warnings


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
        self.resize(960, 520)
        # The problems first, then the warnings (written anyway, to check).
        listed = [(b, False) for b in result.bad_rows] + [(w, True) for w in getattr(result, "warnings", [])]
        with_files = any(getattr(b, "file", "") for b, _w in listed)
        headers = ([FILE_HEADER] if with_files else []) + REPORT_HEADERS
        summary = QLabel(message)
        summary.setObjectName("importSummary")
        summary.setWordWrap(True)
        summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(len(listed), len(headers))
        self.table.setObjectName("problemTable")
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        for r, (bad, warning) in enumerate(listed):
            values = ([bad.file] if with_files else []) + [
                bad.sheet, "" if bad.row is None else str(bad.row), bad.column,
                ("提醒：" if warning else "") + bad.reason]
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if warning:
                    item.setForeground(QColor(WARNING_COLOR))
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        for c, width in enumerate(([160] if with_files else []) + [100, 60, 120]):
            self.table.setColumnWidth(c, width)
        header.setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
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

        # The check rules' findings on what was imported (households and
        # members, not file rows): their own list under the rows.
        findings = list(getattr(result, "findings", []))
        self.findings = QTableWidget(len(findings), len(FINDING_HEADERS))
        self.findings.setObjectName("findingsTable")
        self.findings.setHorizontalHeaderLabels(FINDING_HEADERS)
        self.findings.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.findings.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.findings.verticalHeader().setVisible(False)
        self.findings.setWordWrap(True)
        for r, f in enumerate(findings):
            who = (f"{f.member}（{mask_id(f.id_number)}）" if f.id_number else f.member) if f.member else "本户"
            for c, value in enumerate([f.household_number, f"{f.town}{f.village}", who, f.message]):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                item.setForeground(QColor(WARNING_COLOR))
                self.findings.setItem(r, c, item)
        for c, width in enumerate([150, 120, 230]):
            self.findings.setColumnWidth(c, width)
        self.findings.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        if listed:
            layout.addWidget(self.table, 2)
        else:
            self.table.hide()
        if findings:
            layout.addWidget(QLabel(f"核查提醒（检查规则，{len(findings)} 条，不影响导入，请核实）："))
            layout.addWidget(self.findings, 1)
        else:
            self.findings.hide()
        layout.addWidget(buttons)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        # Row heights once the 问题 column has its real width (wrapped text, no tall empty rows).
        self.table.resizeRowsToContents()
        self.findings.resizeRowsToContents()

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
    """One file: ``import_roster_files(window, [path])``."""
    return import_roster_files(window, [path], skip_bad_rows=skip_bad_rows)


def import_roster_files(window, paths: list[str | Path], *, skip_bad_rows: bool = False):
    """Import ``paths`` as one import in the background; show the outcome (and
    the problem table) when done. Returns the running job (None when the demo
    database is open: a real roster never goes into the demo)."""
    store = window.store
    paths = [str(p) for p in paths]
    try:
        first_start.refuse_in_demo(store, "真实的花名册")
    except CadreDeskError as exc:
        ui_errors.show_error(window, exc)
        return None

    def work(progress, cancelled):
        result = import_files(store, paths, skip_bad_rows=skip_bad_rows,
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
            dialog.accepted.connect(lambda: dialog.skip_requested and import_roster_files(window, paths,
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
        # Several files at once: a national export comes as one workbook per list.
        paths, _ = QFileDialog.getOpenFileNames(window, "导入花名册（可同时选择多个文件）", "", EXCEL_FILTER)
        if paths:
            import_roster_files(window, paths)

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
