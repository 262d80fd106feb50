"""Households to print: a small, fully known data set for the printing tests
(a disabled home-bound member, a worker gone out, a self-employed member,
children and elderly), built through the register like real data."""

from __future__ import annotations

import datetime as dt

from cadre_desk import places, register
from cadre_desk.idnumber import check_character
from cadre_desk.policies import load_sample_policies

AS_OF = dt.date(2020, 5, 20)


def id_number(birth: str, seq: int, area: str = "371581") -> str:
    first17 = f"{area}{birth}{seq:03d}"
    return first17 + check_character(first17)


def make_village(store, town="烟店镇", village="李庄村") -> str:
    t = places.town_by_name(store, town)
    return places.ensure_village(store, t["id"], village)


def add_household(store, village_id, number, head, members, **household) -> str:
    answers = {"number": number, "head_name": head, "size": len(members), **household}
    hid, _ = register.save_household(store, answers, village_id=village_id)
    for m in members:
        register.save_member(store, m, household_id=hid, as_of=AS_OF)
    return hid


# A household with a disabled member who cannot leave home.
DISABLED_HOME = [
    {"name": "王建国", "id_number": id_number("19700312", 31), "relation": "户主", "education": "初中",
     "school_status": "非在校生", "health": ["健康"], "labour_ability": "普通劳动力",
     "skills": ["驾驶", "建筑"], "job_intention": "外出务工", "employment_status": "已就业",
     "employment_channel": "劳务输出", "employer": "天津某建筑公司", "monthly_income": 3800,
     "work_status": "省外务工", "work_months": 10},
    {"name": "李秀英", "id_number": id_number("19720805", 42), "relation": "配偶", "education": "小学",
     "school_status": "非在校生", "health": ["残疾"], "disability_category": "肢体", "disability_grade": "三级",
     "labour_ability": "弱劳动力或半劳动力", "skills": ["手工编织"], "job_intention": "居家就业",
     "stay_home_reasons": ["本人残疾", "照料老人或病人"], "training_willing": True, "training_needs": ["手工编织"],
     "employment_status": "未就业"},
    {"name": "王小明", "id_number": id_number("20080115", 53), "relation": "之子", "education": None,
     "school_status": "七年级", "health": ["健康"], "labour_ability": "无劳动力"},
    {"name": "王老汉", "id_number": id_number("19450909", 17), "relation": "之父", "education": "文盲或半文盲",
     "school_status": "非在校生", "health": ["长期慢性病"], "labour_ability": "丧失劳动力"},
]

# A household with nobody disabled or bound to the home.
PLAIN = [
    {"name": "赵德山", "id_number": id_number("19800620", 71), "relation": "户主", "education": "高中",
     "school_status": "非在校生", "health": ["健康"], "labour_ability": "技能劳动力", "skills": ["电工"],
     "skill_level": "中级工", "skill_certificate": True, "job_intention": "县内企业就业",
     "employment_status": "已就业", "employment_channel": "企业就业", "employer": "烟店轴承厂",
     "monthly_income": 3200},
    {"name": "孙桂兰", "id_number": id_number("19820304", 82), "relation": "配偶", "education": "初中",
     "school_status": "非在校生", "health": ["健康"], "labour_ability": "普通劳动力",
     "job_intention": "县内企业就业", "employment_status": "已就业", "employment_channel": "企业就业",
     "employer": "临清服装厂", "monthly_income": 2800},
]


def build_sample(store) -> dict[str, str]:
    """Two households in 李庄村 with cadres, visits, measures, recommendations; sample policies loaded."""
    load_sample_policies(store)
    vid = make_village(store)
    ids = {
        "disabled": add_household(store, vid, "3715810001", "王建国", DISABLED_HOME, attribute="低保贫困户",
                                  poverty_status="已脱贫（享受政策）", main_cause="因残", other_causes=["因病"],
                                  phone="13805350001", wage_income=38000, transfer_income=4200,
                                  dibao_income=3000, business_expense=0, group_name="三组"),
        "plain": add_household(store, vid, "3715810002", "赵德山", PLAIN, attribute="一般贫困户",
                               poverty_status="已脱贫（不再享受政策）", main_cause="缺技术", phone="13805350002",
                               wage_income=52000),
    }
    c1 = register.ensure_cadre(store, "刘志强", unit="临清市人力资源和社会保障局", level="县直", phone="13906350111")
    c2 = register.ensure_cadre(store, "陈红梅", unit="烟店镇人民政府", level="乡镇", phone="13906350222")
    register.pair_cadre(store, ids["disabled"], c1, dt.date(2018, 3, 1))
    register.pair_cadre(store, ids["disabled"], c2, dt.date(2019, 6, 1))
    register.pair_cadre(store, ids["plain"], c2, dt.date(2019, 6, 1))
    register.add_visit(store, ids["disabled"], visit_date=dt.date(2020, 3, 5), content="了解居家就业意愿，讲解来料加工政策",
                       problems_solved="联系扶贫车间送手套加工活")
    wife = store.rows("SELECT id FROM members WHERE name = '李秀英'")[0]["id"]
    store.insert("measures", {"member_id": wife, "household_id": ids["disabled"], "kind": "培训",
                              "title": "手工编织培训班", "start_date": "2019-10-08", "end_date": "2019-10-20",
                              "completed": 1, "certificate": "结业证书"})
    store.insert("measures", {"member_id": wife, "household_id": ids["disabled"], "kind": "居家就业",
                              "title": "劳保手套来料加工", "start_date": "2020-04-01"})
    ent = store.insert("enterprises", {"name": "烟店镇手套扶贫车间", "is_workshop": 1})
    op = store.insert("openings", {"enterprise_id": ent, "title": "手套缝制（居家计件）", "route": "居家就业",
                                   "location": "烟店镇李庄村", "pay": 1500, "pay_unit": "元/月"})
    rec = store.insert("recommendations", {"member_id": wife, "recommended_on": "2020-03-05"})
    store.insert("offers", {"recommendation_id": rec, "member_id": wife, "opening_id": op, "rank": 1,
                            "status": "已录用", "status_on": "2020-03-20"})
    return ids


# ---------------------------------------------------------------- reading PDFs back

def pages_text(path) -> list[str]:
    import pypdf

    return [p.extract_text() or "" for p in pypdf.PdfReader(str(path)).pages]


def outline(path) -> list[tuple[int, str, int]]:
    """(depth, title, 1-based page) of every bookmark, in order."""
    import pypdf

    reader = pypdf.PdfReader(str(path))
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


def pdffonts(path) -> list[dict]:
    import subprocess

    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type encoding emb sub uni object ID; type may be two words ("Type 1")
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "line": line})
    return rows


def word_boxes(path, page: int) -> list[tuple[str, float, float]]:
    """(text, left, right) in points of every word pdftotext finds on ``page`` (1-based)."""
    import re
    import subprocess

    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    return [(w, float(x0), float(x1)) for x0, x1, w in
            re.findall(r'<word xMin="([-\d.]+)" yMin="[-\d.]+" xMax="([-\d.]+)" yMax="[-\d.]+">([^<]*)</word>', out)]


def qpdf_check(path) -> tuple[int, str]:
    import subprocess

    r = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr
