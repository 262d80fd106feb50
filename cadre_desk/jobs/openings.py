"""Enterprises and their job openings: checking, saving, listing, and the
Excel workbook the county office hands round (import all-or-nothing, export
that imports back unchanged).

An opening stores its own location (village / town inside the county, or a
county code / province code outside it), so that 本村/本镇/本县/省内/省外 is
judged against each person's own village by ``matching``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import places
from ..errors import ImportFailed, NotFound, ValidationFailed
from ..paths import resource_path
from ..questionnaire import ERROR, Part, Problem, build_part, coerce, validate
from ..storage import Store
from ..values import to_storage
from ..xlsx import ColumnWidths, close_workbook, open_workbook, print_setup, write_value
from ..xlsx_guard import check_workbook
from . import HOME_ROUTE

# Working days in a month, to turn a day rate into a monthly pay (county may change it).
DEFAULT_WORK_DAYS_PER_MONTH = 22
from ..domain import HIRED_NOW  # noqa: E402  (offers that hold one of an opening's places)

# GB/T 2260 province-level codes, so a labour-export opening can name its province.
PROVINCES = {
    "110000": "北京市", "120000": "天津市", "130000": "河北省", "140000": "山西省", "150000": "内蒙古自治区",
    "210000": "辽宁省", "220000": "吉林省", "230000": "黑龙江省", "310000": "上海市", "320000": "江苏省",
    "330000": "浙江省", "340000": "安徽省", "350000": "福建省", "360000": "江西省", "370000": "山东省",
    "410000": "河南省", "420000": "湖北省", "430000": "湖南省", "440000": "广东省", "450000": "广西壮族自治区",
    "460000": "海南省", "500000": "重庆市", "510000": "四川省", "520000": "贵州省", "530000": "云南省",
    "540000": "西藏自治区", "610000": "陕西省", "620000": "甘肃省", "630000": "青海省", "640000": "宁夏回族自治区",
    "650000": "新疆维吾尔自治区", "710000": "台湾省", "810000": "香港特别行政区", "820000": "澳门特别行政区",
}
_PROVINCE_BY_NAME = {name: code for code, name in PROVINCES.items()}
_PROVINCE_BY_NAME.update({re.sub(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$", "", name): code
                          for code, name in PROVINCES.items()})


def work_days_per_month(store: Store) -> int:
    return int(store.get_setting("work_days_per_month", DEFAULT_WORK_DAYS_PER_MONTH))


def monthly_pay(pay: float | None, unit: str | None, estimate: float | None,
                days: int = DEFAULT_WORK_DAYS_PER_MONTH) -> float | None:
    """Pay as yuan a month: 元/月 as is, 元/天 × working days, 计件 the stored
    estimate (None when the county gave none)."""
    if unit == "计件":
        return float(estimate) if estimate else None
    if pay is None:
        return None
    if unit == "元/天":
        return float(pay) * days
    return float(pay)


def province_code(raw: Any) -> str | None:
    """A province from its name (江苏省 / 江苏) or 6-digit code; None if unknown."""
    text = str(raw or "").strip()
    if not text:
        return None
    if re.fullmatch(r"\d{6}", text):
        code = text[:2] + "0000"
        return code if code in PROVINCES else None
    return _PROVINCE_BY_NAME.get(text)


def own_county(store: Store) -> dict:
    return places.county(store)


# ---------------------------------------------------------------- enterprises

def ensure_enterprise(store: Store, name: str, *, town_id: str | None = None, contact: str | None = None,
                      phone: str | None = None, is_workshop: bool | None = None) -> str:
    """The enterprise of that name (created when new); given details are updated."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed([Problem("enterprise", "请填写企业名称")])
    details = {k: v for k, v in {"town_id": town_id, "contact": contact, "phone": phone,
                                  "is_workshop": None if is_workshop is None else int(is_workshop)}.items()
               if v is not None}
    rows = store.rows("SELECT id FROM enterprises WHERE name = ? AND deleted = 0", [name])
    if rows:
        if details:
            store.update("enterprises", rows[0]["id"], details)
        return rows[0]["id"]
    return store.insert("enterprises", {"name": name, "town_id": town_id, "contact": contact, "phone": phone,
                                        "is_workshop": int(bool(is_workshop))})


def enterprises(store: Store) -> list[dict]:
    return store.rows("SELECT e.*, t.name AS town_name FROM enterprises e LEFT JOIN towns t ON t.id = e.town_id "
                      "WHERE e.deleted = 0 ORDER BY e.name")


# ---------------------------------------------------------------- openings: checking

OPENING_FIELDS = (
    "title", "route", "village_id", "town_id", "county_code", "province_code", "location", "pay", "pay_unit",
    "monthly_pay_estimate", "hours", "places", "min_education", "labour_abilities", "age_min", "age_max",
    "skills", "physical_demands", "suitable_disabled", "suitable_home_bound", "valid_from", "valid_until",
    "description",
)
_LOOKED_UP = ("town_id", "village_id", "county_code", "province_code")  # places: looked up, not in the definition


@lru_cache(maxsize=1)
def opening_part() -> Part:
    """The opening as a questionnaire-style part (``resources/openings.json``):
    its fields, code lists, ranges, required answers and rules, checked by the
    shared validation engine."""
    return build_part("opening", json.loads(resource_path("openings.json").read_text(encoding="utf-8")))


def check_opening(store: Store, raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Turn raw values (a form, an Excel row) into a stored opening row.

    The answers are checked by the validation engine against ``opening_part``
    (types, code lists, ranges, required answers, rules); what is left here is
    looking places up. Location may come as ids (``town_id``/``village_id``)
    or names (``town``, ``village``); ``province`` takes a name or code.
    Returns the row and the Chinese problems (empty when it can be saved).
    Villages named but not yet in the register are created on save, not here
    (see ``save_opening``)."""
    part = opening_part()
    values, problems = validate(part, {k: raw[k] for k in part.by_key if k in raw})
    p = [problem.message for problem in problems if problem.severity == ERROR]
    row: dict[str, Any] = {k: values.get(k) for k in OPENING_FIELDS if k not in _LOOKED_UP}
    for key in ("labour_abilities", "skills"):
        row[key] = to_storage(part.by_key[key], values.get(key) or [])
    row["suitable_disabled"] = int(bool(values.get("suitable_disabled")))
    home = values.get("suitable_home_bound")
    row["suitable_home_bound"] = 1 if home is None and row["route"] == HOME_ROUTE else int(bool(home))
    row["title"] = row["title"] or ""

    county = own_county(store)
    town_id, village_name = raw.get("town_id"), str(raw.get("village") or "").strip()
    if not town_id and str(raw.get("town") or "").strip():
        town = places.town_by_name(store, str(raw["town"]))
        if town is None:
            p.append(f"乡镇（街道）“{raw['town']}”不在{county['name']}，请检查名称")
        else:
            town_id = town["id"]
    village_id = raw.get("village_id")
    if village_id and not town_id:
        town_id = store.get("villages", village_id)["town_id"]
    if village_name and not village_id and not town_id:
        p.append(f"填写了村“{village_name}”，请同时填写所在乡镇（街道）")
    row["town_id"], row["village_id"] = town_id or None, village_id or None
    row["_village_name"] = village_name if not village_id else None
    county_code = str(raw.get("county_code") or "").strip()
    if county_code.endswith(".0"):
        county_code = county_code[:-2]
    if county_code and not re.fullmatch(r"\d{6}", county_code):
        p.append(f"县(市)代码“{county_code}”应为 6 位数字，如 320583")
        county_code = ""
    province = raw.get("province_code") or raw.get("province")
    prov = province_code(province) if province not in (None, "") else None
    if province not in (None, "") and prov is None:
        p.append(f"省份“{province}”不认识，请填省份名称（如 江苏省）或 6 位代码")
    if town_id:
        county_code = county["code"]
    if county_code and not prov:
        prov = county_code[:2] + "0000"
    row["county_code"], row["province_code"] = county_code or None, prov
    if not (town_id or county_code or prov) and row["route"] != HOME_ROUTE:
        p.append("请填写工作地点：县内岗位填所在乡镇（街道），县外岗位填县(市)代码或省份")
    return row, p


def _finish_row(store: Store, row: dict[str, Any]) -> dict[str, Any]:
    village_name = row.pop("_village_name", None)
    if village_name:
        row["village_id"] = places.ensure_village(store, row["town_id"], village_name)
    return row


def save_opening(store: Store, raw: Mapping[str, Any], *, opening_id: str | None = None) -> str:
    """Create or update an opening from raw values; ``enterprise`` (name) or
    ``enterprise_id`` names its employer. Raises ``ValidationFailed`` (nothing
    written) when something is wrong."""
    row, problems = check_opening(store, raw)
    enterprise_id = raw.get("enterprise_id")
    if not enterprise_id and not str(raw.get("enterprise") or "").strip():
        problems.insert(0, "请填写企业名称")
    if problems:
        raise ValidationFailed([Problem(None, m) for m in problems])
    with store.transaction():
        if not enterprise_id:
            enterprise_id = ensure_enterprise(store, str(raw["enterprise"]))
        row = _finish_row(store, row)
        row["enterprise_id"] = enterprise_id
        if opening_id is None:
            return store.insert("openings", row)
        store.update("openings", opening_id, row)
    return opening_id


def delete_opening(store: Store, opening_id: str) -> None:
    store.delete("openings", opening_id)


# ---------------------------------------------------------------- openings: reading

_SELECT = ("SELECT o.*, e.name AS employer, e.is_workshop, t.name AS town_name, v.name AS village_name "
           "FROM openings o LEFT JOIN enterprises e ON e.id = o.enterprise_id "
           "LEFT JOIN towns t ON t.id = o.town_id LEFT JOIN villages v ON v.id = o.village_id ")


def decode_opening(row: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for key in ("labour_abilities", "skills"):
        out[key] = json.loads(out[key]) if out.get(key) else []
    return out


def filled_places(store: Store) -> dict[str, int]:
    """Per opening, how many places are taken (offers 录用 or 在岗)."""
    return {r["opening_id"]: r["n"] for r in store.rows(
        f"SELECT opening_id, count(*) AS n FROM offers WHERE deleted = 0 AND status IN "
        f"({', '.join('?' * len(HIRED_NOW))}) GROUP BY opening_id", HIRED_NOW)}


def list_openings(store: Store, *, include_deleted: bool = False) -> list[dict[str, Any]]:
    """Every opening with its employer, place names, monthly pay and places taken."""
    rows = store.rows(_SELECT + ("" if include_deleted else "WHERE o.deleted = 0 ")
                      + "ORDER BY e.name, o.title, o.id")
    filled = filled_places(store)
    days = work_days_per_month(store)
    out = []
    for r in rows:
        o = decode_opening(r)
        o["filled"] = filled.get(o["id"], 0)
        o["monthly_pay"] = monthly_pay(o["pay"], o["pay_unit"], o["monthly_pay_estimate"], days)
        out.append(o)
    return out


def get_opening(store: Store, opening_id: str) -> dict[str, Any]:
    rows = store.rows(_SELECT + "WHERE o.id = ? AND o.deleted = 0", [opening_id])
    if not rows:
        raise NotFound("找不到这个岗位，它可能已被删除")
    o = decode_opening(rows[0])
    o["filled"] = filled_places(store).get(opening_id, 0)
    o["monthly_pay"] = monthly_pay(o["pay"], o["pay_unit"], o["monthly_pay_estimate"], work_days_per_month(store))
    return o


def find_opening(store: Store, key: str) -> dict[str, Any]:
    """An opening by its id or a unique beginning of it (as listed: 8 characters)."""
    return get_opening(store, store.id_by_prefix("openings", key, what="岗位", listing="cadre-desk openings",
                                                 measure="个"))


def place_label(o: Mapping[str, Any]) -> str:
    """Where an opening is, in words (烟店镇李庄村 / 江苏省 苏州市工业园区)."""
    if o.get("town_name"):
        text = o["town_name"] + (o.get("village_name") or "")
    elif o.get("county_code"):
        text = f"{PROVINCES.get(o.get('province_code') or '', '')}（县市代码 {o['county_code']}）"
    elif o.get("province_code"):
        text = PROVINCES.get(o["province_code"], o["province_code"])
    else:
        text = ""
    if o.get("location"):
        text = f"{text} {o['location']}".strip()
    return text or ("送料到户" if o.get("route") == HOME_ROUTE else "")


def pay_label(o: Mapping[str, Any], monthly: float | None = None) -> str:
    """'月薪 2,800 元', '日薪 90 元，约月薪 1,980 元', '计件，约月薪 1,500 元'."""
    unit, pay = o.get("pay_unit"), o.get("pay")
    if monthly is None:
        monthly = o.get("monthly_pay")
    if monthly is None:
        monthly = monthly_pay(pay, unit, o.get("monthly_pay_estimate"))
    if unit == "元/月" and pay is not None:
        return f"月薪 {pay:,.0f} 元"
    if unit == "元/天" and pay is not None:
        return f"日薪 {pay:,.0f} 元，约月薪 {monthly:,.0f} 元"
    if unit == "计件":
        return f"计件，约月薪 {monthly:,.0f} 元" if monthly else "计件工资"
    return "工资面议"


# ---------------------------------------------------------------- Excel

# (header, key, alias headers). Order is the export's column order.
EXCEL_COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("岗位编号", "id", ()),
    ("企业名称", "enterprise", ("用工单位", "企业")),
    ("企业所在乡镇", "enterprise_town", ()),
    ("联系人", "contact", ()),
    ("联系电话", "phone", ("电话",)),
    ("扶贫车间", "is_workshop", ("是否扶贫车间",)),
    ("岗位名称", "title", ("岗位",)),
    ("就业渠道", "route", ("岗位类型",)),
    ("所在乡镇", "town", ("乡镇", "乡(镇)")),
    ("所在村", "village", ("村", "行政村")),
    ("县(市)代码", "county_code", ("县市代码",)),
    ("省份", "province", ("所在省份",)),
    ("工作地点", "location", ("详细地点",)),
    ("工资", "pay", ("工资标准",)),
    ("工资单位", "pay_unit", ()),
    ("折合月薪", "monthly_pay_estimate", ("计件折合月薪",)),
    ("工作时间", "hours", ()),
    ("招聘人数", "places", ("人数",)),
    ("最低文化程度", "min_education", ("文化程度要求",)),
    ("接受的劳动技能", "labour_abilities", ("劳动技能要求",)),
    ("最小年龄", "age_min", ()),
    ("最大年龄", "age_max", ()),
    ("技能要求", "skills", ()),
    ("体力要求", "physical_demands", ()),
    ("适合残疾人", "suitable_disabled", ()),
    ("适合居家", "suitable_home_bound", ("适合不能外出人员",)),
    ("有效期起", "valid_from", ()),
    ("有效期止", "valid_until", ()),
    ("岗位说明", "description", ("备注",)),
)
_REQUIRED_HEADERS = ("企业名称", "岗位名称", "就业渠道")
_ID = re.compile(r"^[0-9a-f]{32}$")


def _canon_header(text: Any) -> str:
    return re.sub(r"\s+", "", str(text or "")).replace("（", "(").replace("）", ")")


def _header_map() -> dict[str, str]:
    out = {}
    for header, key, aliases in EXCEL_COLUMNS:
        for name in (header, *aliases):
            out[_canon_header(name)] = key
    return out


def read_openings_workbook(path: str | Path) -> list[tuple[int, dict[str, Any]]]:
    """The rows of the first sheet as (Excel row number, {key: value}); the
    header row is found by its names (a title row above it is skipped)."""
    from python_calamine import CalamineError, CalamineWorkbook

    path = Path(path)
    if not path.exists():
        raise ImportFailed(f"找不到文件 {path.name}，请检查路径")
    check_workbook(path)  # issue 12 §5: a huge sheet or a zip bomb is refused before reading
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError) as exc:
        raise ImportFailed(f"无法读取 {path.name}：不是有效的 Excel 文件（{exc}）。请用 Excel 另存为 .xlsx 后重试") \
            from None
    from ..roster.read import find_header

    names = _header_map()
    lines = iter(sheet)
    found = find_header(lines, lambda cells: {"title", "route"} <= {names.get(_canon_header(c)) for c in cells}, 15)
    if found is None:
        raise ImportFailed(f"{path.name} 中找不到表头：需要“{'”“'.join(_REQUIRED_HEADERS)}”等列。"
                           "请用 cadre-desk export-openings 导出的模板填写")
    header_index, header = found
    columns = [names.get(_canon_header(c)) for c in header]
    rows = []
    for i, cells in enumerate(lines, start=header_index + 2):
        values = {}
        for key, cell in zip(columns, cells):
            if key is None:
                continue
            if isinstance(cell, str):
                cell = cell.strip()
            values[key] = None if cell == "" else cell
        if all(v is None for v in values.values()):
            continue
        rows.append((i, values))
    return rows


def _excel_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def import_openings(store: Store, path: str | Path) -> dict[str, int]:
    """Read openings from an Excel workbook: all rows are checked first; if any
    row is wrong, nothing is saved and ``ImportFailed`` lists every bad row
    (第 N 行：reason). Rows with a 岗位编号 already in the database update it.
    Returns {"added": n, "updated": m}."""
    rows = read_openings_workbook(path)
    problems: list[str] = []
    checked = []
    seen_ids: dict[str, int] = {}
    for line, values in rows:
        raw = {k: (_excel_text(v) if k in ("county_code", "phone", "id", "province") else v)
               for k, v in values.items()}
        row, p = check_opening(store, raw)
        if not str(raw.get("enterprise") or "").strip():
            p.insert(0, "请填写企业名称")
        if raw.get("enterprise_town") and places.town_by_name(store, str(raw["enterprise_town"])) is None:
            p.append(f"企业所在乡镇“{raw['enterprise_town']}”不认识，请检查名称")
        opening_id = str(raw.get("id") or "").strip().lower() or None
        if opening_id and not _ID.match(opening_id):
            p.append(f"岗位编号“{opening_id}”不是本程序导出的编号；新岗位请留空")
        elif opening_id in seen_ids:
            p.append(f"岗位编号与第 {seen_ids[opening_id]} 行重复")
        if opening_id:
            seen_ids.setdefault(opening_id, line)
        for message in p:
            problems.append(f"第 {line} 行：{message}")
        checked.append((raw, row, opening_id))
    if problems:
        raise ImportFailed(f"{Path(path).name} 有 {len({m.split('：')[0] for m in problems})} 行有问题，"
                           f"没有导入任何岗位。请改正后重新导入：{problems[0]}", problems)
    if not checked:
        raise ImportFailed(f"{Path(path).name} 里没有岗位数据")
    added = updated = 0
    workshop = opening_part().by_key["is_workshop"]  # checked with the row: a good value here
    with store.transaction():
        for raw, row, opening_id in checked:
            town = places.town_by_name(store, str(raw["enterprise_town"])) if raw.get("enterprise_town") else None
            enterprise_id = ensure_enterprise(
                store, str(raw["enterprise"]), town_id=town["id"] if town else None,
                contact=_excel_text(raw.get("contact")) or None, phone=_excel_text(raw.get("phone")) or None,
                is_workshop=bool(coerce(workshop, raw.get("is_workshop"))))
            row = _finish_row(store, row)
            row["enterprise_id"] = enterprise_id
            exists = opening_id and store.rows("SELECT id FROM openings WHERE id = ?", [opening_id])
            if exists:
                store.update("openings", opening_id, {**row, "deleted": 0})
                updated += 1
            else:
                store.insert("openings", row, row_id=opening_id)
                added += 1
    return {"added": added, "updated": updated}


def export_openings(store: Store, path: str | Path) -> int:
    """Write every opening to an Excel workbook that ``import_openings`` reads
    back unchanged; returns the number of openings written."""
    openings = list_openings(store)
    ents = {e["id"]: e for e in enterprises(store)}
    path = Path(path)
    wb = open_workbook(path)
    ws = wb.add_worksheet("岗位")
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    text = wb.add_format({"num_format": "@"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    # 岗位编号 (32 characters, for re-import) goes last: the printed pages
    # start with what a reader looks for. Import finds columns by header.
    columns = [c for c in EXCEL_COLUMNS if c[1] != "id"] + [c for c in EXCEL_COLUMNS if c[1] == "id"]
    headers = [header for header, _, _ in columns]
    widths = ColumnWidths(headers, high=30)
    for col, header in enumerate(headers):
        ws.write_string(0, col, header, head)
    for r, o in enumerate(openings, start=1):
        e = ents.get(o["enterprise_id"], {})
        values = {
            "id": o["id"], "enterprise": o.get("employer") or "", "enterprise_town": e.get("town_name") or "",
            "contact": e.get("contact") or "", "phone": e.get("phone") or "",
            "is_workshop": "是" if e.get("is_workshop") else "否", "title": o["title"], "route": o["route"],
            "town": o.get("town_name") or "", "village": o.get("village_name") or "",
            "county_code": "" if o.get("town_id") else (o.get("county_code") or ""),
            "province": PROVINCES.get(o.get("province_code") or "", "") if not o.get("town_id") else "",
            "location": o.get("location") or "", "pay": o.get("pay"), "pay_unit": o.get("pay_unit") or "",
            "monthly_pay_estimate": o.get("monthly_pay_estimate"), "hours": o.get("hours") or "",
            "places": o.get("places"), "min_education": o.get("min_education") or "",
            "labour_abilities": "、".join(o["labour_abilities"]), "age_min": o.get("age_min"),
            "age_max": o.get("age_max"), "skills": "、".join(o["skills"]),
            "physical_demands": o.get("physical_demands") or "",
            "suitable_disabled": "是" if o.get("suitable_disabled") else "否",
            "suitable_home_bound": "是" if o.get("suitable_home_bound") else "否",
            "valid_from": o.get("valid_from"), "valid_until": o.get("valid_until"),
            "description": o.get("description") or "",
        }
        for col, (_, key, _) in enumerate(columns):
            value = values[key]
            if key in ("valid_from", "valid_until") and value:
                value = dt.date.fromisoformat(value)
            write_value(ws, r, col, value, date_format=date_fmt)
            widths.see(col, value.isoformat() if isinstance(value, dt.date) else value)
    widths.apply(ws, dict.fromkeys(range(len(headers)), text))
    print_setup(ws, pages_wide=2)
    ws.freeze_panes(1, 0)
    close_workbook(wb, path)
    return len(openings)
