"""Shared set-up for the sync tests: a county office database with households
paired with two cadres, laptops enrolled from it, and a content dump to
compare databases (sync tables and settings aside, or all tables)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cadre_desk import places, register
from cadre_desk.idnumber import check_character
from cadre_desk.storage import Store, open_store
from cadre_desk.sync.export import write_setup_package
from cadre_desk.sync.importer import import_package
from cadre_desk.sync.tables import SYSTEM, synced_tables


def make_id(birth: str, seq: int, area: str = "371581") -> str:
    first17 = f"{area}{birth}{seq:03d}"
    return first17 + check_character(first17)


def open_db(path: Path) -> Store:
    s = open_store(path)
    places.ensure_county(s)
    return s


def member_answers(name: str, id_number: str, relation: str = "户主", **more) -> dict:
    return {"name": name, "id_number": id_number, "relation": relation, "health": ["健康"],
            "labour_ability": "普通劳动力", "education": "初中", "school_status": "非在校生", **more}


def add_household(store: Store, number: str, cadre: str, people: list[tuple[str, str]],
                  village: str = "李庄村") -> tuple[str, list[str]]:
    town = places.town_by_name(store, "烟店镇")
    village_id = places.ensure_village(store, town["id"], village)
    hid, _ = register.save_household(store, {"number": number, "head_name": people[0][0], "size": len(people)},
                                     village_id=village_id)
    mids = []
    for i, (name, idn) in enumerate(people):
        mid, _ = register.save_member(store, member_answers(name, idn, "户主" if i == 0 else "配偶"),
                                      household_id=hid)
        mids.append(mid)
    cadre_id = register.ensure_cadre(store, cadre, unit="临清市人社局", phone="13900000000")
    register.pair_cadre(store, hid, cadre_id, since=dt.date(2020, 3, 1))
    return hid, mids


def county_with_households(path: Path) -> Store:
    """Two households for 王芳, one for 李强, an opening and a policy."""
    county = open_db(path)
    add_household(county, "3715811090010001", "王芳",
                  [("张三", make_id("19700101", 11)), ("李梅", make_id("19720202", 22))])
    add_household(county, "3715811090010002", "王芳", [("赵四", make_id("19650303", 33))])
    add_household(county, "3715811090010003", "李强", [("钱五", make_id("19800404", 41))])
    ent = county.insert("enterprises", {"name": "烟店轴承厂", "is_workshop": 1})
    county.insert("openings", {"enterprise_id": ent, "title": "装配工", "route": "企业就业", "pay": 3000.0,
                               "places": 5})
    county.insert("policies", {"title": "公益性岗位补贴", "kind": "公益性岗位", "retired": 0})
    return county


def enrol(county: Store, cadre: str, laptop_path: Path, tmp: Path) -> Store:
    setup = write_setup_package(county, cadre, tmp / f"setup-{cadre}.cdsync")
    laptop = open_db(laptop_path)
    import_package(laptop, setup.path, code=setup.code)
    return laptop


def dump(store: Store, *, shared_only: bool = False, sync_log: bool = True) -> dict:
    """Every row of every table (``shared_only``: the synced tables' data
    fields only, the view that must agree between databases; without
    ``sync_log``: a refused package's log line aside)."""
    out = {}
    if shared_only:
        for table in synced_tables(store):
            cols = [c for c in store.db[table].columns_dict if c not in SYSTEM]
            out[table] = {r["id"]: tuple(r[c] for c in cols)
                          for r in store.rows(f"SELECT * FROM [{table}]")}
        return out
    for table in store.db.table_names():
        if table.startswith("sqlite_") or (table == "sync_log" and not sync_log):
            continue
        out[table] = sorted(tuple(map(repr, r)) for r in store.db.execute(f"SELECT * FROM [{table}]").fetchall())
    return out


def member_by_name(store: Store, name: str) -> dict:
    rows = store.rows("SELECT * FROM members WHERE name = ? AND deleted = 0", [name])
    assert len(rows) == 1, rows
    return rows[0]
