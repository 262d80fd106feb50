"""Issue 12 §3/§4: a laptop restored from a backup goes on syncing its audit
trail. Its chain goes back to the backup's last entry and continues with new
entries whose numbers the county already holds with other contents (a fork).
The county keeps both branches, checks each, loses neither and says so; a
chain that connects nowhere is still refused, without refusing the package's
data. Real databases, a real backup and ``backup.restore_in_place``."""

from __future__ import annotations

import pytest

from cadre_desk import audit, backup, users
from cadre_desk.sync.importer import import_package
from helpers_sync_trust import Office, reseal_body


@pytest.fixture
def office(tmp_path):
    o = Office(tmp_path)
    yield o
    o.close()


def _restore(office, made):
    """The laptop 王芳 restored from ``made`` the way the CLI and window do it."""
    a = office.a
    restored, _info = backup.restore_in_place(a.path, made, users.credentials_from_env(), close=a.db.conn.close)
    office.a = restored
    return restored


def _member(store):
    return store.rows("SELECT m.id FROM members m JOIN households h ON h.id = m.household_id "
                      "WHERE h.number = '3715811090010001' AND m.name = '张三'")[0]["id"]


def _forked(office, tmp_path, *, after_backup=3):
    """The county holds 王芳's entries up to some n; the backup had fewer;
    after the restore she records new ones and changes a member's income."""
    county, a = office.county, office.a
    audit.record(a, "export", {"what": "roster", "file": "备份前.xlsx"}, people=4)
    office.round_trip(a, "王芳")
    made = backup.backup_database(a, tmp_path / "王芳备份.db", record=False)
    at_backup = audit.entries(a)[-1]["seq"]
    for i in range(after_backup):
        audit.record(a, "print", {"what": "handbook", "file": f"丢失前{i}.pdf"}, people=1)
    office.round_trip(a, "王芳")
    held_before = audit.held_tail(county, a.device_id)[0]
    assert held_before == audit.entries(a)[-1]["seq"] > at_backup
    a = _restore(office, made)
    for i in range(after_backup + 2):
        audit.record(a, "export", {"what": "progress", "file": f"恢复后{i}.xlsx"}, people=2)
    a.update("members", _member(a), {"expected_income": 4321})
    return at_backup, held_before


def test_a_restored_laptops_package_keeps_both_branches_and_its_data(office, tmp_path):
    county = office.county
    at_backup, held_before = _forked(office, tmp_path)
    a = office.a
    before = {(e["seq"], e["time"]) for e in audit.remote_entries(county, a.device_id)}
    result = import_package(county, office.package(a))
    # The data made after the restore arrives.
    assert county.rows("SELECT expected_income FROM members WHERE id = ?", [_member(a)])[0]["expected_income"] == 4321
    held = audit.remote_entries(county, a.device_id)
    # Nothing the county held is lost, and every entry the restored laptop has is there too.
    assert before <= {(e["seq"], e["time"]) for e in held}
    assert {(e["seq"], e["time"]) for e in audit.entries(a)} <= {(e["seq"], e["time"]) for e in held}
    # The numbers after the backup are there twice; the restore entry says where it continues from.
    twice = sorted({e["seq"] for e in held if sum(1 for f in held if f["seq"] == e["seq"]) == 2})
    assert twice == list(range(at_backup + 1, held_before + 1))
    restore = next(e for e in held if e["action"] == "restore")
    # (the restored database's sign-in comes first, then the restore)
    assert restore["seq"] in (at_backup + 1, at_backup + 2)
    assert restore["detail"]["continues_from"] == at_backup
    assert restore["detail"]["continues_hash"] == next(e for e in held if e["seq"] == at_backup)["hash"]
    assert restore["detail"]["data_from"]
    assert audit.verify_remote(county).ok and audit.verify(a).ok
    # The import says so, in words the county understands.
    said = "；".join(result.notes)
    assert "从备份恢复" in said and f"第 {at_backup + 1}–{held_before} 条有两份记录，均已保存" in said, said
    assert "接不上" not in said
    # The listing says it too (the page and `cadre-desk audit --devices`).
    forks = audit.fork_notes(county)
    assert len(forks) == 1 and f"第 {at_backup + 1}–{held_before} 条有两份记录，均已保存" in forks[0]
    assert "王芳" in forks[0]


def test_after_the_fork_the_laptop_goes_on_sending_and_nothing_is_lost(office, tmp_path):
    county = office.county
    _forked(office, tmp_path, after_backup=3)
    a = office.a
    # The county's reply comes back before and after the laptop's package.
    import_package(a, office.package(county, cadre="王芳"))
    office.round_trip(a, "王芳")
    for i in range(4):
        audit.record(a, "print", {"what": "handbook", "file": f"再后来{i}.pdf"}, people=1)
    a.update("members", _member(a), {"expected_income": 5000})
    result, _ = office.round_trip(a, "王芳")
    held = {(e["seq"], e["time"]) for e in audit.remote_entries(county, a.device_id)}
    assert {(e["seq"], e["time"]) for e in audit.entries(a)} <= held
    assert not any("接不上" in n for n in result.notes), result.notes
    assert county.rows("SELECT expected_income FROM members WHERE id = ?", [_member(a)])[0]["expected_income"] == 5000
    assert audit.verify_remote(county).ok
    # Only what the county does not hold travels once it has said so.
    from test_audit_sync import _body_of

    assert "audit" not in _body_of(county, office.package(a))


def test_a_second_restore_from_the_same_backup_is_a_third_branch(office, tmp_path):
    county = office.county
    audit.record(office.a, "export", {"what": "roster"}, people=4)
    office.round_trip(office.a, "王芳")
    made = backup.backup_database(office.a, tmp_path / "b.db", record=False)
    for round_no in range(2):
        for i in range(2):
            audit.record(office.a, "print", {"what": "handbook", "file": f"{round_no}-{i}.pdf"}, people=1)
        office.round_trip(office.a, "王芳")
        _restore(office, made)
    audit.record(office.a, "print", {"what": "handbook"}, people=1)
    import_package(county, office.package(office.a))
    assert audit.verify_remote(county).ok
    held = {(e["seq"], e["time"]) for e in audit.remote_entries(county, office.a.device_id)}
    assert {(e["seq"], e["time"]) for e in audit.entries(office.a)} <= held
    assert len(audit.fork_notes(county)) == 2


def test_a_chain_that_connects_nowhere_is_refused_but_the_data_arrives(office, tmp_path):
    county, a = office.county, office.a
    audit.record(a, "export", {"what": "roster", "file": "全村.xlsx"}, people=120)
    audit.record(a, "print", {"what": "handbook"}, people=1)
    a.update("members", _member(a), {"expected_income": 777})
    data = office.package(a).read_bytes()

    def drop_one(body):
        del body["audit"][-2]  # an entry removed before sending: a real gap

    before = audit.remote_entries(county, a.device_id)
    result = import_package(county, reseal_body(county, a, data, drop_one))
    assert audit.remote_entries(county, a.device_id) == before
    assert any("接不上" in n for n in result.notes), result.notes
    assert county.rows("SELECT expected_income FROM members WHERE id = ?", [_member(a)])[0]["expected_income"] == 777
    assert audit.fork_notes(county) == []


def test_a_branch_edited_at_the_county_is_found(office, tmp_path):
    county = office.county
    _forked(office, tmp_path)
    import_package(county, office.package(office.a))
    assert audit.verify_remote(county).ok
    county.db.execute("DROP TRIGGER audit_remote_no_update")
    county.db.execute("UPDATE audit_remote SET people = 9 WHERE action = 'restore'")
    verdict = audit.verify_remote(county)
    assert not verdict.ok and "改动" in verdict.reason
    from helpers_cli import run_cli

    rc, out, _err = run_cli("--db", str(county.path), "audit", "--devices", "--verify")
    assert rc == 1 and "改动" in out


def test_the_county_listing_and_page_say_so_and_keep_the_json_keys(office, tmp_path, qtbot):
    import json

    from helpers_cli import run_cli
    from ui.audit_page import AuditPage

    county = office.county
    at_backup, held_before = _forked(office, tmp_path)
    import_package(county, office.package(office.a))
    said = f"第 {at_backup + 1}–{held_before} 条有两份记录，均已保存"
    county.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    rc, out, err = run_cli("--db", str(county.path), "audit", "--devices")
    assert rc == 0, err
    assert said in out and "从备份恢复" in out
    rc, out, err = run_cli("--db", str(county.path), "audit", "--devices", "--json")
    assert rc == 0, err
    listed = json.loads(out)
    assert listed and all(list(e) == list(audit.KEYS) for e in listed)
    rc, out, err = run_cli("--db", str(county.path), "audit", "--devices", "--verify")
    assert rc == 0 and "完整" in out, (out, err)
    # Both copies of a number are listed; the later one says which copy it is.
    copies = [e for e in listed if e["device"] == office.a.device_id and e["detail"].get("copy") == 2]
    assert len(copies) == len(audit.entries(office.a)) - at_backup
    page = AuditPage(county)
    qtbot.addWidget(page)
    page.source.setCurrentIndex(page.source.findData("remote"))
    page.refresh()
    assert said in page.forks.text() and not page.forks.isHidden()
    page.source.setCurrentIndex(page.source.findData("local"))
    page.refresh()
    assert page.forks.isHidden()


def test_a_county_database_of_before_keeps_every_entry_it_held():
    """Migration 0280 rebuilds audit_remote with the branch in its key: the
    entries held before are all there (branch 0), still checked, still append-only."""
    import json

    from cadre_desk import migrations
    from cadre_desk.lazydb import Database
    from cadre_desk.storage import Store, sqlcipher

    db = Database(sqlcipher.connect(":memory:", isolation_level=None, check_same_thread=False))
    steps = migrations.migrations._migrations
    index = next(i for i, s in enumerate(steps) if s.name == "0280_audit_remote_branches")
    step = steps.pop(index)
    try:
        migrations.apply(db)
    finally:
        steps.insert(index, step)
    prev = audit.GENESIS
    for seq in (1, 2, 3):
        e = {"time": f"2026-01-0{seq}T08:00:00.000+00:00", "user": "王芳", "device": "d1", "action": "export",
             "detail": {"file": f"{seq}.xlsx"}, "people": seq}
        h = audit.entry_hash(prev, e)
        db.execute("INSERT INTO audit_remote(device, seq, time, user, action, detail, people, prev_hash, hash, "
                   "received_at, entry_device) VALUES ('d1', ?, ?, '王芳', 'export', ?, ?, ?, ?, 'now', 'd1')",
                   [seq, e["time"], json.dumps(e["detail"], ensure_ascii=False), seq, prev, h])
        prev = h
    migrations.apply(db)
    store = Store(db)
    held = audit.remote_entries(store, "d1")
    assert [(e["seq"], e["people"], e["branch"]) for e in held] == [(1, 1, 0), (2, 2, 0), (3, 3, 0)]
    assert audit.verify_remote(store).ok and audit.held_tail(store, "d1") == (3, prev)
    with pytest.raises(Exception, match="append-only"):
        db.execute("UPDATE audit_remote SET people = 0")


def test_a_laptop_put_back_from_a_copied_file_is_kept_both_ways_too(office, tmp_path):
    """A backup made by copying the file (no restore entry): the fork is kept and said all the same."""
    from helpers_sync_trust import backup_copy, restore_copy

    county = office.county
    copied = backup_copy(office.a, tmp_path / "copy.db")
    at_copy = audit.entries(office.a)[-1]["seq"]
    audit.record(office.a, "export", {"what": "roster"}, people=4)
    audit.record(office.a, "print", {"what": "handbook"}, people=1)
    office.round_trip(office.a, "王芳")
    office.a = restore_copy(office.a, copied)
    audit.record(office.a, "export", {"what": "progress"}, people=2)
    result = import_package(county, office.package(office.a))
    held = {(e["seq"], e["time"]) for e in audit.remote_entries(county, office.a.device_id)}
    assert {(e["seq"], e["time"]) for e in audit.entries(office.a)} <= held
    assert any("从备份恢复" in n and f"第 {at_copy + 1}–" in n and "两份记录，均已保存" in n for n in result.notes), result.notes
    assert audit.verify_remote(county).ok


def test_the_county_restored_from_a_backup_gets_the_entries_it_lost_again(office, tmp_path):
    from helpers_sync_trust import backup_copy, restore_copy

    a = office.a
    copied = backup_copy(office.county, tmp_path / "county-copy.db")
    audit.record(a, "export", {"what": "roster"}, people=4)
    audit.record(a, "print", {"what": "handbook"}, people=1)
    office.round_trip(a, "王芳")
    assert int(a.get_setting(audit.SENT_SETTING)) == audit.entries(a)[-1]["seq"]
    office.county = restore_copy(office.county, copied)
    audit.record(a, "print", {"what": "handbook"}, people=2)
    # The sync's own recovery first (the restored county holds our old keys: the
    # laptop is told to send again); then the county's reply names where it really is.
    from cadre_desk.sync.package import PackageRejected

    for src, dst, cadre in [(a, office.county, None), (office.county, a, "王芳")] * 3:
        try:
            office.send(src, dst, cadre)
        except PackageRejected:
            continue
    held = {(e["seq"], e["time"]) for e in audit.remote_entries(office.county, a.device_id)}
    assert {(e["seq"], e["time"]) for e in audit.entries(a)} <= held
    assert audit.verify_remote(office.county).ok


def test_the_countys_reply_names_its_changes_and_the_audit_entry_it_holds_apart(office):
    """The reply's ``upto`` is the county's own change log; ``audit_upto`` and
    its hash the laptop's audit entry it holds (two different counters)."""
    import json

    from cadre_desk.sync import keys
    from cadre_desk.sync.selection import high_water
    from cadre_desk.sync.package import open_sealed, read_outer

    county, a = office.county, office.a
    for i in range(3):
        audit.record(a, "print", {"what": "handbook", "file": f"{i}.pdf"}, people=1)
    import_package(county, office.package(a))
    sealed = read_outer(office.package(county, cadre="王芳").read_bytes())
    manifest = json.loads(open_sealed(sealed, box_key=keys.box_key_for(a, sealed.header.get("rk"))).manifest_bytes)
    assert manifest["upto"] == high_water(county) != manifest["audit_upto"]
    mine = audit.entries(a)[-1]["seq"]
    assert manifest["audit_upto"] == mine
    assert manifest["audit_upto_hash"] == a.db.execute("SELECT hash FROM audit_log WHERE seq = ?", [mine]).fetchone()[0]
