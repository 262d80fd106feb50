"""The people matching ranks openings for: a member's record read as a
``Person`` (age, education, labour ability, disability, whether they can
leave home, the places and work they accept, their skills, where they live),
one member or a whole county in one query."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..domain import age_from_birth_date, age_on
from ..storage import Store
from . import HOME_ROUTE, PLACES

PLACE_INDEX = {name: i for i, name in enumerate(PLACES)}


@dataclass
class Person:
    """What matching needs to know about a member."""

    member_id: str
    id_number: str
    name: str
    age: int | None
    education: str | None
    labour_ability: str | None
    disabled: bool
    home_bound: bool
    accepted_places: list[str]
    job_intention: str | None
    skills: list[str]
    expected_income: float | None
    village_id: str | None
    town_id: str | None
    county_code: str | None
    province_code: str | None
    training_needs: list[str] = field(default_factory=list)
    employment_status: str | None = None
    employment_channel: str | None = None

    @property
    def farthest_place(self) -> int:
        known = [PLACE_INDEX[p] for p in self.accepted_places if p in PLACE_INDEX]
        return max(known) if known else len(PLACES) - 1

def person_from_member(m: Mapping[str, Any], place: Mapping[str, Any], as_of: dt.date) -> Person:
    """A ``Person`` from a decoded member row and its household's place
    (``village_id``, ``town_id``, ``county_code``)."""
    age = _age(m, as_of)
    health = m.get("health") or []
    county = place.get("county_code")
    return Person(
        member_id=m["id"], id_number=m.get("id_number") or "", name=m.get("name") or "", age=age,
        education=m.get("education"), labour_ability=m.get("labour_ability"), disabled="残疾" in health,
        home_bound=bool(m.get("stay_home_reasons")) or m.get("job_intention") == HOME_ROUTE,
        accepted_places=list(m.get("accepted_places") or []), job_intention=m.get("job_intention"),
        skills=list(m.get("skills") or []), expected_income=m.get("expected_income"),
        village_id=place.get("village_id"), town_id=place.get("town_id"), county_code=county,
        province_code=(county[:2] + "0000") if county else None,
        training_needs=list(m.get("training_needs") or []),
        employment_status=m.get("employment_status"), employment_channel=m.get("employment_channel"),
    )



def _age(m: Mapping[str, Any], as_of: dt.date) -> int | None:
    """Completed years on ``as_of``, from the stored birth date (derived from the
    ID number on save), else from the ID number itself."""
    age = age_from_birth_date(m.get("birth_date"), as_of) if m.get("birth_date") else None
    return age if age is not None else age_on(m.get("id_number"), as_of)


_PLACE_SQL = ("SELECT h.id AS household_id, h.village_id, v.town_id, c.code AS county_code "
              "FROM households h LEFT JOIN villages v ON v.id = h.village_id "
              "LEFT JOIN towns t ON t.id = v.town_id LEFT JOIN counties c ON c.id = t.county_id ")


def load_person(store: Store, member: Mapping[str, Any], as_of: dt.date) -> Person:
    rows = store.rows(_PLACE_SQL + "WHERE h.id = ?", [member["household_id"]])
    return person_from_member(member, rows[0] if rows else {}, as_of)


def load_people(store: Store, as_of: dt.date, member_ids: Sequence[str] | None = None) -> list[Person]:
    """``Person`` records for the given members (all members when None), read in
    one query (the benchmark ranks a whole county this way)."""
    cols = ("id, household_id, id_number, birth_date, name, education, labour_ability, health, stay_home_reasons, "
            "job_intention, accepted_places, skills, expected_income, training_needs, employment_status, "
            "employment_channel")
    sql = f"SELECT {cols} FROM members WHERE deleted = 0"
    params: list[Any] = []
    if member_ids is not None:
        sql += f" AND id IN ({', '.join('?' * len(member_ids))})"
        params = list(member_ids)
    place_by_household = {r["household_id"]: r for r in store.rows(_PLACE_SQL + "WHERE h.deleted = 0")}
    out = []
    multi = ("health", "stay_home_reasons", "accepted_places", "skills", "training_needs")
    for r in store.rows(sql, params):
        for key in multi:
            r[key] = json.loads(r[key]) if r[key] else []
        out.append(person_from_member(r, place_by_household.get(r["household_id"], {}), as_of))
    return out

