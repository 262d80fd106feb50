"""The newcomer walk on a 1024×600 netbook: the window fits the screen on every
page; a page that needs more room than the screen has scrolls instead of being
cut off or squeezed over itself."""

from __future__ import annotations

import pytest

from helpers_sync import county_with_households
from ui.app import Launcher, application
from ui.main_window import MainWindow
from ui.screen import FRAME_HEIGHT, FRAME_WIDTH

WIDTH, HEIGHT = 1024 - FRAME_WIDTH, 600 - FRAME_HEIGHT


@pytest.fixture
def window(qtbot, tmp_path):
    store = county_with_households(tmp_path / "county.db")
    w = MainWindow(store)
    qtbot.addWidget(w)
    w.resize(WIDTH, HEIGHT)
    w.show()
    yield w
    w.close()
    store.db.conn.close()


def test_every_page_fits_a_1024_by_600_screen_and_scrolls_what_does_not(qtbot, window):
    household = window.store.rows("SELECT id FROM households ORDER BY number LIMIT 1")[0]["id"]
    keys = [window.nav.item(i).data(256) for i in range(window.nav.count())]
    assert {"register", "household", "dashboard", "work_monitor", "sync"} <= set(keys)
    for key in keys:
        if key == "household":
            window.open_household(household)
        else:
            window.show_page(key)
        qtbot.wait(50)  # the page fills in its figures
        hint = window.minimumSizeHint()
        assert hint.width() <= WIDTH and hint.height() <= HEIGHT, (key, hint)
        window.resize(WIDTH, HEIGHT)
        qtbot.wait(50)
        assert window.width() <= WIDTH and window.height() <= HEIGHT, key
        page = window.page(key)
        need = page.minimumSizeHint()
        # never squeezed below what the page needs: the rest is reached by scrolling
        assert page.width() >= need.width() and page.height() >= need.height(), (key, page.size(), need)


def test_the_first_start_page_fits_a_1024_by_600_screen(qtbot, tmp_path):
    application()
    launcher = Launcher(str(tmp_path / "cadre-desk.db"))
    launcher.start()
    try:
        page = launcher.first_start_page
        page.resize(WIDTH, HEIGHT)
        qtbot.wait(10)
        assert page.minimumSizeHint().height() <= HEIGHT
        assert page.demo_button.mapTo(page, page.demo_button.rect().bottomLeft()).y() <= page.height()
    finally:
        launcher.close()


def test_on_a_1366_by_768_laptop_no_page_scrolls(qtbot, window):
    """A page that fits takes the room there is: the page area scrolls only on
    a smaller screen (a page with wrapped labels once asked for its preferred
    height and scrolled on a laptop)."""
    household = window.store.rows("SELECT id FROM households ORDER BY number LIMIT 1")[0]["id"]
    window.resize(1366 - FRAME_WIDTH, 768 - FRAME_HEIGHT)
    for key in ("register", "household", "dashboard", "work_monitor", "sync"):
        if key == "household":
            window.open_household(household)
        else:
            window.show_page(key)
        qtbot.wait(50)
        area = window.page_area
        assert area.verticalScrollBar().maximum() == 0 and area.horizontalScrollBar().maximum() == 0, key


def test_the_longest_head_name_does_not_widen_the_household_page(qtbot, window):
    from cadre_desk import households

    household = window.store.rows("SELECT id FROM households ORDER BY number LIMIT 1")[0]["id"]
    name = "欧阳" + "长名字测试" * 5 + "末尾啊"
    assert len(name) == 30  # the most a 户主姓名 may have
    head = households.head_member(window.store, household)  # the household's 户主姓名 follows its 户主
    households.set_member(window.store, head["id"], {"name": name})
    window.open_household(household)
    qtbot.wait(50)
    page = window.page("household")
    assert name in page.title.toolTip()
    assert window.minimumSizeHint().width() <= WIDTH


def test_the_survey_form_fits_a_1366_by_768_laptop_without_scrolling_sideways(qtbot, window):
    """Every field's message beside it is on screen: the form once was 92
    pixels wider than the laptop's window, the right column's messages off it."""
    household = window.store.rows("SELECT id FROM households ORDER BY number LIMIT 1")[0]["id"]
    window.resize(1366 - FRAME_WIDTH, 768 - FRAME_HEIGHT)
    window.open_household(household)
    page = window.page("household")
    assert page.edit_survey()
    qtbot.wait(50)
    form = page.form
    assert form.scroll.horizontalScrollBar().maximum() == 0
    assert window.page_area.horizontalScrollBar().maximum() == 0
