"""Every key of ``compute_stats`` (with its ``workers`` and ``monitoring``)
pinned on a demo county with the awkward rows a real register gets: deleted
households and members, members who left before and after the date, people
with overlapping work spells, an employed person with no channel and one
with a channel the code list does not know, subsidies named by household.

The expected figures are counted here in plain Python, one person at a time,
from the rows themselves (the rules of domain.md §4 and §11 as the module
docstrings of ``stats`` and ``work_stats`` state them), so any change to the
SQL that makes the figures faster cannot change what they say."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from cadre_desk import demo, places, spells, terms
from cadre_desk.codes import code_list
from cadre_desk.domain import (ABLE_LABOUR, EMPLOYED, HIRED_STATUSES, NOT_STUDENT, PUBLIC_WELFARE, SELF_EMPLOYED,
                               birthday_cutoff, working_age_bounds)
from cadre_desk.stats import CHANNEL_MISSING, PUBLIC_WELFARE_SUBSIDY, compute_stats
from cadre_desk.storage import memory_store

AS_OF = dt.date(2022, 6, 30)


def _rows(store, table):
    return store.rows(f"SELECT * FROM {table}")


def _stamp(store, table, ids, values):
    for row_id in ids:
        store.update(table, row_id, values)


@pytest.fixture(scope="module")
def county():
    store = memory_store()
    places.ensure_county(store)
    demo.build_demo(store, households=160, seed=7, as_of=AS_OF)
    rng = random.Random(16)
    households = [r["id"] for r in store.rows("SELECT id FROM households ORDER BY id")]
    members = store.rows("SELECT id, employment_status, employment_channel FROM members ORDER BY id")
    assert store.rows("SELECT count(*) AS n FROM households WHERE household_type = '监测户'")[0]["n"] >= 3
    # Three households deleted (their members are not), four members deleted.
    for hid in rng.sample(households, 3):
        store.delete("households", hid)
    for m in rng.sample(members, 4):
        store.delete("members", m["id"])
    # Members who left: some long before the date, some in its month, some after.
    for m, day in zip(rng.sample(members, 9), ["2020-05-01", "2021-12-31", "2022-06-01", "2022-06-30",
                                                "2022-07-01", "2022-07-15", "2023-01-01", "2019-01-01",
                                                "2022-05-31"]):
        store.update("members", m["id"], {"left_on": day})
    # Employed people with no channel and with one the code list does not know.
    employed = [m for m in members if m["employment_status"] == EMPLOYED]
    odd = rng.sample(employed, 3)
    store.db.execute("UPDATE members SET employment_channel = NULL WHERE id = ?", [odd[0]["id"]])
    store.db.execute("UPDATE members SET employment_channel = '' WHERE id = ?", [odd[1]["id"]])
    store.db.execute("UPDATE members SET employment_channel = '村里帮工' WHERE id = ?", [odd[2]["id"]])
    # Overlapping spells: a second spell starting inside a running one, placed elsewhere.
    running = store.rows("SELECT member_id, start_month FROM work_spells WHERE deleted = 0 "
                         "AND (end_month IS NULL OR end_month = '') AND start_month < '2022-01' ORDER BY member_id")
    for r in rng.sample(running, 6):
        store.insert("work_spells", {"member_id": r["member_id"], "start_month": "2022-03",
                                     "end_month": rng.choice([None, "2022-06", "2022-08", "2022-05"]),
                                     "place": "北京市朝阳区", "county_code": "110105", "province_code": "110000",
                                     "channel": "灵活就业"})
    # A spell deleted, and a spell with no place code at all.
    spell_ids = [r["id"] for r in store.rows("SELECT id FROM work_spells ORDER BY id")]
    store.delete("work_spells", spell_ids[5])
    store.db.execute("UPDATE work_spells SET county_code = NULL, province_code = NULL WHERE id = ?",
                     [spell_ids[11]])
    # A subsidy named only by its household, in a deleted household too.
    for hid in (households[0], households[1]):
        store.insert("subsidies", {"household_id": hid, "kind": PUBLIC_WELFARE_SUBSIDY, "amount_yuan": 88.5,
                                   "paid_on": "2022-03-01"})
    return store


def _month_last_in(left_on):
    """The last month a member counts in (work_stats): the month before the one they left in."""
    if not left_on:
        return "9999-12"
    y, m = int(left_on[:4]), int(left_on[5:7])
    y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return f"{y:04d}-{m:02d}"


def expected(store, as_of: dt.date, village_ids: set[str] | None) -> dict:
    """The figures counted person by person (village_ids None: the whole county)."""
    as_of_s, month = as_of.isoformat(), f"{as_of.year:04d}-{as_of.month:02d}"
    low, high = working_age_bounds(store)
    spelling = terms.current(store)
    channels = code_list("employment_channel")
    hh = {h["id"]: h for h in _rows(store, "households")}

    def household_ok(hid):
        h = hh[hid]
        if village_ids is None:
            return not (h["deleted"] is not None and h["deleted"] != 0)
        return h["deleted"] == 0 and h["village_id"] in village_ids

    members = [m for m in _rows(store, "members") if m["deleted"] == 0 and household_ok(m["household_id"])]
    counted = {m["id"]: m for m in members if m["left_on"] is None or m["left_on"] > as_of_s}

    def able(m):
        return (m["birth_date"] is not None and birthday_cutoff(as_of, high) < m["birth_date"]
                <= birthday_cutoff(as_of, low) and m["labour_ability"] in ABLE_LABOUR
                and m["school_status"] in (None, "", NOT_STUDENT))

    able_ids = {i for i, m in counted.items() if able(m)}
    by_channel = dict.fromkeys(channels.names(spelling), 0)
    employed = self_employed = driven = 0
    for i in able_ids:
        m = counted[i]
        if m["employment_status"] != EMPLOYED:
            continue
        employed += 1
        key = channels.spelled(m["employment_channel"], spelling) if m["employment_channel"] else CHANNEL_MISSING
        by_channel[key] = by_channel.get(key, 0) + 1
        if m["employment_channel"] == SELF_EMPLOYED:
            self_employed += 1
            driven += m["people_employed"] or 0
    welfare = (PUBLIC_WELFARE, channels.current(PUBLIC_WELFARE))
    on_post = {i for i, m in counted.items() if m["employment_status"] == EMPLOYED
               and m["employment_channel"] in welfare}
    as_measure = {x["member_id"] for x in _rows(store, "measures")
                  if x["deleted"] == 0 and x["kind"] == PUBLIC_WELFARE and x["member_id"] in counted
                  and (not x["start_date"] or x["start_date"] <= as_of_s)
                  and (not x["end_date"] or x["end_date"] >= as_of_s)
                  and not ((counted[x["member_id"]]["employment_status"] or "") == EMPLOYED
                           and (counted[x["member_id"]]["employment_channel"] or "") in welfare)}
    applicants = {a["member_id"] for a in _rows(store, "applications")
                  if a["deleted"] == 0 and a["applied_on"] <= as_of_s and a["member_id"] in able_ids}
    hired = {o["member_id"] for o in _rows(store, "offers")
             if o["deleted"] == 0 and o["status"] in HIRED_STATUSES and o["status_on"] <= as_of_s}
    all_members = {m["id"]: m for m in _rows(store, "members")}
    subsidy = 0.0
    for s in _rows(store, "subsidies"):
        if s["deleted"] or s["kind"] != PUBLIC_WELFARE_SUBSIDY or not (f"{as_of.year}-01-01" <= s["paid_on"] <= as_of_s):
            continue
        hid = s["household_id"] or all_members[s["member_id"]]["household_id"]
        if village_ids is None or hh[hid]["village_id"] in village_ids:
            subsidy += s["amount_yuan"]

    # 务工规模: a member of the register at the month's end, the later-started spell covering the month deciding.
    case, params = spells.scope_sql(store)
    place = dict(store.db.execute(f"SELECT id, {case} FROM work_spells", params).fetchall())
    working = {m["id"] for m in members if _month_last_in(m["left_on"]) >= month}
    deciding: dict[str, dict] = {}
    for s in _rows(store, "work_spells"):
        end = s["end_month"] or "9999-12"
        if s["deleted"] == 0 and s["member_id"] in working and s["start_month"] <= month <= end:
            if s["member_id"] not in deciding or s["start_month"] > deciding[s["member_id"]]["start_month"]:
                deciding[s["member_id"]] = s
    workers = {"total": len(deciding), "县内": 0, "省内县外": 0, "省外": 0}
    for s in deciding.values():
        key = place[s["id"]] or "地点不详"
        workers[key] = workers.get(key, 0) + 1

    monitored = {h["id"]: h for h in hh.values()
                 if h["deleted"] == 0 and h["household_type"] == "监测户"
                 and (village_ids is None or h["village_id"] in village_ids)
                 and (not h["monitoring_since"] or h["monitoring_since"] <= month)}
    by_category = {"脱贫不稳定户": 0, "边缘易致贫户": 0, "突发严重困难户": 0}
    cleared = 0
    for h in monitored.values():
        key = h["monitoring_category"] or "未填写"
        by_category[key] = by_category.get(key, 0) + 1
        flag = h["risk_cleared"] if h["risk_cleared"] is not None else int(bool(h["risk_cleared_on"]))
        cleared += flag == 1 and (not h["risk_cleared_on"] or h["risk_cleared_on"] <= month)
    people = sum(1 for m in all_members.values() if m["deleted"] == 0 and m["household_id"] in monitored
                 and (not m["left_on"] or m["left_on"] > as_of_s))

    return {
        "households": sum(1 for h in hh.values() if h["deleted"] == 0
                          and (village_ids is None or h["village_id"] in village_ids)),
        "working_age_able": len(able_ids), "employed": employed,
        "employment_rate": employed / len(able_ids) if able_ids else 0.0, "by_channel": by_channel,
        "applied": len(applicants), "placed_by_recommendation": len(applicants & hired),
        "self_employed": self_employed, "driven_by_self_employed": driven,
        "public_welfare_posts": len(on_post) + len(as_measure),
        "public_welfare_subsidy_yuan": round(subsidy, 2), "workers": workers,
        "monitoring": {"households": len(monitored), "people": people, "by_category": by_category,
                       "risk_cleared_households": cleared},
    }


def _scopes(store):
    town = store.rows("SELECT t.name FROM households h JOIN villages v ON v.id = h.village_id "
                      "JOIN towns t ON t.id = v.town_id GROUP BY t.name ORDER BY count(*) DESC LIMIT 1")[0]["name"]
    village = store.rows("SELECT v.name FROM households h JOIN villages v ON v.id = h.village_id "
                         "JOIN towns t ON t.id = v.town_id WHERE t.name = ? GROUP BY v.id ORDER BY count(*) DESC "
                         "LIMIT 1", [town])[0]["name"]
    town_ids = {v["id"] for v in places.find_villages(store, town=town)}
    village_ids = {v["id"] for v in places.find_villages(store, town=town, village=village)}
    return [({}, None), ({"town": town}, town_ids), ({"town": town, "village": village}, village_ids)]


@pytest.mark.parametrize("as_of", [AS_OF, dt.date(2022, 5, 31), dt.date(2021, 12, 31), dt.date(2022, 7, 1)])
def test_every_figure_against_the_count_by_hand(county, as_of):
    for scope, village_ids in _scopes(county):
        got = compute_stats(county, as_of, **scope)
        want = expected(county, as_of, village_ids)
        assert {k: got[k] for k in want} == want, scope


def test_the_awkward_rows_are_there(county):
    """The county has what the figures must get right (else the test above pins less than it says)."""
    f = expected(county, AS_OF, None)
    assert f["by_channel"].get(CHANNEL_MISSING) == 2 and f["by_channel"].get("村里帮工") == 1
    assert f["workers"]["total"] > 20 and f["monitoring"]["households"] >= 3 and f["monitoring"]["people"] > 3
    assert f["applied"] > 0 and f["placed_by_recommendation"] > 0 and f["public_welfare_posts"] > 0
    assert f["self_employed"] > 0 and f["public_welfare_subsidy_yuan"] > 0
    overlapping = county.rows(
        "SELECT count(*) AS n FROM work_spells s WHERE s.deleted = 0 AND EXISTS (SELECT 1 FROM work_spells t "
        "WHERE t.member_id = s.member_id AND t.deleted = 0 AND t.start_month > s.start_month "
        "AND t.start_month <= coalesce(nullif(s.end_month, ''), '9999-12'))")[0]["n"]
    assert overlapping >= 5
    assert compute_stats(county, AS_OF)["workers"] == f["workers"]
