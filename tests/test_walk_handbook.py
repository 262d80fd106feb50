"""The newcomer walk's handbook: printed before any policy is in use, the
preview says so in the window's words and offers the way out there (the
samples, then the handbook again); no command line."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton

from cadre_desk.policies import list_policies
from helpers_roster import make_id
from helpers_sync import add_household
from ui.app import application
from ui.main_window import MainWindow


def test_a_handbook_without_policies_offers_the_samples_and_prints_again(qtbot, store):
    application()
    hid, _ = add_household(store, "3715811090010001", "王芳", [("张三", make_id("19700101", 11))])
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    window.open_household(hid)
    actions = window.print_actions
    actions.print_household()
    qtbot.waitUntil(lambda: actions.last_preview is not None, timeout=20000)
    first = actions.last_preview
    text = first.warning.text()
    assert "没有在用的政策" in text and "载入样本政策" in text
    assert "命令行" not in text and "cadre-desk" not in text
    button = first.findChild(QPushButton, "loadSamplesButton")
    assert button.isVisible()
    button.click()
    assert list_policies(store)
    qtbot.waitUntil(lambda: actions.last_preview is not first and actions.last_preview is not None, timeout=20000)
    assert actions.last_preview.warning.isHidden()
    assert not actions.last_preview.findChild(QPushButton, "loadSamplesButton").isVisible()
    actions.last_preview.close()
