"""Test data for the window side of issue 14 (the household page's
monitoring block, work spells, the 务工监测 page), and the screenshot maker
for docs/screenshots (run this module:
``QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.helpers_work``)."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

from cadre_desk import households
from cadre_desk.spells import SpellRow, save_spells
from cadre_desk.storage import Store
from tests.helpers_jobs import person, village
from tests.helpers_survey import sample_household

TODAY = dt.date(2026, 11, 16)  # the day the 务工监测 figures are for

MONITORING = {
    "household_type": "监测户", "monitoring_category": "边缘易致贫户", "monitoring_since": "2023-06",
    "risk_1": "因病", "risk_2": "因学", "risk_cleared": True, "risk_clear_method": "帮扶消除",
    "risk_cleared_on": "2024-09", "medical_out_of_pocket": 3200,
}


def spell(store: Store, member_id: str, start: str, end: str | None, place: str, **more) -> str:
    """One spell through the one write path; returns its id."""
    result = save_spells(store, [SpellRow(member_id=member_id, start_month=start, end_month=end, place=place,
                                          **more)], as_of=TODAY)
    assert result.ok, result.problems
    return result.ids[0]


def monitored_household(store: Store) -> tuple[str, list[str]]:
    """The sample household (武学亮, 烟店镇 李庄村) as a 监测户 whose risk was
    cleared, the head with two spells (县内 then 省外)."""
    household_id, members = sample_household(store)
    households.set_household(store, household_id, MONITORING)
    spell(store, members[0], "2023-03", "2023-10", "临清市", channel="企业就业", employer="临清烟店轴承有限公司",
          industry="制造业", monthly_income=2600)
    spell(store, members[0], "2024-03", None, "江苏省苏州市昆山市", channel="有组织劳务输出",
          employer="昆山立讯精密电子有限公司", industry="电子设备制造", monthly_income=4800, point_to_point=1,
          transport_subsidy=500)
    return household_id, members


def work_county(store: Store) -> dict[str, dict]:
    """Four people in two towns whose spells give known figures for November
    2026 (and 2025):

    | who | town | spells | 2026-11 | 2025-11 |
    |---|---|---|---|---|
    | 王秀兰 | 烟店镇 | 2026-03 – open, 临清市 | 县内 | – |
    | 李建国 | 烟店镇 | 2025-05 – open, 昆山市 | 省外 | 省外 |
    | 张丽 | 康庄镇 | 2026-01 – 2026-08, 济南市历下区 | ended: the to-do | – |
    | 赵强 | 康庄镇 | 2025-02 – 2025-12 临清市, 2026-02 – open 北京市朝阳区 | 省外 | 县内 |
    """
    yd = village(store, "烟店镇", "李庄村")
    kz = village(store, "康庄镇", "前屯村")
    people = {
        "王秀兰": person(store, village_id=yd, name="王秀兰", age=40),
        "李建国": person(store, village_id=yd, name="李建国", female=False, age=45),
        "张丽": person(store, village_id=kz, name="张丽", age=28),
        "赵强": person(store, village_id=kz, name="赵强", female=False, age=33),
    }
    spell(store, people["王秀兰"]["id"], "2026-03", None, "临清市", channel="帮扶车间", monthly_income=2400)
    spell(store, people["李建国"]["id"], "2025-05", None, "昆山市", channel="有组织劳务输出", monthly_income=5200)
    spell(store, people["张丽"]["id"], "2026-01", "2026-08", "山东省济南市历下区", channel="灵活就业",
          monthly_income=3000)
    spell(store, people["赵强"]["id"], "2025-02", "2025-12", "临清市", channel="企业就业", monthly_income=2800)
    spell(store, people["赵强"]["id"], "2026-02", None, "北京市朝阳区", channel="企业就业", monthly_income=6000)
    return people


def take_screenshots(out_dir: Path) -> list[Path]:
    """The household page (monitoring block, spell list), the spell dialog
    and the 务工监测 page at 1366x768, offscreen, with the data above."""
    from PySide6.QtWidgets import QApplication

    from cadre_desk import work_stats
    from cadre_desk.storage import memory_store
    from ui.fonts import apply_app_font
    from ui.main_window import MainWindow
    from ui.translations import install as install_translations

    app = QApplication.instance() or QApplication(sys.argv)
    apply_app_font(app)
    install_translations(app)
    store = memory_store()
    store.set_setting("user_name", "王丽")
    household_id, members = monitored_household(store)
    work_county(store)
    # A fuller year for the chart: more people working from spring on.
    extra_village = village(store, "烟店镇", "东郭村")
    names = ["郭建军", "郭秀梅", "刘志强", "郭丽娟", "孙明亮", "郭卫东", "王春燕", "郭海涛", "李桂芳", "郭振华",
             "赵红霞", "郭立新", "张玉兰", "郭宝山"]
    for i, name in enumerate(names):
        p = person(store, village_id=extra_village, name=name, age=25 + i, female=name[-1] in "梅娟燕芳霞兰")
        start = f"2026-{1 + i % 6:02d}"
        end = None if i % 4 else f"2026-{7 + i % 3:02d}"
        place = ("临清市", "聊城市东昌府区", "江苏省苏州市昆山市", "天津市武清区")[i % 4]
        spell(store, p["id"], start, end, place, channel="企业就业", monthly_income=3000 + 100 * i)
        if i % 3 == 0:
            spell(store, p["id"], "2025-03", "2025-12", place, channel="企业就业", monthly_income=2800)
    work_stats.set_target(store, 2026, 20)

    window = MainWindow(store)
    window.resize(1366, 768)
    window.show()
    window.open_household(household_id, members[0])
    page = window.page("household")
    app.processEvents()
    out_dir.mkdir(parents=True, exist_ok=True)
    shots = []
    path = out_dir / "household-monitoring.png"
    window.grab().save(str(path))
    shots.append(path)

    dialog = page.spells.add_spell(run=False)
    dialog.editors["start_month"].set_value("2026-11")
    dialog.editors["place"].set_value("朝阳区")
    dialog.update_place_hint()
    dialog.editors["channel"].set_value("企业就业")
    dialog.show()
    app.processEvents()
    path = out_dir / "spell-dialog.png"
    dialog.grab().save(str(path))
    shots.append(path)
    dialog.reject()

    def settle() -> None:
        """Let the window's background figure jobs finish (one connection: never query beside them)."""
        app.processEvents()
        while window.running_jobs():
            app.processEvents()
            time.sleep(0.02)
        app.processEvents()

    monitor = window.page("work_monitor")
    monitor.today = TODAY
    monitor.year.setMaximum(TODAY.year)
    window.show_page("work_monitor")
    settle()
    monitor.set_scope(None, year=2026, month=11)
    settle()
    path = out_dir / "work-monitor.png"
    window.grab().save(str(path))
    shots.append(path)
    monitor.set_scope("烟店镇", year=2026, month=11)
    settle()
    path = out_dir / "work-monitor-town.png"
    window.grab().save(str(path))
    shots.append(path)

    window.show_page("dashboard")
    settle()
    dashboard = window.page("dashboard")
    dashboard.set_scope(None, as_of=TODAY)
    settle()
    path = out_dir / "dashboard-monitoring.png"
    window.grab().save(str(path))
    shots.append(path)
    window.close()
    window.deleteLater()
    app.processEvents()
    return shots


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("CADRE_DESK_USER", "截图")
    os.environ.setdefault("CADRE_DESK_PASSWORD", "screenshots-2026")
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "docs" / "screenshots"
    for shot in take_screenshots(target):
        print(shot)
