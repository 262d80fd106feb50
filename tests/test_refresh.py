"""What the window refreshes after a write: only the rows the write changed,
only on the pages that show them, and a hidden page when it is next shown.

A survey save names the member and the household it wrote; the register
re-reads that household's row and nothing else (no reset of the list), the
dashboard is not computed while it is hidden and is computed, in a worker
thread, when it is shown."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from cadre_desk import register
from cadre_desk.changes import Changed
from tests.helpers_qt import type_text
from tests.helpers_survey import sample_household
from ui.main_window import MainWindow


@pytest.fixture
def county(store):
    store.set_setting("user_name", "王丽")
    return sample_household(store)


@pytest.fixture
def window(qtbot, store, county):
    w = MainWindow(store)
    qtbot.addWidget(w)
    w.show()
    return w


def register_row(window, household_id):
    model = window.register_view.model
    row = model.row_of(household_id)
    return [model.data(model.index(row, c)) for c in range(model.columnCount())]


def count_calls(monkeypatch, obj, name):
    calls = []
    original = getattr(obj, name)

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(obj, name, counting)
    return calls


def test_changed_names_tables_and_ids():
    c = Changed.of(members=["m1", None], households="h1", visits=None)
    assert c.ids("members") == {"m1"} and c.ids("households") == {"h1"} and c.ids("visits") == frozenset()
    assert c.touches("members") and not c.touches("openings")
    assert (c | Changed.of(members="m2")).ids("members") == {"m1", "m2"}
    assert not Changed.of(members=[])


def test_a_survey_save_rereads_only_its_household_row(qtbot, window, store, county, monkeypatch):
    household_id, member_ids = county
    model = window.register_view.model
    before = register_row(window, household_id)
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    dashboard = window.page("dashboard")
    computed = count_calls(monkeypatch, dashboard, "_compute")

    window.open_household(household_id, member_ids[1])
    page = window.page("household")
    assert page.current_member_id() == member_ids[1]  # the search hit's person is selected
    # Written behind the window's back: only a re-read of this row shows it.
    store.db.execute("UPDATE households SET head_name = '武学良' WHERE id = ?", [household_id])
    page.edit_survey()
    page.form.rows["work_months"].editor.setFocus()
    type_text(qtbot, "3")
    with qtbot.waitSignal(window.rows_changed, timeout=2000) as saved:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert register.member(store, member_ids[1])["work_months"] == 3
    assert saved.args[0] == Changed.of(members=member_ids[1], households=household_id)

    after = register_row(window, household_id)
    assert after[1] == "武学良" and before[1] != after[1]
    assert after[0] == before[0] and after[4] == before[4]
    assert resets == []  # the list was not re-queried
    assert computed == []  # the hidden dashboard computed nothing


def test_the_dashboard_is_computed_when_first_shown_and_after_a_write(qtbot, window, store, county, monkeypatch):
    dashboard = window.page("dashboard")
    computed = count_calls(monkeypatch, dashboard, "_compute")
    assert computed == []  # not at start-up
    window.show_page("dashboard")
    qtbot.waitUntil(lambda: len(computed) == 1 and not dashboard.computing)
    assert dashboard.shown_figures()["working_age_able"] != "—"

    household_id, member_ids = county
    register.save_member(store, {"employment_status": "未就业"}, member_id=member_ids[1])
    window.notify_changed(Changed.of(members=member_ids[1], households=household_id))
    qtbot.waitUntil(lambda: len(computed) == 2 and not dashboard.computing)

    window.show_page("register")
    window.notify_changed(Changed.of(members=member_ids[1]))
    window.notify_changed()
    assert len(computed) == 2  # hidden: only marked out of date
    window.show_page("dashboard")
    qtbot.waitUntil(lambda: len(computed) == 3 and not dashboard.computing)


def test_a_hidden_register_catches_up_when_shown(qtbot, window, store, county, monkeypatch):
    household_id, member_ids = county
    window.open_household(household_id)
    refreshed = count_calls(monkeypatch, window.register_view.model, "refresh")
    window.notify_changed()  # an import or a sync: anything may have changed
    assert refreshed == []
    window.show_page("register")
    assert len(refreshed) == 1
    window.show_page("household")
    window.show_page("register")
    assert len(refreshed) == 1  # owed once, paid once


def test_the_register_is_queried_once_at_start_up(qtbot, store, county, monkeypatch):
    from ui.register_model import RegisterModel

    queries = count_calls(monkeypatch, RegisterModel, "_query_ids")
    w = MainWindow(store, install_features=False)
    qtbot.addWidget(w)
    w.show()
    assert len(queries) == 1  # enabling the header sort asks for the order the list already has
    w.register_view.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)
    assert len(queries) == 2
