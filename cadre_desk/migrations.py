"""Numbered schema migrations (sqlite-utils ``Migrations``).

One function a step, recorded in ``_sqlite_migrations``; a released step is
never edited, a change is a new step. Every table users edit has the common
columns of ``_editable`` so that rows can be merged between devices. The
questionnaire's own columns are added from the definition by
``storage.sync_questionnaire_columns`` (they are data, not code).
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("cadre_desk")

COMMON = {"id": str, "created_at": str, "updated_at": str, "device_id": str, "deleted": int}


def _editable(db: Database, name: str, columns: dict, *, foreign_keys=(), not_null=()):
    db[name].create({**COMMON, **columns}, pk="id", foreign_keys=list(foreign_keys),
                    not_null={"id", "created_at", "updated_at", *not_null}, defaults={"deleted": 0})


@migrations(name="0001_initial")
def m0001_initial(db: Database) -> None:
    db["settings"].create({"key": str, "value": str}, pk="key")
    db["change_log"].create({
        "seq": int, "table_name": str, "row_id": str, "field": str, "old_value": str,
        "new_value": str, "user": str, "device_id": str, "at": str, "hlc": str,
    }, pk="seq")
    db.execute("CREATE INDEX change_log_row ON change_log(table_name, row_id, field)")
    db.execute("CREATE INDEX change_log_hlc ON change_log(hlc)")

    _editable(db, "counties", {"code": str, "name": str}, not_null={"code", "name"})
    _editable(db, "towns", {"county_id": str, "code": str, "name": str},
              foreign_keys=[("county_id", "counties", "id")], not_null={"county_id", "name"})
    _editable(db, "villages", {"town_id": str, "code": str, "name": str},
              foreign_keys=[("town_id", "towns", "id")], not_null={"town_id", "name"})
    _editable(db, "households", {"village_id": str, "number": str, "questionnaire_version": str},
              foreign_keys=[("village_id", "villages", "id")], not_null={"village_id"})
    _editable(db, "members", {"household_id": str, "name": str, "id_number": str, "sex": str, "birth_date": str,
                              "questionnaire_version": str, "surveyed_at": str},
              foreign_keys=[("household_id", "households", "id")], not_null={"household_id"})
    _editable(db, "cadres", {"name": str, "unit": str, "level": str, "phone": str}, not_null={"name"})
    _editable(db, "pairings", {"household_id": str, "cadre_id": str, "since": str, "until": str},
              foreign_keys=[("household_id", "households", "id"), ("cadre_id", "cadres", "id")])
    _editable(db, "visits", {"household_id": str, "cadre_id": str, "visit_date": str, "content": str,
                             "problems_solved": str},
              foreign_keys=[("household_id", "households", "id"), ("cadre_id", "cadres", "id")])
    _editable(db, "enterprises", {"name": str, "town_id": str, "contact": str, "phone": str,
                                  "is_workshop": int},
              foreign_keys=[("town_id", "towns", "id")], not_null={"name"})
    _editable(db, "openings", {
        "enterprise_id": str, "title": str, "route": str,
        # Where the work is, so that 本村/本镇/本县/省内/省外 can be judged per person.
        "village_id": str, "town_id": str, "county_code": str, "province_code": str, "location": str,
        "pay": float, "pay_unit": str, "hours": str, "places": int,
        "min_education": str, "labour_abilities": str, "age_min": int, "age_max": int,
        "skills": str, "physical_demands": str, "suitable_disabled": int, "suitable_home_bound": int,
        "valid_from": str, "valid_until": str, "description": str,
    }, foreign_keys=[("enterprise_id", "enterprises", "id")], not_null={"title", "route"})
    _editable(db, "recommendations", {"member_id": str, "recommended_on": str, "by_user": str, "note": str},
              foreign_keys=[("member_id", "members", "id")], not_null={"member_id"})
    _editable(db, "offers", {"recommendation_id": str, "member_id": str, "opening_id": str, "rank": int,
                             "reason": str, "status": str, "status_reason": str, "status_on": str},
              foreign_keys=[("recommendation_id", "recommendations", "id"), ("member_id", "members", "id"),
                            ("opening_id", "openings", "id")])
    _editable(db, "applications", {"member_id": str, "opening_id": str, "applied_on": str, "note": str},
              foreign_keys=[("member_id", "members", "id"), ("opening_id", "openings", "id")])
    # One table for every kind of assistance measure: 培训, 自主创业, 公益性岗位, ...
    _editable(db, "measures", {
        "member_id": str, "household_id": str, "kind": str, "title": str, "start_date": str,
        "end_date": str, "completed": int, "certificate": str, "business": str, "people_employed": int,
        "months": int, "note": str,
    }, foreign_keys=[("member_id", "members", "id"), ("household_id", "households", "id")],
        not_null={"kind"})
    _editable(db, "subsidies", {"member_id": str, "household_id": str, "kind": str, "amount_yuan": float,
                                "paid_on": str, "paid_to": str, "note": str},
              foreign_keys=[("member_id", "members", "id"), ("household_id", "households", "id")],
              not_null={"kind", "amount_yuan", "paid_on"})
    _editable(db, "policies", {
        "title": str, "kind": str, "doc_number": str, "issuer": str, "issued_on": str, "target": str,
        "benefit": str, "conditions": str, "procedure": str, "phone": str, "eligibility": str,
        "retired": int, "is_sample": int, "sort_order": int,
    }, not_null={"title"})

    # The identifying fields are questionnaire fields too, but the uniqueness
    # that merging relies on belongs to the schema.
    db.execute("CREATE UNIQUE INDEX households_number ON households(number) WHERE deleted = 0")
    db.execute("CREATE UNIQUE INDEX members_id_number ON members(id_number) WHERE deleted = 0")
    for table, cols in {
        "towns": ["county_id"], "villages": ["town_id"], "households": ["village_id"],
        "members": ["household_id"], "pairings": ["household_id"], "visits": ["household_id"],
        "offers": ["member_id"], "recommendations": ["member_id"], "applications": ["member_id"],
        "measures": ["member_id"], "subsidies": ["member_id"], "openings": ["enterprise_id"],
    }.items():
        db[table].create_index(cols)


@migrations(name="0030_search_index")
def m0030_search_index(db: Database) -> None:
    # Name/pinyin/ID/household-number search tables kept by triggers (see cadre_desk/search.py).
    from .search import create_index_schema

    create_index_schema(db)

def apply(db: Database) -> None:
    migrations.apply(db)
