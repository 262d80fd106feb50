"""The household page, standalone and inside the main window (pytest-qt)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QPushButton

from cadre_desk import drafts, register
from tests.helpers_survey import make_id, sample_household
from tests.helpers_qt import answer_next_box, type_text, when_modal
from ui.history_dialog import HistoryDialog
from ui.household_page import HouseholdPage
from ui.visit_dialog import VisitDialog


@pytest.fixture
def household(store):
    store.set_setting("user_name", "王丽")
    return sample_household(store)


@pytest.fixture
def page(qtbot, store, household):
    widget = HouseholdPage(store)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    widget.activateWindow()
    assert QTest.qWaitForWindowActive(widget)
    widget.show_household(household[0])
    return widget


def cell(table, row, col_header):
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    return table.item(row, headers.index(col_header)).text()


def test_overview_shows_the_household(page):
    assert "武学亮" in page.title.text() and "3715811090010023" in page.title.text()
    assert page.address.text() == "临清市 烟店镇 李庄村 3组"
    assert page.info["贫困户属性"].text() == "一般贫困户"
    assert page.info["脱贫状态"].text() == "已脱贫（享受政策）"
    assert page.info["其他致贫原因"].text() == "缺技术、缺资金"
    assert page.income["年收入"].text() == "29,000 元"
    assert page.income["纯收入"].text() == "26,500 元"
    assert page.income["人均纯收入"].text() == "8,833.33 元"
    assert "王丽" in page.cadre_label.text() and "2019-03-01" in page.cadre_label.text()
    assert "张建国（2017-05-01 至 2019-03-01）" in page.cadre_history_label.text()
    assert [cell(page.members, r, "姓名") for r in range(3)] == ["武学亮", "李秀英", "武晓燕"]
    assert cell(page.members, 1, "健康状况") == "残疾"
    assert cell(page.visits, 0, "走访日期") == "2020-04-16"
    assert cell(page.measures, 0, "项目") == "种植技术培训" and cell(page.measures, 1, "完成情况") == "进行中"
    assert page.warnings.isHidden()


def test_household_warnings_are_shown(qtbot, store, household, page):
    register.save_member(store, {"name": "武学明", "id_number": make_id("19700101", 11), "relation": "户主",
                                 "health": ["健康"], "labour_ability": "普通劳动力"}, household_id=household[0])
    page.refresh()
    assert not page.warnings.isHidden()
    assert "每户应有且只有一名户主（现有 2 名）" in page.warnings.text()


def test_new_member_by_keyboard_from_the_overview(qtbot, store, household, page):
    household_id = household[0]
    qtbot.keyClick(page.members, Qt.Key.Key_Insert)
    assert page.stack.currentWidget() is page.form and page.form.member_id is None
    form = page.form
    type_text(qtbot, "武小军")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    type_text(qtbot, make_id("20100505", 13))
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    type_text(qtbot, "之孙子")
    form.rows["health"].editor.setFocus()
    qtbot.keyClick(form.rows["health"].editor, Qt.Key.Key_Space)
    form.rows["labour_ability"].editor.setFocus()
    type_text(qtbot, "无劳动力")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert form.member_id, form.status.text()
    while QApplication.activePopupWidget() is not None:
        # A completer list is still open (offscreen, one per field typed in): Esc closes the list,
        # not the form (issue 11 §3).
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
        assert page.stack.currentWidget() is page.form
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert page.stack.currentWidget() is page.overview
    assert [cell(page.members, r, "姓名") for r in range(page.members.rowCount())][-1] == "武小军"
    assert page.current_member_id() == form.member_id
    assert len(register.members_of(store, household_id)) == 4


def test_enter_on_roster_opens_survey_and_draft_is_marked(qtbot, store, household, page):
    page.members.selectRow(1)
    page.members.setFocus()
    qtbot.keyClick(page.members, Qt.Key.Key_Return)
    assert page.form.member_id == household[1][1]
    type_text(qtbot, "x", page.form.rows["name"].editor)
    qtbot.keyClick(page.form.rows["name"].editor, Qt.Key.Key_Escape)
    assert page.stack.currentWidget() is page.overview
    assert cell(page.members, 1, "备注") == "有未保存的草稿"
    assert drafts.load_draft(store, household[1][1]).answers["name"] == "李秀英x"


def test_remove_member_asks_first(qtbot, store, household, page):
    page.members.selectRow(2)
    answer_next_box("取消")
    assert not page.remove_member()
    assert len(register.members_of(store, household[0])) == 3
    page.members.selectRow(2)
    page.members.setFocus()
    answer_next_box("删除")
    qtbot.keyClick(page.members, Qt.Key.Key_Delete)
    assert [m["name"] for m in register.members_of(store, household[0])] == ["武学亮", "李秀英"]
    assert store.get("members", household[1][2], include_deleted=True)["deleted"] == 1
    assert page.members.rowCount() == 2


def test_add_visit_dialog(qtbot, store, household, page):
    def fill(dialog: VisitDialog):
        dialog.date.setDate(dt.date(2020, 6, 2))
        type_text(qtbot, "推荐三个岗位，讲解交通补贴", dialog.content)
        save = next(b for b in dialog.findChildren(QPushButton) if b.text() == "保存")
        save.click()
    when_modal(VisitDialog, fill)
    visit_id = page.add_visit()
    assert visit_id
    visits = register.visits_of(store, household[0])
    assert (visits[-1]["visit_date"], visits[-1]["content"], visits[-1]["cadre_name"]) == \
        ("2020-06-02", "推荐三个岗位，讲解交通补贴", "王丽")
    assert page.visits.rowCount() == 2


def test_visit_without_content_is_refused_in_the_dialog(qtbot, store, household, page):
    dialog = VisitDialog(store, household[0], page)
    qtbot.addWidget(dialog)
    dialog.save()
    assert dialog.message.text() == "请填写走访内容"
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert len(register.visits_of(store, household[0])) == 1


def test_undo_through_the_page_history(qtbot, store, household, page):
    mid = household[1][0]
    register.save_member(store, {"work_months": 9}, member_id=mid)
    page.refresh()
    page.members.selectRow(0)
    page.edit_survey()
    assert page.form.rows["work_months"].editor.text() == "9"

    def undo(dialog: HistoryDialog):
        entry = next(e for e in dialog.entries if e.label == "务工时间（月）")
        assert (entry.old_text, entry.new_text) == ("6", "9")
        dialog.select_seq(entry.seq)
        dialog.revert_button.click()
        dialog.accept()
    when_modal(HistoryDialog, undo)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    assert register.member(store, mid)["work_months"] == 6
    assert page.form.rows["work_months"].editor.text() == "6"


def test_through_the_main_window(qtbot, store, household):
    main_window = pytest.importorskip("ui.main_window")
    window = main_window.MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    assert QTest.qWaitForWindowActive(window)
    titles = [a.text() for a in window.menu("户").actions()]
    for wanted in ("新增成员", "编辑调查", "添加走访", "修改历史"):
        assert wanted in titles
    window.open_household(household[0])
    page = window.page("household")
    assert window.current_page_key() == "household"
    page.members.selectRow(1)
    assert window.current_member_id() == household[1][1]
    assert window.current_household_id() == household[0]

    edit = next(a for a in window.menu("户").actions() if a.text() == "编辑调查")
    edit.trigger()
    assert page.form.member_id == household[1][1]
    assert window.current_member_id() == household[1][1]
    page.form.rows["work_months"].editor.setFocus()
    type_text(qtbot, "3")
    # The save tells the window which rows it wrote (the member and the household).
    with qtbot.waitSignal(window.rows_changed, timeout=1000) as saved:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert register.member(store, household[1][1])["work_months"] == 3
    assert saved.args[0].ids("members") == {household[1][1]}
    assert saved.args[0].ids("households") == {household[0]}

    # Another part of the app writes: the page follows.
    register.save_member(store, {"labour_ability": "普通劳动力"}, member_id=household[1][1])
    window.data_changed.emit()
    assert page.form.rows["labour_ability"].editor.currentText() == "普通劳动力"

    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert page.stack.currentWidget() is page.overview
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert window.current_page_key() == "register"

    # From the register, the 户 menu works on the household chosen there.
    add = next(a for a in window.menu("户").actions() if a.text() == "新增成员")
    add.trigger()
    assert window.current_page_key() == "household"
    assert page.stack.currentWidget() is page.form
    assert page.form.member_id is None and page.form.household_id == household[0]


def test_screens_fit_1366x768(qtbot, store, household, tmp_path):
    from tests.helpers_survey import take_screenshots

    shots = take_screenshots(tmp_path)
    from PySide6.QtGui import QImage
    for path in shots:
        image = QImage(str(path))
        assert (image.width(), image.height()) == (1366, 768)


def test_message_box_helper_is_real(qtbot):
    # answer_next_box clicks a real QMessageBox (guards the other tests' helper).
    box = QMessageBox(QMessageBox.Icon.Question, "t", "q")
    qtbot.addWidget(box)
    box.addButton("删除", QMessageBox.ButtonRole.DestructiveRole)
    answer_next_box("删除")
    box.exec()
    assert box.clickedButton().text() == "删除"
