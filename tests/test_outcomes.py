"""Outcomes: the offer status machine, hiring updating the member (through the
change log) and the county figures, applications, measures and subsidies."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cadre_desk import register
from cadre_desk.cli import main
from cadre_desk.errors import ValidationFailed
from cadre_desk.jobs import measures as jm
from cadre_desk.jobs.matching import recommend
from cadre_desk.jobs.outcomes import (InvalidTransition, apply_for, offers_of, record_recommendation,
                                      set_offer_status)
from cadre_desk.jobs.progress import not_employed
from cadre_desk.stats import compute_stats
from helpers_jobs import AS_OF, opening, person


def recorded(store, member):
    rec = recommend(store, member, as_of=AS_OF)
    record_recommendation(store, rec)
    return {o["opening"]: o for o in offers_of(store, member["id"])}


def test_status_machine_refuses_skips_and_needs_reasons(store):
    m = person(store)
    opening(store)
    offer = recorded(store, m)["手套缝制工"]
    assert offer["status"] == "推荐" and offer["rank"] == 1
    with pytest.raises(InvalidTransition, match="不能从“推荐”改为“录用”。下一步可以是：联系、未录用"):
        set_offer_status(store, offer["id"], "录用", on=AS_OF)
    with pytest.raises(InvalidTransition, match="状态“上班”不对"):
        set_offer_status(store, offer["id"], "上班", on=AS_OF)
    set_offer_status(store, offer["id"], "联系", on=AS_OF)
    with pytest.raises(InvalidTransition, match="请写明原因"):
        set_offer_status(store, offer["id"], "未录用", on=AS_OF)
    with pytest.raises(InvalidTransition, match="早于上一状态的日期"):
        set_offer_status(store, offer["id"], "面试", on=AS_OF - dt.timedelta(days=3))
    done = set_offer_status(store, offer["id"], "未录用", reason="本人要照顾老人，放弃", on=AS_OF)
    assert (done["status"], done["status_reason"]) == ("未录用", "本人要照顾老人，放弃")
    with pytest.raises(InvalidTransition, match="下一步可以是：无（已结束）"):
        set_offer_status(store, offer["id"], "联系", on=AS_OF)
    assert register.member(store, m["id"])["employment_status"] is None


def test_hiring_updates_member_change_log_and_figures(store):
    m = person(store, skills=["缝纫"], job_intention="县内企业就业")
    others = [person(store, name=f"成员{i}", age=30 + i) for i in range(3)]
    opening(store, skills=["缝纫"])
    before = compute_stats(store, AS_OF)
    assert (before["working_age_able"], before["employed"], before["applied"]) == (4, 0, 0)
    assert len(not_employed(store, AS_OF)) == 4

    offer = recorded(store, m)["手套缝制工"]
    apply_for(store, m["id"], offer["opening_id"], on=AS_OF)
    with pytest.raises(ValidationFailed, match="已申请过"):
        apply_for(store, m["id"], offer["opening_id"], on=AS_OF)
    for status in ("联系", "面试", "录用"):
        set_offer_status(store, offer["id"], status, on=AS_OF)

    member = register.member(store, m["id"])
    assert (member["employment_status"], member["employment_channel"], member["employer"],
            member["monthly_income"]) == ("已就业", "帮扶车间", "临清市宏达手套厂", 2800)  # a new county: 2021 terms
    changed = {c.field for c in store.history("members", m["id"])}
    assert {"employment_status", "employment_channel", "employer", "monthly_income"} <= changed

    after = compute_stats(store, AS_OF)
    assert after["employed"] == 1 and after["by_channel"]["帮扶车间"] == 1
    assert (after["applied"], after["placed_by_recommendation"]) == (1, 1)
    assert {r["id"] for r in not_employed(store, AS_OF)} == {o["id"] for o in others}

    set_offer_status(store, offer["id"], "在岗", on=AS_OF)
    set_offer_status(store, offer["id"], "离岗", on=AS_OF + dt.timedelta(days=40))
    member = register.member(store, m["id"])
    assert member["employment_status"] == "未就业" and member["employment_channel"] is None
    assert compute_stats(store, AS_OF + dt.timedelta(days=41))["employed"] == 0


def test_full_opening_refuses_another_hire(store):
    a, b = person(store, name="甲"), person(store, name="乙")
    opening(store, places_=1)
    offer_a, offer_b = recorded(store, a)["手套缝制工"], recorded(store, b)["手套缝制工"]
    for oid in (offer_a["id"], offer_b["id"]):
        set_offer_status(store, oid, "联系", on=AS_OF)
        set_offer_status(store, oid, "面试", on=AS_OF)
    set_offer_status(store, offer_a["id"], "录用", on=AS_OF)
    with pytest.raises(InvalidTransition, match="1 个名额已招满"):
        set_offer_status(store, offer_b["id"], "录用", on=AS_OF)
    assert register.member(store, b["id"])["employment_status"] is None


def test_measures_and_subsidies_feed_the_figures(store):
    boss = person(store, name="创业者", female=False)
    worker = person(store, name="护林员", age=55)
    trainee = person(store, name="学员", training_needs=["电商"])
    measure = jm.add_self_employment(store, boss["id"], business="蔬菜大棚", start=dt.date(2020, 3, 1),
                                     people_employed=2)
    jm.set_people_employed(store, measure, 3)
    assert register.member(store, boss["id"])["people_employed"] == 3
    jm.add_public_welfare_post(store, worker["id"], post="护林员", start=dt.date(2020, 1, 1), months=12)
    jm.pay_subsidy(store, kind="公益性岗位补贴", amount_yuan=400, paid_on=dt.date(2020, 1, 31), member_id=worker["id"])
    jm.pay_subsidy(store, kind="公益性岗位补贴", amount_yuan=400, paid_on=dt.date(2020, 2, 29), member_id=worker["id"])
    jm.pay_subsidy(store, kind="公益性岗位补贴", amount_yuan=400, paid_on=dt.date(2019, 12, 31),
                   member_id=worker["id"])
    jm.pay_subsidy(store, kind="一次性创业补贴", amount_yuan=5000, paid_on=dt.date(2020, 4, 1), member_id=boss["id"])
    jm.add_training(store, trainee["id"], course="电商培训", start=dt.date(2020, 4, 1), end=dt.date(2020, 4, 10),
                    completed=True, certificate="电子商务师（初级）")
    with pytest.raises(ValidationFailed, match="补贴金额应大于 0 元"):
        jm.pay_subsidy(store, kind="交通补贴", amount_yuan=0, paid_on=AS_OF, member_id=boss["id"])
    with pytest.raises(ValidationFailed, match="结束日期"):
        jm.add_training(store, trainee["id"], course="x", start=AS_OF, end=AS_OF - dt.timedelta(days=1))

    f = compute_stats(store, AS_OF)
    assert (f["employed"], f["self_employed"], f["driven_by_self_employed"]) == (2, 1, 3)
    assert f["by_channel"]["自主创业"] == 1 and f["by_channel"]["乡村公益性岗位"] == 1
    assert f["public_welfare_posts"] == 1 and f["public_welfare_subsidy_yuan"] == 800
    post = [x for x in jm.measures_of(store, worker["id"]) if x["kind"] == "公益性岗位"][0]
    assert (post["months"], post["end_date"]) == (12, "2020-12-31")
    training = jm.measures_of(store, trainee["id"])[0]
    assert (training["completed"], training["certificate"]) == (1, "电子商务师（初级）")


def test_cli_outcome_flow(file_store, db_path, capsys):
    m = person(file_store)
    oid = opening(file_store)
    file_store.db.conn.close()
    run = lambda *a: main(["--db", str(db_path), *a])  # noqa: E731
    assert run("recommend", m["id_number"], "--record", "--as-of", "2020-05-01") == 0
    capsys.readouterr()
    assert run("offers", m["id_number"], "--json") == 0
    offers = json.loads(capsys.readouterr().out)
    assert [o["status"] for o in offers] == ["推荐"]
    short = offers[0]["id"][:8]
    assert run("offer-status", short, "录用") == 1
    assert "不能从“推荐”改为“录用”" in capsys.readouterr().err
    for status in ("联系", "面试", "录用"):
        assert run("offer-status", short, status, "--on", "2020-05-02") == 0
    assert "成员已改为已就业" in capsys.readouterr().out
    assert run("apply", m["id_number"], oid[:8], "--on", "2020-05-01") == 0
    assert run("pay-subsidy", "--kind", "交通补贴", "--amount", "300", "--on", "2020-05-03",
               "--id-number", m["id_number"]) == 0
    assert run("training", m["id_number"], "--course", "缝纫工培训", "--start", "2020-04-01", "--completed") == 0
    capsys.readouterr()
    assert run("measures", m["id_number"]) == 0
    text = capsys.readouterr().out
    assert "培训  缝纫工培训  2020-04-01  已结业" in text and "交通补贴  300.00 元" in text and "岗位申请" in text
    assert run("stats", "--json", "--as-of", "2020-05-03") == 0
    figures = json.loads(capsys.readouterr().out)
    assert (figures["employed"], figures["applied"], figures["placed_by_recommendation"]) == (1, 1, 1)
