"""Generated national-system list exports (全国防返贫监测信息系统, domain.md §11),
written with openpyxl the way a county clerk downloads them: one workbook per
list, two title rows (the list's name merged across, then the exporting unit
and time) and the header on the third row, one row per person (or per work
spell, several per person).

A small county is described as data (``Household`` / ``Person`` / ``Spell``)
so that a test can compute what the register must hold independently of the
code under test; the writers turn the same data into the four lists:

- ``write_monitoring``: （自定义）监测对象信息, one row per person, household
  columns repeated;
- ``write_households``: （乡村建设）户信息, one row per household;
- ``write_spells``: （务工月监测）已外出务工信息, one row per work spell;
- ``write_planned``: 计划外出务工信息, one row per person planning to work.

``county(n_members, n_spells)`` builds a larger county for the benchmark.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl

from helpers_roster import make_id

EXPORT_UNIT = "导出单位：山东省聊城市临清市　导出时间：2023-12-05 10:21:36　导出人：县乡村振兴局"


@dataclass
class Spell:
    start: Any  # as the cell holds it: "2023年03月", "202303", a date …
    end: Any = None
    place: str = "临清市"
    county: str | None = None  # 务工所在县, when the list has that column
    channel: str = "企业就业"
    employer: str = ""
    industry: str = "制造业"
    income: Any = 3000
    point_to_point: str = "否"
    subsidy: Any = None
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass
class Person:
    name: str
    id_number: str
    relation: str = "户主"
    ethnicity: str = "汉族"
    education: str = "初中"
    school_status: str = "非在校生"
    health: str = "健康"
    disability_category: str = ""
    disability_grade: str = ""
    labour: str = "普通劳动力"
    id_type: str = "居民身份证"
    phone: str = ""
    dibao: str = "未享受"
    tekun: str = "未享受"
    medical_insurance: str = "是"
    serious_illness_insurance: str = "是"
    pension_insurance: str = "是"
    medical_assistance: str = "否"
    welfare_post: str = ""
    welfare_months: Any = None
    extras: dict[str, Any] = field(default_factory=dict)
    spells: list[Spell] = field(default_factory=list)
    planned: tuple[str, str, str] | None = None  # (是否计划务工, 计划务工所在县, 就业服务需求)
    planned_extras: dict[str, Any] = field(default_factory=dict)


@dataclass
class Household:
    number: str
    town: str
    village: str
    members: list[Person]
    household_type: str = "脱贫户"
    category: str = ""
    since: Any = None  # 识别监测时间
    cleared: str = ""
    clear_method: str = ""
    cleared_on: Any = None
    risks: tuple[str, ...] = ()
    wage_income: Any = 12000
    business_income: Any = 3000
    transfer_income: Any = 2400
    out_of_pocket: Any = None  # 合规自付支出
    extras: dict[str, Any] = field(default_factory=dict)  # unknown columns of the household list

    @property
    def head(self) -> Person:
        return next((p for p in self.members if p.relation == "户主"), self.members[0])


# ---------------------------------------------------------------- the lists' columns

MONITORING_HEADERS = [
    "序号", "县(市、区、旗)", "乡(镇)", "行政村", "户编号", "户类型", "监测对象类别", "识别监测时间", "风险是否已消除",
    "风险消除方式", "消除监测时间", "致贫/返贫风险1", "致贫/返贫风险2", "致贫/返贫风险3", "姓名", "证件类型", "证件号码",
    "与户主关系", "性别", "民族", "文化程度", "在校生状况", "健康状况", "残疾类别", "残疾等级", "劳动技能",
    "享受低保政策情况", "享受特困供养政策情况", "是否参加城乡居民基本医疗保险", "是否参加大病保险",
    "是否参加城乡居民基本养老保险", "是否接受医疗救助", "家庭成员联系电话", "公益性岗位", "公益性岗位(月数)",
]
HOUSEHOLD_HEADERS = ["序号", "县", "乡", "村", "户编号", "户主姓名", "户主证件号码", "户类型", "家庭人口数",
                     "工资性收入", "生产经营性收入", "转移性收入", "合规自付支出"]
SPELL_HEADERS = ["序号", "县", "乡", "村", "户编号", "姓名", "证件号码", "性别", "是否已务工", "务工所在地",
                 "开始时间", "结束时间", "就业渠道", "务工企业名称", "所属行业", "务工月收入", "是否点对点输送",
                 "年度交通费补助"]
PLANNED_HEADERS = ["序号", "县", "乡", "村", "户编号", "姓名", "证件号码", "是否计划务工", "计划务工所在县",
                   "就业服务需求"]

TITLES = {"monitoring": "（自定义）监测对象信息", "households": "（乡村建设）户信息",
          "spells": "（务工月监测）已外出务工信息", "planned": "计划外出务工信息"}


def _person_cells(h: Household, p: Person) -> dict[str, Any]:
    risks = list(h.risks) + [""] * 3
    return {
        "县(市、区、旗)": "临清市", "乡(镇)": h.town, "行政村": h.village, "户编号": h.number,
        "户类型": h.household_type, "监测对象类别": h.category, "识别监测时间": h.since,
        "风险是否已消除": h.cleared, "风险消除方式": h.clear_method, "消除监测时间": h.cleared_on,
        "致贫/返贫风险1": risks[0], "致贫/返贫风险2": risks[1], "致贫/返贫风险3": risks[2],
        "姓名": p.name, "证件类型": p.id_type, "证件号码": p.id_number, "与户主关系": p.relation,
        "性别": "男" if int(p.id_number[16]) % 2 else "女", "民族": p.ethnicity, "文化程度": p.education,
        "在校生状况": p.school_status, "健康状况": p.health, "残疾类别": p.disability_category,
        "残疾等级": p.disability_grade, "劳动技能": p.labour, "享受低保政策情况": p.dibao,
        "享受特困供养政策情况": p.tekun, "是否参加城乡居民基本医疗保险": p.medical_insurance,
        "是否参加大病保险": p.serious_illness_insurance, "是否参加城乡居民基本养老保险": p.pension_insurance,
        "是否接受医疗救助": p.medical_assistance, "家庭成员联系电话": p.phone, "公益性岗位": p.welfare_post,
        "公益性岗位(月数)": p.welfare_months, **p.extras,
    }


def _place(h: Household) -> dict[str, Any]:
    return {"县": "临清市", "乡": h.town, "村": h.village, "户编号": h.number}


def monitoring_rows(households: list[Household]) -> list[dict[str, Any]]:
    return [_person_cells(h, p) for h in households for p in h.members]


def household_rows(households: list[Household]) -> list[dict[str, Any]]:
    return [{**_place(h), "户主姓名": h.head.name, "户主证件号码": h.head.id_number, "户类型": h.household_type,
             "家庭人口数": len(h.members), "工资性收入": h.wage_income, "生产经营性收入": h.business_income,
             "转移性收入": h.transfer_income, "合规自付支出": h.out_of_pocket, **h.extras} for h in households]


def spell_rows(households: list[Household]) -> list[dict[str, Any]]:
    out = []
    for h in households:
        for p in h.members:
            for s in p.spells:
                out.append({**_place(h), "姓名": p.name, "证件号码": p.id_number,
                            "性别": "男" if int(p.id_number[16]) % 2 else "女", "是否已务工": "是",
                            "务工所在地": s.place, "务工所在县": s.county, "开始时间": s.start, "结束时间": s.end,
                            "就业渠道": s.channel, "务工企业名称": s.employer, "所属行业": s.industry,
                            "务工月收入": s.income, "是否点对点输送": s.point_to_point,
                            "年度交通费补助": s.subsidy, **s.extras})
    return out


def planned_rows(households: list[Household]) -> list[dict[str, Any]]:
    return [{**_place(h), "姓名": p.name, "证件号码": p.id_number, "是否计划务工": p.planned[0],
             "计划务工所在县": p.planned[1], "就业服务需求": p.planned[2], **p.planned_extras}
            for h in households for p in h.members if p.planned]


def _headers(base: list[str], rows: list[dict], extra: list[str] | None) -> list[str]:
    """The list's columns, then any other column a row carries (unknown to the app)."""
    headers = list(base)
    for row in rows:
        for key in row:
            if key not in headers and (extra is None or key in extra):
                headers.append(key)
    return headers


def write_list(path: Path, kind: str, rows: list[dict[str, Any]], headers: list[str], *,
               title_rows: int = 2, sheet: str = "Sheet1", write_only: bool = False) -> Path:
    """One list workbook: ``title_rows`` title rows (0, 1 or 2) above the header."""
    if write_only:
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet(sheet)
    else:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = sheet
    titles = [TITLES[kind], EXPORT_UNIT][:title_rows]
    for t in titles:
        ws.append([t])
    if not write_only:
        for r in range(1, len(titles) + 1):
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(headers))
    ws.append(headers)
    for i, row in enumerate(rows, start=1):
        ws.append([i if h == "序号" else _cell(row.get(h)) for h in headers])
    wb.save(path)
    return Path(path)


def _cell(value: Any) -> Any:
    return None if value == "" else value


def write_monitoring(path: Path, households: list[Household], **kw) -> Path:
    rows = monitoring_rows(households)
    return write_list(path, "monitoring", rows, _headers(MONITORING_HEADERS, rows, None), **kw)


def write_households(path: Path, households: list[Household], **kw) -> Path:
    rows = household_rows(households)
    return write_list(path, "households", rows, _headers(HOUSEHOLD_HEADERS, rows, None), **kw)


def write_spells(path: Path, households: list[Household], *, with_county: bool = False, **kw) -> Path:
    rows = spell_rows(households)
    base = list(SPELL_HEADERS)
    if with_county:
        base.insert(base.index("务工所在地") + 1, "务工所在县")
    rows = [{k: v for k, v in r.items() if with_county or k != "务工所在县"} for r in rows]
    return write_list(path, "spells", rows, _headers(base, rows, None), **kw)


def write_planned(path: Path, households: list[Household], **kw) -> Path:
    rows = planned_rows(households)
    return write_list(path, "planned", rows, _headers(PLANNED_HEADERS, rows, None), **kw)


def write_all(folder: Path, households: list[Household], **kw) -> list[Path]:
    """The four lists of ``households`` in ``folder`` (names as the system gives them)."""
    folder.mkdir(parents=True, exist_ok=True)
    return [write_monitoring(folder / "监测对象信息.xlsx", households, **kw),
            write_households(folder / "户信息.xlsx", households, **kw),
            write_spells(folder / "已外出务工信息.xlsx", households, **kw),
            write_planned(folder / "计划外出务工信息.xlsx", households, **kw)]


# ---------------------------------------------------------------- a small county for the tests

def small_county() -> list[Household]:
    """Four households covering what the tests need: a monitored 因病 household
    with 合规自付支出 0 (a check-rule finding), 2020 and 2021+ code values,
    unknown columns in every list, a person with three spells (one running),
    an overlapping spell, full-path, bare and ambiguous place names, and the
    planned-work list."""
    h1 = Household(
        "371581109001000101", "烟店镇", "程小集村", household_type="监测户", category="边缘易致贫户",
        since="202306", cleared="否", risks=("因病", "因学"), out_of_pocket=0,
        extras={"是否危房户": "否", "饮水安全": "是"},
        members=[
            Person("张建国", make_id("19700312", 11), phone="13905350001", extras={"数据核验状态": "已核验"},
                   spells=[Spell("2023年03月", "2023年08月", place="江苏省苏州市昆山市", employer="昆山某电子厂",
                                 income=4200, point_to_point="是", subsidy=400, extras={"务工地址详情": "花桥镇"}),
                           Spell("2023年09月", None, place="临清市", channel="帮扶车间", employer="烟店轴承车间",
                                 income=2600),
                           Spell("2022年01月", "2022年12月", place="聊城市东昌府区", employer="东昌府区建筑队",
                                 income=3500)]),
            Person("李秀英", make_id("19720508", 12), relation="配偶", education="文盲", health="长期慢性病",
                   labour="弱劳动力或半劳动力", phone="0635-2345678", dibao="享受", planned=("是", "昆山市", "技能培训")),
            Person("张伟", make_id("20060101", 13), relation="之子", education="", school_status="普通高中一年级",
                   labour="无劳动力"),
        ])
    h2 = Household(
        "371581109001000102", "烟店镇", "程小集村", household_type="脱贫户", risks=("因残",), out_of_pocket=800,
        members=[
            Person("王大力", make_id("19650405", 21), education="大专", health="残疾", disability_category="肢体",
                   disability_grade="三级", labour="弱劳动力或半劳动力", id_type="残疾人证", phone="13805350002",
                   welfare_post="乡村公益性岗位", welfare_months=12,
                   spells=[Spell("2023年01月", "2023年06月", place="临清市", channel="公益性岗位", income=500),
                           # starts before the previous one ended: an overlap
                           Spell("2023年05月", None, place="朝阳区", channel="灵活就业", income=300)]),
            Person("赵桂兰", make_id("19400101", 22), relation="配偶", education="小学", health="健康",
                   labour="丧失劳动力", welfare_post="乡村公益性岗位", welfare_months=6,
                   planned=("否", "", ""), planned_extras={"未计划原因": "年龄大"}),
        ])
    h3 = Household(
        "371581110001000103", "唐园镇", "江大楼村", household_type="监测户", category="突发严重困难户",
        since="2023年10月", cleared="是", clear_method="帮扶消除", cleared_on="2024年05月", risks=("因意外事故",),
        out_of_pocket=1500,
        members=[
            Person("刘玉哲", make_id("19880808", 31), education="本科及以上", phone="1390535000",
                   labour="弱劳动力或半劳动力",
                   spells=[Spell("2024年02月", None, place="山东省济南市历下区", channel="有组织劳务输出",
                                 employer="济南某物流公司", income=5200, point_to_point="是", subsidy=300)]),
            Person("刘晓雨", make_id("20120301", 32), relation="之女", education="", school_status="小学",
                   labour="无劳动力", health="残疾", disability_category="肢体", disability_grade="四级"),
        ])
    h4 = Household(
        "371581110001000104", "唐园镇", "江大楼村", household_type="建档立卡贫困户", risks=("缺劳动力",),
        members=[Person("孙福", make_id("19750615", 41), education="高中", phone="15005350004",
                        planned=("是", "临清市", "岗位信息"),
                        spells=[Spell("2023年07月", "2023年12月", place="临清市", county=None, channel="扶贫车间",
                                      employer="唐园手套车间", income=1800)])])
    return [h1, h2, h3, h4]


# ---------------------------------------------------------------- a county for the benchmark

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华玉兰桂珍建国福"
_TOWNS = [("109", "烟店镇"), ("110", "唐园镇"), ("103", "康庄镇"), ("104", "魏湾镇"), ("101", "松林镇")]
_PLACES = ["临清市", "江苏省苏州市昆山市", "聊城市东昌府区", "山东省济南市历下区", "浙江省宁波市慈溪市",
           "天津市滨海新区", "德州市武城县"]
_CHANNELS = ["企业就业", "帮扶车间", "灵活就业", "有组织劳务输出", "自主创业", "公益性岗位"]


def county(n_members: int = 20_000, n_spells: int = 15_000, *, seed: int = 14) -> list[Household]:
    """About ``n_members`` people in households of 1–5, with ``n_spells``
    work spells spread over the working-age members (several per person)."""
    rnd = random.Random(seed)
    households: list[Household] = []
    people: list[Person] = []
    seq = 0
    k = 0
    seen: set[str] = set()
    while len(people) < n_members:
        k += 1
        code, town = _TOWNS[k % len(_TOWNS)]
        number = f"371581{code}{(k % 40):03d}{k:06d}"
        size = min(rnd.choice((1, 2, 2, 3, 3, 4, 5)), n_members - len(people))
        members = []
        for j in range(size):
            seq += 1
            year = rnd.randint(1950, 2005) if j < 2 else rnd.randint(1995, 2015)
            birth = f"{year}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}"
            area = "371581" if seq % 3 else "372502"
            idn = make_id(birth, seq % 1000, area=area)
            while idn in seen:  # the same birth day and sequence number drawn twice
                seq += 1
                idn = make_id(birth, seq % 1000, area=area)
            seen.add(idn)
            relation = "户主" if j == 0 else ("配偶" if j == 1 else rnd.choice(("之子", "之女")))
            p = Person(rnd.choice(_SURNAMES) + "".join(rnd.sample(_GIVEN, rnd.choice((1, 2)))), idn,
                       relation=relation, education=rnd.choice(("小学", "初中", "高中", "大专", "文盲或半文盲")),
                       phone=f"139{rnd.randint(10_000_000, 99_999_999)}", extras={"数据核验状态": "已核验"})
            members.append(p)
            people.append(p)
        households.append(Household(number, town, f"村{k % 40:02d}", members,
                                    household_type=rnd.choice(("脱贫户", "脱贫户", "监测户")),
                                    risks=(rnd.choice(("因病", "因残", "因学", "缺劳动力")),),
                                    out_of_pocket=rnd.choice((0, 500, 1200)), extras={"是否危房户": "否"}))
    workers = [p for p in people if p.relation in ("户主", "配偶")]
    rnd.shuffle(workers)
    made = 0
    w = 0
    while made < n_spells:
        p = workers[w % len(workers)]
        w += 1
        n = len(p.spells)
        start_year = 2021 + n
        if start_year > 2025:
            continue
        p.spells.append(Spell(f"{start_year}年{rnd.randint(1, 6):02d}月",
                              None if start_year == 2025 else f"{start_year}年{rnd.randint(7, 12):02d}月",
                              place=rnd.choice(_PLACES), channel=rnd.choice(_CHANNELS),
                              employer="某企业", income=rnd.randint(1500, 6000),
                              extras={"务工地址详情": "某地"}))
        made += 1
    return households
