"""The window side of issue 14, driven like a user (pytest-qt): the household
page's monitoring block, the household form's monitoring section, work spells
added / ended through their dialogs with the core's warnings, the 务工监测
page against ``work_stats``, the dashboard's monitoring figures, and 导入花名册
with several files."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel

from cadre_desk import households, register, spells, work_stats
from cadre_desk.stats import compute_stats
from tests.helpers_qt import type_text
from tests.helpers_survey import sample_household
from tests.helpers_work import MONITORING, TODAY, monitored_household, work_county
from ui.household_form import HouseholdForm
from ui.household_page import HouseholdPage
from ui.section_box import field_lines
from ui.work_monitor import WorkMonitorPage, tile_texts


@pytest.fixture
def page(qtbot, store):
    store.set_setting("user_name", "王丽")
    household_id, members = monitored_household(store)
    widget = HouseholdPage(store)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    widget.activateWindow()
    assert QTest.qWaitForWindowActive(widget)
    widget.show_household(household_id)
    widget.ids = (household_id, members)
    return widget


# ---------------------------------------------------------------- the monitoring block

def test_risks_one_to_five_are_one_line(store):
    part = store.questionnaire.household
    lines = dict(field_lines([f for f in part.fields if f.section == "monitoring"]))
    assert [f.key for f in lines["致贫/返贫风险"]] == ["risk_1", "risk_2", "risk_3", "risk_4", "risk_5"]
    assert "户类型" in lines and "识别监测时间" in lines


def test_the_block_shows_the_households_monitoring_answers(page):
    shown = page.monitoring_box.shown()
    assert shown["户类型"] == "监测户"
    assert shown["监测对象类别"] == "边缘易致贫户"
    assert shown["识别监测时间"] == "2023年06月"
    assert shown["致贫/返贫风险"] == "因病、因学"
    assert shown["风险是否已消除"] == "是"
    assert shown["风险消除方式"] == "帮扶消除"
    assert shown["消除监测时间"] == "2024年09月"
    assert page.income["合规自付支出"].text() == "3,200 元"
    assert page.monitoring_box.empty.isHidden()
    assert not page.monitoring_box.isHidden()


def test_a_2020_household_says_it_has_no_monitoring_answers(qtbot, store):
    household_id, _ = sample_household(store)
    widget = HouseholdPage(store)
    qtbot.addWidget(widget)
    widget.show_household(household_id)
    assert widget.monitoring_box.shown() == {}
    assert not widget.monitoring_box.empty.isHidden()
    assert "未填写" in widget.monitoring_box.empty.text()
    assert widget.income["合规自付支出"].text() == "—"


def test_the_household_form_edits_the_monitoring_section(qtbot, store, page):
    household_id = page.ids[0]
    form = HouseholdForm(store, household_id, page)
    qtbot.addWidget(form)
    # The section is a group of the form, loaded with the stored answers.
    assert form.rows["monitoring_category"][1].value() == "边缘易致贫户"
    assert form.rows["monitoring_since"][1].value() == "2023-06"
    assert form.rows["risk_cleared"][1].value() is True
    # loaded as a whole: no stale "fill in 风险消除方式" beside the answered field
    assert form.message_of("risk_clear_method") == "" and form.message_of("risk_cleared_on") == ""
    form.set_answer("monitoring_category", "突发严重困难户")
    form.set_answer("monitoring_since", "2024年03月")  # as the national export writes it
    form.set_answer("risk_3", "缺劳动力")
    assert form.save()
    h = register.household(store, household_id)
    assert (h["monitoring_category"], h["monitoring_since"], h["risk_3"]) == ("突发严重困难户", "2024-03", "缺劳动力")
    page.refresh()
    assert page.monitoring_box.shown()["致贫/返贫风险"] == "因病、因学、缺劳动力"
    assert page.monitoring_box.shown()["识别监测时间"] == "2024年03月"


def test_the_page_says_the_household_rules(store, page):
    household_id = page.ids[0]
    assert page.warnings.isHidden()
    households.set_household(store, household_id, {"monitoring_category": None})
    page.refresh()
    assert not page.warnings.isHidden()
    assert "监测户应填写监测对象类别和识别监测时间" in page.warnings.text()


def test_the_page_warns_of_income_below_the_monitoring_line(store, page):
    from cadre_desk.monitoring import income_year, set_monitoring_line

    set_monitoring_line(store, income_year(), 9000)  # 人均纯收入 is 8,833.33 元
    page.refresh()
    assert not page.warnings.isHidden() and "监测" in page.warnings.text() and "9,000" in page.warnings.text()
    set_monitoring_line(store, income_year(), 8000)
    page.refresh()
    assert page.warnings.isHidden()


def test_a_new_household_form_asks_the_monitoring_section(qtbot, store, page):
    form = page.new_household(run=False)
    qtbot.addWidget(form)
    for key in MONITORING:
        assert key in form.rows, key


# ---------------------------------------------------------------- work spells

def test_the_spell_list_shows_the_selected_members_spells(page):
    page.select_member(page.ids[1][0])
    rows = page.spells.shown_rows()
    assert "武学亮" in page.spells.title()
    assert [(r["开始时间"], r["结束时间"], r["范围"]) for r in rows] == [
        ("2023年03月", "2023年10月", "县内"), ("2024年03月", "仍在务工", "省外")]
    assert rows[1]["就业渠道"] == "有组织劳务输出" and rows[1]["点对点"] == "是"
    page.select_member(page.ids[1][1])  # 李秀英 has none
    assert page.spells.shown_rows() == [] and "没有务工记录" in page.spells.message.text()


def _fill_spell_dialog(qtbot, dialog, *, start: str, place: str, income: str = "3600") -> None:
    """Type into the dialog field by field, Enter moving on, as a cadre does."""
    dialog.show()
    dialog.activateWindow()
    # (offscreen, qWaitForWindowActive may answer before the window really is)
    qtbot.waitUntil(dialog.isActiveWindow)
    start_editor = dialog.editors["start_month"]
    start_editor.setFocus()
    start_editor.selectAll()
    type_text(qtbot, start, start_editor)
    qtbot.keyClick(start_editor, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is dialog.editors["end_month"]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert QApplication.focusWidget() is dialog.editors["place"]
    type_text(qtbot, place)
    dialog.editors["channel"].set_value("企业就业")
    dialog.editors["monthly_income"].setFocus()
    type_text(qtbot, income)


def test_adding_a_spell_through_the_dialog_stores_it(qtbot, store, page):
    member_id = page.ids[1][1]  # 李秀英
    page.select_member(member_id)
    dialog = page.spells.add_spell(run=False)
    qtbot.addWidget(dialog)
    _fill_spell_dialog(qtbot, dialog, start="202609", place="临清市")
    assert "县内" in dialog.place_hint.text() and "临清市" in dialog.place_hint.text()
    assert dialog.save()
    page.spells.after_save(dialog)
    stored = spells.spells_of(store, member_id)
    assert [(s["start_month"], s["end_month"], s["county_code"], s["channel"], s["monthly_income"])
            for s in stored] == [("2026-09", None, "371581", "企业就业", 3600)]
    assert page.spells.shown_rows()[0]["范围"] == "县内"
    assert page.spells.message.text() == "已保存（2026年09月—至今，临清市）"


def test_an_overlapping_spell_shows_the_warning_naming_both(qtbot, store, page):
    member_id = page.ids[1][0]  # 武学亮: 2023-03 – 2023-10 and 2024-03 – open
    page.select_member(member_id)
    dialog = page.spells.add_spell(run=False)
    qtbot.addWidget(dialog)
    _fill_spell_dialog(qtbot, dialog, start="2023-08", place="聊城市东昌府区")
    dialog.editors["end_month"].set_value("2023-12")
    assert dialog.save()  # a warning, not an error: saved, then said
    page.spells.after_save(dialog)
    said = page.spells.message.text()
    # the new spell and the one it overlaps, both named
    assert said.startswith("已保存（2023年08月—2023年12月，聊城市东昌府区）。请核实：")
    assert "2023年03月—2023年10月，临清市" in said and "重叠" in said
    assert len(spells.spells_of(store, member_id)) == 3


def test_an_ambiguous_place_asks_which_one_and_stores_the_choice(qtbot, store, page):
    member_id = page.ids[1][1]
    page.select_member(member_id)
    dialog = page.spells.add_spell(run=False)
    qtbot.addWidget(dialog)
    _fill_spell_dialog(qtbot, dialog, start="2026-05", place="朝阳区")
    assert not dialog.place_choice.isHidden()
    assert "同名" in dialog.place_hint.text()
    names = [dialog.place_choice.itemText(i) for i in range(dialog.place_choice.count())]
    beijing = next(i for i, n in enumerate(names) if n.startswith("北京"))
    dialog.place_choice.setCurrentIndex(beijing)
    assert "省外" in dialog.place_hint.text()
    assert dialog.save()
    (stored,) = spells.spells_of(store, member_id)
    assert stored["county_code"] == "110105" and stored["scope"] == "省外"


def test_an_unresolved_place_is_saved_with_the_warning_asking_for_the_province(qtbot, store, page):
    member_id = page.ids[1][1]
    page.select_member(member_id)
    dialog = page.spells.add_spell(run=False)
    qtbot.addWidget(dialog)
    _fill_spell_dialog(qtbot, dialog, start="2026-05", place="朝阳区")
    assert dialog.save()  # not picked: saved without a county, and said
    page.spells.after_save(dialog)
    assert "省" in page.spells.message.text() and "朝阳区" in page.spells.message.text()
    assert page.spells.shown_rows()[0]["范围"] == "地点不详"


def test_ending_a_spell(qtbot, store, page):
    member_id = page.ids[1][0]
    page.select_member(member_id)
    page.spells.table.selectRow(1)  # the running one
    dialog = page.spells.end_selected(run=False)
    qtbot.addWidget(dialog)
    dialog.month.set_value("2026-10")
    assert dialog.save()
    page.spells.after_end(dialog)
    assert spells.spells_of(store, member_id)[1]["end_month"] == "2026-10"
    assert page.spells.shown_rows()[1]["结束时间"] == "2026年10月"


def test_an_end_before_the_start_is_refused_in_the_dialog(qtbot, store, page):
    page.select_member(page.ids[1][0])
    page.spells.table.selectRow(1)
    dialog = page.spells.end_selected(run=False)
    qtbot.addWidget(dialog)
    dialog.month.set_value("2020-01")
    assert not dialog.save()
    assert "早于" in dialog.message.text()
    assert spells.spells_of(store, page.ids[1][0])[1]["end_month"] is None


def test_insert_in_the_spell_list_opens_the_dialog(qtbot, page, monkeypatch):
    opened = []
    monkeypatch.setattr(page.spells, "_run", opened.append)
    page.spells.table.setFocus()
    qtbot.keyClick(page.spells.table, Qt.Key.Key_Insert)
    assert len(opened) == 1 and opened[0].spell is None
    qtbot.keyClick(page.spells.table, Qt.Key.Key_Return)
    assert len(opened) == 2 and opened[1].spell is not None


# ---------------------------------------------------------------- 务工监测

@pytest.fixture
def monitor(qtbot, store):
    people = work_county(store)
    work_stats.set_target(store, 2026, 5)
    widget = WorkMonitorPage(store, today=TODAY)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.set_scope(None, year=2026, month=11)
    widget.people = people
    return widget


def test_the_page_shows_the_months_figures_that_work_stats_gives(store, monitor):
    series = work_stats.monthly(store, 2026, today=TODAY)
    november = next(m for m in series["months"] if m["month"] == "2026-11")
    assert monitor.shown_figures() == tile_texts(november, series["target"])
    # and those are the figures of the table in helpers_work.work_county
    assert monitor.shown_figures() == {"total": "3", "县内": "1", "省内县外": "0", "省外": "2",
                                       "same_month_last_year": "2", "change": "+1（+50.0%）", "target": "5",
                                       "progress": "60.0%"}
    bars = monitor.chart_values()
    assert bars["县内"]["11月"] == 1 and bars["省外"]["11月"] == 2 and bars["省内县外"]["5月"] == 1
    assert bars["2025 年同月"]["11月"] == 2 and bars["2025 年同月"]["12月"] == 2
    assert bars["2025 年同月"]["1月"] == 0 and bars["2025 年同月"]["2月"] == 1
    assert set(bars["年度目标 5"].values()) == {5}


def test_drill_down_to_a_town_and_a_village_changes_the_figures(qtbot, store, monitor):
    towns = {r["name"]: r for r in monitor.places_model.rows}
    assert (towns["烟店镇"]["total"], towns["烟店镇"]["last_year"]) == (2, 1)
    assert (towns["康庄镇"]["total"], towns["康庄镇"]["省外"], towns["康庄镇"]["last_year"]) == (1, 1, 1)
    row = [r["name"] for r in monitor.places_model.rows].index("烟店镇")
    monitor.places_table.selectRow(row)
    monitor.places_table.setFocus()
    qtbot.keyClick(monitor.places_table, Qt.Key.Key_Return)
    assert monitor.selected_town() == "烟店镇"
    assert monitor.shown_figures()["total"] == "2" and monitor.shown_figures()["县内"] == "1"
    assert monitor.shown_figures()["target"] == "—"  # the target is the county's
    assert [r["name"] for r in monitor.places_model.rows] == ["李庄村"]
    monitor.places_table.selectRow(0)
    monitor.drill_down()
    assert monitor.selected_village() == "李庄村" and monitor.shown_figures()["total"] == "2"
    monitor.drill_up()
    monitor.drill_up()
    assert monitor.selected_town() is None and monitor.shown_figures()["total"] == "3"


def test_an_error_behind_enter_in_the_places_list_is_shown_not_fatal(qtbot, store, monitor):
    """Enter in the list runs from an event filter: an error there (here: the
    database closed under the page) is the standard dialog, and the page lives."""
    from PySide6.QtWidgets import QMessageBox

    from tests.helpers_qt import when_modal

    monitor.places_table.selectRow(0)
    store.db.conn.close()
    seen = []
    when_modal(QMessageBox, lambda box: (seen.append(box.text()), box.accept()))
    qtbot.keyClick(monitor.places_table, Qt.Key.Key_Return)
    assert len(seen) == 1 and "数据库已经关闭" in seen[0]  # without the guard the process ended here


def test_the_to_do_lists_the_person_whose_spell_ended(store, monitor):
    assert [(r["name"], r["end_month"], r["idle_months"]) for r in monitor.todo_model.rows] == [("张丽", "2026-08", 3)]
    assert "1 人" in monitor.todo_title.text()
    monitor.set_scope("烟店镇", year=2026, month=11)
    assert monitor.todo_model.rows == []
    monitor.set_scope(None, year=2026, month=7)  # before her spell ended: nobody
    assert monitor.todo_model.rows == []


def test_a_new_spell_from_the_to_do_takes_the_person_off_it(qtbot, store, monitor):
    monitor.todo_table.selectRow(0)
    dialog = monitor.new_spell_for_selected(run=False)
    qtbot.addWidget(dialog)
    dialog.editors["start_month"].set_value("2026-11")
    dialog.editors["place"].set_value("临清市")
    assert dialog.save()
    monitor.after_new_spell(dialog)
    assert monitor.todo_model.rows == []
    assert monitor.shown_figures()["total"] == "4" and monitor.shown_figures()["县内"] == "2"


def test_opening_the_household_from_the_to_do(store, monitor):
    opened = []

    class Window:
        def open_household(self, household_id, member_id=None):
            opened.append((household_id, member_id))

    monitor.window_ = Window()
    monitor.todo_table.selectRow(0)
    monitor.open_selected()
    zhang = monitor.people["张丽"]
    assert opened == [(zhang["household_id"], zhang["id"])]


# ---------------------------------------------------------------- dashboard, window, import

def test_the_dashboard_shows_the_monitoring_figures_of_stats(qtbot, store):
    from ui.dashboard import DashboardPage

    monitored_household(store)
    widget = DashboardPage(store)
    qtbot.addWidget(widget)
    widget.set_scope(None, as_of=TODAY)
    figures = compute_stats(store, TODAY)
    m = figures["monitoring"]
    shown = widget.shown_monitoring()
    assert shown["监测户"] == f"{m['households']:,}" == "1"
    assert shown["监测对象人数"] == f"{m['people']:,}" == "3"
    assert shown["边缘易致贫户"] == "1" and shown["脱贫不稳定户"] == "0"
    assert shown["风险已消除户"] == "1"
    assert shown["本月务工人数"] == f"{figures['workers']['total']:,}" == "1"
    # the seed's figures stay as they were
    assert set(widget.shown_figures()) >= {"working_age_able", "employed", "employment_rate"}


def test_the_window_has_the_work_monitor_page_and_menu(qtbot, file_store):
    from ui.main_window import MainWindow

    window = MainWindow(file_store)
    qtbot.addWidget(window)
    assert window.page("work_monitor") is not None
    action = window.findChild(type(window.menu("岗位").actions()[0]), "showWorkMonitor")
    action.trigger()
    assert window.current_page_key() == "work_monitor"


def test_import_roster_takes_several_files(qtbot, file_store, monkeypatch, tmp_path):
    from ui import roster_dialogs
    from ui.main_window import MainWindow

    window = MainWindow(file_store, install_features=False)
    qtbot.addWidget(window)
    roster_dialogs.install(window)
    files = [str(tmp_path / "监测对象信息.xlsx"), str(tmp_path / "已外出务工信息.xlsx")]
    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        staticmethod(lambda *a, **k: (asked.append(a) or files, roster_dialogs.EXCEL_FILTER)))
    started = []
    monkeypatch.setattr(roster_dialogs, "import_roster_files", lambda w, paths, **k: started.append(paths))
    window.findChild(type(window.menu("文件").actions()[0]), "importRosterAction").trigger()
    assert asked and started == [files]


def test_month_fields_take_the_national_spellings(qtbot, store, page):
    form = HouseholdForm(store, page.ids[0], page)
    qtbot.addWidget(form)
    editor = form.rows["risk_cleared_on"][1]
    editor.setFocus()
    editor.clear()
    type_text(qtbot, "2024.10", editor)
    assert editor.text() == "2024.10"
    type_text(qtbot, "x", editor)  # a letter is refused as it is typed
    assert editor.text() == "2024.10"
    assert editor.placeholderText().startswith("如 2023-06")


def test_tab_walks_the_work_monitor_page_in_reading_order(qtbot, monitor):
    monitor.show()
    monitor.activateWindow()
    qtbot.waitUntil(monitor.isActiveWindow)
    monitor.town.setFocus()
    seen = [QApplication.focusWidget()]
    for _ in range(12):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    order = [w for w in seen if w in (monitor.town, monitor.year, monitor.month, monitor.places_table,
                                      monitor.todo_table)]
    firsts = list(dict.fromkeys(order))
    assert firsts[:5] == [monitor.town, monitor.year, monitor.month, monitor.places_table, monitor.todo_table]


def test_the_national_lists_import_together_from_the_window(qtbot, file_store, tmp_path):
    """文件 → 导入花名册 with the four list exports chosen at once: one import,
    every spell written, the report naming each warning's file and row."""
    from tests.national_workbooks import small_county, write_all
    from ui import roster_dialogs
    from ui.main_window import MainWindow

    paths = write_all(tmp_path / "exports", small_county())
    window = MainWindow(file_store, install_features=False)
    qtbot.addWidget(window)
    window.show()
    roster_dialogs.import_roster_files(window, paths)
    qtbot.waitUntil(lambda: getattr(window, "_roster_report", None) is not None, timeout=60000)
    report = window._roster_report
    summary = report.findChild(QLabel, "importSummary").text()
    assert summary.startswith("导入完成") and "务工记录新建 7 条" in summary
    assert file_store.db.execute("SELECT count(*) FROM work_spells WHERE deleted = 0").fetchone()[0] == 7
    table = report.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers == ["文件", "工作表", "行号", "列", "问题"]
    rows = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    overlaps = [r for r in rows if "重叠" in r[4]]
    assert [(r[0], r[2]) for r in overlaps] == [("已外出务工信息.xlsx", "7"), ("已外出务工信息.xlsx", "8")]
    assert all(r[4].startswith("提醒：") for r in overlaps)
    # the check rules' findings on what was imported, in their own list, ID numbers masked
    findings = report.findings
    assert findings.rowCount() > 0 and not findings.isHidden()
    members = [findings.item(r, 2).text() for r in range(findings.rowCount())]
    assert all("********" in m for m in members if m != "本户")


def test_the_household_page_fits_a_1366_by_768_screen(qtbot, store):
    """With the monitoring block and the spell list added, nothing pushes the
    window past a laptop screen (it grew to 805 pixels once)."""
    from ui.main_window import MainWindow

    household_id, members = monitored_household(store)
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.open_household(household_id, members[0])
    assert window.minimumSizeHint().height() <= 768
    assert window.height() <= 768 and window.width() <= 1366
    page = window.page("household")
    assert len(page.spells.shown_rows()) == 2
