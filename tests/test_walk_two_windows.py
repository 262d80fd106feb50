"""The newcomer walk's attack on one database open twice (two windows, or a
sync package imported while a survey form is open): a form that was opened
before another save must not write its stale answers over that save."""

from __future__ import annotations

import pytest

from cadre_desk import register
from cadre_desk.storage import open_store
from helpers_qt import type_text
from helpers_sync import county_with_households
from ui.main_window import MainWindow


@pytest.fixture
def two_windows(qtbot, tmp_path):
    path = tmp_path / "county.db"
    county_with_households(path).db.conn.close()
    stores = [open_store(path), open_store(path)]
    windows = []
    for store in stores:
        window = MainWindow(store)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
    household = stores[0].rows("SELECT id FROM households ORDER BY number LIMIT 1")[0]["id"]
    member = register.members_of(stores[0], household)[0]["id"]
    forms = []
    for window in windows:
        window.open_household(household, member)
        page = window.page("household")
        assert page.edit_survey(member)
        forms.append(page.form)
    yield windows, forms, member
    for store in stores:
        store.db.conn.close()


def _type_into(qtbot, form, key: str, text: str) -> None:
    editor = form.rows[key].editor
    editor.setFocus()
    editor.clear()
    type_text(qtbot, text, editor)


def test_a_second_window_keeps_what_the_first_one_saved(qtbot, two_windows):
    (first, second), (form_a, form_b), member = two_windows
    _type_into(qtbot, form_a, "member_phone", "13800000001")
    assert form_a.save()
    _type_into(qtbot, form_b, "work_company", "烟店轴承厂")
    assert form_b.save()
    saved = register.member(first.store, member)
    assert saved["member_phone"] == "13800000001"  # the first window's answer survives
    assert saved["work_company"] == "烟店轴承厂"
    # the second form now shows both, and says that someone else had saved
    assert form_b.rows["member_phone"].editor.value() == "13800000001"
    assert "本人联系电话" in form_b.status.text() and "已保存" in form_b.status.text()


def test_the_same_field_changed_in_both_keeps_the_later_answer_and_says_so(qtbot, two_windows):
    (first, _second), (form_a, form_b), member = two_windows
    _type_into(qtbot, form_a, "member_phone", "13800000001")
    assert form_a.save()
    _type_into(qtbot, form_b, "member_phone", "13900000002")
    assert form_b.save()
    assert register.member(first.store, member)["member_phone"] == "13900000002"
    assert "本人联系电话" in form_b.status.text() and "您的填写" in form_b.status.text()


def test_the_household_form_keeps_what_another_window_saved(qtbot, two_windows):
    (first, second), _forms, _member = two_windows
    household = first.current_household_id()
    form_a = first.page("household").edit_household(run=False)
    form_b = second.page("household").edit_household(run=False)
    qtbot.addWidget(form_a)
    qtbot.addWidget(form_b)
    form_a.set_answer("phone", "13800000001")
    assert form_a.save()
    form_b.set_answer("main_cause", "因病")
    assert form_b.save()
    saved = first.store.rows("SELECT phone, main_cause FROM households WHERE id = ?", [household])[0]
    assert (saved["phone"], saved["main_cause"]) == ("13800000001", "因病")
    second.page("household")._after_household_form(form_b)  # what exec() accepted does
    assert "联系电话" in second.page("household").message.text()
