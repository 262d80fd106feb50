"""务工规模 and the monitoring figures (issue 14 §3): a small hand-made register
with spells spanning months, overlapping spells, 县内 / 省内县外 / 省外, members
who left, deleted rows and monitored households identified and cleared at
different dates. The expected figures are computed here, in plain Python over
the same hand-written lists, and compared with ``work_stats``, ``stats`` and
the commands."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest

from cadre_desk import households, places, register, work_stats
from cadre_desk.stats import compute_stats
from helpers_cli import run_cli
from helpers_printing import id_number

IN, PROV, OUT = "县内", "省内县外", "省外"
# Where each place is, written by hand (the test does not ask the gazetteer).
PLACES = {
    "山东省聊城市临清市": IN,
    "山东省济南市历下区": PROV,
    "山东省聊城市东昌府区": PROV,
    "江苏省苏州市昆山市": OUT,
    "北京市朝阳区": OUT,
    "外地": "地点不详",  # resolves to no code: counted, under its own key
}

# household key: (town, village, 户类型, 监测对象类别, 识别监测时间, 风险已消除, 消除监测时间)
HOUSEHOLDS = {
    "h1": ("烟店镇", "李庄村", "监测户", "脱贫不稳定户", "2023-06", True, "2024-03"),
    "h2": ("烟店镇", "李庄村", "监测户", "边缘易致贫户", "2024-02", False, None),
    "h3": ("松林镇", "前进村", "监测户", "突发严重困难户", "2024-05", True, "2024-11"),
    "h4": ("松林镇", "前进村", "脱贫户", None, None, None, None),
    "h5": ("烟店镇", "王庄村", "监测户", "边缘易致贫户", "2022-12", True, "2023-05"),
}

# member key: (household, name, born, left_on)
MEMBERS = {
    "a": ("h1", "张大军", "19800101", None),
    "b": ("h1", "张二军", "19850202", "2024-04-10"),  # moved away in April 2024
    "c": ("h2", "李春花", "19900303", None),
    "d": ("h3", "王秋生", "19750404", None),
    "e": ("h4", "赵冬梅", "19880505", None),
    "f": ("h5", "钱多多", "19920606", None),
    "g": ("h5", "钱少少", "19950707", None),  # never worked
    "x": ("h2", "孙已删", "19930808", None),  # deleted below
}

# (member, start, end or None, place, channel)
SPELLS = [
    ("a", "2023-03", "2023-08", "江苏省苏州市昆山市", "企业就业"),
    ("a", "2023-07", None, "山东省聊城市临清市", "灵活就业"),  # overlaps July-August: the later one decides
    ("b", "2024-01", "2024-06", "山东省济南市历下区", "灵活就业"),
    ("c", "2023-11", "2024-02", "北京市朝阳区", "企业就业"),
    ("c", "2024-05", None, "山东省聊城市东昌府区", "企业就业"),
    ("d", "2024-03", "2024-03", "山东省聊城市临清市", "乡村公益性岗位"),
    ("e", "2022-01", None, "江苏省苏州市昆山市", "企业就业"),
    ("e", "2024-06", "2024-07", "山东省聊城市临清市", "灵活就业"),  # nested: Linqing for two months, then Kunshan again
    ("f", "2023-01", "2023-12", "江苏省苏州市昆山市", "企业就业"),
    ("x", "2023-01", None, "北京市朝阳区", "企业就业"),
    ("g", "2024-09", None, "外地", "企业就业"),
]


# ---------------------------------------------------------------- the figures, computed by hand

def months_between(a: str, b: str) -> list[str]:
    y, m = int(a[:4]), int(a[5:])
    out = []
    while f"{y:04d}-{m:02d}" <= b:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def expected_workers(month: str, *, town: str | None = None, channels: bool = False) -> dict:
    y, m = int(month[:4]), int(month[5:])
    last_day = (dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)).isoformat()
    # in the register at the month's end
    alive = {k for k, (_, _, _, left) in MEMBERS.items() if k != "x" and (left is None or left > last_day)}
    if town:
        alive = {k for k in alive if HOUSEHOLDS[MEMBERS[k][0]][0] == town}
    deciding: dict[str, tuple] = {}
    for who, start, end, place, channel in SPELLS:
        if who in alive and start <= month and (end is None or end >= month):
            if who not in deciding or start > deciding[who][0]:
                deciding[who] = (start, place, channel)
    f = {"total": len(deciding), IN: 0, PROV: 0, OUT: 0}
    by_channel: dict[str, int] = {}
    for _, place, channel in deciding.values():
        f[PLACES[place]] = f.get(PLACES[place], 0) + 1
        by_channel[channel] = by_channel.get(channel, 0) + 1
    if channels:
        f["by_channel"] = by_channel
    return f


def expected_monitoring(day: dt.date, *, town: str | None = None) -> dict:
    month = f"{day:%Y-%m}"
    chosen = {k: h for k, h in HOUSEHOLDS.items()
              if h[2] == "监测户" and h[4] <= month and (town is None or h[0] == town)}
    people = sum(1 for k, (hh, _, _, left) in MEMBERS.items()
                 if hh in chosen and k != "x" and (left is None or left > day.isoformat()))
    by_category = {"脱贫不稳定户": 0, "边缘易致贫户": 0, "突发严重困难户": 0}
    for h in chosen.values():
        by_category[h[3]] += 1
    cleared = sum(1 for h in chosen.values() if h[5] and h[6] <= month)
    return {"households": len(chosen), "people": people, "by_category": by_category,
            "risk_cleared_households": cleared}


# ---------------------------------------------------------------- the register, built as a user would

@dataclass
class Register:
    households: dict[str, str]
    members: dict[str, str]


def add_spell(store, member_id: str, start: str, end: str | None, place: str, channel: str) -> None:
    from cadre_desk import spells

    result = spells.save_spells(store, [spells.SpellRow(member_id=member_id, start_month=start, end_month=end,
                                                        place=place, channel=channel)])
    assert not getattr(result, "errors", None), result


def build(store) -> Register:
    hh_ids, m_ids = {}, {}
    for n, (key, (town, village, kind, category, since, cleared, cleared_on)) in enumerate(HOUSEHOLDS.items(), 1):
        t = places.town_by_name(store, town)
        vid = places.ensure_village(store, t["id"], village)
        answers = {"number": f"37158110900{n:05d}", "head_name": "户主", "poverty_status": "已脱贫（享受政策）",
                   "attribute": "一般贫困户", "main_cause": "因病", "household_type": kind}
        if kind == "监测户":
            answers.update(monitoring_category=category, monitoring_since=since.replace("-", ""),
                           risk_cleared=cleared, risk_1="因病")
            if cleared:
                answers.update(risk_clear_method="帮扶消除", risk_cleared_on=cleared_on)
        hh_ids[key], _ = register.save_household(store, answers, village_id=vid)
    heads: set[str] = set()
    for n, (key, (hh, name, born, _)) in enumerate(MEMBERS.items(), 1):
        relation = "之子" if hh in heads else "户主"
        heads.add(hh)
        answers = {"name": name, "id_number": id_number(born, n), "relation": relation,
                   "health": ["健康"], "labour_ability": "普通劳动力", "school_status": "非在校生",
                   "employment_status": "未就业"}
        m_ids[key], _ = register.save_member(store, answers, household_id=hh_ids[hh], as_of=dt.date(2024, 1, 1))
    for who, start, end, place, channel in SPELLS:
        add_spell(store, m_ids[who], start, end, place, channel)
    for key, (_, _, _, left) in MEMBERS.items():
        if left:
            households.leave_member(store, m_ids[key], "迁出", dt.date.fromisoformat(left))
    store.delete("members", m_ids["x"])
    return Register(hh_ids, m_ids)


@pytest.fixture
def county(store):
    return store, build(store)


ALL_MONTHS = months_between("2022-01", "2025-02")


# ---------------------------------------------------------------- workers

def test_workers_every_month_against_the_hand_count(county):
    store, _ = county
    for month in ALL_MONTHS:
        day = dt.date(int(month[:4]), int(month[5:]), 15)
        assert work_stats.workers(store, day) == expected_workers(month), month


def test_overlap_is_one_person_and_the_later_spell_decides_the_place(county):
    store, _ = county
    july = work_stats.workers(store, dt.date(2023, 7, 1))
    # a: Kunshan (省外) from March and Linqing (县内) from July: once, in the county
    # e: Kunshan since 2022; f: Kunshan for 2023; x: deleted
    assert july == {"total": 3, IN: 1, PROV: 0, OUT: 2}
    june = work_stats.workers(store, dt.date(2023, 6, 30))
    assert june == {"total": 3, IN: 0, PROV: 0, OUT: 3}


def test_a_member_who_left_counts_until_the_month_they_left(county):
    store, _ = county
    march = work_stats.workers(store, dt.date(2024, 3, 31))
    april = work_stats.workers(store, dt.date(2024, 4, 1))
    may = work_stats.workers(store, dt.date(2024, 5, 1))
    assert march[PROV] == 1  # b worked in Jinan from January
    assert april[PROV] == 0  # b left on 10 April: not in the register at April's end
    assert may[PROV] == 1  # c in Dongchangfu from May
    assert expected_workers("2024-04")[PROV] == 0


def test_a_nested_spell_decides_while_it_runs(county):
    store, _ = county
    # e: Kunshan since 2022, Linqing in June and July 2024 only
    assert [work_stats.workers(store, dt.date(2024, m, 1), town="松林镇") for m in (5, 6, 7, 8)] == [
        {"total": 1, IN: 0, PROV: 0, OUT: 1}, {"total": 1, IN: 1, PROV: 0, OUT: 0},
        {"total": 1, IN: 1, PROV: 0, OUT: 0}, {"total": 1, IN: 0, PROV: 0, OUT: 1}]


def test_a_place_without_a_code_is_counted_apart(county):
    store, _ = county
    f = work_stats.workers(store, dt.date(2024, 9, 1))
    assert f["地点不详"] == 1 and f["total"] == f[IN] + f[PROV] + f[OUT] + 1
    assert "地点不详" not in work_stats.workers(store, dt.date(2024, 8, 1))


def test_scoped_to_a_town_and_village(county):
    store, _ = county
    for month in ("2023-07", "2024-03", "2024-05"):
        day = dt.date(int(month[:4]), int(month[5:]), 1)
        for town in ("烟店镇", "松林镇"):
            assert work_stats.workers(store, day, town=town) == expected_workers(month, town=town)
    # 李庄村 alone: a (县内) and c (省内县外) in May 2024
    assert work_stats.workers(store, dt.date(2024, 5, 1), town="烟店镇", village="李庄村") == {
        "total": 2, IN: 1, PROV: 1, OUT: 0}


def test_drill_down_by_town_and_village_adds_up(county):
    store, _ = county
    for month in ("2023-07", "2024-03", "2024-06", "2024-09"):
        day = dt.date(int(month[:4]), int(month[5:]), 1)
        towns = work_stats.workers_by_area(store, day)
        assert len(towns) == 16 and all(r["village"] is None for r in towns)  # every town, zeros too
        by_name = {r["town"]: r for r in towns}
        for town in ("烟店镇", "松林镇"):
            want = expected_workers(month, town=town)
            assert {k: v for k, v in by_name[town].items() if k not in ("town", "village")} == want, (month, town)
        assert sum(r["total"] for r in towns) == work_stats.workers(store, day)["total"]
        villages = work_stats.workers_by_area(store, day, town="烟店镇")
        assert [r["village"] for r in villages] == ["李庄村", "王庄村"]
        assert sum(r["total"] for r in villages) == expected_workers(month, town="烟店镇")["total"]
        for r in villages:
            assert work_stats.workers(store, day, town="烟店镇", village=r["village"]) == {
                k: v for k, v in r.items() if k not in ("town", "village")}


# ---------------------------------------------------------------- monthly

def test_monthly_series_with_last_year_channels_and_target(county):
    store, _ = county
    work_stats.set_target(store, 2024, 5)
    f = work_stats.monthly(store, 2024, today=dt.date(2025, 1, 10))
    assert f["year"] == 2024 and f["target"] == 5
    assert [m["month"] for m in f["months"]] == months_between("2024-01", "2024-12")
    for m in f["months"]:
        want = expected_workers(m["month"], channels=True)
        by_channel = want.pop("by_channel")
        assert {k: v for k, v in m.items() if k not in ("month", "by_channel", "same_month_last_year")} == want
        assert {k: v for k, v in m["by_channel"].items() if v} == by_channel, m["month"]
        assert m["same_month_last_year"] == expected_workers("2023" + m["month"][4:])["total"]
        unknown = {"地点不详"} if m["month"] >= "2024-09" else set()
        assert set(m) == {"month", "total", IN, PROV, OUT, "by_channel", "same_month_last_year", *unknown}


def test_monthly_stops_at_the_current_month(county):
    store, _ = county
    f = work_stats.monthly(store, 2024, today=dt.date(2024, 3, 2))
    assert [m["month"] for m in f["months"]] == ["2024-01", "2024-02", "2024-03"]
    assert work_stats.monthly(store, 2026, today=dt.date(2025, 6, 1))["months"] == []


def test_target_is_the_countys_and_only_for_the_county(county):
    store, _ = county
    assert work_stats.monthly(store, 2024, today=dt.date(2025, 1, 1))["target"] is None
    work_stats.set_target(store, 2024, 52000)
    assert work_stats.target(store, 2024) == 52000
    assert work_stats.monthly(store, 2024, town="烟店镇", today=dt.date(2025, 1, 1))["target"] is None
    town = work_stats.monthly(store, 2024, town="烟店镇", today=dt.date(2025, 1, 1))
    assert [m["total"] for m in town["months"]] == [expected_workers(m, town="烟店镇")["total"]
                                                   for m in months_between("2024-01", "2024-12")]


# ---------------------------------------------------------------- monitoring

@pytest.mark.parametrize("day", ["2022-11-30", "2022-12-01", "2023-05-31", "2023-06-01", "2024-02-29",
                                 "2024-03-01", "2024-04-10", "2024-04-11", "2024-05-01", "2024-11-30",
                                 "2025-01-01"])
def test_monitoring_on_dates_against_the_hand_count(county, day):
    store, _ = county
    on = dt.date.fromisoformat(day)
    assert work_stats.monitoring(store, on) == expected_monitoring(on)
    assert work_stats.monitoring(store, on, town="松林镇") == expected_monitoring(on, town="松林镇")


def test_monitoring_figures_read_plainly(county):
    store, _ = county
    end_2024 = work_stats.monitoring(store, dt.date(2024, 12, 31))
    # h1, h2, h3, h5 monitored; b left; x deleted; cleared: h1 (2024-03), h3 (2024-11), h5 (2023-05)
    assert end_2024 == {"households": 4, "people": 5,
                        "by_category": {"脱贫不稳定户": 1, "边缘易致贫户": 2, "突发严重困难户": 1},
                        "risk_cleared_households": 3}


# ---------------------------------------------------------------- to-do list

def test_ended_without_new(county):
    store, reg = county
    names = [r["name"] for r in work_stats.ended_without_new(store, dt.date(2024, 3, 15))]
    # f ended in December 2023; d's one-month spell is March 2024; c is between spells (Feb ended, May planned)
    assert names == ["王秋生", "钱多多"]  # 松林镇 (code 101) before 烟店镇 (109)
    rows = {r["name"]: r for r in work_stats.ended_without_new(store, dt.date(2024, 3, 15))}
    assert rows["钱多多"]["end_month"] == "2023-12" and rows["钱多多"]["idle_months"] == 3
    assert rows["钱多多"]["village"] == "王庄村" and rows["钱多多"]["household_id"] == reg.households["h5"]
    # b (left) never appears; x (deleted) never appears; a, e still working
    later = {r["name"] for r in work_stats.ended_without_new(store, dt.date(2024, 8, 1))}
    assert later == {"钱多多", "王秋生"}
    assert {r["name"] for r in work_stats.ended_without_new(store, dt.date(2024, 8, 1), town="松林镇")} == {"王秋生"}


# ---------------------------------------------------------------- stats and the commands

def test_stats_gains_workers_and_monitoring_and_keeps_its_keys(county):
    store, _ = county
    on = dt.date(2024, 5, 20)
    f = compute_stats(store, on)
    assert f["workers"] == expected_workers("2024-05")
    assert f["monitoring"] == expected_monitoring(on)
    for key in ("as_of", "county", "households", "working_age_able", "employed", "by_channel", "applied",
                "placed_by_recommendation", "self_employed", "public_welfare_posts", "public_welfare_subsidy_yuan"):
        assert key in f
    town = compute_stats(store, on, town="松林镇")
    assert town["workers"] == expected_workers("2024-05", town="松林镇")
    assert town["monitoring"] == expected_monitoring(on, town="松林镇")


@pytest.fixture
def county_file(file_store, db_path):
    build(file_store)
    file_store.db.conn.close()
    return db_path


def test_cli_stats_and_work_stats_json(county_file, tmp_path):
    db = str(county_file)
    rc, out, err = run_cli("--db", db, "stats", "--as-of", "2024-05-20", "--json")
    assert rc == 0, err
    f = json.loads(out)
    assert f["workers"] == expected_workers("2024-05")
    assert f["monitoring"] == expected_monitoring(dt.date(2024, 5, 20))
    rc, out, err = run_cli("--db", db, "set-target", "--year", "2024", "6")
    assert rc == 0 and "6" in out, err
    rc, out, err = run_cli("--db", db, "work-stats", "--year", "2024", "--json")
    assert rc == 0, err
    w = json.loads(out)
    assert set(w) == {"year", "target", "months"} and w["year"] == 2024 and w["target"] == 6
    assert [m["total"] for m in w["months"]] == [expected_workers(m)["total"]
                                                for m in months_between("2024-01", "2024-12")]
    rc, out, err = run_cli("--db", db, "work-stats", "--year", "2024", "--town", "烟店镇", "--village", "李庄村",
                           "--json")
    assert rc == 0, err
    assert json.loads(out)["months"][4][IN] == 1 and json.loads(out)["target"] is None
    rc, out, err = run_cli("--db", db, "work-stats", "--year", "2024")
    assert rc == 0 and "2024年务工规模" in out and "省内县外" in out


def test_cli_work_ended(county_file):
    rc, out, err = run_cli("--db", str(county_file), "work-ended", "--as-of", "2024-03-15", "--json")
    assert rc == 0, err
    assert [r["name"] for r in json.loads(out)] == ["王秋生", "钱多多"]
    rc, out, err = run_cli("--db", str(county_file), "work-ended", "--as-of", "2024-03-15", "--town", "烟店镇")
    assert rc == 0 and "1 人" in out and "钱多多" in out and "2023-01至2023-12" in out and "王秋生" not in out


@pytest.mark.parametrize("argv, words", [
    (["work-stats", "--year", "二〇二四"], "年份"),
    (["set-target", "--year", "2024", "很多"], "目标人数"),
    (["set-target", "--year", "2024", "-5"], "不能为负数"),
    (["work-stats", "--year", "2024", "--town", "火星镇"], "火星镇"),
    (["work-stats", "--year", "2024", "--xlsx", "out.csv"], ".xlsx"),
])
def test_cli_bad_input_is_one_chinese_line(county_file, tmp_path, argv, words):
    argv = [a if a != "out.csv" else str(tmp_path / "out.csv") for a in argv]
    rc, out, err = run_cli("--db", str(county_file), *argv)
    assert rc in (1, 2) and "Traceback" not in err
    assert err.strip().count("\n") == 0 and words in err, err


def test_work_stats_workbook_holds_the_same_figures(county_file, tmp_path):
    from python_calamine import CalamineWorkbook

    out = tmp_path / "务工规模.xlsx"
    rc, _, err = run_cli("--db", str(county_file), "set-target", "--year", "2024", "4")
    rc, _, err = run_cli("--db", str(county_file), "work-stats", "--year", "2024", "--xlsx", str(out), "--json")
    assert rc == 0, err
    wb = CalamineWorkbook.from_path(str(out))
    assert wb.sheet_names == ["务工规模", "分渠道", "分乡镇"]
    towns = {r[0]: [int(v) for v in r[1:5]] for r in wb.get_sheet_by_name("分乡镇").to_python()[3:19]}
    december = expected_workers("2024-12", town="烟店镇")
    assert towns["烟店镇"] == [december["total"], december[IN], december[PROV], december[OUT]]
    assert towns["松林镇"][0] == expected_workers("2024-12", town="松林镇")["total"] and towns["唐园镇"] == [0] * 4
    rows = wb.get_sheet_by_name("务工规模").to_python()
    assert "2024年务工规模月度统计表" in rows[0][0]
    header = rows[2]
    assert header[:7] == ["月份", "务工人数", "县内", "省内县外", "省外", "地点不详", "上年同月"]
    body = rows[3:15]
    for m, row in zip(months_between("2024-01", "2024-12"), body):
        want = expected_workers(m)
        assert row[0] == f"2024年{int(m[5:])}月"
        assert [int(v) for v in row[1:7]] == [want["total"], want[IN], want[PROV], want[OUT],
                                              want.get("地点不详", 0), expected_workers("2023" + m[4:])["total"]]
        assert int(row[9]) == 4 and row[10] == want["total"] / 4
    channels = wb.get_sheet_by_name("分渠道").to_python()
    head = channels[2]
    may = channels[3 + 4]
    want = expected_workers("2024-05", channels=True)["by_channel"]
    assert {head[i]: int(may[i]) for i in range(2, len(head)) if may[i]} == want
