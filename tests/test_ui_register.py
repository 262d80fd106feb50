"""The register page driven through real widgets: filters, the search box
(typed Chinese, pinyin initials, ID tail, household number), opening a household."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from cadre_desk import search
from cadre_desk.idnumber import check_character
from tests.helpers_qt import type_text
from tests.helpers_search import make_county
from ui.main_window import MainWindow
from ui.register_model import COLUMNS, HOUSEHOLD_ID_ROLE, MATCH_COLUMN

WU = "37158119800101123" + check_character("37158119800101123")


class HouseholdPage(QLabel):
    """A minimal real page that records what it was asked to show."""

    def __init__(self):
        super().__init__("户")
        self.shown = []

    def show_household(self, household_id):
        self.shown.append(household_id)


@pytest.fixture
def window(qtbot, store):
    make_county(store, 200, people=[("武学亮", WU), ("欧阳学", "37158119900101001" +
                                                   check_character("37158119900101001"))])
    search.update_search_index(store)
    w = MainWindow(store, install_features=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def table_rows(view):
    model = view.model
    return [[model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(model.rowCount())]


def search_for(qtbot, window, text):
    view = window.register_view
    view.search.clear()
    view.search.setFocus()
    type_text(qtbot, text, view.search)
    qtbot.waitUntil(lambda: view.model.filters.text == view.search.text(), timeout=2000)
    return table_rows(view)


def test_register_lists_every_household_with_its_columns(window, store):
    view = window.register_view
    households = store.db.execute("SELECT count(*) FROM households WHERE deleted = 0").fetchone()[0]
    assert view.model.rowCount() == households
    assert view.count_label.text() == f"共 {households} 户"
    headers = [view.model.headerData(c, Qt.Orientation.Horizontal) for c in range(view.model.columnCount())]
    assert headers == COLUMNS
    first = table_rows(view)[0]
    assert first[0].startswith("371581") and first[1] == "武学亮" and first[3].endswith("村") and first[4] == "1"


def test_town_and_status_filters(window, store, qtbot):
    view = window.register_view
    view.town.setCurrentIndex(view.town.findText("烟店镇"))
    town_rows = table_rows(view)
    assert town_rows and all(r[2] == "烟店镇" for r in town_rows)
    assert view.village.count() > 1
    view.village.setCurrentIndex(1)
    village = view.village.currentText()
    assert all(r[3] == village for r in table_rows(view))
    view.status.setCurrentIndex(view.status.findText("返贫"))
    assert all(r[5] == "返贫" for r in table_rows(view))
    expected = store.db.execute(
        "SELECT count(*) FROM households h JOIN villages v ON v.id = h.village_id WHERE h.deleted = 0 "
        "AND v.name = ? AND v.town_id = (SELECT id FROM towns WHERE name = '烟店镇') AND h.poverty_status = '返贫'",
        [village]).fetchone()[0]
    assert view.model.rowCount() == expected


def test_search_by_typed_two_character_fragment(window, qtbot):
    rows = search_for(qtbot, window, "学亮")
    view = window.register_view
    assert view.model.headerData(len(COLUMNS), Qt.Orientation.Horizontal) == MATCH_COLUMN
    assert any(r[1] == "武学亮" and r[-1] == "武学亮 · 姓名" for r in rows)
    assert view.count_label.text().startswith("找到")


def test_search_by_pinyin_initials(window, qtbot):
    rows = search_for(qtbot, window, "wxl")
    assert any(r[-1] == "武学亮 · 拼音首字母" for r in rows)


def test_search_by_id_tail_and_household_number(window, qtbot, store):
    rows = search_for(qtbot, window, WU[-4:])
    assert any(r[-1] == "武学亮 · 证件号码" for r in rows)
    number = store.rows("SELECT number FROM households WHERE head_name = '武学亮'")[0]["number"]
    rows = search_for(qtbot, window, number)
    assert rows[0][0] == number and rows[0][-1].endswith("户编号")


def test_escape_clears_the_search_and_the_full_register_returns(window, qtbot):
    search_for(qtbot, window, "wxl")
    view = window.register_view
    qtbot.keyClick(view.search, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not view.model.searching)
    assert view.model.columnCount() == len(COLUMNS)


def test_enter_in_results_opens_the_household(window, qtbot, store):
    page = HouseholdPage()
    window.add_page("household", page, "户")
    window.show_page("register")
    # Keyboard focus needs the active window; windows left by other tests can hold it.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    search_for(qtbot, window, "wxl")
    view = window.register_view
    qtbot.keyClick(view.search, Qt.Key.Key_Down)  # into the results
    assert view.table.hasFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    wu_household = store.rows("SELECT household_id FROM members WHERE name = '武学亮'")[0]["household_id"]
    assert page.shown == [wu_household]
    assert window.current_page_key() == "household"
    assert window.current_member_id() == store.rows("SELECT id FROM members WHERE name = '武学亮'")[0]["id"]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Home, Qt.KeyboardModifier.AltModifier)
    assert window.current_page_key() == "register"


def test_double_click_opens_the_household(window, qtbot):
    page = HouseholdPage()
    window.add_page("household", page, "户")
    window.show_page("register")
    view = window.register_view
    index = view.model.index(2, 1)
    rect = view.table.visualRect(index)
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.shown == [view.model.data(index, HOUSEHOLD_ID_ROLE)]


def test_views_refresh_after_a_write(window, qtbot, store):
    rows = search_for(qtbot, window, "欧阳学")
    assert len(rows) == 1
    member = store.rows("SELECT id FROM members WHERE name = '欧阳学'")[0]["id"]
    store.update("members", member, {"name": "欧阳雪"})
    window.data_changed.emit()
    assert table_rows(window.register_view) == []


def test_sorting_by_header(window, qtbot):
    view = window.register_view
    view.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)
    sizes = [int(r[4]) for r in table_rows(view)]
    assert sizes == sorted(sizes, reverse=True)
    view.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    numbers = [r[0] for r in table_rows(view)]
    assert numbers == sorted(numbers)


def test_search_results_keep_best_first_order_even_after_a_header_sort(window, qtbot, store):
    view = window.register_view
    view.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    rows = search_for(qtbot, window, "武学亮")
    assert rows[0][1] == "武学亮"  # the exact name first, not the highest household number
