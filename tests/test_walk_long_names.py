"""The newcomer walk's very long names (60 Chinese characters, pasted): the
form keeps every character and says the limit beside the field, instead of
cutting the name at 30 without a word."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication

from cadre_desk import register
from helpers_sync import county_with_households
from ui.main_window import MainWindow

LONG = "欧阳" + "长名字测试" * 11 + "末尾啊"


def test_a_pasted_sixty_character_name_is_kept_and_refused_with_the_limit(qtbot, tmp_path):
    assert len(LONG) == 60
    store = county_with_households(tmp_path / "county.db")
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    household = store.rows("SELECT id FROM households ORDER BY number LIMIT 1")[0]["id"]
    member = register.members_of(store, household)[0]
    window.open_household(household, member["id"])
    page = window.page("household")
    assert page.edit_survey(member["id"])
    form = page.form
    editor = form.rows["name"].editor
    QGuiApplication.clipboard().setText(LONG)
    editor.selectAll()
    editor.paste()
    assert editor.value() == LONG  # every character kept
    assert not form.save()
    assert "最多 30 个字" in form.message_of("name") and "60" in form.message_of("name")
    assert register.member(store, member["id"])["name"] == member["name"]  # nothing saved, nothing cut
    window.close()  # (the form keeps its draft as it hides, before the database closes)
    store.db.conn.close()
