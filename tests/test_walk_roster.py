"""The newcomer walk's roster imports through the window (文件 → 导入花名册, the
first-start page's path): the county's sample roster with its six bad rows,
and the attacks (a text file named .xlsx, a roster with 10,000 columns)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from helpers_roster import HEADERS, family, member, write_roster
from ui import roster_dialogs
from ui.main_window import MainWindow
from ui.screen import available_size

SAMPLES = Path("/work/shared/samples")


@pytest.fixture
def window(qtbot, file_store):
    w = MainWindow(file_store)
    qtbot.addWidget(w)
    w.show()
    return w


def _report(qtbot, window, paths, **options):
    window._roster_report = None
    roster_dialogs.import_roster_files(window, [str(p) for p in paths], paired_since=dt.date(2020, 1, 1),
                                       **options)
    qtbot.waitUntil(lambda: window.running_jobs() == 0 and window._roster_report is not None, timeout=60000)
    return window._roster_report


def _summary(report) -> str:
    return report.findChild(QLabel, "importSummary").text()


@pytest.mark.skipif(not (SAMPLES / "roster-sample.xlsx").exists(), reason="the county's sample roster")
def test_the_sample_rosters_bad_rows_are_each_named_and_can_be_skipped(qtbot, window, tmp_path):
    roster = shutil.copy(SAMPLES / "roster-sample.xlsx", tmp_path / "roster-sample.xlsx")
    expected = json.loads((SAMPLES / "roster-sample.expected.json").read_text(encoding="utf-8"))
    report = _report(qtbot, window, [roster])
    rows = sorted(int(report.table.item(r, 1).text()) for r in range(report.table.rowCount()))
    assert rows == sorted(b["row"] for b in expected["bad_rows"])
    summary = _summary(report)
    assert "没有导入任何数据" in summary and "跳过问题行" in summary
    assert "--" not in summary  # the window's words, not the command line's flag
    assert report.skip_button is not None
    report.skip_button.click()
    qtbot.waitUntil(lambda: window.running_jobs() == 0 and window._roster_report is not report, timeout=60000)
    assert _summary(window._roster_report).startswith("导入完成")
    count = window.store.rows("SELECT count(*) AS n FROM households WHERE deleted = 0")[0]["n"]
    assert count == expected["households"]


def test_a_text_file_named_xlsx_says_what_to_do_and_offers_no_skipping(qtbot, window, tmp_path):
    fake = tmp_path / "花名册.xlsx"
    fake.write_text("姓名,证件号码\n张三,371581199001011234\n", encoding="utf-8")
    report = _report(qtbot, window, [fake])
    summary = _summary(report)
    assert "不是 Excel 工作簿" in summary and "另存为 .xlsx" in summary
    # skipping rows cannot help a file that cannot be read at all
    assert report.skip_button is None
    assert "问题行" not in summary.splitlines()[0]


def test_a_roster_with_hundreds_of_columns_keeps_the_report_on_the_screen(qtbot, window, tmp_path):
    # As many unknown columns as the import keeps (more are refused: roster/columns.py).
    from cadre_desk.roster.columns import MAX_UNKNOWN_COLUMNS

    headers = HEADERS + [f"附加列{i}" for i in range(MAX_UNKNOWN_COLUMNS - 1)]  # 备注 is the other
    bad = member("37158110900100001", "错号", "37158119900101123", relation="之子")  # 17 digits
    roster = write_roster(tmp_path / "wide.xlsx", family() + [bad], headers=headers)
    report = _report(qtbot, window, [roster])
    qtbot.waitUntil(report.isVisible)
    assert "附加列9" in _summary(report)  # every column is still named (scrolling)
    _w, height = available_size(report)
    assert report.frameGeometry().height() <= height
    assert report.table.rowCount() == 1
    # The problem list is not squeezed, once the dialog is laid out as the user sees it
    # (the layout runs from the event loop after the dialog is shown).
    qtbot.waitUntil(lambda: report.table.height() >= 150, timeout=5000)
    close = [b for b in report.findChildren(type(report.save_button)) if b.text() == "关闭"][0]
    assert close.isVisible() and report.rect().contains(close.geometry().center())
