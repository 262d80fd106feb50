"""The demo county: deterministic for a seed, distributed like the real register
(domain.md §9), valid against the questionnaire, non-zero figures, and it never
mixes itself into real data unasked."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict

import pytest

from cadre_desk import demo, places, register
from cadre_desk.idnumber import parse_id_number
from cadre_desk.paths import resource_path
from cadre_desk.questionnaire import household_problems, validate
from cadre_desk.stats import compute_stats
from cadre_desk.storage import memory_store
from helpers_cli import run_cli

AS_OF = dt.date(2020, 4, 30)
TABLES = ("villages", "households", "members", "cadres", "pairings", "visits", "enterprises", "openings",
          "recommendations", "offers", "applications", "measures", "subsidies", "policies")
STAMPS = {"created_at", "updated_at", "device_id"}


def fresh(households: int = 300, seed: int = 7):
    store = memory_store()
    places.ensure_county(store)
    summary = demo.build_demo(store, households=households, seed=seed, as_of=AS_OF)
    return store, summary


@pytest.fixture(scope="module")
def demo_store():
    store, summary = fresh()
    yield store, summary
    store.db.conn.close()


def dump(store) -> dict[str, list]:
    """Every table's rows without timestamps; town ids (random per database)
    replaced by town codes."""
    town_code = {r["id"]: r["code"] for r in store.rows("SELECT id, code FROM towns")}
    out = {}
    for table in TABLES:
        rows = []
        for r in store.rows(f"SELECT * FROM [{table}] ORDER BY id"):
            rows.append({k: town_code.get(v, v) if k == "town_id" else v for k, v in r.items() if k not in STAMPS})
        out[table] = rows
    return out


def test_same_seed_gives_identical_data_ids_included():
    a, _ = fresh(60, seed=11)
    b, _ = fresh(60, seed=11)
    c, _ = fresh(60, seed=12)
    da, db_, dc = dump(a), dump(b), dump(c)
    assert da == db_
    assert len(da["members"]) > 100
    assert da["members"] != dc["members"]
    assert {r["id_number"] for r in da["members"]} != {r["id_number"] for r in dc["members"]}


def test_summary_and_demo_mark(demo_store):
    store, summary = demo_store
    assert summary.households == 300
    assert summary.members == store.db.execute("SELECT count(*) FROM members").fetchone()[0]
    assert store.get_setting("is_demo") is True
    assert store.get_setting("demo") == {"seed": 7, "households": 300, "as_of": "2020-04-30"}
    assert demo.is_demo(store)


def test_households_distributed_as_in_the_field(demo_store):
    store, _ = demo_store
    sizes = [r["size"] for r in store.rows("SELECT size FROM households")]
    counted = {r["household_id"]: r["n"] for r in store.rows(
        "SELECT household_id, count(*) AS n FROM members GROUP BY household_id")}
    assert sorted(counted.values()) == sorted(sizes)  # the size column matches the members
    assert 2.5 <= sum(sizes) / len(sizes) <= 3.3
    assert sum(1 for s in sizes if s <= 2) / len(sizes) >= 0.35  # many one- and two-person households
    # Those small households are mostly elderly.
    small = store.rows("SELECT m.birth_date FROM members m JOIN households h ON h.id = m.household_id "
                       "WHERE h.size <= 2 AND m.relation = '户主'")
    old = sum(1 for r in small if dt.date.fromisoformat(r["birth_date"]) <= dt.date(1962, 4, 30))
    assert old / len(small) > 0.6
    causes = Counter(r["main_cause"] for r in store.rows("SELECT main_cause FROM households"))
    assert {c for c, _ in causes.most_common(2)} == {"因病", "因残"}
    members = store.rows("SELECT health FROM members")
    disabled = sum(1 for r in members if "残疾" in json.loads(r["health"]))
    assert 0.10 <= disabled / len(members) <= 0.20
    villages = store.rows("SELECT v.name, t.name AS town FROM villages v JOIN towns t ON t.id = v.town_id")
    assert len({v["town"] for v in villages}) == 16  # every town of Linqing has villages
    assert all(v["name"].endswith("村") and 3 <= len(v["name"]) <= 5 for v in villages)


def test_every_id_number_valid_with_old_and_new_codes(demo_store):
    store, _ = demo_store
    rows = store.rows("SELECT id_number, sex, birth_date FROM members")
    codes = Counter()
    for r in rows:
        ident = parse_id_number(r["id_number"])
        assert ident.value == r["id_number"]
        assert ident.sex == r["sex"] and ident.birth_date.isoformat() == r["birth_date"]
        codes[r["id_number"][:6]] += 1
    assert codes["371581"] > 0.4 * len(rows) and codes["372502"] > 0.2 * len(rows)
    assert len({r["id_number"] for r in rows}) == len(rows)


def test_relations_consistent(demo_store):
    store, _ = demo_store
    by_household = defaultdict(list)
    for m in store.rows("SELECT household_id, relation, sex, birth_date, name, id_number FROM members"):
        by_household[m["household_id"]].append(m)
    heads = {h["id"]: h for h in store.rows("SELECT * FROM households")}
    for hid, members in by_household.items():
        assert household_problems(store.questionnaire, members) == []
        head = [m for m in members if m["relation"] == "户主"]
        assert len(head) == 1
        head = head[0]
        assert (heads[hid]["head_name"], heads[hid]["head_id_number"]) == (head["name"], head["id_number"])
        spouses = [m for m in members if m["relation"] == "配偶"]
        assert len(spouses) <= 1 and all(s["sex"] != head["sex"] for s in spouses)
        for m in members:
            if m["relation"] in ("之子", "之女", "之孙子", "之孙女"):
                assert m["birth_date"] > head["birth_date"]
            if m["relation"] in ("之父", "之母"):
                assert m["birth_date"] < head["birth_date"]
        sons = [m for m in members if m["relation"] == "之子"]
        for g in (m for m in members if m["relation"] in ("之孙子", "之孙女")):
            assert any(g["birth_date"] > s["birth_date"] for s in sons)


def test_every_member_passes_the_questionnaire(demo_store):
    """No errors, no warnings, and nothing stored that the questionnaire would
    drop as irrelevant."""
    store, _ = demo_store
    q = store.questionnaire
    for row in store.rows("SELECT * FROM members"):
        answers = {k: v for k, v in register.decode(q.member, row).items() if k in q.member.by_key}
        values, problems = validate(q.member, answers, as_of=AS_OF)
        assert problems == [], (row["name"], problems)
        assert {k: v for k, v in values.items() if v is not None} == \
            {k: v for k, v in answers.items() if v is not None}
    for row in store.rows("SELECT * FROM households"):
        answers = {k: v for k, v in register.decode(q.household, row).items() if k in q.household.by_key}
        assert validate(q.household, answers)[1] == []


def test_surveys_partly_done(demo_store):
    store, _ = demo_store
    rows = store.rows("SELECT job_intention, surveyed_at FROM members WHERE birth_date <= '2004-04-30' "
                      "AND birth_date > '1955-04-30' AND (school_status IS NULL OR school_status = '非在校生')")
    done = sum(1 for r in rows if r["job_intention"])
    assert 0.45 <= done / len(rows) <= 0.75
    assert all(r["surveyed_at"] for r in rows if r["job_intention"])


def test_stats_non_zero_on_the_demo(demo_store):
    store, _ = demo_store
    f = compute_stats(store, AS_OF)
    for key in ("households", "working_age_able", "employed", "applied", "placed_by_recommendation",
                "self_employed", "driven_by_self_employed", "public_welfare_posts", "public_welfare_subsidy_yuan"):
        assert f[key] > 0, key
    assert all(v > 0 for v in f["by_channel"].values()), f["by_channel"]
    assert 0.4 <= f["employment_rate"] <= 0.8
    assert f["placed_by_recommendation"] < f["applied"]
    assert compute_stats(store, AS_OF, town="烟店镇")["households"] > 0


def test_jobs_side_is_realistic(demo_store):
    store, _ = demo_store
    openings = store.rows("SELECT o.*, e.name AS firm, t.name AS town FROM openings o "
                          "JOIN enterprises e ON e.id = o.enterprise_id LEFT JOIN towns t ON t.id = o.town_id")
    assert {o["route"] for o in openings} == {"企业就业", "扶贫车间", "居家就业", "劳务输出", "公益性岗位"}
    away = [o for o in openings if o["location"] and not o["location"].startswith("临清市")]
    assert away and all(o["town_id"] is None and o["county_code"] is None and o["province_code"] for o in away)
    assert any(o["valid_until"] < "2020-04-30" for o in openings)
    assert any(o["valid_until"] > "2020-04-30" for o in openings)
    assert any("轴承" in o["firm"] and o["town"] == "烟店镇" for o in openings)
    assert any("酱菜" in o["firm"] and o["town"] == "大辛庄街道" for o in openings)
    assert any("大棚蔬菜" in o["title"] and o["town"] == "大辛庄街道" and o["pay_unit"] == "元/天"
               and 80 <= o["pay"] <= 90 for o in openings)
    assert any("手套" in o["title"] for o in openings) and any("毛绒玩具" in o["title"] for o in openings)
    for o in openings:
        if o["pay_unit"] == "元/月" and o["route"] == "企业就业":
            assert 2500 <= o["pay"] <= 4200
        assert isinstance(json.loads(o["labour_abilities"]), list)
    # Three openings per recommendation, ranked 1-3.
    ranks = store.rows("SELECT recommendation_id, group_concat(rank) AS r FROM offers GROUP BY recommendation_id")
    assert ranks and all(sorted(r["r"].split(",")) == ["1", "2", "3"] for r in ranks)
    # Someone hired through a recommendation is employed there.
    hired = store.rows("SELECT m.employment_status, m.employer, e.name AS firm FROM offers o "
                       "JOIN members m ON m.id = o.member_id JOIN openings op ON op.id = o.opening_id "
                       "JOIN enterprises e ON e.id = op.enterprise_id WHERE o.status = '在岗'")
    assert hired and all(h["employment_status"] == "已就业" and h["employer"] == h["firm"] for h in hired)


def test_speaks_the_jobs_vocabulary(demo_store):
    """Offer statuses, measure and subsidy kinds are the ones the jobs screens know."""
    from cadre_desk.jobs.measures import MEASURE_KINDS, SUBSIDY_KINDS
    from cadre_desk.jobs.outcomes import NEEDS_REASON, STATUSES

    store, _ = demo_store
    offers = store.rows("SELECT status, status_reason, status_on FROM offers")
    assert {o["status"] for o in offers} <= set(STATUSES)
    assert {"推荐", "在岗", "未录用"} <= {o["status"] for o in offers}
    assert all(o["status_reason"] for o in offers if o["status"] in NEEDS_REASON)
    assert all(o["status_on"] <= "2020-04-30" for o in offers)
    # The demo is the May 2020 register: every measure kind of that time (雨露计划 and
    # 一次性交通补助 are tracked since 2021).
    kinds = {r["kind"] for r in store.rows("SELECT DISTINCT kind FROM measures")}
    assert kinds == set(MEASURE_KINDS) - {"雨露计划", "一次性交通补助"}
    assert {r["kind"] for r in store.rows("SELECT DISTINCT kind FROM subsidies")} <= set(SUBSIDY_KINDS)
    # A public-welfare post covers as_of and its months match its dates.
    for r in store.rows("SELECT start_date, end_date, months FROM measures WHERE kind = '公益性岗位'"):
        assert r["start_date"] <= "2020-04-30" <= r["end_date"] and r["months"] >= 1


def test_cadres_with_history_and_visits(demo_store):
    store, _ = demo_store
    pairings = store.rows("SELECT household_id, count(*) AS n, sum(until IS NULL) AS open FROM pairings "
                          "GROUP BY household_id")
    assert len(pairings) == 300 and all(p["open"] == 1 for p in pairings)
    changed = [p for p in pairings if p["n"] == 2]
    assert 10 <= len(changed) <= 70
    hid = changed[0]["household_id"]
    history = register.cadre_history(store, hid)
    assert len(history) == 2 and history[0]["until"] is None and history[1]["until"] == history[0]["since"]
    assert store.db.execute("SELECT count(DISTINCT household_id) FROM visits").fetchone()[0] == 300
    assert store.db.execute("SELECT max(visit_date) FROM visits").fetchone()[0] <= "2020-04-30"


def test_policies_loaded_when_the_sample_exists(demo_store):
    store, summary = demo_store
    if not resource_path("policies", "sample-policies.json").exists():
        assert summary.policies is None
    else:
        assert summary.policies and summary.policies > 0
        assert store.db.execute("SELECT count(*) FROM policies WHERE is_sample = 1").fetchone()[0] > 0


def test_ensure_demo_county_only_on_a_fresh_database(store):
    assert demo.ensure_demo_county(store, households=20, seed=1, as_of=AS_OF) is True
    n = store.db.execute("SELECT count(*) FROM households").fetchone()[0]
    assert n == 20
    assert demo.ensure_demo_county(store, households=20, seed=1, as_of=AS_OF) is False
    assert store.db.execute("SELECT count(*) FROM households").fetchone()[0] == n


def test_no_demo_once_the_county_had_data(store):
    t = places.town_by_name(store, "康庄镇")
    hid, _ = register.save_household(store, {"number": "1", "head_name": "张三"},
                                     village_id=places.ensure_village(store, t["id"], "张庄村"))
    store.delete("households", hid)
    assert demo.ensure_demo_county(store, households=20, seed=1, as_of=AS_OF) is False
    assert not store.get_setting("is_demo", False)


def test_cli_refuses_real_data_unless_forced(file_store, db_path):
    t = places.town_by_name(file_store, "康庄镇")
    hid, _ = register.save_household(file_store, {"number": "371581103001000001", "head_name": "张三"},
                                     village_id=places.ensure_village(file_store, t["id"], "张庄村"))
    file_store.db.conn.close()

    rc, out, err = run_cli("--db", str(db_path), "demo", "--households", "30", "--as-of", "2020-04-30")
    assert rc == 1 and out == ""
    assert "真实" in err and "--force" in err and err.count("\n") == 1
    rc, out, _ = run_cli("--db", str(db_path), "stats", "--as-of", "2020-04-30", "--json")
    assert json.loads(out)["households"] == 1  # nothing was added

    rc, out, _ = run_cli("--db", str(db_path), "demo", "--households", "30", "--as-of", "2020-04-30", "--force")
    assert rc == 0 and "30 户" in out and "虚构" in out
    rc, out, _ = run_cli("--db", str(db_path), "stats", "--as-of", "2020-04-30", "--json")
    assert json.loads(out)["households"] == 31
    from cadre_desk.storage import open_store
    s = open_store(db_path)
    try:
        assert register.household(s, hid)["head_name"] == "张三"
    finally:
        s.db.conn.close()


def test_cli_demo_twice_refuses_then_forced_batch_does_not_collide(db_path):
    rc, out, _ = run_cli("--db", str(db_path), "demo", "--households", "40", "--seed", "3", "--as-of", "2020-04-30")
    assert rc == 0 and "40 户" in out
    rc, _, err = run_cli("--db", str(db_path), "demo", "--households", "40", "--seed", "3")
    assert rc == 1 and "演示数据" in err
    rc, out, err = run_cli("--db", str(db_path), "demo", "--households", "40", "--seed", "3", "--as-of",
                           "2020-04-30", "--force")
    assert rc == 0, err
    rc, out, _ = run_cli("--db", str(db_path), "stats", "--as-of", "2020-04-30", "--json")
    assert json.loads(out)["households"] == 80


@pytest.mark.parametrize("argv, text", [
    (["demo", "--households", "0"], "户数"),
    (["demo", "--as-of", "2020-02-30"], "日期"),
    (["demo", "--households", "many"], "参数"),
])
def test_cli_bad_demo_arguments(db_path, argv, text):
    rc, out, err = run_cli("--db", str(db_path), *argv)
    assert rc in (1, 2) and out == ""
    assert text in err and "Traceback" not in err and err.count("\n") == 1


def test_demo_people_are_indexed_for_search(demo_store):
    search = pytest.importorskip("cadre_desk.search")
    store, _ = demo_store
    person = store.rows("SELECT id, name, id_number FROM members ORDER BY id LIMIT 1")[0]
    assert person["id"] in {h.member_id for h in search.search(store, person["name"])}
    assert person["id"] in {h.member_id for h in search.search(store, person["id_number"])}


@pytest.fixture(scope="module")
def demo_2026():
    store = memory_store()
    places.ensure_county(store)
    demo.build_demo(store, households=300, seed=5, as_of=dt.date(2026, 11, 15))
    yield store
    store.db.conn.close()


def test_a_demo_of_today_has_monitored_households_that_pass_the_questionnaire(demo_2026):
    store, q = demo_2026, demo_2026.questionnaire
    monitored = store.rows("SELECT * FROM households WHERE household_type = '监测户'")
    assert 10 <= len(monitored) <= 60
    assert {h["monitoring_category"] for h in monitored} <= {"脱贫不稳定户", "突发严重困难户"}
    for h in monitored:
        assert h["poverty_status"].startswith("已脱贫") and h["risk_1"]
        assert "2021-03" <= h["monitoring_since"] <= "2026-11"
        if h["risk_cleared"]:
            assert h["risk_clear_method"] and h["monitoring_since"] <= h["risk_cleared_on"] <= "2026-11"
        answers = {k: v for k, v in register.decode(q.household, h).items() if k in q.household.by_key}
        assert validate(q.household, answers)[1] == [], h["number"]
    figures = compute_stats(store, dt.date(2026, 11, 15))["monitoring"]
    assert figures["households"] == len(monitored)
    assert figures["risk_cleared_households"] == sum(1 for h in monitored if h["risk_cleared"])
    # The 2020 demo has none: the register of 监测对象 started in 2021.
    store_2020, _ = fresh(40)
    assert store_2020.rows("SELECT count(*) AS n FROM households WHERE household_type IS NOT NULL")[0]["n"] == 0


def test_a_demo_of_today_has_work_spells_that_agree_with_the_answers(demo_2026):
    from cadre_desk import spells, work_stats

    store, day = demo_2026, dt.date(2026, 11, 15)
    people = store.rows("SELECT id, employment_status FROM members WHERE deleted = 0")
    with_spells = {r["member_id"] for r in store.rows("SELECT DISTINCT member_id FROM work_spells WHERE deleted = 0")}
    employed = [p for p in people if p["employment_status"] == "已就业"]
    assert employed and all(p["id"] in with_spells for p in employed)
    for p in people:
        if p["id"] in with_spells:  # the spells decide 就业状态, and they say what the survey says
            assert spells.employment_status_on(store, p["id"], day) == p["employment_status"], p["id"]
    figures = compute_stats(store, day)
    assert figures["workers"]["total"] >= figures["employed"] > 0
    assert all(figures["workers"][k] > 0 for k in ("县内", "省内县外", "省外"))
    year = work_stats.monthly(store, 2026)
    assert year["months"][10]["total"] == figures["workers"]["total"]
    assert any(m["same_month_last_year"] for m in year["months"])
    todo = work_stats.ended_without_new(store, day)
    assert todo and all(store.rows("SELECT employment_status FROM members WHERE id = ?", [t["member_id"]])[0]
                        ["employment_status"] == "未就业" for t in todo)
    assert spells.spell_warnings(store) == [] or all(
        "400" in p.message for _, p in spells.spell_warnings(store))  # only public-welfare pay under 400 元
