"""The 打印 menu through the main window's feature API: each action makes its
PDF through run_job and opens a QtPdf preview that can print and save."""

import pytest

pytest.importorskip("PySide6.QtPdf")

from PySide6.QtPrintSupport import QPrinter  # noqa: E402
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget  # noqa: E402

from cadre_desk.policies import list_policies  # noqa: E402
from helpers_printing import build_sample, pages_text  # noqa: E402
from ui import print_preview  # noqa: E402


class FakeWindow(QWidget):
    """Just the contract ui.print_preview relies on; jobs run at once."""

    def __init__(self, store, household_id=None):
        super().__init__()
        self.store = store
        self.household_id = household_id
        self.menus = {}
        self.jobs = []

    def menu(self, title):
        return self.menus.setdefault(title, QMenu(title, self))

    def current_household_id(self):
        return self.household_id

    def run_job(self, title, fn, on_done=None):
        reports = []
        result = fn(lambda done, total=0, text="": reports.append((done, total, text)), lambda: False)
        self.jobs.append((title, reports))
        if on_done:
            on_done(result)


@pytest.fixture
def window(qtbot, store):
    ids = build_sample(store)
    w = FakeWindow(store, ids["disabled"])
    qtbot.addWidget(w)
    print_preview.install(w)
    return w


def test_menu_has_the_three_actions(window):
    texts = [a.text() for a in window.menus["打印"].actions() if not a.isSeparator()]
    assert texts == ["打印本户手册", "打印本村手册", "打印政策汇编"]


def test_household_handbook_preview_prints_and_saves(window, qtbot, tmp_path):
    window.print_actions.household_action.trigger()
    preview = window.print_actions.last_preview
    qtbot.addWidget(preview)
    pages = len(pages_text(preview.pdf_path))
    assert preview.page_count() == pages >= 4
    assert "3715810001" in preview.windowTitle()
    saved = preview.save_to(tmp_path / "copy")
    assert saved.name == "copy.pdf" and saved.read_bytes() == preview.pdf_path.read_bytes()
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printer.setFromTo(2, 3)
    assert preview.print_to(printer) == 2
    assert (tmp_path / "printed.pdf").stat().st_size > 10_000


def test_village_batch_is_one_pdf(window, qtbot):
    vid = window.store.rows("SELECT id FROM villages WHERE name = '李庄村'")[0]["id"]
    window.print_actions.print_village_batch(vid, "烟店镇", "李庄村")
    preview = window.print_actions.last_preview
    qtbot.addWidget(preview)
    text = "\n".join(pages_text(preview.pdf_path))
    assert "王建国" in text and "赵德山" in text
    assert "2户" in preview.pdf_path.name


def test_compilation_offers_samples_when_there_are_no_policies(qtbot, store, monkeypatch):
    w = FakeWindow(store)
    qtbot.addWidget(w)
    actions = print_preview.install(w)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    actions.policies_action.trigger()
    preview = actions.last_preview
    qtbot.addWidget(preview)
    assert list_policies(store)
    assert preview.page_count() == len(list_policies(store)) + 2  # cover, contents, a page each
    assert "乡村公益性岗位安置" in "\n".join(pages_text(preview.pdf_path))  # the samples in the 2021 terms


def test_compilation_with_samples_retired_says_what_to_do(window, monkeypatch):
    for p in list_policies(window.store):
        window.store.update("policies", p.id, {"retired": 1})
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    said = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: said.append(text))
    window.print_actions.policies_action.trigger()
    assert said and "恢复" in said[0] and window.print_actions.last_preview is None


def test_no_household_selected_says_so(window, monkeypatch):
    window.household_id = None
    said = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: said.append(text))
    window.print_actions.household_action.trigger()
    assert said and "选中一户" in said[0]
    assert window.print_actions.last_preview is None


def test_closing_a_preview_removes_its_pdf_and_the_folder_goes_with_the_window(qtbot, store):
    # Issue 12 §5: previews were left in /tmp/cadre-desk-print-* for ever.
    ids = build_sample(store)
    w = FakeWindow(store, ids["disabled"])
    print_preview.install(w)
    folder = w.print_actions.folder
    w.print_actions.household_action.trigger()
    preview = w.print_actions.last_preview
    pdf = preview.pdf_path
    assert pdf.exists() and pdf.parent == folder
    preview.accept()
    assert not pdf.exists()
    w.deleteLater()
    qtbot.waitUntil(lambda: not folder.exists(), timeout=3000)
