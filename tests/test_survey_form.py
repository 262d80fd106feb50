"""The survey form driven through its real widgets by keyboard (pytest-qt)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from cadre_desk import drafts, register
from tests.helpers_qt import answer_next_box, type_text
from tests.helpers_survey import make_id, sample_household
from ui.history_dialog import HistoryDialog
from ui.survey_form import SurveyForm


# ---------------------------------------------------------------- helpers

def focused():
    return QApplication.focusWidget()


def key(qtbot, k, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(focused(), k, modifier)


def enter(qtbot) -> None:
    key(qtbot, Qt.Key.Key_Return)


@pytest.fixture
def household(store):
    store.set_setting("user_name", "王丽")
    return sample_household(store)


@pytest.fixture
def form(qtbot, store):
    widget = SurveyForm(store)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    widget.activateWindow()
    assert QTest.qWaitForWindowActive(widget)
    return widget


def editor(form, field):
    return form.rows[field].editor


# ---------------------------------------------------------------- tests

def test_fill_new_member_by_keyboard_and_save_with_ctrl_s(qtbot, store, household, form):
    household_id, _ = household
    form.new_member(household_id)
    assert focused() is editor(form, "name")
    new_id = make_id("20000215", 57)
    type_text(qtbot, "武小明"); enter(qtbot)
    assert focused() is editor(form, "id_number")
    type_text(qtbot, new_id); key(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "之子"); enter(qtbot)
    type_text(qtbot, "汉"); enter(qtbot)          # type-ahead: 汉 -> 汉族
    type_text(qtbot, "高中"); key(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "非在校"); enter(qtbot)       # -> 非在校生
    assert focused() is editor(form, "health")
    key(qtbot, Qt.Key.Key_Space); enter(qtbot)    # ticks 健康
    # 残疾类别 / 残疾等级 are hidden: focus skips them.
    assert focused() is editor(form, "labour_ability")
    type_text(qtbot, "普通"); enter(qtbot)
    type_text(qtbot, "省外"); enter(qtbot)
    type_text(qtbot, "10"); enter(qtbot)
    type_text(qtbot, "青岛电子厂"); enter(qtbot)
    assert focused() is editor(form, "skills")
    key(qtbot, Qt.Key.Key_Right); key(qtbot, Qt.Key.Key_Space); enter(qtbot)   # 电子组装
    type_text(qtbot, "初级"); enter(qtbot)
    assert focused() is editor(form, "skill_certificate")  # shown because 技能等级 is not 无
    type_text(qtbot, "y"); enter(qtbot)
    type_text(qtbot, "外出"); enter(qtbot)
    for _ in range(4):
        key(qtbot, Qt.Key.Key_Right)
    key(qtbot, Qt.Key.Key_Space); enter(qtbot)    # 省外
    type_text(qtbot, "4000"); enter(qtbot)
    assert focused() is editor(form, "training_willing")  # 不能外出原因 hidden
    type_text(qtbot, "n"); enter(qtbot)
    enter(qtbot)                                   # no training needs
    type_text(qtbot, "已就业"); enter(qtbot)
    type_text(qtbot, "劳务"); enter(qtbot)          # -> 有组织劳务输出 (a new county's 2021 channels)
    type_text(qtbot, "青岛某电子有限公司"); enter(qtbot)
    type_text(qtbot, "4500"); enter(qtbot)
    assert focused() is editor(form, "id_type")   # 证件与社会保障, then 计划外出务工: left empty
    # Enter walks the remaining (empty) fields to 保存, whatever their number.
    for _ in range(30):
        if focused() is form.save_button:
            break
        enter(qtbot)
    assert focused() is form.save_button
    key(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert form.member_id, form.status.text()
    saved = register.member(store, form.member_id)
    assert saved["household_id"] == household_id
    expected = {
        "name": "武小明", "id_number": new_id, "relation": "之子", "ethnicity": "汉族", "education": "高中",
        "school_status": "非在校生", "health": ["健康"], "labour_ability": "普通劳动力", "work_status": "省外务工",
        "work_months": 10, "work_company": "青岛电子厂", "skills": ["电子组装"], "skill_level": "初级工",
        "skill_certificate": True, "job_intention": "外出务工", "accepted_places": ["省外"],
        "expected_income": 4000, "training_willing": False, "training_needs": None,
        "employment_status": "已就业", "employment_channel": "有组织劳务输出", "employer": "青岛某电子有限公司",
        "monthly_income": 4500, "disability_category": None, "stay_home_reasons": None, "sex": "男",
        "birth_date": "2000-02-15",
    }
    assert {k: saved[k] for k in expected} == expected
    assert "已保存" in form.status.text()
    assert drafts.load_draft(store, f"new:{household_id}") is None


def test_code_field_refuses_text_outside_its_list(qtbot, store, household, form):
    form.open_member(household[1][0])
    editor(form, "relation").setFocus()
    editor(form, "relation").lineEdit().selectAll()
    type_text(qtbot, "邻居")
    assert editor(form, "relation").currentText() == "户主"  # refused as typed
    editor(form, "relation").set_value("之")              # partial: ambiguous, stays, error shown
    form._edited("relation")
    assert "不在代码表中" in form.message_of("relation")
    assert not form.save()


def test_relevance_shows_and_hides_fields_live(qtbot, store, household, form):
    form.open_member(household[1][2])  # 武晓燕: healthy, no job intention
    for k in ("disability_category", "disability_grade", "stay_home_reasons"):
        assert not form.is_field_visible(k)
    health = editor(form, "health")
    health.setFocus()
    for _ in range(3):
        key(qtbot, Qt.Key.Key_Right)
    key(qtbot, Qt.Key.Key_Space)                       # tick 残疾
    assert form.is_field_visible("disability_category") and form.is_field_visible("disability_grade")
    assert form.is_field_visible("stay_home_reasons")  # 残疾 also asks why one cannot leave home
    key(qtbot, Qt.Key.Key_Space)                       # untick
    assert not form.is_field_visible("disability_category")
    assert not form.is_field_visible("stay_home_reasons")

    intention = editor(form, "job_intention")
    intention.setFocus()
    type_text(qtbot, "居家就业")
    assert form.is_field_visible("stay_home_reasons")
    assert form.is_field_visible("accepted_places")
    intention.lineEdit().selectAll()
    type_text(qtbot, "暂无意愿")
    assert not form.is_field_visible("stay_home_reasons")
    assert not form.is_field_visible("accepted_places") and not form.is_field_visible("expected_income")


def test_invalid_id_number_blocks_saving_with_message_beside_field(qtbot, store, household, form):
    mid = household[1][0]
    form.open_member(mid)
    id_editor = editor(form, "id_number")
    id_editor.setFocus()
    id_editor.selectAll()
    good = make_id("19680312", 31)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    type_text(qtbot, bad)
    assert form.message_of("id_number") == "证件号码校验位不符，号码可能录错了，请对照身份证逐位核对后重新填写"
    assert form.severity_of("id_number") == "error"
    key(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert register.member(store, mid)["id_number"] == good
    assert "未保存" in form.status.text()
    assert focused() is id_editor
    id_editor.selectAll()
    type_text(qtbot, "37158119680312")
    assert form.message_of("id_number").startswith("证件号码应为18位，现为14位")


def test_duplicate_id_number_is_shown_beside_the_field(qtbot, store, household, form):
    form.open_member(household[1][2])
    editor(form, "id_number").set_value(make_id("19680312", 31))  # the head's number
    form._edited("id_number")
    assert not form.save()
    assert "已登记在" in form.message_of("id_number")
    assert "同一证件号码在全县只能出现一次" in form.message_of("id_number")


def test_warning_is_shown_but_does_not_block(qtbot, store, household, form):
    mid = household[1][1]
    form.open_member(mid)
    work = editor(form, "work_status")
    work.setFocus()
    type_text(qtbot, "县外省内")
    enter(qtbot)
    assert form.message_of("work_status") == "务工状况和务工时间应同时填写或同时不填，请补全或清空"
    assert form.severity_of("work_status") == "warning"
    key(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert register.member(store, mid)["work_status"] == "县外省内务工"
    assert [p.rule for p in form.last_warnings] == ["work_both_or_neither"]
    assert "1 条提醒" in form.status.text()


def test_fresh_form_is_not_painted_red_until_save(qtbot, store, household, form):
    form.new_member(household[0])
    assert form.message_of("name") == ""
    key(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert form.message_of("name") == "请填写姓名"
    assert form.message_of("id_number") == "请填写证件号码"
    assert len(register.members_of(store, household[0])) == 3


def test_draft_survives_destroying_the_form_and_is_offered_back(qtbot, store, household):
    mid = household[1][1]
    first = SurveyForm(store)
    first.show()
    first.activateWindow()
    assert QTest.qWaitForWindowActive(first)
    first.open_member(mid)
    first.rows["name"].editor.selectAll()
    type_text(qtbot, "李秀荣", first.rows["name"].editor)
    qtbot.waitUntil(lambda: drafts.load_draft(store, mid) is not None, timeout=3000)
    first.deleteLater()          # no close, no save: as if the window was killed
    qtbot.wait(10)
    assert register.member(store, mid)["name"] == "李秀英"

    second = SurveyForm(store)
    qtbot.addWidget(second)
    second.show()
    asked = []
    real_ask = second.ask_restore

    def ask(draft):
        asked.append(draft.saved_at_local)
        answer_next_box("恢复草稿")
        return real_ask(draft)
    second.ask_restore = ask
    second.open_member(mid)
    assert asked and "草稿" in second.status.text()
    assert second.rows["name"].editor.text() == "李秀荣"
    assert second.save()
    assert register.member(store, mid)["name"] == "李秀荣"
    assert drafts.load_draft(store, mid) is None


def test_closing_keeps_draft_at_once_and_declining_discards_it(qtbot, store, household):
    household_id = household[0]
    first = SurveyForm(store)
    first.show()
    first.activateWindow()
    assert QTest.qWaitForWindowActive(first)
    first.new_member(household_id)
    type_text(qtbot, "武小红", first.rows["name"].editor)
    first.close()                # before the one-second autosave
    draft = drafts.load_draft(store, f"new:{household_id}")
    assert draft.answers["name"] == "武小红"
    first.deleteLater()

    second = SurveyForm(store)
    qtbot.addWidget(second)
    second.show()
    texts = []

    def ask(d):
        texts.append(f"发现未保存的草稿（{d.saved_at_local}），是否恢复？")
        answer_next_box("放弃草稿")
        return SurveyForm.ask_restore_draft(second, d)
    second.ask_restore = ask
    second.new_member(household_id)
    assert texts and second.rows["name"].editor.text() == ""
    assert drafts.load_draft(store, f"new:{household_id}") is None


def test_ctrl_arrows_move_between_members_saving_first(qtbot, store, household, form):
    household_id, members = household
    form.open_member(members[0])
    assert "第 1/3 位成员" in form.position_label.text()
    name = editor(form, "name")
    name.setFocus()
    name.selectAll()
    type_text(qtbot, "武学良")
    key(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert form.member_id == members[1]
    assert register.member(store, members[0])["name"] == "武学良"
    # An error keeps a draft and still moves on.
    editor(form, "id_number").setFocus()
    editor(form, "id_number").selectAll()
    type_text(qtbot, "123")
    key(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert form.member_id == members[2]
    assert drafts.load_draft(store, members[1]).answers["id_number"] == "123"
    assert "草稿" in form.status.text()
    key(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert form.member_id == members[2] and "最后一位" in form.status.text()
    answer_next_box("放弃草稿")
    key(qtbot, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert form.member_id == members[1]


def test_esc_goes_back_keeping_a_draft(qtbot, store, household, form):
    form.open_member(household[1][0])
    type_text(qtbot, "x")
    with qtbot.waitSignal(form.closed, timeout=1000):
        key(qtbot, Qt.Key.Key_Escape)
    assert drafts.load_draft(store, household[1][0]) is not None


def test_undo_from_history_restores_db_and_form(qtbot, store, household, form):
    mid = household[1][0]
    form.open_member(mid)
    labour = editor(form, "labour_ability")
    labour.setFocus()
    labour.lineEdit().selectAll()
    type_text(qtbot, "普通劳动力")
    key(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert register.member(store, mid)["labour_ability"] == "普通劳动力"

    dialog = HistoryDialog(store, mid, form)
    qtbot.addWidget(dialog)
    dialog.reverted.connect(lambda _seq: form.reload())
    dialog.show()
    first = dialog.entries[0]
    assert (first.label, first.old_text, first.new_text, first.who) == \
        ("劳动技能", "弱劳动力或半劳动力", "普通劳动力", "王丽")
    assert dialog.table.item(dialog.table.rowCount() - 1, 2).text() == "新建"
    dialog.select_seq(first.seq)
    qtbot.mouseClick(dialog.revert_button, Qt.MouseButton.LeftButton)
    assert register.member(store, mid)["labour_ability"] == "弱劳动力或半劳动力"
    assert labour.currentText() == "弱劳动力或半劳动力"
    assert dialog.entries[0].new_text == "弱劳动力或半劳动力"  # the undo is itself in the history
    assert "已撤销" in dialog.message.text()


def test_enter_in_the_completer_popup_picks_and_moves_on(qtbot, store, household, form):
    form.open_member(household[1][0])  # employed: 就业渠道 is shown
    channel = editor(form, "employment_channel")
    channel.setFocus()
    channel.lineEdit().selectAll()
    type_text(qtbot, "车")                       # 帮扶车间 is the only match (a new county's 2021 channels)
    popup = channel.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=1000)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert channel.currentText() == "帮扶车间"
    assert focused() is editor(form, "employer")


def test_unticking_disability_clears_its_answers_on_save(qtbot, store, household, form):
    mid = household[1][1]  # 李秀英: 残疾, 肢体 三级
    form.open_member(mid)
    health = editor(form, "health")
    health.setFocus()
    key(qtbot, Qt.Key.Key_Space)                 # tick 健康
    for _ in range(3):
        key(qtbot, Qt.Key.Key_Right)
    key(qtbot, Qt.Key.Key_Space)                 # untick 残疾
    intention = editor(form, "job_intention")
    intention.setFocus()
    intention.lineEdit().selectAll()
    type_text(qtbot, "外出务工")
    assert form.save(), form.status.text()
    saved = register.member(store, mid)
    assert saved["health"] == ["健康"]
    assert saved["disability_category"] is None and saved["disability_grade"] is None
    assert saved["stay_home_reasons"] is None
