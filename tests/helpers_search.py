"""A quick synthetic county for search and register tests and benchmarks:
households and members written straight through ``Store.insert_many`` (the
same path as a roster import), with valid ID numbers and Chinese names."""

from __future__ import annotations

import datetime as dt
import json
import random

from cadre_desk import places
from cadre_desk.idnumber import check_character
from cadre_desk.storage import Store

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "秀英桂兰玉梅凤华建国立新春明志强学亮红霞海燕丽娟德胜永福金山淑珍文军伟平俊杰佳慧家豪晓东雪敏"
HEALTHY = json.dumps(["健康"], ensure_ascii=False)  # multi-value fields are stored as JSON lists
STATUSES = ["未脱贫", "已脱贫（享受政策）", "已脱贫（不再享受政策）", "返贫"]
VILLAGE_NAMES = "李庄 王庄 张庄 刘屯 陈集 杨楼 赵寨 黄河 周店 吴村 徐庄 孙楼 胡寨 朱集 高庄 林场 何庄 郭屯 马集 罗庄".split()


def make_id_number(rng: random.Random, serial: int) -> str:
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 75))
    body = f"371581{birth:%Y%m%d}{serial % 1000:03d}"
    return body + check_character(body)


def random_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) if rng.random() < 0.65 else rng.choice(GIVEN) + rng.choice(GIVEN)
    return rng.choice(SURNAMES) + given


def make_county(store: Store, members: int, *, seed: int = 7, villages_per_town: int = 6,
                people: list[tuple[str, str]] = ()) -> dict:
    """Create about ``members`` people in households of 1–5. ``people`` are
    (name, id_number) pairs placed first, in households of their own."""
    rng = random.Random(seed)
    places.ensure_county(store)
    towns = store.rows("SELECT id, code FROM towns WHERE deleted = 0 ORDER BY code")
    village_ids = []
    for town in towns:
        for i in range(villages_per_town):
            village_ids.append(places.ensure_village(store, town["id"], VILLAGE_NAMES[i % len(VILLAGE_NAMES)] + "村"))
    households, member_rows = [], []
    used_ids: set[str] = set()
    serial = 0
    fixed = list(people)
    hh_index = 0
    while len(member_rows) < members + len(fixed):
        hh_index += 1
        village = village_ids[hh_index % len(village_ids)]
        size = 1 if fixed else rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5])
        hid = f"h{seed}-{hh_index:07d}"
        names = []
        for k in range(size):
            if fixed:
                name, idn = fixed.pop(0)
            else:
                name = random_name(rng)
                while True:
                    serial += 1
                    idn = make_id_number(rng, serial)
                    if idn not in used_ids:
                        break
            used_ids.add(idn)
            names.append(name)
            member_rows.append({"household_id": hid, "name": name, "id_number": idn,
                                "relation": "户主" if k == 0 else "之子", "health": HEALTHY})
        households.append({"village_id": village, "number": f"371581{hh_index:08d}", "head_name": names[0],
                           "poverty_status": STATUSES[hh_index % len(STATUSES)], "size": size})
    with store.transaction():
        store.insert_many("households", households, row_ids=[f"h{seed}-{i + 1:07d}" for i in range(len(households))])
        for start in range(0, len(member_rows), 20000):
            store.insert_many("members", member_rows[start:start + 20000])
    return {"households": len(households), "members": len(member_rows), "village_ids": village_ids}
