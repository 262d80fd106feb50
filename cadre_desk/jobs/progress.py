"""Who is still not employed, and the county's progress in an Excel workbook.

``not_employed`` lists the working-age people with labour capacity
(domain.md §4, the same definition as ``stats.compute_stats``) whose 就业状态
is not 已就业, with where they live and what was last done for them, so the
dashboard can drill down to the person. ``export_progress`` writes the figures
of ``compute_stats`` and that list to one workbook.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from .. import places
from ..idnumber import mask_id
from ..domain import ABLE_LABOUR, birthday_cutoff, working_age_bounds
from ..stats import compute_stats
from ..storage import Store
from ..xlsx import ColumnWidths, close_workbook, open_workbook, print_setup, write_value


def not_employed(store: Store, as_of: dt.date, *, town: str | None = None,
                 village: str | None = None) -> list[dict[str, Any]]:
    """Working-age members with labour capacity who are not 已就业, by town,
    village, household number and name."""
    low, high = working_age_bounds(store)
    where, params = places.household_scope(store, town=town, village=village)
    sql = (
        "SELECT m.id, m.name, m.id_number, m.sex, m.birth_date, m.labour_ability, m.health, m.job_intention, "
        "m.skills, m.stay_home_reasons, m.training_needs, m.household_id, h.number AS household_number, "
        "t.name AS town, v.name AS village, "
        "(SELECT max(r.recommended_on) FROM recommendations r WHERE r.member_id = m.id AND r.deleted = 0) "
        "  AS last_recommended, "
        "(SELECT count(*) FROM applications a WHERE a.member_id = m.id AND a.deleted = 0) AS applications "
        "FROM members m JOIN households h ON h.id = m.household_id "
        "LEFT JOIN villages v ON v.id = h.village_id LEFT JOIN towns t ON t.id = v.town_id "
        f"WHERE m.deleted = 0 AND h.deleted = 0 AND ({where}) "
        "AND m.birth_date IS NOT NULL AND m.birth_date <= ? AND m.birth_date > ? "
        f"AND m.labour_ability IN ({', '.join('?' * len(ABLE_LABOUR))}) "
        "AND (m.school_status IS NULL OR m.school_status = '' OR m.school_status = '非在校生') "
        "AND (m.employment_status IS NULL OR m.employment_status != '已就业') "
        "ORDER BY t.code, v.code, h.number, m.birth_date"
    )
    rows = store.rows(sql, [*params, birthday_cutoff(as_of, low), birthday_cutoff(as_of, high), *ABLE_LABOUR])
    for r in rows:
        for key in ("health", "skills", "stay_home_reasons", "training_needs"):
            r[key] = json.loads(r[key]) if r[key] else []
        born = dt.date.fromisoformat(r["birth_date"])
        r["age"] = as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))
    return rows


FIGURE_ROWS = (
    ("working_age_able", "劳动年龄内有劳动能力的贫困人口"),
    ("employed", "已实现就业"),
    ("employment_rate", "就业率"),
    ("applied", "提出岗位申请"),
    ("placed_by_recommendation", "其中：推荐就业"),
    ("self_employed", "自主创业"),
    ("driven_by_self_employed", "带动就业"),
    ("public_welfare_posts", "公益性岗位人数"),
    ("public_welfare_subsidy_yuan", "公益性岗位补贴（元，当年）"),
)

NOT_EMPLOYED_COLUMNS = (("town", "乡镇（街道）", 14), ("village", "行政村", 12), ("household_number", "户编号", 16),
                        ("name", "姓名", 10), ("id_number", "证件号码", 22), ("sex", "性别", 6), ("age", "年龄", 6),
                        ("labour_ability", "劳动技能", 16), ("health", "健康状况", 14),
                        ("job_intention", "就业意愿", 14), ("skills", "技能特长", 16),
                        ("stay_home_reasons", "不能外出原因", 18), ("last_recommended", "最近推荐日期", 14),
                        ("applications", "岗位申请数", 10))


def scope_title(figures: dict[str, Any]) -> str:
    return figures["county"] + (figures.get("town") or "") + (figures.get("village") or "")


def export_progress(store: Store, path: str | Path, as_of: dt.date, *, town: str | None = None,
                    village: str | None = None, mask_ids: bool = True) -> dict[str, Any]:
    """Write the figures and the not-employed list to ``path`` (.xlsx); returns
    the figures. A copy for reading: ID numbers keep only their first 6 and
    last 4 digits unless ``mask_ids`` is False. Printed landscape to the page
    width, the header row on every page, columns as wide as their content."""
    figures = compute_stats(store, as_of, town=town, village=village)
    people = not_employed(store, as_of, town=town, village=village)
    path = Path(path)
    wb = open_workbook(path)
    title = wb.add_format({"font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    pct = wb.add_format({"num_format": "0.0%"})
    money = wb.add_format({"num_format": "#,##0.00"})
    text = wb.add_format({"num_format": "@"})

    ws = wb.add_worksheet("进度")
    ws.set_column(0, 0, 36)
    ws.set_column(1, 1, 16)
    ws.write_string(0, 0, f"{scope_title(figures)} 就业帮扶进度（截至 {figures['as_of']}）", title)
    ws.write_row(2, 0, ["项目", "数值"], head)
    row = 3
    for key, label in FIGURE_ROWS:
        value = figures[key]
        fmt = pct if key == "employment_rate" else money if key.endswith("_yuan") else None
        ws.write_string(row, 0, label)
        ws.write_number(row, 1, value, fmt)
        row += 1
        if key == "employed":
            for channel, count in figures["by_channel"].items():
                ws.write_string(row, 0, f"  其中：{channel}")
                ws.write_number(row, 1, count)
                row += 1

    print_setup(ws, landscape=False, header_rows=0)

    ws2 = wb.add_worksheet("未就业人员")
    headers = [header for _, header, _ in NOT_EMPLOYED_COLUMNS]
    widths = ColumnWidths(headers, high=24)
    for col, header in enumerate(headers):
        ws2.write_string(0, col, header, head)
    for r, person in enumerate(people, start=1):
        for col, (key, _, _) in enumerate(NOT_EMPLOYED_COLUMNS):
            value = person.get(key)
            if key == "id_number" and mask_ids:
                value = mask_id(value)
            if key in ("id_number", "household_number") and value:
                ws2.write_string(r, col, str(value))  # never a number
            else:
                write_value(ws2, r, col, value)
            widths.see(col, value)
    widths.apply(ws2, {col: text for col, (key, _, _) in enumerate(NOT_EMPLOYED_COLUMNS)
                       if key in ("id_number", "household_number")})
    print_setup(ws2)
    ws2.freeze_panes(1, 0)
    close_workbook(wb, path)
    return {**figures, "not_employed": len(people)}
