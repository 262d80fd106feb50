"""Roster import and export from the 文件 menu, run as background jobs, and
the problem report: every bad row in a table that can be saved as an Excel
workbook (the county office sends it back to whoever made the roster).

导入花名册 takes several files at once (a 2020 roster, or the national
system's list exports: 监测对象信息, 户信息, 已外出务工信息, 计划外出务工信息),
imported as one (``roster.import_files``: all or nothing, or the good rows);
the report then names each row's file, and lists the warnings (spells that
overlap, a place without its county …) under the problems.

``start_import`` is what choosing files does, from the menu and from the
first-start page alike: the import stops before writing anything when the
core finds a member list that names cadres without a 帮扶时间 column
(``PairingDateNeeded``); the clerk is asked from which day the pairings
count (``PairingDateDialog``) and the import runs again with that date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QDateEdit, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHeaderView, QLabel,
    QFrame, QLayout, QMessageBox, QPushButton, QScrollArea, QTableWidget, QTableWidgetItem, QVBoxLayout,
)

from cadre_desk import first_start, search
from cadre_desk.errors import CadreDeskError
from cadre_desk import exports
from cadre_desk.idnumber import mask_id
from cadre_desk.roster import FILE_FAILURE_KINDS, ImportResult, PairingDateNeeded, RosterImportFailed, import_files

from . import errors as ui_errors
from .colors import WARNING_COLOR

EXCEL_FILTER = "Excel 花名册 (*.xlsx *.xlsm *.xls *.ods)"
REPORT_HEADERS = ["工作表", "行号", "列", "问题"]
FILE_HEADER = "文件"  # first column when the rows came from several files
FINDING_HEADERS = ["户编号", "乡镇、村", "成员", "提醒"]
SUMMARY_MAX_HEIGHT = 110  # a summary naming thousands of extra columns scrolls


def rows_can_be_skipped(result: ImportResult) -> bool:
    """True when every problem is a row's own: importing the other rows is
    possible (a problem that stops a whole file, ``FILE_FAILURE_KINDS``:
    skipping bad rows cannot help)."""
    return bool(result.bad_rows) and not any(b.kind in FILE_FAILURE_KINDS for b in result.bad_rows)


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
        summary_area = QScrollArea()
        summary_area.setObjectName("importSummaryArea")
        summary_area.setWidget(summary)
        summary_area.setWidgetResizable(True)
        summary_area.setFrameShape(QFrame.Shape.NoFrame)
        summary_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        summary_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        summary.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.summary, self.summary_area = summary, summary_area
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
        if failed and rows_can_be_skipped(result):
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
        layout.addWidget(summary_area)
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
        ui_errors.run_guarded(self, self._fit_to_width)

    def _fit_to_width(self) -> None:
        # Row heights once the 问题 column has its real width (wrapped text, no tall empty rows).
        self.table.resizeRowsToContents()
        self.findings.resizeRowsToContents()
        # The summary as tall as its text, up to a few lines; longer ones scroll.
        margins = self.layout().contentsMargins()
        width = self.width() - margins.left() - margins.right() - 24  # less a scroll bar
        self.summary_area.setFixedHeight(min(self.summary.heightForWidth(width) + 4, SUMMARY_MAX_HEIGHT))

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


class PairingDateDialog(QDialog):
    """Asks from which day the pairings of the imported households count
    (the importer's ``paired_since``). ``date`` is the answer once accepted."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("pairingDateDialog")
        self.setWindowTitle("帮扶关系从哪天开始算")
        explain = QLabel("所选的花名册有“帮扶责任人”列，但没有“帮扶时间”（结对时间）列，"
                         "看不出各户的帮扶关系是从哪天开始的。\n\n"
                         "请填写帮扶关系从哪天开始算：这个日期记为这些户与帮扶责任人结对的开始日期，"
                         "保留在每户的帮扶记录中。已经结对、帮扶责任人没有变的户不受影响。\n"
                         "各户日期不同时，请在花名册中加一列“帮扶时间”逐户填写后再导入。")
        explain.setObjectName("pairingDateText")
        explain.setWordWrap(True)
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setObjectName("pairingDateEdit")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMaximumDate(QDate.currentDate())  # a pairing does not start in the future
        form = QFormLayout()
        form.addRow("结对开始日期：", self.date_edit)
        buttons = QDialogButtonBox()
        ok = buttons.addButton("继续导入", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("pairingDateOk")
        ok.setDefault(True)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(form)
        layout.addWidget(buttons)
        # A wrapped label in a dialog gets its height only for a known width.
        explain.setFixedWidth(500)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)
        self.date_edit.setFocus()

    @property
    def date(self) -> dt.date:
        return self.date_edit.date().toPython()


def ask_paired_since(parent) -> dt.date | None:
    """The clerk's pairing start date, or None when the import is cancelled."""
    dialog = PairingDateDialog(parent)
    return dialog.date if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_roster_paths(parent) -> list[str]:
    """The roster files to import (several at once: a national export comes as
    one workbook per list); an empty list when the user cancels."""
    paths, _ = QFileDialog.getOpenFileNames(parent, "导入花名册（可同时选择多个文件）", "", EXCEL_FILTER)
    return paths


def _refused_in_demo(window) -> bool:
    """A real roster never goes into the demo database: say so, how to switch."""
    try:
        first_start.refuse_in_demo(window.store, "真实的花名册")
    except CadreDeskError as exc:
        ui_errors.show_error(window, exc)
        return True
    return False


def start_import(window, paths: list[str | Path]):
    """What choosing roster files does (the menu, the first-start page): the
    import, asking for the pairing start date when the core says the files
    need it. Returns the running job (None in the demo database)."""
    return import_roster_files(window, paths, ask_pairing_date=True)


def import_roster_file(window, path: str | Path, *, skip_bad_rows: bool = False):
    """One file: ``import_roster_files(window, [path])``."""
    return import_roster_files(window, [path], skip_bad_rows=skip_bad_rows)


def import_roster_files(window, paths: list[str | Path], *, skip_bad_rows: bool = False,
                        paired_since: dt.date | None = None, ask_pairing_date: bool = False):
    """Import ``paths`` as one import in the background; show the outcome (and
    the problem table) when done. ``paired_since``: the clerk's start date for
    pairings the files give none; ``ask_pairing_date``: ask the clerk for it
    when the core says it is needed, then import again (``start_import``).
    Returns the running job (None when the demo database is open: a real
    roster never goes into the demo)."""
    store = window.store
    paths = [str(p) for p in paths]
    if _refused_in_demo(window):
        return None

    def work(progress, cancelled):
        result = import_files(store, paths, skip_bad_rows=skip_bad_rows, paired_since=paired_since,
                              ask_paired_since=ask_pairing_date,
                              progress=lambda done, total=None: progress(done, total or 0, f"已读取 {done} 行"),
                              cancel=cancelled)
        search.update_search_index(store, progress=lambda d, t: progress(d, t, "正在更新拼音索引"))
        return result

    def done(result: ImportResult) -> None:
        window.data_changed.emit()
        show_report(window, result, message=result.summary(), failed=False)

    def failed(exc: BaseException) -> None:
        if isinstance(exc, PairingDateNeeded):  # nothing written: ask, then import again with the date
            since = ask_paired_since(window)
            if since is None:
                window.statusBar().showMessage("已取消导入花名册", 5000)
            else:
                import_roster_files(window, paths, skip_bad_rows=skip_bad_rows, paired_since=since)
        elif isinstance(exc, RosterImportFailed) and exc.result.bad_rows:
            message = exc.message
            if rows_can_be_skipped(exc.result):  # the window's words (the core's name the command's flag)
                message = (f"{exc.result.bad_row_count} 行有问题，没有导入任何数据。请按问题清单改正后重新导入，"
                           "或点“跳过问题行，导入其余各行”")
                summary = exc.result.summary()
            else:  # a file that cannot be imported at all: its own message says what to do
                summary = ""
            dialog = show_report(window, exc.result, message="\n".join(filter(None, [message, summary])),
                                 failed=not skip_bad_rows)
            dialog.accepted.connect(lambda: dialog.skip_requested and import_roster_files(
                window, paths, skip_bad_rows=True, paired_since=paired_since, ask_pairing_date=ask_pairing_date))
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
        paths = ask_roster_paths(window)
        if paths:
            start_import(window, paths)

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
