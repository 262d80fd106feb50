"""The 打印 menu: a household's handbook, a village's handbooks (one PDF), and
the policy compilation, each made off the UI thread, then shown in a QtPdf
preview with 打印 (the system print dialog) and 另存为.

Uses only the main window's feature API: ``store``, ``menu(title)``,
``current_household_id()`` and ``run_job(title, fn, on_done)``.
"""

from __future__ import annotations

import shutil
import atexit
import tempfile
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QAction, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QInputDialog, QLabel, QMessageBox, QPushButton,
                               QVBoxLayout, QWidget)

from cadre_desk import exports, register
# ReportLab and the printing code load when something is printed, not when the
# window starts (about a tenth of a second of start-up otherwise).

from . import errors as ui_errors
from .screen import fit as fit_to_screen

# Pages are rendered to the printer as images at no more than this resolution
# (A4 at 300 dpi is 2480 x 3508 pixels, about 35 MB a page while printing).
MAX_PRINT_DPI = 300
SAMPLES_RETIRED_TEXT = "样本政策已被停用或删除，手册的“政策”部分仍是空的。请县就业办恢复样本政策或导入本县的政策文件后再打印"


class PrintPreview(QDialog):
    """Shows one PDF; 打印 sends it to a printer, 另存为 copies it."""

    def __init__(self, pdf_path: Path, title: str, suggested_name: str, parent: QWidget | None = None, *,
                 record: tuple | None = None):
        super().__init__(parent)
        # (store, detail, people): what a print or a saved copy is recorded as in the audit trail.
        self.record = record
        self.setObjectName("printPreview")
        self.setWindowTitle(f"打印预览 - {title}")
        self.pdf_path = Path(pdf_path)
        self.suggested_name = suggested_name
        self.document = QPdfDocument(self)
        self.document.load(str(self.pdf_path))
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

        self.pages_label = QLabel(f"共 {self.page_count()} 页", self)
        self.print_button = QPushButton("打印…", self)
        self.print_button.setObjectName("printButton")
        self.save_button = QPushButton("另存为…", self)
        self.save_button.setObjectName("saveAsButton")
        close_button = QPushButton("关闭", self)
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_as)
        close_button.clicked.connect(self.accept)

        bar = QHBoxLayout()
        bar.addWidget(self.pages_label)
        bar.addStretch(1)
        for b in (self.print_button, self.save_button, close_button):
            bar.addWidget(b)
        self.warning = QLabel(self)
        self.warning.setObjectName("printWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #b45f06;")
        self.warning.hide()
        self.samples_button = QPushButton("载入样本政策并重新生成", self)  # shown with the no-policies warning
        self.samples_button.setObjectName("loadSamplesButton")
        self.samples_button.hide()
        warning_row = QHBoxLayout()
        warning_row.addWidget(self.warning, 1)
        warning_row.addWidget(self.samples_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(warning_row)
        layout.addWidget(self.view, 1)
        fit_to_screen(self, 820, 960)
        self.print_button.setDefault(True)

    def page_count(self) -> int:
        return self.document.pageCount()

    # ------------------------------------------------------------ printing
    def print_document(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.suggested_name)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印")
        dialog.setMinMax(1, self.page_count())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            self.print_to(printer)
        except Exception as exc:  # noqa: BLE001 - shown in the standard dialog
            ui_errors.show_error(self, exc)

    def print_to(self, printer: QPrinter) -> int:
        """Render the chosen pages onto ``printer``; returns how many were sent."""
        first, last = printer.fromPage(), printer.toPage()
        if first <= 0:
            first, last = 1, self.page_count()
        dpi = min(printer.resolution(), MAX_PRINT_DPI)
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError("无法连接打印机，请检查打印机是否已打开并连接")
        sent = 0
        try:
            for page in range(first - 1, min(last, self.page_count())):
                if sent:
                    printer.newPage()
                size_pt = self.document.pagePointSize(page)
                image = self.document.render(page, QSize(round(size_pt.width() * dpi / 72),
                                                         round(size_pt.height() * dpi / 72)))
                target = printer.pageLayout().paintRectPixels(printer.resolution())
                fitted = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.drawImage(QRect(QPoint(0, 0), fitted), image)
                sent += 1
        finally:
            painter.end()
        if self.record is not None and sent:
            store, detail, people = self.record
            exports.document(store, "print", detail, people, pages=sent)
        return sent

    # ------------------------------------------------------------ saving
    def save_as(self) -> None:
        start = str(Path.home() / self.suggested_name)
        path, _ = QFileDialog.getSaveFileName(self, "另存为", start, "PDF 文件 (*.pdf)")
        if path:
            self.save_to(path)

    def save_to(self, path: str | Path) -> Path:
        path = Path(path)
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")
        try:
            shutil.copyfile(self.pdf_path, path)
        except OSError as exc:
            ui_errors.show_error(self, exc)
            raise
        if self.record is not None:
            store, detail, people = self.record
            exports.document(store, "export", detail, people, file=path.name)
        return path


class PrintActions:
    """The three actions of the 打印 menu, bound to one main window."""

    def __init__(self, window):
        self.window = window
        self.folder = Path(tempfile.mkdtemp(prefix="cadre-desk-print-"))
        # The previews' PDFs hold names and ID numbers: each goes when its
        # preview closes, the folder when the window goes (or at exit).
        folder = self.folder
        window.destroyed.connect(lambda *_: shutil.rmtree(folder, ignore_errors=True))
        atexit.register(shutil.rmtree, folder, True)
        self.last_preview: PrintPreview | None = None
        menu = window.menu("打印")
        self.household_action = self._action(menu, "打印本户手册", self.print_household, "Ctrl+P")
        self.village_action = self._action(menu, "打印本村手册", self.print_village)
        menu.addSeparator()
        self.policies_action = self._action(menu, "打印政策汇编", self.print_policies)

    def _action(self, menu, text: str, slot, shortcut: str | None = None) -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _info(self, text: str) -> None:
        QMessageBox.information(self.window, "打印", text)

    def _show(self, path: Path, title: str, name: str, *, handbook: bool = False, again=None,
              detail: dict | None = None, people: int = 0) -> PrintPreview:
        record = (self.window.store, detail or {"what": "policies"}, people)
        preview = PrintPreview(path, title, name, self.window, record=record)
        self.last_preview = preview
        from cadre_desk.print_checks import no_policies_warning

        warning = no_policies_warning(self.window.store, for_window=True) if handbook else None
        if warning:  # said beside the preview, before anything goes to the printer (the window's own way out)
            preview.warning.setText(warning)
            preview.warning.show()
            self.window.statusBar().showMessage(warning, 10000)
            if again is not None:
                preview.samples_button.show()
                preview.samples_button.clicked.connect(lambda: self._load_samples_and_redo(preview, again))
        preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        preview.finished.connect(lambda *_: _discard(preview.document, path))
        preview.show()
        return preview

    def _load_samples_and_redo(self, preview: PrintPreview, again) -> None:
        from cadre_desk.policies import list_policies, load_sample_policies

        try:
            load_sample_policies(self.window.store)
        except Exception as exc:  # noqa: BLE001 - the standard dialog explains it
            ui_errors.show_error(preview, exc)
            return
        if not list_policies(self.window.store):
            self._info(SAMPLES_RETIRED_TEXT)
            return
        preview.close()
        again()

    # ------------------------------------------------------------ the actions
    def print_household(self) -> None:
        household_id = self.window.current_household_id()
        if not household_id:
            self._info("请先在户列表中选中一户，再打印本户手册")
            return
        from cadre_desk.printing.handbook import handbook_file_name, write_handbook

        store = self.window.store
        hh = register.household(store, household_id)
        name = handbook_file_name(hh)
        path = self.folder / name

        def work(progress, cancelled):
            progress(0, 1, "正在生成手册")
            write_handbook(store, household_id, path)
            return path

        self.window.run_job(f"生成户编号 {hh.get('number')} 的就业帮扶手册", work,
                            lambda p: self._show(p, f"就业帮扶手册（户编号 {hh.get('number')}）", name, handbook=True,
                                                 again=self.print_household,
                                                 detail={"what": "handbook", "household": hh.get("number")},
                                                 people=_people(store, [household_id])))

    def print_village(self) -> None:
        store = self.window.store
        villages = store.rows(
            "SELECT v.id, v.name, t.name AS town, count(h.id) AS n FROM villages v JOIN towns t ON t.id = v.town_id "
            "JOIN households h ON h.village_id = v.id AND h.deleted = 0 WHERE v.deleted = 0 "
            "GROUP BY v.id ORDER BY t.code, v.code")
        if not villages:
            self._info("还没有登记任何户，没有可打印的手册")
            return
        labels = [f"{v['town']} {v['name']}（{v['n']} 户）" for v in villages]
        current = 0
        household_id = self.window.current_household_id()
        if household_id:
            place = register.household_place(store, household_id)
            current = next((i for i, v in enumerate(villages) if v["id"] == place.get("village_id")), 0)
        label, ok = QInputDialog.getItem(self.window, "打印本村手册", "选择行政村：", labels, current, False)
        if not ok:
            return
        village = villages[labels.index(label)]
        self.print_village_batch(village["id"], village["town"], village["name"])

    def print_village_batch(self, village_id: str, town: str, village: str) -> None:
        from cadre_desk.printing import PrintCancelled
        from cadre_desk.printing.handbook import write_handbooks

        store = self.window.store
        ids = [h["id"] for h in store.rows("SELECT id FROM households WHERE village_id = ? AND deleted = 0 "
                                            "ORDER BY number", [village_id])]
        name = f"就业帮扶手册_{town}{village}_{len(ids)}户.pdf"

        def work(progress, cancelled):
            try:
                (path,) = write_handbooks(store, ids, self.folder, combined=True, combined_name=name,
                                          progress=progress, cancelled=cancelled)
            except PrintCancelled:
                from .jobs import JobCancelled

                raise JobCancelled() from None
            return path

        self.window.run_job(f"生成{village} {len(ids)} 户的就业帮扶手册", work,
                            lambda p: self._show(p, f"{town}{village} 就业帮扶手册（{len(ids)} 户）", name,
                                                 handbook=True, people=_people(store, ids),
                                                 again=lambda: self.print_village_batch(village_id, town, village),
                                                 detail={"what": "handbooks", "village": f"{town}{village}",
                                                         "households": len(ids)}))

    def print_policies(self) -> None:
        from cadre_desk.policies import list_policies, load_sample_policies
        from cadre_desk.printing.compilation import write_compilation

        store = self.window.store
        if not list_policies(store):
            answer = QMessageBox.question(
                self.window, "打印政策汇编",
                "还没有在用的政策。要载入随程序提供的样本政策吗？（样本政策标注为“样本文本”，不是正式文件）",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
            load_sample_policies(store)
            if not list_policies(store):
                self._info(SAMPLES_RETIRED_TEXT)
                return
        from cadre_desk.printing.compilation import compilation_title

        name = f"{compilation_title(store)}.pdf"  # 就业帮扶政策汇编 or 就业扶贫政策汇编, by the county's terms
        path = self.folder / name

        def work(progress, cancelled):
            progress(0, 1, "正在生成政策汇编")
            write_compilation(store, path)
            return path

        self.window.run_job("生成政策汇编", work, lambda p: self._show(p, "政策汇编", name))


def _people(store, household_ids: list[str]) -> int:
    """How many people the handbooks of these households name (for the audit trail)."""
    n = 0
    for i in range(0, len(household_ids), 500):
        chunk = household_ids[i:i + 500]
        n += store.db.execute(f"SELECT count(*) FROM members WHERE deleted = 0 AND household_id IN "
                              f"({','.join('?' * len(chunk))})", chunk).fetchone()[0]
    return n


def _discard(document: QPdfDocument, path: Path) -> None:
    """A closed preview's PDF is deleted (it was only ever a preview)."""
    document.close()
    Path(path).unlink(missing_ok=True)


def install(window) -> PrintActions:
    actions = PrintActions(window)
    window.print_actions = actions
    return actions


__all__ = ["install", "PrintPreview", "PrintActions"]
