"""Shared test data and helpers for the household page and survey form tests,
and the screenshot maker for docs/screenshots (run this module:
``QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.helpers_survey``)."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

from cadre_desk import places, register
from cadre_desk.idnumber import check_character
from cadre_desk.storage import Store


def make_id(birth: str, seq: int, area: str = "371581") -> str:
    """A valid 18-digit ID number; odd ``seq`` is male, even female."""
    first17 = f"{area}{birth}{seq:03d}"
    return first17 + check_character(first17)


def sample_household(store: Store) -> tuple[str, list[str]]:
    """A household in 烟店镇 李庄村 with a cadre, a past cadre, three members,
    a visit and a measure. Returns (household id, member ids)."""
    places.ensure_county(store)
    town = places.town_by_name(store, "烟店镇")
    village_id = places.ensure_village(store, town["id"], "李庄村")
    household_id, _ = register.save_household(store, {
        "number": "3715811090010023", "head_name": "武学亮", "head_id_number": make_id("19680312", 31),
        "group_name": "3组", "size": 3, "phone": "13906351234", "attribute": "一般贫困户",
        "poverty_status": "已脱贫（享受政策）", "main_cause": "因病", "other_causes": ["缺技术", "缺资金"],
        "wage_income": 18000, "business_income": 6500, "property_income": 300, "transfer_income": 4200,
        "dibao_income": 2400, "pension_income": 1800, "business_expense": 2500,
    }, village_id=village_id)
    members = []
    members.append(register.save_member(store, {
        "name": "武学亮", "id_number": make_id("19680312", 31), "relation": "户主", "ethnicity": "汉族",
        "education": "初中", "school_status": "非在校生", "health": ["长期慢性病"], "labour_ability": "弱劳动力或半劳动力",
        "work_status": "乡(镇)内务工", "work_months": 6, "work_company": "烟店轴承厂",
        "skills": ["种植"], "skill_level": "无", "job_intention": "县内企业就业",
        "accepted_places": ["本镇", "本县"], "expected_income": 2500, "training_willing": True,
        "employment_status": "已就业", "employment_channel": "企业就业", "employer": "临清烟店轴承有限公司",
        "monthly_income": 2600,
    }, household_id=household_id)[0])
    members.append(register.save_member(store, {
        "name": "李秀英", "id_number": make_id("19700805", 42), "relation": "配偶", "ethnicity": "汉族",
        "education": "小学", "school_status": "非在校生", "health": ["残疾"], "disability_category": "肢体",
        "disability_grade": "三级", "disability_certificate": make_id("19700805", 42) + "43", "labour_ability": "弱劳动力或半劳动力", "skills": ["缝纫", "手工编织"],
        "job_intention": "居家就业", "accepted_places": ["本村"], "stay_home_reasons": ["本人残疾"],
        "training_willing": True, "training_needs": ["手工编织"], "employment_status": "未就业",
    }, household_id=household_id)[0])
    members.append(register.save_member(store, {
        "name": "武晓燕", "id_number": make_id("20080119", 24), "relation": "之女", "ethnicity": "汉族",
        "school_status": "九年级", "health": ["健康"], "labour_ability": "无劳动力",
    }, household_id=household_id)[0])
    old = register.ensure_cadre(store, "张建国", unit="烟店镇政府", level="乡镇", phone="0635-2771234")
    new = register.ensure_cadre(store, "王丽", unit="临清市人力资源和社会保障局", level="县直", phone="13963541122")
    register.pair_cadre(store, household_id, old, since=dt.date(2017, 5, 1))
    register.pair_cadre(store, household_id, new, since=dt.date(2019, 3, 1))
    register.add_visit(store, household_id, visit_date=dt.date(2020, 4, 16),
                       content="宣讲公益性岗位和居家就业政策，了解家庭成员就业意愿",
                       problems_solved="为李秀英联系村里手套加工点的来料加工")
    store.insert("measures", {"member_id": members[1], "household_id": household_id, "kind": "居家就业",
                              "title": "劳保手套来料加工", "start_date": "2020-05-01", "completed": 0})
    store.insert("measures", {"member_id": members[0], "household_id": household_id, "kind": "培训",
                              "title": "种植技术培训", "start_date": "2019-11-10", "end_date": "2019-11-20",
                              "completed": 1})
    return household_id, members


def take_screenshots(out_dir: Path) -> list[Path]:
    """The household page and the survey form at 1366x768, offscreen."""
    from PySide6.QtWidgets import QApplication

    from cadre_desk.storage import memory_store
    from ui.fonts import apply_app_font

    app = QApplication.instance() or QApplication(sys.argv)
    apply_app_font(app)
    store = memory_store()
    store.set_setting("user_name", "王丽")
    household_id, members = sample_household(store)
    from ui.main_window import MainWindow

    window = MainWindow(store)
    window.resize(1366, 768)
    window.show()
    window.open_household(household_id)
    page = window.page("household")
    app.processEvents()
    out_dir.mkdir(parents=True, exist_ok=True)
    shots = [out_dir / "household.png", out_dir / "survey.png"]
    window.grab().save(str(shots[0]))
    page.edit_survey(members[1])
    # A warning beside a field: 务工状况 given without 务工时间.
    form = page.form
    form.rows["work_status"].editor.set_value("乡(镇)内务工")
    form._edited("work_status")
    app.processEvents()
    window.grab().save(str(shots[1]))
    form._draft_timer.stop()
    drafts_key = form.draft_key
    form.rows["work_status"].editor.set_value(None)
    from cadre_desk.drafts import discard_draft
    discard_draft(store, drafts_key)
    # Leave no window behind: a second main window would make the app-wide
    # shortcuts (Alt+Home) ambiguous for whoever runs next.
    window.close()
    window.deleteLater()
    app.processEvents()
    return shots


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    for path in take_screenshots(Path(__file__).resolve().parent.parent / "docs" / "screenshots"):
        print(path)
