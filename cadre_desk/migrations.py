"""Numbered schema migrations (sqlite-utils ``Migrations``).

One function a step, recorded in ``_sqlite_migrations``; a released step is
never edited, a change is a new step. Every table users edit has the common
columns of ``_editable`` so that rows can be merged between devices. The
questionnaire's own columns are added from the definition by
``storage.sync_questionnaire_columns`` (they are data, not code).
"""

from __future__ import annotations

from .lazydb import Database, Migrations

migrations = Migrations("cadre_desk")

COMMON = {"id": str, "created_at": str, "updated_at": str, "device_id": str, "deleted": int}


def _editable(db: Database, name: str, columns: dict, *, foreign_keys=(), not_null=()):
    db[name].create({**COMMON, **columns}, pk="id", foreign_keys=list(foreign_keys),
                    not_null={"id", "created_at", "updated_at", *not_null}, defaults={"deleted": 0})


def _append_only(db: Database, table: str) -> None:
    """Triggers that refuse UPDATE and DELETE on ``table`` (the same statements
    the audit migrations always ran: this helper only names them once)."""
    for verb in ("UPDATE", "DELETE"):
        db.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


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


@migrations(name="0040_survey_drafts")
def m0040_survey_drafts(db: Database) -> None:
    # Unsaved survey answers (cadre_desk/drafts.py). Local to this device: not an
    # editable table, no change log, never synced.
    db["drafts"].create({"key": str, "household_id": str, "member_id": str, "answers": str,
                         "saved_at": str, "user": str}, pk="key")
    db["drafts"].create_index(["household_id"])


@migrations(name="0060_jobs_pay_estimate_and_indexes")
def m0060_jobs_pay_estimate_and_indexes(db: Database) -> None:
    # Piece work (计件) has no fixed pay: the county may record an estimated
    # monthly pay for it, used for ranking and shown as "约月薪".
    db["openings"].add_column("monthly_pay_estimate", float)
    db["offers"].create_index(["opening_id", "status"])
    db["offers"].create_index(["recommendation_id"])
    db["applications"].create_index(["opening_id"])
    db["enterprises"].create_index(["name"])


@migrations(name="0010_roster_extra_columns")
def m0010_roster_extra_columns(db: Database) -> None:
    # Columns of an imported roster that the questionnaire does not know
    # (备注, a county's own fields): kept per member as a JSON object
    # {header: text} and written back by the roster export.
    db["members"].add_column("roster_extra", str)


@migrations(name="0070_sync_tables")
def m0070_sync_tables(db: Database) -> None:
    # Sync between the county office and cadres' laptops (cadre_desk/sync/).
    # Local bookkeeping, not editable tables: no change log, never synced.
    # One row per device this database knows (itself, the county office, the
    # laptops it enrolled), with public keys and how far each side has
    # confirmed the other's changes.
    db["sync_devices"].create({
        "id": str, "role": str, "cadre_id": str, "cadre_name": str, "sign_public": str, "box_public": str,
        "enrol_secret": str, "enrolled_at": str, "keys_at": str, "next_seq": int, "acked_upto": int,
        "received_upto": int, "last_import_at": str, "last_export_at": str, "retired": int,
    }, pk="id", defaults={"next_seq": 1, "acked_upto": 0, "received_upto": 0, "retired": 0})
    db["sync_log"].create({
        "id": int, "at": str, "direction": str, "device_id": str, "package_seq": int, "kind": str,
        "content_hash": str, "since": int, "upto": int, "counts": str, "file_name": str, "note": str,
    }, pk="id")
    db["sync_log"].create_index(["device_id", "content_hash"])
    db["sync_conflicts"].create({
        "id": int, "table_name": str, "row_id": str, "field": str, "kept_value": str, "kept_hlc": str,
        "lost_value": str, "lost_hlc": str, "lost_device": str, "detected_at": str, "log_id": int,
        "status": str, "resolved_at": str, "resolved_by": str, "resolved_value": str,
    }, pk="id", defaults={"status": "open"})
    db.execute("CREATE UNIQUE INDEX sync_conflicts_once ON sync_conflicts(table_name, row_id, field, lost_hlc)")
    # The same person entered on two laptops: the row that lost the merge and
    # the row that carries on (changes that still name the old id follow it).
    db["sync_aliases"].create({"old_id": str, "table_name": str, "new_id": str, "merged_at": str}, pk="old_id")


@migrations(name="0030_search_index")
def m0030_search_index(db: Database) -> None:
    # Name/pinyin/ID/household-number search tables kept by triggers (see cadre_desk/search.py).
    from .search import create_index_schema

    create_index_schema(db)

@migrations(name="0080_change_log_indexes")
def m0080_change_log_indexes(db: Database) -> None:
    # change_log(hlc) served no query (nothing selects by clock stamp alone)
    # and cost every logged change an index entry. The row index takes the
    # stamp as a fourth column instead, so that the newest stamp of each field
    # (sync's export and merge) is read from the index alone.
    db.execute("DROP INDEX change_log_hlc")
    db.execute("DROP INDEX change_log_row")
    db.execute("CREATE INDEX change_log_row ON change_log(table_name, row_id, field, hlc)")


@migrations(name="0120_sync_review")
def m0120_sync_review(db: Database) -> None:
    # Rows a package carried that this database did not apply (outside the
    # sender's households, a duplicate ID number, a clock too far ahead, a
    # unique number used elsewhere): kept whole for review, never applied,
    # and told to the sending laptop in the next reply (``told_at``).
    db["sync_rejected"].create({
        "id": int, "log_id": int, "device_id": str, "table_name": str, "row_id": str, "reason": str,
        "row_json": str, "stamp": str, "at": str, "status": str, "told_at": str,
    }, pk="id", defaults={"status": "open"})
    db.execute("CREATE UNIQUE INDEX sync_rejected_once ON sync_rejected(device_id, table_name, row_id, stamp)")
    # ``resend_all``: the laptop was restored from a backup (it is behind its
    # own history): the next package for it carries everything in its scope,
    # its own changes included. ``box_keys``: see sync/keys.py (rotation).
    db["sync_devices"].add_column("resend_all", int, not_null_default=0)
    db["sync_box_keys"].create({"id": str, "peer": str, "private": str, "public": str, "created_at": str},
                               pk="id")
@migrations(name="0140_member_leave_and_household_size")
def m0140_member_leave_and_household_size(db: Database) -> None:
    # A member who died or moved away stays on record (history, handbook) but
    # stops counting from ``left_on``; ``size_override`` marks a 家庭人口数 the
    # user set on purpose (otherwise it follows the registered members).
    db["members"].add_column("left_on", str)
    db["members"].add_column("left_reason", str)
    db["households"].add_column("size_override", int)


@migrations(name="0110_users_and_audit")
def m0110_users_and_audit(db: Database) -> None:
    # Users of an encrypted database (their key wraps live in the key file
    # beside it, see cadre_desk/keys.py) and the append-only audit chain
    # (cadre_desk/audit.py): UPDATE and DELETE on it are refused.
    db["users"].create({"name": str, "role": str, "town": str, "cadre": str, "disabled": int,
                        "created_at": str, "created_by": str, "password_changed_at": str},
                       pk="name", not_null={"role"}, defaults={"disabled": 0})
    db["audit_log"].create({"seq": int, "time": str, "user": str, "device": str, "action": str, "detail": str,
                            "people": int, "prev_hash": str, "hash": str}, pk="seq",
                           not_null={"time", "action", "prev_hash", "hash"})
    db.execute("CREATE INDEX audit_log_time ON audit_log(time)")
    _append_only(db, "audit_log")


@migrations(name="0111_audit_from_devices")
def m0111_audit_from_devices(db: Database) -> None:
    # Audit entries that laptops sent in their sync packages (cadre_desk/audit.py
    # import_remote): each device's own chain, kept as it came, append-only.
    db["audit_remote"].create({"device": str, "seq": int, "time": str, "user": str, "action": str, "detail": str,
                               "people": int, "prev_hash": str, "hash": str, "received_at": str},
                              pk=("device", "seq"), not_null={"hash"})
    _append_only(db, "audit_remote")


@migrations(name="0160_work_spells")
def m0160_work_spells(db: Database) -> None:
    # Work spells (务工, issue 14): employment month by month, any number per
    # member (cadre_desk/spells.py is the one write path). Months are text
    # YYYY-MM; end_month NULL while the spell runs. county_code/province_code
    # are GB/T 2260 codes resolved from ``place`` (cadre_desk/gazetteer.py),
    # NULL when the name was not resolved. ``offer_id``: the offer whose start
    # (在岗) opened it. ``extra``: national-export columns the app does not know,
    # as JSON {header: text}, written back by the export.
    _editable(db, "work_spells", {
        "member_id": str, "start_month": str, "end_month": str, "place": str, "county_code": str,
        "province_code": str, "channel": str, "employer": str, "industry": str, "monthly_income": float,
        "point_to_point": int, "transport_subsidy": float, "offer_id": str, "extra": str, "note": str,
    }, foreign_keys=[("member_id", "members", "id"), ("offer_id", "offers", "id")],
        not_null={"member_id", "start_month"})
    # The same person and start month is the same spell (a re-import updates it).
    db.execute("CREATE UNIQUE INDEX work_spells_member_start ON work_spells(member_id, start_month) WHERE deleted = 0")
    db.execute("CREATE INDEX work_spells_months ON work_spells(start_month, end_month)")
    # A database that already holds a register was made from a 2020 roster:
    # it keeps the 2020 terms (cadre_desk/terms.py); a new county gets 2021.
    if db.execute("SELECT 1 FROM households LIMIT 1").fetchone() and \
            not db.execute("SELECT 1 FROM settings WHERE key = 'terms'").fetchone():
        db.execute("INSERT INTO settings(key, value) VALUES ('terms', '\"2020\"')")


@migrations(name="0170_household_and_planned_extras")
def m0170_household_and_planned_extras(db: Database) -> None:
    # Columns of the national system's lists that the questionnaire does not
    # know, kept with their row and written back by the roster export
    # (roster/national.py): a household's from the household list (户信息), a
    # member's from the planned-work list (计划外出务工信息), each a JSON object
    # {header: text} like members.roster_extra. A spell's live in work_spells.extra.
    db["households"].add_column("roster_extra", str)
    db["members"].add_column("planned_extra", str)


@migrations(name="0200_audit_remote_entry_device")
def m0200_audit_remote_entry_device(db: Database) -> None:
    # The device id an entry was recorded under on the laptop (its hash covers
    # it): entries made before enrolment carry the laptop's id of that time,
    # while ``device`` is the enrolled laptop that sent them.
    db["audit_remote"].add_column("entry_device", str)


@migrations(name="0280_audit_remote_branches")
def m0280_audit_remote_branches(db: Database) -> None:
    # A laptop restored from a backup continues its audit chain from the
    # backup's last entry, so the county receives a second set of entries for
    # numbers it already holds (a fork). Both are kept: ``branch`` numbers the
    # chains of one device (0 the first; a fork's first entry links to an entry
    # of an earlier branch through its prev_hash). The key becomes (device,
    # branch, seq); rows are copied in their order (the newest row of a device
    # tells which branch it is on now) and the table stays append-only.
    for verb in ("update", "delete"):
        db.execute(f"DROP TRIGGER IF EXISTS audit_remote_no_{verb}")
    db.execute("CREATE TABLE audit_remote_branched (device TEXT, branch INTEGER NOT NULL DEFAULT 0, seq INTEGER, "
               "time TEXT, user TEXT, action TEXT, detail TEXT, people INTEGER, prev_hash TEXT, hash TEXT NOT NULL, "
               "received_at TEXT, entry_device TEXT, PRIMARY KEY (device, branch, seq))")
    columns = "device, seq, time, user, action, detail, people, prev_hash, hash, received_at, entry_device"
    db.execute(f"INSERT INTO audit_remote_branched(branch, {columns}) SELECT 0, {columns} FROM audit_remote "
               "ORDER BY rowid")
    db.execute("DROP TABLE audit_remote")
    db.execute("ALTER TABLE audit_remote_branched RENAME TO audit_remote")
    _append_only(db, "audit_remote")


@migrations(name="0290_search_index_unread_btrees")
def m0290_search_index_unread_btrees(db: Database) -> None:
    # Two indexes of the search index that no query read (docs/storage.md):
    # search_people(household_id), and search_grams(member_id), which the
    # triggers used to delete a person's pieces of name; they now delete them
    # by the table's key, computed from the old name (cadre_desk/search.py).
    from .search import drop_unread_indexes

    drop_unread_indexes(db)


@migrations(name="0291_figures_indexes")
def m0291_figures_indexes(db: Database) -> None:
    # The county figures (stats.compute_stats and work_stats.workers, on every
    # dashboard refresh) read from narrow indexes instead of the wide rows, or
    # a row per spell and its member (issue 16):
    # - members_figures: the columns the figures read of every member not
    #   deleted (about 100 bytes a member), in status and channel order, so
    #   the count by status and channel needs no sort and the public-welfare
    #   posts are a search on (status, channel);
    # - members_not_counted: the few members who may not count (deleted, or
    #   with a date they left), so the spells need no lookup of their member;
    # - work_spells_member_months: the spells by person with their months and
    #   place codes, so that grouping them by person needs no sort.
    # The survey's columns are added first on a new database (Store adds
    # them after the migrations).
    from .questionnaire import default_questionnaire
    from .store import sync_questionnaire_columns

    sync_questionnaire_columns(db, default_questionnaire())
    db.execute("CREATE INDEX members_figures ON members(employment_status, employment_channel, birth_date, "
               "labour_ability, school_status, left_on, household_id, people_employed) WHERE deleted = 0")
    db.execute("CREATE INDEX members_not_counted ON members(deleted, left_on, id) "
               "WHERE deleted IS NOT 0 OR coalesce(left_on, '') <> ''")
    db.execute("CREATE INDEX work_spells_member_months ON work_spells(member_id, start_month, end_month, "
               "county_code, province_code) WHERE deleted = 0")


def apply(db: Database) -> None:
    migrations.apply(db)
