"""Import a 100,000-member county roster and compare with reading it alone.

Builds a roster workbook of ``--members`` people (default 100,000) in the
format of domain.md §10 (title row, the sample's 33 columns with aliases,
household columns repeated per member, valid ID numbers with old and new
address codes, survey columns partly filled, a notes row), written with
XlsxWriter. Then, each in a fresh child process, so that peak memory
(``ru_maxrss``) and CPU time (user + system, every thread) of the whole
process can be read from the operating system (``os.wait4``):

- the floor: a Python process that opens the file with python-calamine and
  iterates every row (``iter_rows``), nothing else;
- the command: ``cadre-desk --db NEW import-roster FILE``, the real entry
  point, whole process: interpreter start, imports, creating the encrypted
  database (the Argon2id key wrap), the import, the pinyin fill the command
  does after it (so that the first search does not wait), exit;
- the engine: ``import_roster`` alone into a fresh database, timed inside its
  process (the figure the import's own work is tuned by), then the pinyin
  fill, timed apart.

The runs are interleaved (floor, command, engine, floor, …) so that a busy
moment of the shared machine weighs on all of them alike; each figure is the
best run. The ratios compare CPU times (the build machine is shared; its wall
clock measures the other jobs too); wall times are printed beside them.

    .venv/bin/python benchmarks/bench_roster_import.py [--quick] [--members N] [--runs N] [--keep DIR]

Ends with one JSON line: value = the command's whole-process CPU seconds,
floor = calamine's whole-process CPU seconds; params has wall times, peak
memory (goal 250 MB), the engine's in-process figures and the pinyin fill.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cadre_desk.idnumber import check_character  # noqa: E402

HEADERS = ["序号", "县(市、区)", "乡镇", "行政村", "户编号", "户主姓名", "成员姓名", "身份证号码", "性别",
           "与户主关系", "民族", "文化程度", "在校生状况", "健康状况", "残疾类别", "残疾等级", "劳动能力",
           "务工状况", "务工时间（月）", "贫困户属性", "主要致贫原因", "脱贫状态", "联系电话", "帮扶责任人",
           "技能特长", "就业意愿", "不能外出原因", "培训需求", "就业状态", "就业渠道", "就业单位", "带动就业人数",
           "备注"]
TOWNS = [("001", "青年路街道"), ("002", "新华路街道"), ("003", "先锋路街道"), ("004", "大辛庄街道"),
         ("101", "松林镇"), ("102", "老赵庄镇"), ("103", "康庄镇"), ("104", "魏湾镇"), ("105", "刘垓子镇"),
         ("107", "八岔路镇"), ("108", "潘庄镇"), ("109", "烟店镇"), ("110", "唐园镇"), ("111", "金郝庄镇"),
         ("112", "戴湾镇"), ("113", "尚店镇")]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰凤玉华建国庆春海志红梅琴云飞斌宁浩亮"
VILLAGE_WORDS = "东西南北前后大小王李张刘陈杨赵高孙马胡朱郭何林罗梁宋郑谢韩唐冯"
SKILLS = ["缝纫", "电子组装", "电工", "焊工", "驾驶", "厨师", "建筑", "种植", "养殖", "家政", "手工编织", "电商"]
CAUSES = ["因病"] * 5 + ["因残"] * 4 + ["缺技术", "缺劳力", "缺资金", "因学", "自身发展动力不足", "因灾"]
CHANNELS = ["企业就业", "扶贫车间", "居家就业", "劳务输出", "灵活就业", "公益性岗位", "自主创业"]
EMPLOYERS = ["临清市坤德电子有限公司", "烟店镇轴承扶贫车间", "山东众保信诚人力资源服务有限公司", "大辛庄蔬菜合作社",
             "临清市手套加工扶贫车间", "村保洁员"]


def _id(rng: random.Random, birth: dt.date, male: bool) -> str:
    area = "371581" if rng.random() < 0.7 else "372502"
    seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    return body + check_character(body)


def _birth(rng: random.Random, age_lo: int, age_hi: int) -> dt.date:
    return dt.date(2020, 4, 30) - dt.timedelta(days=rng.randrange(age_lo * 365 + 1, age_hi * 365 - 1))


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _person(rng, relation: str, birth: dt.date, male: bool, seen: set) -> dict:
    while True:
        ident = _id(rng, birth, male)
        if ident not in seen:
            seen.add(ident)
            break
    age = (dt.date(2020, 4, 30) - birth).days // 365
    p = {"成员姓名": _name(rng), "身份证号码": ident, "性别": "男" if male else "女", "与户主关系": relation,
         "民族": "汉族" if rng.random() < 0.97 else "回族"}
    if 6 <= age < 18 and rng.random() < 0.9:
        p["在校生状况"] = {6: "小学", 12: "七年级", 13: "八年级", 14: "九年级", 15: "高中一年级",
                      16: "高中二年级", 17: "高中三年级"}.get(age, "小学")
    elif age < 6:
        p["文化程度"] = "学龄前儿童"
    else:
        p["文化程度"] = rng.choice(["文盲或半文盲", "小学", "小学", "初中", "初中", "高中", "大专及以上"])
        p["在校生状况"] = "非在校生"
    r = rng.random()
    if r < 0.15:
        p.update({"健康状况": "残疾", "残疾类别": rng.choice(["视力", "听力", "言语", "肢体", "智力", "精神"]),
                  "残疾等级": rng.choice(["一级", "二级", "三级", "四级"])})
    elif r < 0.30:
        p["健康状况"] = rng.choice(["长期慢性病", "患有大病", "长期慢性病、残疾"])
        if "残疾" in p["健康状况"]:
            p.update({"残疾类别": "肢体", "残疾等级": "四级"})
    else:
        p["健康状况"] = "健康"
    working = 16 <= age < 60
    if not working or age < 16:
        p["劳动能力"] = "无劳动力" if age < 16 or age > 70 else "丧失劳动力"
    else:
        p["劳动能力"] = rng.choice(["普通劳动力"] * 5 + ["技能劳动力", "弱劳动力或半劳动力", "丧失劳动力"])
    if working and p["劳动能力"] != "丧失劳动力":
        if rng.random() < 0.6:
            channel = rng.choice(CHANNELS)
            p.update({"就业状态": "已就业", "就业渠道": channel})
            if channel != "灵活就业":
                p["就业单位"] = f"{p['成员姓名']}养殖场" if channel == "自主创业" else rng.choice(EMPLOYERS)
            if channel == "自主创业":
                p["带动就业人数"] = rng.randrange(0, 4)
            if channel in ("劳务输出", "企业就业") and rng.random() < 0.7:
                p.update({"务工状况": rng.choice(["乡(镇)内务工", "乡(镇)外县内务工", "县外省内务工", "省外务工"]),
                          "务工时间（月）": rng.randrange(3, 13)})
        else:
            p["就业状态"] = "未就业"
            p["就业意愿"] = rng.choice(["县内企业就业", "外出务工", "居家就业", "自主创业", "公益性岗位", "暂无意愿"])
            if p["就业意愿"] == "居家就业":
                p["不能外出原因"] = rng.choice(["照看孩子", "照料老人或病人", "照看孩子、照料老人或病人"])
            if rng.random() < 0.5:
                p["培训需求"] = rng.choice(["电工", "家政", "电商", "厨师"])
        if rng.random() < 0.4:
            p["技能特长"] = "、".join(rng.sample(SKILLS, rng.choice((1, 1, 2))))
    return p


def build_roster(path: Path, members: int, seed: int = 2020) -> int:
    """Write the roster; return the number of member rows."""
    import xlsxwriter

    rng = random.Random(seed)
    def village_name() -> str:
        return f"{rng.choice(VILLAGE_WORDS)}{rng.choice(VILLAGE_WORDS)}{rng.choice('庄村屯集')}村"

    villages = [(code, town, village_name(), v + 1) for code, town in TOWNS for v in range(38)]
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("花名册")
    ws.merge_range(0, 0, 0, len(HEADERS) - 1, "临清市建档立卡贫困人口就业情况花名册（截至2020年4月30日）")
    for c, h in enumerate(HEADERS):
        ws.write_string(1, c, h)
    seen: set[str] = set()
    row = 1
    hh_no = 0
    while row - 1 < members:
        hh_no += 1
        code, town, village, vno = rng.choice(villages)
        number = f"371581{code}{vno:03d}{hh_no:05d}"
        size = rng.choice((1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6))
        size = min(size, members - (row - 1))
        head_age = rng.randrange(30, 88)
        head_male = rng.random() < 0.7
        head_birth = _birth(rng, head_age, head_age + 1)
        people = [_person(rng, "户主", head_birth, head_male, seen)]
        if size >= 2:
            people.append(_person(rng, "配偶", _birth(rng, max(20, head_age - 5), head_age + 4), not head_male, seen))
        for _ in range(size - len(people)):
            if head_age > 45:
                male = rng.random() < 0.5
                people.append(_person(rng, "之子" if male else "之女", _birth(rng, 1, max(2, head_age - 20)), male, seen))
            else:
                male = rng.random() < 0.5
                people.append(_person(rng, "之父" if male else "之母", _birth(rng, head_age + 20, head_age + 35),
                                      male, seen))
        household = {"县(市、区)": "临清市", "乡镇": town, "行政村": village, "户编号": number,
                     "户主姓名": people[0]["成员姓名"],
                     "贫困户属性": rng.choice(["一般贫困户", "一般贫困户", "低保贫困户", "特困供养贫困户"]),
                     "主要致贫原因": rng.choice(CAUSES),
                     "脱贫状态": rng.choice(["已脱贫（享受政策）", "已脱贫（享受政策）", "已脱贫（不再享受政策）", "未脱贫"]),
                     "联系电话": f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
                     "帮扶责任人": _name(rng) if rng.random() < 0.05 else f"帮扶干部{hh_no % 3000:04d}"}
        for p in people:
            row += 1
            cells = {**household, **p}
            ws.write_number(row, 0, row - 1)
            for c, h in enumerate(HEADERS[1:], start=1):
                v = cells.get(h)
                if v is None:
                    continue
                if isinstance(v, int):
                    ws.write_number(row, c, v)
                else:
                    ws.write_string(row, c, v)
    ws.write_string(row + 2, 0, f"填表说明：共 {hh_no} 户 {row - 1} 人。")
    wb.close()
    return row - 1


# ---------------------------------------------------------------- children (measured in their own process)

def child_floor(path: str) -> dict:
    import python_calamine

    t, cpu = time.perf_counter(), time.process_time()
    wb = python_calamine.CalamineWorkbook.from_path(path)
    rows = 0
    for _ in wb.get_sheet_by_index(0).iter_rows():
        rows += 1
    return {"seconds": time.perf_counter() - t, "cpu": time.process_time() - cpu, "rows": rows}


def child_import(path: str, db: str) -> dict:
    from cadre_desk import places, search
    from cadre_desk.roster import import_roster
    from cadre_desk.storage import open_store

    store = open_store(db)
    places.ensure_county(store)
    t, cpu = time.perf_counter(), time.process_time()
    result = import_roster(store, path)
    seconds, cpu_import = time.perf_counter() - t, time.process_time() - cpu
    t, cpu = time.perf_counter(), time.process_time()
    filled = search.update_search_index(store)
    return {"seconds": seconds, "cpu": cpu_import, "members": result.members_created,
            "households": result.households_created, "bad_rows": result.bad_row_count,
            "fill_seconds": time.perf_counter() - t, "fill_cpu": time.process_time() - cpu, "filled": filled}


def child_writes(source: str, db: str) -> dict:
    """The import's own writes and nothing else: the rows an import produced
    (``source``), inserted into a fresh database the way the import inserts
    them (``Store.insert_tuples`` per table, creations logged, the search
    index built in one pass, one transaction), with no reading or checking."""
    from cadre_desk import search
    from cadre_desk.roster.importer import IMPORT_CACHE_KB
    from cadre_desk.storage import open_store

    source_store = open_store(source)  # encrypted: opened signed in, like any database
    src = source_store.db.conn
    tables = {}
    for table in ("villages", "cadres", "households", "members", "pairings"):
        cursor = src.execute(f"SELECT * FROM {table} ORDER BY rowid")
        tables[table] = ([d[0] for d in cursor.description], cursor.fetchall())
    place_rows = {t: src.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in ("counties", "towns")}
    source_store.db.conn.close()
    store = open_store(db)
    conn = store.db.conn
    for t, rows in place_rows.items():
        if rows:
            conn.executemany(f"INSERT INTO {t} VALUES ({', '.join('?' * len(rows[0]))})", rows)
    conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KB}")  # as the import sets it
    t, cpu = time.perf_counter(), time.process_time()
    with store.transaction(), search.bulk_inserts(store.db):
        for table, (columns, rows) in tables.items():
            store.insert_tuples(table, columns[5:], (r[5:] for r in rows), [r[0] for r in rows])
    return {"seconds": time.perf_counter() - t, "cpu": time.process_time() - cpu, "rows": len(tables["members"][1])}


def run_process(argv: list[str], env: dict | None = None) -> tuple[str, dict]:
    """Run ``argv``; its stdout and whole-process figures: wall seconds from
    spawn to exit, CPU seconds (user + system) and peak RSS in MB."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.stdout.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])} … failed with exit code {proc.returncode}")
    return out, {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024}


def run_child(*args: str) -> tuple[dict, dict]:
    """Run this script as a child: its JSON answer and its whole-process figures."""
    out, whole = run_process([sys.executable, __file__, "--child", *args])
    return json.loads(out.strip().splitlines()[-1]), whole


def run_command(roster: Path, db: Path) -> dict:
    """``cadre-desk --db DB import-roster ROSTER``, whole process (the entry point as installed)."""
    for suffix in ("", "-wal", "-shm", ".keys"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out, whole = run_process([sys.executable, "-m", "cadre_desk", "--db", str(db), "import-roster", str(roster)],
                             env=env)
    return {**whole, "summary": out.strip().splitlines()[-1] if out.strip() else ""}


def fresh(db: Path) -> Path:
    for suffix in ("", "-wal", "-shm", ".keys"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="5,000 members (smoke run)")
    parser.add_argument("--runs", type=int, default=2, help="interleaved rounds of floor, command and engine")
    parser.add_argument("--keep", metavar="DIR",
                        help="write the roster and databases here and keep them (a roster already there is reused)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        answer = {"floor": child_floor, "import": child_import, "writes": child_writes}[kind](*rest)
        print(json.dumps(answer))
        return
    members = 5_000 if args.quick else args.members
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-roster-"))
    work.mkdir(parents=True, exist_ok=True)
    roster = work / f"roster-{members}.xlsx"
    t = time.perf_counter()
    if args.keep and roster.exists():
        written = members  # built by an earlier run with the same seed
    else:
        written = build_roster(roster, members)
    print(f"roster: {written} members, {roster.stat().st_size / 1e6:.1f} MB, built in {time.perf_counter() - t:.1f} s")
    import compileall

    for package in ("cadre_desk", "ui"):  # an installed program has its bytecode
        compileall.compile_dir(str(ROOT / package), quiet=1)

    floors, commands, engines = [], [], []
    for i in range(args.runs):
        floors.append(run_child("floor", str(roster)))
        commands.append(run_command(roster, work / "command.db"))
        engines.append(run_child("import", str(roster), str(fresh(work / f"import-{i}.db"))))
        f, c, e = floors[-1], commands[-1], engines[-1]
        print(f"round {i + 1}: floor {f[1]['cpu']:.2f} s CPU ({f[1]['wall']:.2f} s wall, {f[1]['rss_mb']:.0f} MB); "
              f"command {c['cpu']:.2f} s CPU ({c['wall']:.2f} s wall, {c['rss_mb']:.0f} MB); "
              f"engine {e[0]['cpu']:.2f} s CPU + pinyin fill {e[0]['fill_cpu']:.2f} s", flush=True)
    floor, floor_whole = min(floors, key=lambda f: f[1]["cpu"])
    command = min(commands, key=lambda c: c["cpu"])
    best = min(range(len(engines)), key=lambda i: engines[i][0]["cpu"])
    done, engine_whole = engines[best]
    writes, _ = run_child("writes", str(work / f"import-{best}.db"), str(fresh(work / "writes-only.db")))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    assert done["members"] == written and done["bad_rows"] == 0, done
    ratio = command["cpu"] / floor_whole["cpu"]
    engine_ratio = done["cpu"] / floor["cpu"]
    print(f"floor, python-calamine alone (iter_rows over {floor['rows']} rows), whole process: "
          f"{floor_whole['cpu']:.2f} s CPU, {floor_whole['wall']:.2f} s wall, peak RSS {floor_whole['rss_mb']:.0f} MB "
          f"(reading alone: {floor['cpu']:.2f} s CPU)")
    print(f"cadre-desk import-roster, whole process (start-up, encrypted database created, import, pinyin fill): "
          f"{command['cpu']:.2f} s CPU, {command['wall']:.2f} s wall, peak RSS {command['rss_mb']:.0f} MB "
          f"(goal 250 MB) — {command['summary']}")
    print(f"ratio to the floor, whole processes: {ratio:.2f} CPU, {command['wall'] / floor_whole['wall']:.2f} wall "
          "(goal: within 3)")
    print(f"engine alone (import_roster inside its process): {done['cpu']:.2f} s CPU ({done['seconds']:.2f} s wall), "
          f"{done['members'] / done['cpu']:,.0f} members per CPU second ({done['households']} households) = "
          f"{engine_ratio:.2f}x calamine's reading; then the pinyin fill of {done['filled']:,} people: "
          f"{done['fill_cpu']:.2f} s CPU ({done['fill_cpu'] / done['cpu'] * 100:.0f} % of the import); "
          f"peak RSS {engine_whole['rss_mb']:.0f} MB")
    print(f"of which the import's writes alone (the same rows inserted with no reading or checking, creations "
          f"logged, search index built): CPU {writes['cpu']:.2f} s = {writes['cpu'] / floor['cpu']:.2f}x the floor; "
          f"reading + writes alone: {1 + writes['cpu'] / floor['cpu']:.2f}x")
    print(json.dumps({"benchmark": "roster_import", "value": round(command["cpu"], 3), "unit": "s (CPU, whole process)",
                      "floor": round(floor_whole["cpu"], 3), "ratio": round(ratio, 2),
                      "params": {"members": written, "runs": args.runs, "wall_s": round(command["wall"], 3),
                                 "floor_wall_s": round(floor_whole["wall"], 3),
                                 "peak_rss_mb": round(command["rss_mb"]),
                                 "floor_peak_rss_mb": round(floor_whole["rss_mb"]), "memory_goal_mb": 250,
                                 "engine_cpu_s": round(done["cpu"], 3), "engine_wall_s": round(done["seconds"], 3),
                                 "engine_floor_cpu_s": round(floor["cpu"], 3), "engine_ratio": round(engine_ratio, 2),
                                 "members_per_s": round(done["members"] / done["cpu"]),
                                 "pinyin_fill_cpu_s": round(done["fill_cpu"], 3),
                                 "engine_peak_rss_mb": round(engine_whole["rss_mb"]),
                                 "writes_only_s": round(writes["cpu"], 3),
                                 "writes_only_ratio": round(writes["cpu"] / floor["cpu"], 2),
                                 "load": round(os.getloadavg()[0], 1)}}))


if __name__ == "__main__":
    main()
