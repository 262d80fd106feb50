"""Issue 12 §3: exports from the window mask ID numbers and phones by default,
as the commands do; full numbers are for 县就业办 users only, are asked for
explicitly and are recorded in the audit trail with how many people; prints
and saved PDFs are recorded too."""

from __future__ import annotations

import pytest
from python_calamine import CalamineWorkbook

from cadre_desk import audit, exports, users
from helpers_jobs import AS_OF
from test_dashboard import fill
from ui.dashboard import DashboardPage

CADRE = users.SignedIn("王芳", "cadre")
TOWN = users.SignedIn("乡镇用户", "town")
COUNTY = users.SignedIn("县里", "county")


def _people_sheet(path):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name("未就业人员").to_python()


def _last_export(store):
    return [e for e in audit.entries(store) if e["action"] == "export"][-1]


def test_full_numbers_need_the_county_office_and_are_recorded(file_store, tmp_path):
    fill(file_store)
    for who in (CADRE, TOWN):
        file_store.signed_in = who
        assert not exports.may_write_full_numbers(file_store)
        with pytest.raises(users.NotAllowed) as caught:
            exports.progress(file_store, tmp_path / "x.xlsx", AS_OF, full=True)
        assert "不能" in caught.value.message
        assert not (tmp_path / "x.xlsx").exists()
    file_store.signed_in = COUNTY
    assert exports.may_write_full_numbers(file_store)
    figures = exports.progress(file_store, tmp_path / "full.xlsx", AS_OF, full=True)
    rows = _people_sheet(tmp_path / "full.xlsx")
    assert "*" not in "".join(str(r[4]) for r in rows[1:])
    entry = _last_export(file_store)
    assert entry["user"] == "县里" and entry["detail"]["ids"] == "full" and entry["detail"]["what"] == "progress"
    assert entry["people"] == figures["not_employed"] > 0


def test_the_dashboard_exports_masked_for_a_cadre_without_asking(qtbot, file_store, tmp_path, monkeypatch):
    fill(file_store)
    file_store.signed_in = CADRE
    asked = []
    monkeypatch.setattr("ui.export_options.QMessageBox.exec", lambda box: asked.append(box) or 0)
    monkeypatch.setattr("ui.dashboard.QMessageBox.information", lambda *a, **k: None)
    page = DashboardPage(file_store)
    qtbot.addWidget(page)
    page.set_scope(as_of=AS_OF)
    out = tmp_path / "progress.xlsx"
    page.export_to(str(out))
    assert asked == []
    rows = _people_sheet(out)
    assert len(rows) > 1 and all("*" in str(r[4]) for r in rows[1:])
    entry = _last_export(file_store)
    assert entry["detail"]["ids"] == "masked" and entry["people"] == len(rows) - 1
    assert entry["detail"]["file"] == "progress.xlsx"


@pytest.mark.parametrize("answer, ids", [("写出完整号码", "full"), ("隐去中间数字（推荐）", "masked")])
def test_a_county_user_is_asked_and_full_numbers_are_recorded(qtbot, file_store, tmp_path, monkeypatch, answer, ids):
    from helpers_qt import answer_next_box

    fill(file_store)
    file_store.signed_in = COUNTY
    monkeypatch.setattr("ui.dashboard.QMessageBox.information", lambda *a, **k: None)
    page = DashboardPage(file_store)
    qtbot.addWidget(page)
    page.set_scope(as_of=AS_OF)
    out = tmp_path / "progress.xlsx"
    answer_next_box(answer)
    page.export_to(str(out))
    rows = _people_sheet(out)
    assert all(("*" in str(r[4])) == (ids == "masked") for r in rows[1:])
    assert _last_export(file_store)["detail"]["ids"] == ids


def test_cancelling_the_question_writes_nothing(qtbot, file_store, tmp_path, monkeypatch):
    from helpers_qt import answer_next_box

    fill(file_store)
    file_store.signed_in = COUNTY
    page = DashboardPage(file_store)
    qtbot.addWidget(page)
    before = len(audit.entries(file_store))
    answer_next_box("取消")
    page.export_to(str(tmp_path / "progress.xlsx"))
    assert not (tmp_path / "progress.xlsx").exists()
    assert len(audit.entries(file_store)) == before


def test_a_town_user_cannot_export_the_county_roster_from_the_window(file_store, tmp_path):
    fill(file_store)
    file_store.signed_in = TOWN
    with pytest.raises(users.NotAllowed):
        exports.roster(file_store, tmp_path / "r.xlsx")
    assert not (tmp_path / "r.xlsx").exists()
    file_store.signed_in = COUNTY
    n = exports.roster(file_store, tmp_path / "r.xlsx")
    entry = _last_export(file_store)
    assert entry["detail"]["what"] == "roster" and entry["detail"]["ids"] == "full" and entry["people"] == n > 0


def test_the_problem_list_saved_from_the_window_is_masked_and_recorded(qtbot, file_store, tmp_path, monkeypatch):
    from cadre_desk.roster import import_roster
    from helpers_roster import family, write_roster
    from ui.roster_dialogs import ImportReportDialog
    from ui.main_window import MainWindow

    rows = family("37158110900100001")
    bad = rows[0]["身份证号码"][:-1] + ("0" if rows[0]["身份证号码"][-1] != "0" else "1")
    rows[0]["身份证号码"] = bad  # a wrong check digit: a problem row that shows the number
    result = import_roster(file_store, write_roster(tmp_path / "in.xlsx", rows), skip_bad_rows=True)
    assert result.bad_rows
    file_store.signed_in = CADRE
    window = MainWindow(file_store, install_features=False)
    qtbot.addWidget(window)
    dialog = ImportReportDialog(window, result, message="", failed=False)
    qtbot.addWidget(dialog)
    out = dialog.save_report(tmp_path / "problems.xlsx")
    text = str(CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python())
    assert bad not in text and bad[:6] in text
    entry = _last_export(file_store)
    assert entry["detail"]["what"] == "errors" and entry["detail"]["ids"] == "masked"
    assert entry["people"] == len(result.bad_rows)


def test_printing_and_saving_a_preview_are_recorded(qtbot, store, tmp_path):
    pytest.importorskip("PySide6.QtPdf")
    from PySide6.QtPrintSupport import QPrinter

    from helpers_printing import build_sample
    from test_print_preview import FakeWindow
    from ui import print_preview

    ids = build_sample(store)
    w = FakeWindow(store, ids["disabled"])
    qtbot.addWidget(w)
    print_preview.install(w).household_action.trigger()
    preview = w.print_actions.last_preview
    qtbot.addWidget(preview)
    people = store.db.execute("SELECT count(*) FROM members WHERE household_id = ? AND deleted = 0",
                              [ids["disabled"]]).fetchone()[0]
    assert not [e for e in audit.entries(store) if e["action"] in ("print", "export")]  # a preview is not a print
    preview.save_to(tmp_path / "copy.pdf")
    saved = _last_export(store)
    assert saved["detail"]["what"] == "handbook" and saved["detail"]["file"] == "copy.pdf"
    assert saved["people"] == people
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    preview.print_to(printer)
    printed = [e for e in audit.entries(store) if e["action"] == "print"][-1]
    assert printed["detail"]["what"] == "handbook" and printed["people"] == people and printed["detail"]["pages"] > 0
