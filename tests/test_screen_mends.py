"""What was seen on screen and mended (issue 11 §3), each on real widgets."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel

from cadre_desk import register
from cadre_desk.questionnaire import Problem
from tests.helpers_qt import type_text
from tests.helpers_survey import sample_household
from ui.app import application
from ui.history_dialog import HistoryDialog
from ui.main_window import MainWindow
from ui.survey_form import SurveyForm


@pytest.fixture
def household(store):
    store.set_setting("user_name", "王丽")
    return sample_household(store)


@pytest.fixture
def window(qtbot, store, household):
    application()
    w = MainWindow(store)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    assert QTest.qWaitForWindowActive(w)
    yield w
    w.close()


@pytest.fixture
def form(qtbot, store, household):
    widget = SurveyForm(store)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    widget.activateWindow()
    assert QTest.qWaitForWindowActive(widget)
    return widget


def test_ctrl_f_from_the_household_page_reaches_the_search_box(window, household, qtbot, qtlog):
    window.open_household(household[0])
    page = window.page("household")
    page.members.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.members)
    qtbot.keyClick(page.members, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_key() == "register"
    assert QApplication.focusWidget() is window.register_view.search
    assert not [r for r in qtlog.records if "Ambiguous" in r.message]


def test_the_window_and_the_print_preview_fit_a_1366x768_laptop(qtbot, store, household, monkeypatch):
    import ui.screen

    application()
    # A 1366×768 screen less a 40-pixel task bar, as Windows reports it.
    monkeypatch.setattr(ui.screen, "available_size", lambda widget=None: (1366, 728))
    w = MainWindow(store, install_features=False)
    qtbot.addWidget(w)
    assert w.width() <= 1366 - ui.screen.FRAME_WIDTH and w.height() <= 728 - ui.screen.FRAME_HEIGHT
    dialog = HistoryDialog(store, household[1][0])
    qtbot.addWidget(dialog)
    assert dialog.height() <= 728 - ui.screen.FRAME_HEIGHT
    from PySide6.QtWidgets import QDialog

    preview = QDialog()
    qtbot.addWidget(preview)
    assert ui.screen.fit(preview, 820, 960) == (820, 728 - ui.screen.FRAME_HEIGHT)


def test_a_long_message_wraps_and_never_widens_the_window(window, household, qtbot):
    window.open_household(household[0])
    page = window.page("household")
    page.edit_survey(household[1][0])
    width = window.width()
    form = page.form
    form._server_problems = [Problem("name", "这条提示很长，" * 60)]
    form.refresh_validation()
    QApplication.processEvents()
    assert window.width() == width
    assert form.save_button.isVisible()
    assert form.save_button.mapTo(window, form.save_button.rect().topRight()).x() <= window.width()
    label = form.rows["name"].message
    assert label.wordWrap() and label.height() > label.fontMetrics().height()  # more than one line


def test_qt_file_dialogs_speak_chinese(qtbot):
    application()
    dialog = QFileDialog(None, "导入花名册")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    qtbot.addWidget(dialog)
    look_in = dialog.findChild(QLabel, "lookInLabel").text()
    types = dialog.findChild(QLabel, "fileTypeLabel").text()
    name = dialog.findChild(QLabel, "fileNameLabel").text()
    for text in (look_in, types, name):
        assert "Look" not in text and any("\u4e00" <= ch <= "\u9fff" for ch in text), text
    assert look_in == "查找范围(&L)：" and types == "文件类型(&T)："


def test_code_fields_complete_from_pinyin(form, store, household, qtbot):
    form.open_member(household[1][0])
    labour = form.rows["labour_ability"].editor
    labour.setFocus()
    labour.lineEdit().selectAll()
    type_text(qtbot, "ss", labour.lineEdit())
    assert labour.currentText() == "ss"  # the validator lets pinyin through
    assert labour.value() == "丧失劳动力"
    popup = labour.completer().popup()
    assert popup.isVisible() and popup.model().index(0, 0).data() == "丧失劳动力"
    assert "不在代码表中" not in form.message_of("labour_ability")

    education = form.rows["education"].editor
    education.setFocus()
    education.lineEdit().selectAll()
    type_text(qtbot, "初", education.lineEdit())
    assert education.value() == "初中"
    assert form.message_of("education") == ""


def test_esc_closes_the_completer_list_not_the_form(form, household, qtbot):
    form.open_member(household[1][0])
    closed = []
    form.closed.connect(lambda: closed.append(1))
    education = form.rows["education"].editor
    education.setFocus()
    education.lineEdit().selectAll()
    type_text(qtbot, "中", education.lineEdit())
    popup = education.completer().popup()
    assert popup.isVisible()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert not popup.isVisible() and not closed
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert closed


def test_check_lists_do_not_keep_the_previous_members_highlight(form, household):
    skills = form.rows["skills"].editor
    form.open_member(household[1][0])
    skills.setCurrentRow(3)
    assert skills.selectedItems()
    form.new_member(household[0])
    assert skills.selectedItems() == [] and skills.currentRow() == -1


def test_history_dialog_tab_reaches_undo_and_the_form_recounts(form, store, household, qtbot):
    mid = household[1][0]
    form.open_member(mid)
    assert register.member(store, mid)["work_status"] == "乡(镇)内务工"
    form.rows["work_months"].editor.set_value(None)  # a warning: 务工状况 without 务工时间
    form._edited("work_months")
    assert form.save()
    assert "1 条提醒" in form.status.text()
    dialog = HistoryDialog(store, mid, form)
    qtbot.addWidget(dialog)
    dialog.reverted.connect(lambda _seq: form.reload())
    dialog.show()
    dialog.activateWindow()
    assert QTest.qWaitForWindowActive(dialog)
    dialog.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.table)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.revert_button
    assert dialog.entries[0].label == "务工时间（月）"
    dialog.select_seq(dialog.entries[0].seq)
    dialog.revert_button.click()
    assert register.member(store, mid)["work_months"] == 6
    assert form.last_warnings == [] and "提醒" not in form.status.text()


def test_the_channel_chart_has_room_for_every_label(qtbot, store):
    from cadre_desk import demo
    from ui.dashboard import DashboardPage
    from ui.fonts import bundled_font_family
    from PySide6.QtGui import QFont

    demo.build_demo(store, households=40, seed=5)
    page = DashboardPage(store)
    qtbot.addWidget(page)
    page.resize(1366, 560)
    page.show()
    page.refresh()
    QApplication.processEvents()
    values = page.chart_values()
    assert len(values) >= 5
    font = QFont(bundled_font_family() or QFont().family(), 9)
    band = page.channel_chart.plotArea().height() / len(values)
    assert band >= QFontMetrics(font).height(), band
