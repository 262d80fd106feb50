"""The set-based merge (cadre_desk/sync/bulk.py) against the row-by-row one:
the same packages applied to copies of the same database through each path
leave the same database, change log and conflict list included; and the
three-database exchange keeps every guarantee with the set-based path used
for every block."""

from __future__ import annotations

import sqlite3

import pytest

from cadre_desk.storage import open_store
from cadre_desk.sync import conflicts, merge
from cadre_desk.sync.export import export_package
from cadre_desk.sync.importer import import_package
from helpers_sync import member_by_name
import test_sync_merge as scenario
from test_sync_merge import edit, first_round, office  # noqa: F401  (office: a fixture)



def content(store) -> dict:
    out = {}
    for table in store.db.table_names():
        if table.startswith("sqlite_"):
            continue
        cursor = store.db.execute(f"SELECT * FROM [{table}] ORDER BY rowid" if table != "search_grams"
                                  else f"SELECT * FROM [{table}] ORDER BY 1, 2, 3")
        out[table] = [tuple(map(repr, r)) for r in cursor.fetchall()]
    return out


def copy_of(store, path):
    target = sqlite3.connect(str(path))
    store.db.conn.backup(target)
    target.close()
    return open_store(path)


def apply_both_ways(store, packages, tmp_path, monkeypatch, tag):
    """Import ``packages`` into two copies of ``store``: row by row, and set-based."""
    from cadre_desk import storage
    from cadre_desk.sync import importer

    # The same wall time in both runs: local stamps (merged people) and import times agree.
    for module in (storage, merge, importer):
        monkeypatch.setattr(module, "utc_now", lambda: "2030-01-01T00:00:00.000+00:00")
    results = []
    for name, threshold in (("rows", 10 ** 9), ("sql", 1)):
        monkeypatch.setattr(merge, "BULK_MIN", threshold)
        copy = copy_of(store, tmp_path / f"{tag}-{name}.db")
        copy.clock._wall_ms = lambda: 1_900_000_000_000
        counts = [import_package(copy, p).counts for p in packages]
        results.append((copy, counts))
    (rows_db, rows_counts), (sql_db, sql_counts) = results
    assert rows_counts == sql_counts
    assert content(sql_db) == content(rows_db)
    return results


def test_both_paths_leave_the_same_database(office, tmp_path, monkeypatch):  # noqa: F811
    county, a, b = office
    pa, pb = first_round(county, a, b, tmp_path)
    # Same field on both laptops, a field that only one changed, a person entered twice.
    (rows_db, counts), _ = apply_both_ways(county, [pa, pb, pa], tmp_path, monkeypatch, "county")
    assert counts[1]["conflicts"] >= 1 and counts[1]["updated"] >= 1 and counts[1]["merged_people"] == 1
    assert member_by_name(rows_db, "李梅")["work_company"] == "玩具厂"
    # The county's reply applied on a laptop (no conflict list there), and a package out of order.
    for p in (pa, pb):
        import_package(county, p)
    reply = export_package(county, tmp_path / "reply.cdsync", device_id=a.device_id).path
    edit(b, "张三", expected_income=4100)
    later_b = export_package(b, tmp_path / "b-later.cdsync").path
    apply_both_ways(a, [reply], tmp_path, monkeypatch, "laptop")
    apply_both_ways(county, [later_b, pb], tmp_path, monkeypatch, "late")


def test_stale_value_arriving_late_is_a_conflict_on_both_paths(office, tmp_path, monkeypatch):  # noqa: F811
    county, a, b = office
    edit(a, "赵四", expected_income=2000)
    import_package(county, export_package(b, tmp_path / "b0.cdsync").path)
    old_a = export_package(a, tmp_path / "a-old.cdsync").path
    edit(b, "赵四", expected_income=2600)  # later by the clock, without having seen A's edit
    new_b = export_package(b, tmp_path / "b-new.cdsync").path
    (rows_db, _), (sql_db, _) = apply_both_ways(county, [new_b, old_a], tmp_path, monkeypatch, "order")
    for s in (rows_db, sql_db):
        assert member_by_name(s, "赵四")["expected_income"] == 2600
        lost = {(c["field"], c["lost_value"]) for c in conflicts.list_conflicts(s)}
        assert ("expected_income", 2000) in lost


@pytest.fixture
def sql_everywhere(monkeypatch):
    monkeypatch.setattr(merge, "BULK_MIN", 1)


@pytest.mark.usefixtures("sql_everywhere")
def test_three_databases_agree_with_the_set_based_path(office, tmp_path):  # noqa: F811
    scenario.test_three_databases_agree_after_any_order(office, tmp_path, ("a", "b", "a"))

