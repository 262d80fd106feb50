"""Recommendation: hard constraints are never broken, reasons and notes say
why, the same opening is not offered twice in a row, and the JSON contract."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cadre_desk.cli import main
from cadre_desk.jobs import ABLE_LABOUR, EDUCATION_ORDER, PLACES, ROUTES
from cadre_desk.jobs.matching import OpeningSet, Person, build_recommendation, rank_many, recommend
from cadre_desk.jobs.outcomes import record_recommendation, set_offer_status
from helpers_jobs import AS_OF, opening, person, village

LABOUR = (*ABLE_LABOUR, "丧失劳动力", "无劳动力")
SKILLS = ("缝纫", "电子组装", "电工", "焊工", "驾驶", "家政")
INTENTIONS = (None, "县内企业就业", "外出务工", "居家就业", "自主创业", "公益性岗位", "暂无意愿")

# A small world: county 371581 (province 37), two towns with two villages each,
# another county of the province, and another province.
VILLAGES = [("v1", "t1"), ("v2", "t1"), ("v3", "t2"), ("v4", "t2")]
LOCATIONS = [
    *({"village_id": v, "town_id": t, "county_code": "371581", "province_code": "370000"} for v, t in VILLAGES),
    {"village_id": None, "town_id": "t1", "county_code": "371581", "province_code": "370000"},
    {"village_id": None, "town_id": "t2", "county_code": "371581", "province_code": "370000"},
    {"village_id": None, "town_id": None, "county_code": "371581", "province_code": "370000"},
    {"village_id": None, "town_id": None, "county_code": "370102", "province_code": "370000"},
    {"village_id": None, "town_id": None, "county_code": None, "province_code": "320000"},
]


def expected_place(p: Person, o: dict) -> str:
    """Reference (slow, obvious) version of the place rule."""
    if o["route"] == "居家就业" or (o["village_id"] and o["village_id"] == p.village_id):
        return "本村"
    if o["town_id"] and o["town_id"] == p.town_id:
        return "本镇"
    if o["county_code"] and o["county_code"] == p.county_code:
        return "本县"
    if o["province_code"] and o["province_code"] == p.province_code:
        return "省内"
    return "省外"


def violations(p: Person, o: dict, as_of: dt.date) -> list[str]:
    """Every hard constraint ``o`` breaks for ``p`` (reference implementation)."""
    bad = []
    day = as_of.isoformat()
    if (o["valid_until"] and o["valid_until"] < day) or (o["valid_from"] and o["valid_from"] > day):
        bad.append("expired")
    if o["places"] is not None and o["filled"] >= o["places"]:
        bad.append("full")
    accepted = o["labour_abilities"] or list(ABLE_LABOUR)
    if p.labour_ability not in accepted:
        bad.append("ability")
    if (o["age_min"] is not None and (p.age is None or p.age < o["age_min"])) or \
            (o["age_max"] is not None and (p.age is None or p.age > o["age_max"])):
        bad.append("age")
    if o["min_education"]:
        mine = EDUCATION_ORDER.index(p.education) if p.education in EDUCATION_ORDER else 0
        if mine < EDUCATION_ORDER.index(o["min_education"]):
            bad.append("education")
    if p.disabled and not o["suitable_disabled"]:
        bad.append("disabled")
    place = expected_place(p, o)
    if p.home_bound and not (o["route"] == "居家就业" or place == "本村"):
        bad.append("home_bound")
    if p.accepted_places and PLACES.index(place) > max(PLACES.index(x) for x in p.accepted_places):
        bad.append("place")
    return bad


openings_st = st.lists(st.fixed_dictionaries({
    "route": st.sampled_from(ROUTES),
    "location": st.sampled_from(LOCATIONS),
    "labour_abilities": st.lists(st.sampled_from(ABLE_LABOUR), unique=True, max_size=3),
    "age_min": st.one_of(st.none(), st.integers(16, 45)),
    "age_span": st.integers(0, 30),
    "min_education": st.one_of(st.none(), st.sampled_from(EDUCATION_ORDER)),
    "skills": st.lists(st.sampled_from(SKILLS), unique=True, max_size=2),
    "suitable_disabled": st.booleans(),
    "pay": st.one_of(st.none(), st.integers(50, 6000)),
    "pay_unit": st.sampled_from(("元/月", "元/天", "计件")),
    "places": st.one_of(st.none(), st.integers(1, 4)),
    "filled": st.integers(0, 4),
    "valid_until": st.sampled_from((None, "2020-04-30", "2020-05-01", "2020-12-31")),
    "valid_from": st.sampled_from((None, "2020-01-01", "2020-05-02")),
}), max_size=25)

people_st = st.builds(
    lambda age, edu, labour, disabled, home, places, intention, skills, expected, vi: Person(
        member_id="m", id_number="x", name="测试", age=age, education=edu, labour_ability=labour,
        disabled=disabled, home_bound=home, accepted_places=places, job_intention=intention, skills=skills,
        expected_income=expected, village_id=VILLAGES[vi][0], town_id=VILLAGES[vi][1], county_code="371581",
        province_code="370000"),
    st.one_of(st.none(), st.integers(14, 70)), st.one_of(st.none(), st.sampled_from(EDUCATION_ORDER)),
    st.one_of(st.none(), st.sampled_from(LABOUR)), st.booleans(), st.booleans(),
    st.lists(st.sampled_from(PLACES), unique=True, max_size=3), st.sampled_from(INTENTIONS),
    st.lists(st.sampled_from(SKILLS), unique=True, max_size=3), st.one_of(st.none(), st.integers(500, 6000)),
    st.integers(0, len(VILLAGES) - 1))


def build(raw_openings: list[dict]) -> list[dict]:
    out = []
    for i, r in enumerate(raw_openings):
        o = {k: v for k, v in r.items() if k not in ("location", "age_span")}
        o.update(r["location"])
        o["age_max"] = None if r["age_min"] is None else r["age_min"] + r["age_span"]
        o["id"] = f"o{i:03d}"
        o["title"] = f"岗位{i}"
        o["employer"] = "某企业"
        o["monthly_pay_estimate"] = 1500 if i % 2 else None
        out.append(o)
    return out


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(openings_st, people_st, st.lists(st.integers(0, 24), max_size=3))
def test_hard_constraints_are_never_violated(raw, p, last_time):
    openings = build(raw)
    exclude = [f"o{i:03d}" for i in last_time]
    ranking = OpeningSet(openings, AS_OF).rank(p, exclude=exclude)
    assert len(ranking.chosen) <= 3
    fitting = [o for o in openings if not violations(p, o, AS_OF) and o["id"] not in exclude]
    assert ranking.fitting == len(fitting)
    assert len(ranking.chosen) == min(3, len(fitting))
    for i in ranking.chosen:
        o = openings[i]
        assert violations(p, o, AS_OF) == [], (o, p)
        assert o["id"] not in exclude
        assert ranking.place[i] == PLACES.index(expected_place(p, o))
    # every opening is either fitting or counted under exactly one constraint
    assert sum(ranking.excluded.values()) + ranking.fitting == len(openings)
    # the chosen ones are the best scoring of those that fit
    if ranking.chosen and len(fitting) > 3:
        s = OpeningSet(openings, AS_OF)
        scores = s.scores(p, s.place_of(p))
        worst_chosen = min(scores[i] for i in ranking.chosen)
        others = [scores[openings.index(o)] for o in fitting if openings.index(o) not in ranking.chosen]
        assert max(others) <= worst_chosen + 1e-9


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(openings_st, st.lists(people_st, min_size=2, max_size=12))
def test_shared_opening_set_ranks_many_people_like_one_by_one(raw, people):
    """A county run reuses memoised arrays between people; the result must be
    the same as ranking each person on a fresh set."""
    openings = build(raw)
    shared = OpeningSet(openings, AS_OF)
    for i, p in enumerate(people):
        p.member_id = f"m{i}"
    together = {r.member_id: r for r in rank_many(shared, people)}
    for p in people:
        alone = build_recommendation(OpeningSet(openings, AS_OF).rank(p))
        assert together[p.member_id].offers == alone.offers
        assert together[p.member_id].note == alone.note
        for o in alone.offers:
            assert violations(p, openings[int(o.opening_id[1:])], AS_OF) == []


def test_home_bound_disabled_member_gets_only_home_based_or_in_village_work(store):
    v = village(store, "烟店镇", "李庄村")
    places_ = ["本村", "本镇", "本县", "省内", "省外"]
    m = person(store, village_id=v, health=["残疾"], stay_home_reasons=["本人残疾"], job_intention="居家就业",
               skills=["手工编织"], accepted_places=places_)
    opening(store, title="毛绒玩具来料加工", enterprise="临清毛绒玩具厂", route="居家就业", town="唐园镇",
            suitable_disabled=1, pay_unit="计件", pay=None, monthly_pay_estimate=1200, skills=["手工编织"])
    opening(store, title="村保洁员", enterprise="李庄村委会", route="公益性岗位", village="李庄村",
            suitable_disabled=1, pay=400)
    opening(store, title="车间质检", enterprise="烟店轴承厂", route="扶贫车间", suitable_disabled=1, pay=2600)
    opening(store, title="县城仓库分拣", enterprise="临清物流", route="企业就业", town="新华路街道",
            suitable_disabled=1, pay=3000)
    opening(store, title="手套缝制（不适合残疾人）", enterprise="李庄手套车间", route="扶贫车间", village="李庄村",
            suitable_disabled=0, pay=2500)
    rec = recommend(store, m, as_of=AS_OF)
    got = {(o.opening, o.route, o.place) for o in rec.offers}
    # Home piece work says where its materials come from, not 本村 (issue 11 §3).
    assert got == {("毛绒玩具来料加工", "居家就业", "居家（来料加工，发料点：唐园镇）"), ("村保洁员", "公益性岗位", "本村")}
    assert "只有 2 个岗位符合条件" in rec.note
    assert "2 个不是居家或本村岗位" in rec.note and "1 个不适合残疾人" in rec.note
    assert "可优先安排公益性岗位“村保洁员”" in rec.note
    first = rec.offers[0]
    assert first.opening == "毛绒玩具来料加工"  # home-based work is what she wants
    assert first.reason == "会手工编织；想居家就业；适合残疾人；居家（来料加工，发料点：唐园镇）；计件，约月薪 1,200 元"
    assert first.monthly_pay == 1200


def test_expired_and_full_openings_are_never_offered(store):
    m = person(store, skills=["缝纫"])
    opening(store, title="已过期", valid_until="2020-04-30", skills=["缝纫"], pay=5000)
    opening(store, title="未开始", valid_from="2020-06-01", skills=["缝纫"], pay=5000)
    full_id = opening(store, title="只招一人", places_=1, skills=["缝纫"], pay=5000)
    opening(store, title="当天到期", valid_until="2020-05-01", pay=2000)
    # somebody else is hired into the one place
    other = person(store, name="李建国", female=False)
    rec_other = recommend(store, other, as_of=AS_OF)
    assert "只招一人" in [o.opening for o in rec_other.offers]
    rid = record_recommendation(store, rec_other)
    offer = store.rows("SELECT id FROM offers WHERE recommendation_id = ? AND opening_id = ?", [rid, full_id])[0]
    for status in ("联系", "面试", "录用"):
        set_offer_status(store, offer["id"], status, on=AS_OF)
    rec = recommend(store, m, as_of=AS_OF)
    assert [o.opening for o in rec.offers] == ["当天到期"]
    assert "2 个已过期或未到招聘时间" in rec.note and "1 个已招满" in rec.note


def test_fewer_than_three_explains_and_offers_training(store):
    m = person(store, age=52, education="小学", training_needs=["家政", "养老护理"])
    opening(store, title="电工", age_max=45, min_education="初中")
    opening(store, title="文员", min_education="高中")
    opening(store, title="搬运工", labour_abilities=["技能劳动力"])
    rec = recommend(store, m, as_of=AS_OF)
    assert rec.offers == []
    assert rec.note.startswith("没有符合条件的岗位（共 3 个岗位：")
    assert "1 个劳动技能不符" in rec.note and "1 个年龄不符" in rec.note and "1 个文化程度不够" in rec.note
    assert "建议先参加技能培训：家政、养老护理" in rec.note


def test_unable_to_work_gets_no_openings_and_says_so(store):
    m = person(store, age=40, labour_ability="丧失劳动力", health=["患有大病"])
    opening(store)
    rec = recommend(store, m, as_of=AS_OF)
    assert rec.offers == [] and "丧失劳动力" in rec.note


def test_same_opening_is_not_offered_twice_in_a_row_unless_asked(store):
    m = person(store)
    for i in range(5):
        opening(store, title=f"岗位{i}", pay=2000 + 100 * i)
    first = recommend(store, m, as_of=AS_OF)
    assert [o.opening for o in first.offers] == ["岗位4", "岗位3", "岗位2"]
    assert recommend(store, m, as_of=AS_OF).offers == first.offers  # nothing recorded yet
    record_recommendation(store, first)
    second = recommend(store, m, as_of=AS_OF)
    assert [o.opening for o in second.offers] == ["岗位1", "岗位0"]
    assert "1 个上次已推荐过" not in second.note and "3 个上次已推荐过" in second.note
    assert [o.opening for o in recommend(store, m, as_of=AS_OF, repeat=True).offers] == ["岗位4", "岗位3", "岗位2"]
    record_recommendation(store, second)
    # only the most recent recommendation counts: the first three may come back
    assert [o.opening for o in recommend(store, m, as_of=AS_OF).offers] == ["岗位4", "岗位3", "岗位2"]


def test_place_relative_to_the_person(store):
    here = village(store, "烟店镇", "李庄村")
    m = person(store, village_id=here)
    opening(store, title="本村", village="李庄村", pay=1000)
    opening(store, title="本镇", village="王庄村", pay=1000)
    opening(store, title="本县", town="康庄镇", pay=1000)
    opening(store, title="省内", town=None, county_code="370102", pay=1000)
    opening(store, title="省外", town=None, province="江苏省", pay=1000)
    s = OpeningSet([], AS_OF)
    assert s.size == 0
    rec = recommend(store, m, as_of=AS_OF, openings=None)
    assert [(o.opening, o.place) for o in rec.offers] == [("本村", "本村"), ("本镇", "本镇"), ("本县", "本县")]
    far = person(store, village_id=here, name="张伟", female=False, job_intention="外出务工",
                 accepted_places=["省内", "省外"])
    rec = recommend(store, far, as_of=AS_OF)
    assert [(o.opening, o.place) for o in rec.offers][:2] == [("省内", "省内"), ("省外", "省外")]
    near = person(store, village_id=here, name="赵敏", accepted_places=["本镇"])
    assert [o.place for o in recommend(store, near, as_of=AS_OF).offers] == ["本村", "本镇"]


def test_monthly_pay_from_day_rate_and_piece_work(store):
    m = person(store)
    opening(store, title="摘菜", pay=90, pay_unit="元/天")
    opening(store, title="计件无估计", pay=None, pay_unit="计件")
    rec = recommend(store, m, as_of=AS_OF)
    by = {o.opening: o for o in rec.offers}
    assert by["摘菜"].monthly_pay == 90 * 22
    assert "日薪 90 元，约月薪 1,980 元" in by["摘菜"].reason
    assert by["计件无估计"].monthly_pay is None and "计件工资" in by["计件无估计"].reason


def test_recommend_cli_json_contract_and_record(file_store, db_path, capsys):
    m = person(file_store, skills=["缝纫"])
    opening(file_store, skills=["缝纫"])
    opening(file_store, title="采摘工", enterprise="大辛庄蔬菜合作社", route="企业就业", town="大辛庄街道",
            pay=85, pay_unit="元/天")
    file_store.db.conn.close()
    assert main(["--db", str(db_path), "recommend", m["id_number"], "--json", "--as-of", "2020-05-01"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"id_number", "offers", "note"}
    assert out["id_number"] == m["id_number"]
    assert [set(o) for o in out["offers"]] == [{"opening", "employer", "route", "place", "monthly_pay", "reason"}] * 2
    assert out["offers"][0] == {"opening": "手套缝制工", "employer": "临清市宏达手套厂", "route": "扶贫车间",
                                "place": "本镇", "monthly_pay": 2800, "reason": "会缝纫；扶贫车间；本镇；月薪 2,800 元"}
    assert out["offers"][1]["monthly_pay"] == 1870 and out["offers"][1]["place"] == "本县"
    assert "只有 2 个岗位符合条件" in out["note"]
    from cadre_desk.storage import open_store

    s = open_store(db_path)
    assert s.rows("SELECT count(*) AS n FROM recommendations")[0]["n"] == 0  # nothing recorded
    s.db.conn.close()
    assert main(["--db", str(db_path), "recommend", m["id_number"], "--record", "--as-of", "2020-05-01"]) == 0
    text = capsys.readouterr().out
    assert "1. 手套缝制工 — 临清市宏达手套厂（扶贫车间，本镇）" in text
    s = open_store(db_path)
    assert [r["status"] for r in s.rows("SELECT status FROM offers ORDER BY rank")] == ["推荐", "推荐"]
    s.db.conn.close()


def test_recommend_cli_unknown_person(db_path, capsys):
    from helpers_jobs import born_aged, id_number

    from cadre_desk.storage import open_store

    open_store(db_path).db.conn.close()  # recommend only reads: the database must exist (issue 11 §1)
    assert main(["--db", str(db_path), "recommend", id_number(born_aged(30))]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "没有证件号码为" in err
