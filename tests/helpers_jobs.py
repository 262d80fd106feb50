"""Shared builders for the jobs tests: people in real households and villages,
enterprises and openings, all written through the core (register, openings)."""

from __future__ import annotations

import datetime as dt
import itertools

from cadre_desk import places, register
from cadre_desk.idnumber import check_character
from cadre_desk.jobs.openings import save_opening

AS_OF = dt.date(2020, 5, 1)
_seq = itertools.count(1)
_household_seq = itertools.count(1)


def id_number(born: dt.date, *, female: bool = False, area: str = "371581") -> str:
    n = next(_seq) % 500
    seq = 2 * n + (0 if female else 1)
    first17 = f"{area}{born:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)


def born_aged(age: int, as_of: dt.date = AS_OF) -> dt.date:
    return dt.date(as_of.year - age, 1, 15) if as_of >= dt.date(as_of.year, 1, 15) else \
        dt.date(as_of.year - age - 1, 1, 15)


def village(store, town: str = "烟店镇", name: str = "李庄村") -> str:
    t = places.town_by_name(store, town)
    return places.ensure_village(store, t["id"], name)


def household(store, village_id: str) -> str:
    hid, _ = register.save_household(store, {"number": f"37158100{next(_household_seq):04d}", "head_name": "户主"},
                                     village_id=village_id)
    return hid


def person(store, *, village_id: str | None = None, household_id: str | None = None, age: int = 35,
           name: str = "王秀兰", female: bool = True, **answers) -> dict:
    """A member saved through register.save_member; returns the decoded row."""
    if household_id is None:
        household_id = household(store, village_id or village(store))
    values = {"name": name, "id_number": id_number(born_aged(age), female=female), "relation": "户主",
              "health": ["健康"], "labour_ability": "普通劳动力", "education": "初中"}
    values.update(answers)
    if "残疾" in (values.get("health") or []):
        values.setdefault("disability_category", "肢体")
        values.setdefault("disability_grade", "三级")
        values.setdefault("stay_home_reasons", ["本人残疾"])
    if values.get("job_intention") == "居家就业":
        values.setdefault("stay_home_reasons", ["照看孩子"])
    member_id, _ = register.save_member(store, values, household_id=household_id, as_of=AS_OF)
    return register.member(store, member_id)


def opening(store, *, enterprise: str = "临清市宏达手套厂", title: str = "手套缝制工", route: str = "扶贫车间",
            town: str | None = "烟店镇", village: str | None = None, pay: float | None = 2800, pay_unit: str = "元/月",
            places_: int = 5, **extra) -> str:
    values = {"enterprise": enterprise, "title": title, "route": route, "town": town, "village": village,
              "pay": pay, "pay_unit": pay_unit, "places": places_, "valid_from": "2020-01-01",
              "valid_until": "2020-12-31"}
    values.update(extra)
    return save_opening(store, values)
