"""The window's 导入花名册 asks from which day the pairings count (issue 11 §2)
when the roster names 帮扶责任人 but has no 帮扶时间 column, and passes the
date to the import; a roster with the column, or without cadres, is imported
without the question."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QDateEdit, QLabel, QPushButton

from cadre_desk import register
from helpers_qt import when_modal
from helpers_roster import HEADERS, family, write_roster
from ui import roster_dialogs
from ui.main_window import MainWindow
from ui.roster_dialogs import PairingDateDialog


@pytest.fixture
def window(qtbot, store):
    w = MainWindow(store, install_features=False)
    qtbot.addWidget(w)
    roster_dialogs.install(w)
    w.show()
    return w


def since_of(store, number: str) -> list[str]:
    hh = register.household_by_number(store, number)
    return [c["since"] for c in register.cadre_history(store, hh["id"])]


def wait_for_report(qtbot, window):
    qtbot.waitUntil(lambda: window.running_jobs() == 0 and getattr(window, "_roster_report", None) is not None,
                    timeout=20000)
    return window._roster_report


def test_a_roster_without_the_date_column_asks_for_the_date_and_uses_it(qtbot, window, store, tmp_path):
    path = write_roster(tmp_path / "r.xlsx", family("37158110900100001")
                        + family("37158110900100002", head_name="王大力"))
    seen = {}

    def answer(dialog):
        editor = dialog.findChild(QDateEdit, "pairingDateEdit")
        seen["default"] = editor.date().toPython()
        seen["text"] = dialog.findChild(QLabel, "pairingDateText").text()
        seen["title"] = dialog.windowTitle()
        editor.setDate(QDate(2018, 9, 1))
        qtbot.mouseClick(dialog.findChild(QPushButton, "pairingDateOk"), Qt.MouseButton.LeftButton)
    when_modal(PairingDateDialog, answer)
    roster_dialogs.start_import(window, [path])
    report = wait_for_report(qtbot, window)
    assert seen["default"] == dt.date.today()
    assert seen["title"] == "帮扶关系从哪天开始算"
    assert "帮扶责任人" in seen["text"] and "帮扶时间" in seen["text"] and "从哪天开始算" in seen["text"]
    assert since_of(store, "37158110900100001") == ["2018-09-01"]
    assert since_of(store, "37158110900100002") == ["2018-09-01"]
    assert "结对时间记为今天" not in report.findChild(QLabel, "importSummary").text()


def test_cancelling_the_date_imports_nothing(qtbot, window, store, tmp_path):
    path = write_roster(tmp_path / "r.xlsx", family())
    answered = []
    when_modal(PairingDateDialog, lambda d: (answered.append(d), d.reject()))
    roster_dialogs.start_import(window, [path])
    qtbot.waitUntil(lambda: bool(answered) and window.running_jobs() == 0, timeout=20000)
    assert store.db.execute("SELECT count(*) FROM households").fetchone()[0] == 0
    assert getattr(window, "_roster_report", None) is None
    assert "已取消" in window.statusBar().currentMessage()


def test_a_roster_with_the_date_column_is_not_asked(qtbot, window, store, tmp_path):
    path = write_roster(tmp_path / "r.xlsx", family(帮扶时间="2017-03-01"), headers=[*HEADERS, "帮扶时间"])
    roster_dialogs.start_import(window, [path])
    wait_for_report(qtbot, window)  # a dialog left up would block the import: no report
    assert not window.findChildren(PairingDateDialog)
    assert since_of(store, "37158110900100001") == ["2017-03-01"]


def test_a_roster_without_cadres_is_not_asked(qtbot, window, store, tmp_path):
    headers = [h for h in HEADERS if h != "帮扶责任人"]
    path = write_roster(tmp_path / "r.xlsx", family(), headers=headers)
    roster_dialogs.start_import(window, [path])
    wait_for_report(qtbot, window)
    assert not window.findChildren(PairingDateDialog)
    assert store.db.execute("SELECT count(*) FROM households WHERE deleted = 0").fetchone()[0] == 1


def test_importing_the_good_rows_keeps_the_date(qtbot, window, store, tmp_path):
    rows = family("37158110900100001") + family("37158110900100002", head_name="王大力")
    rows[4]["身份证号码"] = "371581199801010000"  # a bad check digit: that row is bad
    path = write_roster(tmp_path / "r.xlsx", rows)

    def answer(dialog):  # from the keyboard: the date has the focus, Enter continues
        assert QApplication.focusWidget() is dialog.date_edit or dialog.date_edit.isAncestorOf(
            QApplication.focusWidget())
        dialog.date_edit.setDate(QDate(2019, 6, 1))
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    when_modal(PairingDateDialog, answer)
    roster_dialogs.start_import(window, [path])
    report = wait_for_report(qtbot, window)
    assert report.skip_button is not None
    window._roster_report = None
    qtbot.mouseClick(report.skip_button, Qt.MouseButton.LeftButton)  # not asked again
    wait_for_report(qtbot, window)
    assert since_of(store, "37158110900100001") == ["2019-06-01"]


def test_the_date_cannot_be_in_the_future(qtbot):
    dialog = PairingDateDialog()
    qtbot.addWidget(dialog)
    dialog.date_edit.setDate(QDate.currentDate().addDays(30))
    assert dialog.date == dt.date.today()
