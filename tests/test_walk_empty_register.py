"""The newcomer walk: a first import that failed (a text file named .xlsx)
leaves a signed-up database without households; the next start signs in and
opens the register, which then says how to fill it instead of a bare 共 0 户."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from helpers_sync import county_with_households
from ui.main_window import MainWindow


def _hint(window) -> QLabel:
    return window.register_view.findChild(QLabel, "registerEmptyHint")


def test_an_empty_register_says_how_to_fill_it(qtbot, file_store):
    window = MainWindow(file_store)
    qtbot.addWidget(window)
    window.show()
    hint = _hint(window)
    assert hint is not None and hint.isVisible()
    assert "文件 → 导入花名册" in hint.text() and "同步 → 导入数据包或启用包" in hint.text()


def test_a_register_with_households_or_a_search_without_hits_has_no_such_hint(qtbot, tmp_path):
    store = county_with_households(tmp_path / "county.db")
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    assert not _hint(window).isVisible()
    window.register_view.search.setText("没有这个人")
    window.register_view.apply_filters()
    assert window.register_view.model.rowCount() == 0 and not _hint(window).isVisible()
    store.db.conn.close()
