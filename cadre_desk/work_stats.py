"""务工监测: the county's work figures from the work spells (domain.md §11), and
the monitoring figures of 防止返贫动态监测.

- ``workers(store, as_of)``: people with a work spell covering the month of
  ``as_of``, each person once, split 县内 / 省内县外 / 省外 by the place's
  division code (the county's own code, another county of the same province,
  another province). When one person's spells overlap that month, the
  later-started spell decides the place and the channel.
- ``monthly(store, year)``: the same figure for every month of ``year`` (up to
  the current month), by channel, with the same month of the previous year and
  the year's target (setting ``work_target.YYYY``): the ``work-stats --json``
  shape.
- ``monitoring(store, as_of)``: households of 户类型 监测户 identified
  (识别监测时间) in or before the month of ``as_of``, their members who have not
  left, by 监测对象类别, and those whose risk was cleared (风险已消除, 消除监测时间
  in or before that month).
- ``workers_by_area(store, as_of)``: ``workers`` per town, or per village of
  a town (the drill-down).
- ``ended_without_new(store, as_of)``: the cadre's to-do list, people whose
  last spell ended by the month of ``as_of`` and who have no spell running or
  starting after it.
- the ``monthly`` figures as a workbook to file: ``work_stats_workbook``.

A person counts in a month while a member of the register at its end: neither
the member nor the household deleted, and not left (``left_on``) by the month's
last day (as ``spells.working_on`` counts). Places are decided by
``spells.scope_sql`` (the county's own and older codes); channels are spelled
as the county's terms spell them (扶贫车间 or 帮扶车间), as in ``stats``.
Everything is counted in SQL, one statement per figure and never a Python loop
per person (``_count_months`` says how the months are counted); at 20,000
members and 15,000 spells a year's series takes about 140 ms CPU, one month
about 50 ms (benchmarks/bench_work_stats.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import places, spells, terms
from .codes import code_list
from .domain import age_from_birth_date
from .storage import Store

IN_COUNTY, IN_PROVINCE, OUT_OF_PROVINCE = "县内", "省内县外", "省外"
SCOPES = (IN_COUNTY, IN_PROVINCE, OUT_OF_PROVINCE)
# A spell whose place resolved to no code (or only to the home province) is
# counted in the total and under this key, present only when non-zero.
PLACE_UNKNOWN = "地点不详"
CHANNEL_MISSING = "未填写"  # as stats.CHANNEL_MISSING

MONITORED = "监测户"
CATEGORIES = ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")
TARGET_SETTING = "work_target.{year}"


# ---------------------------------------------------------------- helpers

def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _months(year: int, until: str | None = None) -> list[str]:
    months = [f"{year:04d}-{m:02d}" for m in range(1, 13)]
    return [m for m in months if until is None or m <= until]


def _scope(store: Store, town: str | None, village: str | None) -> tuple[str, list[Any]]:
    """SQL condition on ``h`` (households) for a town or village, as stats counts it."""
    from .stats import _scope as stats_scope

    where, params, _ = stats_scope(store, town, village)
    return where, params


def _empty_figures() -> dict[str, Any]:
    return {"total": 0, IN_COUNTY: 0, IN_PROVINCE: 0, OUT_OF_PROVINCE: 0}


def _next_month(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}"


def _count_months(store: Store, months: list[str], *, town: str | None = None,
                  village: str | None = None) -> dict[str, dict[str, Any]]:
    """For each month: total, the three places (and 地点不详 when any) and
    ``by_channel`` of the people working in it.

    One statement. The spells of the scope's members touching the months are
    read once with the member's last month in the register (the month before
    the one they left in). A person whose spells there never overlap is
    covered by at most one spell a month, so spells can be counted instead of
    people: each spell adds one from its first month to its last, kept as a
    +1 at the start and a -1 after the end, grouped by month, place and
    channel, and summed up month by month here (a few hundred groups, never
    a row per person and month). The few people with overlapping spells (a
    check-rule warning) are counted person by month, the later-started spell
    deciding: the bare columns of a max() group come from the row holding the
    maximum (SQLite)."""
    codes = code_list("employment_channel")
    spelling = terms.current(store)
    out = {m: {**_empty_figures(), "by_channel": dict.fromkeys(codes.names(spelling), 0)} for m in months}
    if not months:
        return out
    first, last = min(months), max(months)
    where, scope_params = _scope(store, town, village)
    if where == "1":  # the whole county: no household lookup per spell
        member_ok = "m.household_id NOT IN (SELECT id FROM households WHERE deleted <> 0)"
    else:
        member_ok = f"m.household_id IN (SELECT h.id FROM households h WHERE h.deleted = 0 AND ({where}))"
    case, case_params = spells.scope_sql(store, county_column="nullif(county_code, '')",
                                         province_column="nullif(province_code, '')")
    values = ", ".join("(?)" for _ in months)
    sql = (
        f"WITH months(month) AS (VALUES {values}), "
        # (+start_month: a plain scan of the spells beats the month index here)
        "spell AS MATERIALIZED ("
        "  SELECT s.member_id, s.start_month AS st, coalesce(nullif(s.end_month, ''), '9999-12') AS en, "
        "         s.county_code, s.province_code, s.channel, "
        "         CASE WHEN m.left_on IS NULL OR m.left_on = '' THEN '9999-12' "
        "              ELSE strftime('%Y-%m', m.left_on, 'start of month', '-1 month') END AS last_in "
        "  FROM work_spells s JOIN members m ON m.id = s.member_id "
        "  WHERE s.deleted = 0 AND +m.deleted = 0 AND +s.start_month <= ? "
        f"    AND (s.end_month IS NULL OR s.end_month = '' OR s.end_month >= ?) AND {member_ok}), "
        # people with a spell that another of their spells starts inside
        "overlapping AS MATERIALIZED ("
        "  SELECT DISTINCT sp.member_id FROM spell sp WHERE EXISTS (SELECT 1 FROM work_spells t "
        "    WHERE t.member_id = sp.member_id AND t.deleted = 0 AND t.start_month > sp.st AND t.start_month <= sp.en)), "
        "tangled AS MATERIALIZED (SELECT * FROM spell WHERE member_id IN overlapping), "
        "simple AS MATERIALIZED ("
        "  SELECT max(st, ?) AS a, min(en, last_in, ?) AS b, county_code, province_code, channel FROM spell "
        "  WHERE member_id NOT IN overlapping) "
        f"SELECT 1, a, {case} AS place, channel, count(*) FROM simple WHERE a <= b GROUP BY 2, 3, 4 "
        "UNION ALL "
        f"SELECT -1, b, {case} AS place, channel, count(*) FROM simple WHERE a <= b GROUP BY 2, 3, 4 "
        "UNION ALL "
        f"SELECT 0, month, {case} AS place, channel, count(*) FROM ("
        "  SELECT mo.month AS month, f.member_id, max(f.st), f.county_code, f.province_code, f.channel "
        "  FROM months mo JOIN tangled f ON f.st <= mo.month AND f.en >= mo.month AND f.last_in >= mo.month "
        "  GROUP BY mo.month, f.member_id) GROUP BY 2, 3, 4"
    )
    params = [*months, last, first, *scope_params, first, last, *case_params, *case_params, *case_params]
    starts: dict[str, dict[tuple, int]] = {}
    direct: dict[str, dict[tuple, int]] = {}
    for sign, month, place, channel, n in store.db.execute(sql, params):
        key = (place or PLACE_UNKNOWN, codes.spelled(channel, spelling) if channel else CHANNEL_MISSING)
        if sign == 0:
            bucket, value = direct.setdefault(month, {}), n
        else:
            # a spell ending in month b stops counting the month after
            bucket, value = starts.setdefault(month if sign > 0 else _next_month(month), {}), sign * n
        bucket[key] = bucket.get(key, 0) + value
    running: dict[tuple, int] = {}
    month, wanted = first, set(months)
    while month <= last:
        for key, n in starts.get(month, {}).items():
            running[key] = running.get(key, 0) + n
        if month in wanted:
            f = out[month]
            for source in (running, direct.get(month, {})):
                for (place, channel), n in source.items():
                    if n:
                        f["total"] += n
                        f[place] = f.get(place, 0) + n
                        f["by_channel"][channel] = f["by_channel"].get(channel, 0) + n
        month = _next_month(month)
    return out


# ---------------------------------------------------------------- the figures

def workers(store: Store, as_of: dt.date, *, town: str | None = None,
            village: str | None = None) -> dict[str, int]:
    """``{"total", "县内", "省内县外", "省外"}`` for the month of ``as_of`` (and
    ``"地点不详"`` when a working person's place has no code): the figures of
    ``_count_months`` for that one month, in one statement that reads neither
    a spell's row nor its member's (the dashboard asks on every refresh).

    Each person of the register at the month's end with a spell covering the
    month counts once, the later-started spell deciding the place: the spells
    are grouped by person in the order of the index on (member, start, end,
    codes) (migration 0291), so the grouping needs no sort and the bare
    columns come from the row holding max(start_month) (SQLite). Who is not
    in the register that month is a short list for the whole county (deleted,
    left, or in a deleted household: the partial index
    ``members_not_counted``); a town or village lists its own members."""
    month = month_of(as_of)
    where, scope_params = _scope(store, town, village)
    last_in = ("CASE WHEN m.left_on IS NULL OR m.left_on = '' THEN '9999-12' "
               "ELSE strftime('%Y-%m', m.left_on, 'start of month', '-1 month') END")
    if where == "1":
        # (the partial index's own condition, written as it is, so that it applies)
        member_ok = (
            "s.member_id NOT IN ("
            "  SELECT m.id FROM members m INDEXED BY members_not_counted "
            "  WHERE (m.deleted IS NOT 0 OR coalesce(m.left_on, '') <> '') "
            f"   AND NOT coalesce(m.deleted = 0 AND {last_in} >= :month, 0) "
            "  UNION ALL SELECT m.id FROM members m "
            "  WHERE m.household_id IN (SELECT id FROM households NOT INDEXED WHERE deleted <> 0))")
    else:
        member_ok = (
            "s.member_id IN (SELECT m.id FROM members m WHERE +m.deleted = 0 "
            f"  AND m.household_id IN (SELECT h.id FROM households h WHERE h.deleted = 0 AND ({_named(where, 'scope')})) "
            f"  AND {last_in} >= :month)")
    case, case_params = spells.scope_sql(store, county_column="nullif(s.county_code, '')",
                                         province_column="nullif(s.province_code, '')")
    sql = (
        "SELECT count(*), coalesce(sum(place = :in_county), 0), coalesce(sum(place = :in_province), 0), "
        "       coalesce(sum(place = :out_of_province), 0) FROM ("
        f"  SELECT s.member_id, max(s.start_month), {_named(case, 'place')} AS place "
        "  FROM work_spells s INDEXED BY work_spells_member_months "
        "  WHERE s.deleted = 0 AND s.start_month <= :month "
        "    AND (s.end_month IS NULL OR s.end_month = '' OR s.end_month >= :month) "
        f"    AND {member_ok} GROUP BY s.member_id)")
    params: dict[str, Any] = {"month": month, "in_county": IN_COUNTY, "in_province": IN_PROVINCE,
                              "out_of_province": OUT_OF_PROVINCE}
    params.update({f"place{i}": v for i, v in enumerate(case_params)})
    params.update({f"scope{i}": v for i, v in enumerate(scope_params)})
    total, in_county, in_province, out_of_province = store.db.execute(sql, params).fetchone()
    f = {"total": total, IN_COUNTY: in_county, IN_PROVINCE: in_province, OUT_OF_PROVINCE: out_of_province}
    if total - in_county - in_province - out_of_province:
        f[PLACE_UNKNOWN] = total - in_county - in_province - out_of_province
    return f


def _named(sql: str, prefix: str) -> str:
    """``sql`` with its ``?`` placeholders named ``:prefix0``, ``:prefix1``, …
    (the statement mixes named parameters; no ``?`` is inside a literal here)."""
    parts = sql.split("?")
    return "".join(p + (f":{prefix}{i}" if i < len(parts) - 1 else "") for i, p in enumerate(parts))


def target(store: Store, year: int) -> int | None:
    """The year's target 务工规模 (setting ``work_target.YYYY``), or None."""
    value = store.get_setting(TARGET_SETTING.format(year=int(year)))
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def set_target(store: Store, year: int, people: int) -> None:
    from .errors import CadreDeskError

    if not 1900 < int(year) < 2200:
        raise CadreDeskError(f"年份 {year} 无效，请写四位年份，例如 2026")
    if int(people) < 0:
        raise CadreDeskError(f"务工规模目标不能为负数，现为 {people}")
    store.set_setting(TARGET_SETTING.format(year=int(year)), int(people))


def monthly(store: Store, year: int, *, town: str | None = None, village: str | None = None,
            today: dt.date | None = None) -> dict[str, Any]:
    """The ``work-stats --json`` object: ``{"year", "target", "months": [...]}``,
    one entry per month of ``year`` up to the current month (all twelve for a
    past year, none for a future one), each ``{"month", "total", "县内",
    "省内县外", "省外", "by_channel", "same_month_last_year"}``. The target is
    the county's and is given for the whole county only (null for a town or
    village, and when not set)."""
    year = int(year)
    now = month_of(today or dt.date.today())
    months = _months(year, now)
    before = [f"{year - 1:04d}{m[4:]}" for m in months]
    this = last = _count_months(store, [*before, *months], town=town, village=village)
    rows = []
    for m in months:
        f = this[m]
        row = {"month": m, "total": f["total"], IN_COUNTY: f[IN_COUNTY], IN_PROVINCE: f[IN_PROVINCE],
               OUT_OF_PROVINCE: f[OUT_OF_PROVINCE]}
        if f.get(PLACE_UNKNOWN):
            row[PLACE_UNKNOWN] = f[PLACE_UNKNOWN]
        row["by_channel"] = f["by_channel"]
        row["same_month_last_year"] = last[f"{year - 1:04d}{m[4:]}"]["total"]
        rows.append(row)
    return {"year": year, "target": None if (town or village) else target(store, year), "months": rows}


def monitoring(store: Store, as_of: dt.date, *, town: str | None = None,
               village: str | None = None) -> dict[str, Any]:
    """``{"households", "people", "by_category", "risk_cleared_households"}``
    on ``as_of`` (see the module docstring). A 监测户 with no 识别监测时间 counts
    (it is monitored; the missing month is a finding of the check rules); one
    marked cleared with no 消除监测时间 counts as cleared. Households with no
    category are under ``"未填写"`` in ``by_category``, present only when any."""
    where, params = _scope(store, town, village)
    month = month_of(as_of)
    # (+h.deleted: a scan of the households, not a walk through the partial index on deleted = 0)
    monitored = (f"+h.deleted = 0 AND h.household_type = '{MONITORED}' "
                 "AND (h.monitoring_since IS NULL OR h.monitoring_since = '' OR h.monitoring_since <= ?) "
                 f"AND ({where})")
    cleared = ("(coalesce(h.risk_cleared, nullif(h.risk_cleared_on, '') IS NOT NULL) = 1 "
               "AND (h.risk_cleared_on IS NULL OR h.risk_cleared_on = '' OR h.risk_cleared_on <= ?))")
    # One pass over the households; each monitored one counts its people
    # through the members' household index.
    people_of = ("(SELECT count(*) FROM members m WHERE m.household_id = h.id AND +m.deleted = 0 "
                 "AND (m.left_on IS NULL OR m.left_on = '' OR m.left_on > ?))")
    by_category: dict[str, int] = dict.fromkeys(CATEGORIES, 0)
    households = cleared_n = people = 0
    for category, n, c, p in store.db.execute(
            f"SELECT h.monitoring_category, count(*), coalesce(sum({cleared}), 0), coalesce(sum({people_of}), 0) "
            f"FROM households h WHERE {monitored} GROUP BY h.monitoring_category",
            [month, as_of.isoformat(), month, *params]):
        households += n
        cleared_n += c
        people += p
        key = category or CHANNEL_MISSING
        by_category[key] = by_category.get(key, 0) + n
    return {"households": households, "people": people, "by_category": by_category,
            "risk_cleared_households": cleared_n}


def workers_by_area(store: Store, as_of: dt.date, *, town: str | None = None) -> list[dict[str, Any]]:
    """The drill-down of ``workers`` for the month of ``as_of``: one row per
    town of the county (``town`` None), or per village of ``town``, in code
    order, every town or village listed (zeros included): ``{"town",
    "village" (None for a town row), "total", "县内", "省内县外", "省外"}`` and
    ``"地点不详"`` when non-zero. The rows add up to ``workers`` of the same
    scope. One statement: a person's spells covering the month are grouped by
    person, the later-started deciding."""
    month = month_of(as_of)
    case, case_params = spells.scope_sql(store, county_column="nullif(p.county_code, '')",
                                         province_column="nullif(p.province_code, '')")
    if town:
        areas = [(v["id"], v["town_name"], v["name"]) for v in places.find_villages(store, town=town)]
        area_col = "h.village_id"
    else:
        county_id = places.ensure_county(store)
        areas = [(t["id"], t["name"], None) for t in store.rows(
            "SELECT id, name FROM towns WHERE deleted = 0 AND county_id = ? ORDER BY code", [county_id])]
        area_col = "(SELECT v.town_id FROM villages v WHERE v.id = h.village_id)"
    rows = {area_id: {"town": t, "village": v, **_empty_figures()} for area_id, t, v in areas}
    ids = list(rows)
    if not ids:
        return []
    last_in = ("CASE WHEN m.left_on IS NULL OR m.left_on = '' THEN '9999-12' "
               "ELSE strftime('%Y-%m', m.left_on, 'start of month', '-1 month') END")
    sql = (
        f"SELECT p.area, {case} AS place, count(*) FROM ("
        f"  SELECT s.member_id, max(s.start_month), s.county_code, s.province_code, {area_col} AS area "
        "  FROM work_spells s JOIN members m ON m.id = s.member_id JOIN households h ON h.id = m.household_id "
        "  WHERE s.deleted = 0 AND +m.deleted = 0 AND h.deleted = 0 AND +s.start_month <= ? "
        f"    AND (s.end_month IS NULL OR s.end_month = '' OR s.end_month >= ?) AND {last_in} >= ? "
        "  GROUP BY s.member_id) p "
        f"WHERE p.area IN ({', '.join('?' * len(ids))}) GROUP BY p.area, place")
    for area, place, n in store.db.execute(sql, [*case_params, month, month, month, *ids]):
        r = rows[area]
        r["total"] += n
        key = place or PLACE_UNKNOWN
        r[key] = r.get(key, 0) + n
    return list(rows.values())


def ended_without_new(store: Store, as_of: dt.date, *, town: str | None = None,
                      village: str | None = None) -> list[dict[str, Any]]:
    """People whose work spells have all ended by the month of ``as_of`` (the
    last one's 结束时间 is that month or earlier) and who have no spell running
    or starting later: returnees a cadre should see about a new job. One row
    per person with their last spell, by town, village, household number and
    name: ``member_id, household_id, name, sex, age, household_number, town,
    village, cadre, spell_id, start_month, end_month, idle_months (months
    since the end), place, channel, employer``."""
    where, params = _scope(store, town, village)
    month = month_of(as_of)
    rows = store.rows(
        "SELECT m.id AS member_id, m.household_id, m.name, m.sex, m.birth_date, h.number AS household_number, "
        "t.name AS town, v.name AS village, "
        "(SELECT c.name FROM pairings p JOIN cadres c ON c.id = p.cadre_id WHERE p.household_id = h.id "
        "   AND p.deleted = 0 AND p.until IS NULL ORDER BY p.since DESC LIMIT 1) AS cadre, "
        "x.spell_id, x.start_month, x.end_month, x.place, x.channel, x.employer "
        "FROM (SELECT s.member_id, s.id AS spell_id, max(s.start_month) AS start_month, s.end_month, s.place, "
        "        s.channel, s.employer FROM work_spells s WHERE s.deleted = 0 GROUP BY s.member_id) x "
        "JOIN members m ON m.id = x.member_id JOIN households h ON h.id = m.household_id "
        "LEFT JOIN villages v ON v.id = h.village_id LEFT JOIN towns t ON t.id = v.town_id "
        "WHERE NOT EXISTS (SELECT 1 FROM work_spells s2 WHERE s2.member_id = x.member_id AND s2.deleted = 0 "
        "  AND (s2.end_month IS NULL OR s2.end_month = '' OR s2.end_month > ?)) AND m.deleted = 0 AND h.deleted = 0 "
        "AND (m.left_on IS NULL OR m.left_on = '' OR m.left_on > ?) "
        f"AND ({where}) ORDER BY t.code, v.code, h.number, m.name",
        [month, as_of.isoformat(), *params])
    for r in rows:
        born = r.pop("birth_date")
        r["age"] = age_from_birth_date(born, as_of)
        end = r["end_month"] or r["start_month"]
        r["idle_months"] = max(0, (as_of.year - int(end[:4])) * 12 + as_of.month - int(end[5:7]))
    return rows
