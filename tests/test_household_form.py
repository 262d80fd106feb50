"""户 → 新建户, 编辑户信息 and a member leaving, on real widgets (issue 11 §2)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog

from cadre_desk import households, register
from tests.helpers_qt import type_text, when_modal
from tests.helpers_survey import make_id, sample_household
from ui.household_page import HouseholdPage


@pytest.fixture
def page(qtbot, store):
    store.set_setting("user_name", "王丽")
    hid, mids = sample_household(store)
    widget = HouseholdPage(store)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    widget.show_household(hid)
    widget.sample = (hid, mids)
    return widget


def editor(form, key):
    return (form.rows.get(key) or form.head_rows[key])[1]


def test_new_household_form_is_generated_from_the_questionnaire_and_registers_the_head(page, store, qtbot):
    form = page.new_household(run=False)
    qtbot.addWidget(form)
    form.show()
    labels = {f.label for f in store.questionnaire.household.fields}
    shown = {row[0].text().split("<")[0] for row in form.rows.values()}
    assert labels == shown
    assert form.village.currentText() == "李庄村"  # the household shown is the default place

    form.save()  # nothing filled in: refused beside the fields
    assert "户编号" in form.message_of("number") or form.message_of("number")
    assert form.household_id is None

    type_text(qtbot, "3715811090010077", editor(form, "number"))
    type_text(qtbot, "张建国", editor(form, "head_name"))
    type_text(qtbot, make_id("19700312", 11), editor(form, "head_id_number"))
    type_text(qtbot, "139", editor(form, "phone"))
    assert "联系电话" in form.message_of("phone")  # a bad phone number is named beside the field
    type_text(qtbot, "06350001", editor(form, "phone"))
    form.refresh_validation()
    assert form.message_of("phone") == ""
    form.set_answer("health", ["健康"])
    form.set_answer("labour_ability", "普通劳动力")
    form.buttons.button(form.buttons.StandardButton.Save).click()
    assert form.result() == QDialog.DialogCode.Accepted, form.general.text()
    h = register.household_by_number(store, "3715811090010077")
    members = register.members_of(store, h["id"])
    assert [(m["name"], m["relation"]) for m in members] == [("张建国", "户主")]
    assert h["phone"] == "13906350001"
    assert households.family_size(store, h["id"]).size == 1


def test_provisional_number_is_given_and_marked(page, store, qtbot):
    form = page.new_household(run=False)
    qtbot.addWidget(form)
    form.provisional.setChecked(True)
    assert editor(form, "number").value() == "临时0001"
    form.set_answer("head_name", "张建国")
    form.set_answer("head_id_number", make_id("19700312", 11))
    for k, v in {"health": ["健康"], "labour_ability": "普通劳动力"}.items():
        form.set_answer(k, v)
    assert form.save(), form.general.text()
    page.household_id = form.household_id
    page.refresh()
    assert "临时编号" in page.title.text()


def test_edit_household_facts_and_the_page_shows_one_family_size(page, store, qtbot):
    hid, _ = page.sample
    assert page.info["家庭人口数"].text().startswith("3 人")
    form = page.edit_household(run=False)
    qtbot.addWidget(form)
    assert editor(form, "size").value() in (3, "3")
    editor(form, "phone").selectAll()
    type_text(qtbot, "13800000000", editor(form, "phone"))
    form.set_answer("poverty_status", "未脱贫")
    assert form.save(), form.general.text()
    page._after_household_form(form)
    h = register.household(store, hid)
    assert h["phone"] == "13800000000" and h["poverty_status"] == "未脱贫"
    assert page.info["联系电话"].text() == "13800000000"
    assert page.info["脱贫状态"].text() == "未脱贫"
    changes = store.rows("SELECT user FROM change_log WHERE row_id = ? AND field = 'phone'", [hid])
    assert changes[-1]["user"] == "王丽"


def test_a_bad_value_in_the_household_form_saves_nothing(page, store, qtbot):
    hid, _ = page.sample
    form = page.edit_household(run=False)
    qtbot.addWidget(form)
    form.set_answer("wage_income", "-5")
    form.set_answer("phone", "12")
    assert not form.save()
    assert form.message_of("phone")
    assert register.household(store, hid)["phone"] == "13906351234"


def test_a_member_leaves_and_stops_counting(page, store, qtbot):
    hid, mids = page.sample
    page.members.selectRow(2)
    leaving = page.current_member_id()

    def fill(dialog):
        from PySide6.QtWidgets import QComboBox, QDateEdit
        dialog.findChild(QComboBox, "leaveReason").setCurrentText("迁出")
        dialog.findChild(QDateEdit, "leaveDate").setDate(QDate(2024, 5, 1))
        dialog.accept()
    when_modal(QDialog, fill)
    assert page.member_leaves()
    m = store.get("members", leaving)
    assert (m["left_on"], m["left_reason"]) == ("2024-05-01", "迁出")
    assert page.info["家庭人口数"].text().startswith("2 人") and "1 人已离开" in page.info["家庭人口数"].text()
    notes = [page.members.item(r, page.members.columnCount() - 1).text() for r in range(page.members.rowCount())]
    assert any("已迁出（2024-05-01）" in n for n in notes)  # still on record
    assert households.family_size(store, hid).size == 2
    assert dt.date(2024, 5, 1) <= dt.date.today()


def test_household_changes_have_a_history_that_can_be_undone(page, store, qtbot):
    from ui.history_dialog import HistoryDialog

    hid, _ = page.sample
    form = page.edit_household(run=False)
    qtbot.addWidget(form)
    form.set_answer("phone", "13800000000")
    assert form.save()
    dialog = HistoryDialog(store, None, page, household_id=hid)
    qtbot.addWidget(dialog)
    first = dialog.entries[0]
    assert (first.label, first.old_text, first.new_text, first.who) == ("联系电话", "13906351234", "13800000000", "王丽")
    dialog.select_seq(first.seq)
    assert dialog.revert_selected()
    assert register.household(store, hid)["phone"] == "13906351234"
    assert "户编号 3715811090010023" in dialog.windowTitle()


def test_a_cancelled_household_form_keeps_a_draft_offered_back(page, store, qtbot):
    hid, _ = page.sample
    form = page.edit_household(run=False)
    qtbot.addWidget(form)
    form.ask_restore = lambda draft: False
    form.show()
    form.set_answer("phone", "13700000000")
    form.reject()
    assert register.household(store, hid)["phone"] == "13906351234"  # nothing saved

    again = page.edit_household(run=False)
    qtbot.addWidget(again)
    offered = []
    again.ask_restore = lambda draft: offered.append(draft.user) or True
    again.show()
    assert offered == ["王丽"]
    assert editor(again, "phone").value() == "13700000000"
    assert again.save()
    assert register.household(store, hid)["phone"] == "13700000000"
    third = page.edit_household(run=False)
    qtbot.addWidget(third)
    third.ask_restore = lambda draft: pytest.fail("the draft was saved: none is left")
    third.show()


def test_enter_moves_to_the_next_field_and_does_not_save(page, store, qtbot):
    form = page.edit_household(run=False)
    qtbot.addWidget(form)
    form.show()
    form.activateWindow()
    assert QTest.qWaitForWindowActive(form)
    editor(form, "group_name").setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor(form, "group_name"))
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert QApplication.focusWidget() is editor(form, "size")
    assert form.result() == 0 and form.isVisible()


def test_the_head_name_of_a_household_with_its_head_is_changed_on_the_head_not_here(page, store, qtbot):
    hid, _ = page.sample
    head = households.head_member(store, hid)
    assert head is not None
    form = page.edit_household(run=False)
    qtbot.addWidget(form)
    for key in ("head_name", "head_id_number"):
        assert not editor(form, key).isEnabled()  # it follows the head's own record
        assert head["name"] in editor(form, key).toolTip() and "调查表" in editor(form, key).toolTip()
    assert editor(form, "phone").isEnabled()
