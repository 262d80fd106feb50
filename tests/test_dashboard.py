"""The dashboard, the openings page and the recommendation dialog, with real
widgets: the dashboard shows the same numbers as ``cadre-desk stats --json``,
drills down to the person, and outcomes recorded in the dialog move the
figures."""

from __future__ import annotations

import json

import pytest
from python_calamine import CalamineWorkbook

from cadre_desk.cli import main
from cadre_desk.jobs import measures as jm
from cadre_desk.jobs.openings import list_openings
from helpers_jobs import AS_OF, opening, person, village
from ui.dashboard import FIGURES, DashboardPage, format_figure, install
from ui.main_window import MainWindow
from ui.openings_page import OpeningDialog
from ui.recommend_dialog import RecommendDialog

TODAY = AS_OF  # the people's ages are made for this date


def fill(store):
    """A small county: people in two towns, openings, a business, a public-welfare post."""
    yd = village(store, "烟店镇", "李庄村")
    kz = village(store, "康庄镇", "前屯村")
    seamstress = person(store, village_id=yd, name="王秀兰", skills=["缝纫"], job_intention="县内企业就业")
    person(store, village_id=yd, name="李建国", female=False, age=45)
    person(store, village_id=kz, name="张丽", age=28, job_intention="外出务工", accepted_places=["省外"])
    person(store, village_id=kz, name="赵老汉", female=False, age=66)  # too old: not counted
    boss = person(store, village_id=kz, name="刘志强", female=False, age=38)
    jm.add_self_employment(store, boss["id"], business="蔬菜大棚", start=TODAY, people_employed=2)
    guard = person(store, village_id=yd, name="孙大爷", female=False, age=58)
    jm.add_public_welfare_post(store, guard["id"], post="护林员", start=TODAY, months=12)
    jm.pay_subsidy(store, kind="公益性岗位补贴", amount_yuan=450.5, paid_on=TODAY, member_id=guard["id"])
    for title, pay in (("手套缝制工", 2800), ("轴承包装工", 3000), ("毛绒玩具装配", 2600)):
        opening(store, title=title, pay=pay, skills=["缝纫"] if title == "手套缝制工" else [],
                valid_from=None, valid_until=None)
    return seamstress


def stats_json(db_path, capsys, *extra) -> dict:
    capsys.readouterr()
    assert main(["--db", str(db_path), "stats", "--json", "--as-of", TODAY.isoformat(), *extra]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def window(qtbot, file_store):
    w = MainWindow(file_store, install_features=False)
    qtbot.addWidget(w)
    install(w)
    opened = []
    w.open_household = opened.append  # the household page is another module's; record the drill-down
    w.opened = opened
    w.show()
    return w


def test_dashboard_shows_the_same_numbers_as_stats_json(qtbot, file_store, db_path, capsys):
    fill(file_store)
    page = DashboardPage(file_store)
    qtbot.addWidget(page)
    page.set_scope(as_of=TODAY)
    expected = stats_json(db_path, capsys)
    assert expected["working_age_able"] == 5 and expected["employed"] == 2
    assert page.shown_figures() == {key: format_figure(key, expected[key]) for key, _ in FIGURES}
    assert page.shown_figures()["public_welfare_subsidy_yuan"] == "450.50"
    assert page.chart_values() == expected["by_channel"]
    assert page.model.rowCount() == expected["working_age_able"] - expected["employed"]

    page.set_scope(town="康庄镇")
    town = stats_json(db_path, capsys, "--town", "康庄镇")
    assert page.shown_figures() == {key: format_figure(key, town[key]) for key, _ in FIGURES}
    assert {page.model.rows[i]["name"] for i in range(page.model.rowCount())} == {"张丽"}
    assert page.scope_title.text() == "临清市康庄镇 就业帮扶进度"
    page.set_scope(town="烟店镇", village="李庄村")
    one = stats_json(db_path, capsys, "--town", "烟店镇", "--village", "李庄村")
    assert page.shown_figures()["working_age_able"] == str(one["working_age_able"]) == "3"


def test_drill_down_recommend_record_and_hire_moves_the_figures(qtbot, window, db_path, capsys):
    seamstress = fill(window.store)
    page = window.page("dashboard")
    window.show_page("dashboard")
    page.set_scope(as_of=TODAY)
    window.data_changed.emit()
    qtbot.waitUntil(lambda: not page.computing)
    window.show_page("openings")  # a hidden page catches up when it is shown
    assert window.page("openings").model.rowCount() == 3
    window.show_page("dashboard")
    names = [page.model.rows[i]["name"] for i in range(page.model.rowCount())]
    row = names.index("王秀兰")
    page.table.selectRow(row)
    page.open_selected()
    assert window.opened == [seamstress["household_id"]]

    dialog = page.recommend_selected()
    qtbot.addWidget(dialog)
    cards = [dialog.cards.itemAt(i).widget() for i in range(dialog.cards.count())]
    assert len(cards) == 3
    texts = [c.findChild(type(dialog.note), "offerReason").text() for c in cards]
    assert texts[0] == "理由：会缝纫；想在县内企业就业；本镇；月薪 2,800 元"
    assert "共 3 个岗位，3 个符合条件" in dialog.note.text()
    dialog.record_button.click()
    assert dialog.offers.rowCount() == 3 and dialog.offers.item(0, 3).text() == "推荐"
    glove = next(i for i in range(3) if dialog.offers.item(i, 1).text() == "手套缝制工")
    for status in ("联系", "面试", "录用"):
        dialog.select_offer(glove)
        dialog.next_status.setCurrentText(status)
        dialog.status_button.click()
    assert dialog.offers.item(glove, 3).text() == "录用"
    dialog.close()

    expected = stats_json(db_path, capsys)
    assert expected["employed"] == 3 and expected["by_channel"]["帮扶车间"] == 1
    # The figures are recomputed off the UI thread and shown when ready.
    qtbot.waitUntil(lambda: not page.computing)
    assert page.shown_figures() == {key: format_figure(key, expected[key]) for key, _ in FIGURES}
    assert "王秀兰" not in [page.model.rows[i]["name"] for i in range(page.model.rowCount())]
    window.show_page("openings")
    assert window.page("openings").model.rows[0]["filled"] + window.page("openings").model.rows[1]["filled"] \
        + window.page("openings").model.rows[2]["filled"] == 1


def test_status_errors_are_shown_not_raised(qtbot, file_store, monkeypatch):
    m = fill(file_store)
    shown = []
    monkeypatch.setattr("ui.recommend_dialog.ui_errors.show_error", lambda parent, exc: shown.append(exc.message))
    dialog = RecommendDialog(file_store, m["id"], as_of=TODAY)
    qtbot.addWidget(dialog)
    dialog.record_button.click()
    dialog.select_offer(0)
    assert [dialog.next_status.itemText(i) for i in range(dialog.next_status.count())] == ["联系", "未录用"]
    dialog.next_status.setCurrentText("未录用")
    dialog.status_button.click()  # no reason given
    assert shown and "请写明原因" in shown[0]
    assert dialog.offers.item(0, 3).text() == "推荐"


def test_export_progress_from_the_dashboard_and_cli(qtbot, file_store, db_path, tmp_path, monkeypatch, capsys):
    fill(file_store)
    monkeypatch.setattr("ui.dashboard.QMessageBox.information", lambda *a, **k: None)
    page = DashboardPage(file_store)
    qtbot.addWidget(page)
    page.set_scope(as_of=TODAY)
    out = tmp_path / "progress.xlsx"
    from helpers_qt import answer_next_box
    answer_next_box("隐去中间数字（推荐）")  # a 县就业办 user is asked (tests/test_window_exports.py)
    page.export_to(str(out))
    wb = CalamineWorkbook.from_path(str(out))
    figures = wb.get_sheet_by_name("进度").to_python()
    assert ["劳动年龄内有劳动能力的贫困人口", 5.0] in [row[:2] for row in figures]
    people = wb.get_sheet_by_name("未就业人员").to_python()
    assert people[0][:4] == ["乡镇（街道）", "行政村", "户编号", "姓名"] and len(people) == 4
    cli_out = tmp_path / "cli.xlsx"
    assert main(["--db", str(db_path), "export-progress", str(cli_out), "--as-of", TODAY.isoformat(), "--town", "烟店镇", "--mask-ids"]) == 0
    rows = CalamineWorkbook.from_path(str(cli_out)).get_sheet_by_name("未就业人员").to_python()
    assert len(rows) == 3 and "*" in rows[1][4]  # header + 王秀兰, 李建国


def test_opening_dialog_adds_an_opening(qtbot, store, monkeypatch):
    shown = []
    monkeypatch.setattr("ui.openings_page.ui_errors.show_error", lambda parent, exc: shown.append(exc.message))
    dialog = OpeningDialog(store)
    qtbot.addWidget(dialog)
    dialog.enterprise.setCurrentText("康庄服装厂")
    dialog.save()
    assert shown and "请填写岗位名称" in shown[0]
    dialog.title.setText("缝纫工")
    dialog.route.setCurrentText("扶贫车间")
    dialog.town.setCurrentText("康庄镇")
    dialog.village.setText("前屯村")
    dialog.pay.setValue(2600)
    dialog.places.setValue(4)
    dialog.skills["缝纫"].setChecked(True)
    dialog.disabled_ok.setChecked(True)
    dialog.valid_until.setText("2030-12-31")
    dialog.save()
    assert dialog.saved_id
    (o,) = list_openings(store)
    assert (o["title"], o["employer"], o["town_name"], o["village_name"], o["pay"], o["places"], o["skills"],
            o["suitable_disabled"]) == ("缝纫工", "康庄服装厂", "康庄镇", "前屯村", 2600, 4, ["缝纫"], 1)
