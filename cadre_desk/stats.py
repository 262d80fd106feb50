"""The county's progress figures (domain.md §4) for a reference date.

``compute_stats`` counts, for the whole county or one town or village:

- working-age with labour capacity: members of the register's households (any
  脱贫状态) aged ``working_age_min <= age < working_age_max`` on ``as_of``
  (settings, 16 and 60 by default), with 劳动技能 普通劳动力 / 技能劳动力 /
  弱劳动力或半劳动力, and not at school (在校生状况 empty or 非在校生);
- of those: employed (就业状态 已就业) split by 就业渠道, who applied for a post
  by ``as_of``, who of the applicants were hired into a recommended opening,
  the self-employed and the people they employ;
- people on public-welfare posts (any age) and the 公益性岗位补贴 paid from
  1 January of ``as_of``'s year to ``as_of``;
- ``workers`` (务工规模 of ``as_of``'s month from the work spells, 县内 / 省内县外 /
  省外) and ``monitoring`` (监测户 and their people): see ``work_stats``.

Everything is counted in SQL (one pass per figure over indexed columns), so the
figures of a 100,000-member county come back in a fraction of a second; the
jobs dashboard calls this on every refresh.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import places, terms, work_stats
from .domain import (
    ABLE_LABOUR,
    EMPLOYED,
    HIRED_STATUSES,
    NOT_STUDENT,
    PUBLIC_WELFARE,
    SELF_EMPLOYED,
    birthday_cutoff,
    working_age_bounds,
)
from .codes import code_list
from .storage import Store

PUBLIC_WELFARE_SUBSIDY = "公益性岗位补贴"
# by_channel key for employed people whose 就业渠道 was left empty (only present when non-zero).
CHANNEL_MISSING = "未填写"


def _scope(store: Store, town: str | None, village: str | None) -> tuple[str, list[Any], dict[str, Any]]:
    """SQL condition on ``h`` (households) for the scope, its parameters, and a
    description of the scope for the result. Unknown names raise ``NotFound``."""
    if not town and not village:
        return "1", [], {"town": None, "village": None, "villages": None}
    villages = places.find_villages(store, town=town, village=village)
    ids = [v["id"] for v in villages]
    town_name = None
    if town:
        town_name = places.town_by_name(store, town)["name"]
    elif len({v["town_name"] for v in villages}) == 1:
        town_name = villages[0]["town_name"]
    info = {"town": town_name, "village": village.strip() if village else None, "villages": len(ids)}
    return (*places.villages_condition(ids), info)


def compute_stats(store: Store, as_of: dt.date, *, town: str | None = None,
                  village: str | None = None) -> dict[str, Any]:
    """The progress figures of domain.md §4 on ``as_of`` (see the module docstring).

    ``by_channel`` always lists every 就业渠道 of the code list, with 0 where
    nobody is employed through it (so the dashboard and reports have a stable
    shape); employed people with no channel recorded are counted under
    ``"未填写"``, present only when there are any."""
    low, high = working_age_bounds(store)
    where_scope, scope_params, scope_info = _scope(store, town, village)
    as_of_s = as_of.isoformat()
    year_start = dt.date(as_of.year, 1, 1).isoformat()
    db = store.db

    def one(sql: str, params: list[Any]) -> Any:
        return db.execute(sql, params).fetchone()

    # Members (not deleted) of the households in scope (not deleted), and not
    # left by as_of: a member who left (died, moved away) counts until the day
    # they left. ``member_ok`` for a member joined by id; ``scan_ok`` for the
    # two passes over all the scope's members, from ``members_scan``. A town or
    # village reads its households' members through the household index. The
    # whole county reads the narrow index holding these columns of every member
    # not deleted (migration 0291: ``deleted = 0`` is written plainly there so
    # that the partial index applies) instead of the wide rows, in status and
    # channel order (no sort for the GROUP BY), with no lookup of the household
    # per member. Elsewhere the unary + keeps SQLite from walking members (or
    # households) through a partial index on ``deleted = 0``, which costs a
    # random row lookup per row.
    left_ok = f"(m.left_on IS NULL OR m.left_on > '{as_of_s}')"
    if where_scope != "1":
        household_ok = f"m.household_id IN (SELECT h.id FROM households h WHERE h.deleted = 0 AND ({where_scope}))"
        members_scan, scan_deleted = "members m", "+m.deleted = 0"
    else:
        household_ok = "m.household_id NOT IN (SELECT id FROM households NOT INDEXED WHERE deleted <> 0)"
        members_scan, scan_deleted = "members m INDEXED BY members_figures", "m.deleted = 0"
    member_ok = f"+m.deleted = 0 AND {household_ok} AND {left_ok}"
    scan_ok = f"{scan_deleted} AND {household_ok} AND {left_ok}"
    able_cond = (f"m.birth_date <= ? AND m.birth_date > ? "
                 f"AND m.labour_ability IN ({', '.join('?' * len(ABLE_LABOUR))}) "
                 f"AND (m.school_status IS NULL OR m.school_status = '' OR m.school_status = ?)")
    able_params = [birthday_cutoff(as_of, low), birthday_cutoff(as_of, high), *ABLE_LABOUR, NOT_STUDENT]

    # The working-age able by status and channel. (Two lean scans beat one scan
    # that evaluates the age and ability test inside conditional sums.)
    # The channels as the county's terms spell them (扶贫车间 or 帮扶车间): a
    # stored 2020 name and its 2021 name count as one channel.
    spelling = terms.current(store)
    channels = code_list("employment_channel")
    by_channel: dict[str, int] = {name: 0 for name in channels.names(spelling)}
    working_age_able = employed = self_employed = driven = 0
    for status, channel, n, people in db.execute(
            f"SELECT m.employment_status, m.employment_channel, count(*), coalesce(sum(m.people_employed), 0) "
            f"FROM {members_scan} WHERE {able_cond} AND {scan_ok} GROUP BY m.employment_status, m.employment_channel",
            [*able_params, *scope_params]):
        working_age_able += n
        if status != EMPLOYED:
            continue
        employed += n
        key = channels.spelled(channel, spelling) if channel else CHANNEL_MISSING
        by_channel[key] = by_channel.get(key, 0) + n
        if channel == SELF_EMPLOYED:
            self_employed += n
            driven += people
    # Everyone (any age) recorded as employed on a public-welfare post (公益性岗位
    # as the 2020 register spells it, 乡村公益性岗位 since 2021).
    public_welfare = (PUBLIC_WELFARE, channels.current(PUBLIC_WELFARE))
    (public_welfare_employed,) = one(
        f"SELECT count(*) FROM {members_scan} WHERE m.employment_status = ? AND m.employment_channel IN (?, ?) "
        f"AND {scan_ok}", [EMPLOYED, *public_welfare, *scope_params])

    # Applicants are few: start from applications and check each applicant.
    applied, placed = one(
        f"SELECT count(*), coalesce(sum(EXISTS (SELECT 1 FROM offers o WHERE o.member_id = ap.member_id "
        f"  AND o.deleted = 0 AND o.status IN ({', '.join('?' * len(HIRED_STATUSES))}) AND o.status_on <= ?)), 0) "
        f"FROM (SELECT DISTINCT a.member_id FROM applications a JOIN members m ON m.id = a.member_id "
        f"  WHERE a.deleted = 0 AND a.applied_on <= ? AND {able_cond} AND {member_ok}) ap",
        [*HIRED_STATUSES, as_of_s, as_of_s, *able_params, *scope_params])

    # Holding a public-welfare post as a measure on as_of, without being recorded
    # as employed on one (those were counted above).
    (public_welfare_measures,) = one(
        f"SELECT count(DISTINCT m.id) FROM measures x JOIN members m ON m.id = x.member_id "
        f"WHERE x.deleted = 0 AND x.kind = ? AND (x.start_date IS NULL OR x.start_date = '' OR x.start_date <= ?) "
        f"AND (x.end_date IS NULL OR x.end_date = '' OR x.end_date >= ?) AND {member_ok} "
        f"AND NOT (coalesce(m.employment_status, '') = ? AND coalesce(m.employment_channel, '') IN (?, ?))",
        [PUBLIC_WELFARE, as_of_s, as_of_s, *scope_params, EMPLOYED, *public_welfare])
    public_welfare_posts = public_welfare_employed + public_welfare_measures

    # A payment belongs to the household it names, or else to its member's household;
    # the filters on kind and date run first, so the lookup is only done for the few that pass.
    if where_scope != "1":
        subsidy_sql = (f"SELECT coalesce(sum(s.amount_yuan), 0) FROM subsidies s "
                       f"WHERE s.deleted = 0 AND s.kind = ? AND s.paid_on >= ? AND s.paid_on <= ? "
                       f"AND coalesce(s.household_id, (SELECT sm.household_id FROM members sm WHERE sm.id = s.member_id)) "
                       f"IN (SELECT h.id FROM households h WHERE {where_scope})")
    else:
        subsidy_sql = ("SELECT coalesce(sum(s.amount_yuan), 0) FROM subsidies s "
                       "WHERE s.deleted = 0 AND s.kind = ? AND s.paid_on >= ? AND s.paid_on <= ?")
    (subsidy,) = one(subsidy_sql, [PUBLIC_WELFARE_SUBSIDY, year_start, as_of_s, *scope_params])

    (households,) = one(f"SELECT count(*) FROM households h WHERE h.deleted = 0 AND ({where_scope})",
                        scope_params)

    return {
        "as_of": as_of_s,
        "county": places.county(store)["name"],
        "town": scope_info["town"],
        "village": scope_info["village"],
        "villages": scope_info["villages"],
        "households": households,
        "working_age_min": low,
        "working_age_max": high,
        "working_age_able": working_age_able,
        "employed": employed,
        "employment_rate": employed / working_age_able if working_age_able else 0.0,
        "by_channel": by_channel,
        "applied": applied,
        "placed_by_recommendation": placed,
        "self_employed": self_employed,
        "driven_by_self_employed": driven,
        "public_welfare_posts": public_welfare_posts,
        "public_welfare_subsidy_yuan": round(float(subsidy), 2),
        # Issue 14 §3: 务工规模 from the work spells and the 监测对象 figures (work_stats.py).
        "workers": work_stats.workers(store, as_of, town=town, village=village),
        "monitoring": work_stats.monitoring(store, as_of, town=town, village=village),
    }
