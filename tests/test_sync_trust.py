"""What a stolen laptop, a wrong clock, a restored backup or a crafted file
must not be able to do (issue 13), each over real package files between the
county office and two laptops (three real databases)."""

from __future__ import annotations

import json
import zlib

import pytest

from cadre_desk import register
from cadre_desk.clock import HybridClock
from cadre_desk.sync import journal, roles
from cadre_desk.sync.export import write_setup_package
from cadre_desk.sync.importer import import_package
from cadre_desk.sync.package import CORRUPT, PackageRejected, read_outer
from helpers_sync import dump, member_answers, member_by_name
from helpers_sync_trust import (A_HOME, A_HOME2, B_HOME, Office, backup_copy, block, reseal_body,
                                restore_copy, row_of)

YEAR_MS = 365 * 24 * 3600 * 1000


@pytest.fixture
def office(tmp_path):
    o = Office(tmp_path)
    yield o
    o.close()


def home_id(store, number):
    return store.rows("SELECT id FROM households WHERE number = ?", [number])[0]["id"]


def refused_rows(store):
    return store.rows("SELECT * FROM sync_rejected ORDER BY id")


def without_log(store):
    d = dump(store)
    d.pop("sync_log", None)
    return d


# ---------------------------------------------------------------- 1. only what its cadre may change

def test_same_id_in_another_household_is_a_duplicate_for_review_never_a_move(office):
    county, a, b = office.county, office.a, office.b
    qian = member_by_name(county, "钱五")
    register.save_member(a, member_answers("钱小五", qian["id_number"], "之子"), household_id=home_id(a, A_HOME))
    register.save_member(a, {"expected_income": 3200}, member_id=member_by_name(a, "张三")["id"])
    result = office.send(a, county)
    after = member_by_name(county, "钱五")
    assert after["household_id"] == qian["household_id"] == home_id(county, B_HOME)
    assert county.rows("SELECT count(*) AS n FROM members WHERE id_number = ? AND deleted = 0",
                       [qian["id_number"]])[0]["n"] == 1
    assert member_by_name(county, "张三")["expected_income"] == 3200  # the rest is applied
    assert result.counts["rejected"] == 1 and result.counts["conflicts"] == 0
    assert any("证件号码" in n and "钱小五" in n for n in result.notes)
    kept = refused_rows(county)
    assert [r["table_name"] for r in kept] == ["members"]
    assert json.loads(kept[0]["row_json"])["name"] == "钱小五"
    # 李强's laptop keeps its person as they were.
    office.send(county, b, cadre="李强")
    assert member_by_name(b, "钱五")["household_id"] == home_id(b, B_HOME)


def test_keys_of_a_laptop_cannot_touch_settings_devices_or_other_households(office):
    county, a = office.county, office.a
    register.save_member(a, {"expected_income": 3300}, member_id=member_by_name(a, "张三")["id"])
    data = office.package(a).read_bytes()
    qian = member_by_name(county, "钱五")
    other_home = home_id(county, B_HOME)

    def crafted(body):
        body["tables"].append({"name": "settings", "columns": ["id", "value"],
                               "rows": [["sync_role", json.dumps("laptop")]], "meta": [["", {}, {}]]})
        body["tables"].append({"name": "sync_devices", "columns": ["id", "retired"],
                               "rows": [[a.device_id, 0]], "meta": [["", {}, {}]]})
        m = block(body, "members")
        zhang = list(row_of(m, member_by_name(a, "张三")["id"]))
        cols = m["columns"]
        # Move 钱五 (李强's) into 王芳's household under the row id it has at the county.
        moved = list(zhang)
        moved[cols.index("id")] = qian["id"]
        moved[cols.index("name")] = "被改名"
        m["rows"].append(moved)
        m["meta"].append(["9" * 13 + "-00000-" + a.device_id, {"name": "9" * 13 + "-00000-" + a.device_id}, {}])
        body["tables"].append({"name": "households", "columns": ["id", "head_name"],
                               "rows": [[other_home, "被改名"]],
                               "meta": [["", {"head_name": "1" + "0" * 12 + "-00000-" + a.device_id}, {}]]})

    settings = "SELECT * FROM settings WHERE key != 'hlc_last' ORDER BY key"
    before_settings = county.rows(settings)
    before_devices = county.rows("SELECT id, retired, sign_public, cadre_id FROM sync_devices ORDER BY id")
    result = import_package(county, reseal_body(county, a, data, crafted))
    assert county.rows(settings) == before_settings
    assert county.rows("SELECT id, retired, sign_public, cadre_id FROM sync_devices ORDER BY id") == before_devices
    assert member_by_name(county, "钱五")["household_id"] == other_home
    assert county.get("households", other_home)["head_name"] == "钱五"
    assert member_by_name(county, "张三")["expected_income"] == 3300
    assert result.counts["rejected"] >= 4
    assert any("不属于王芳负责的户" in n for n in result.notes)


def test_moving_own_member_into_another_cadres_household_is_refused(office):
    county, a = office.county, office.a
    zhang = member_by_name(a, "张三")
    data = office.package(a).read_bytes()

    def crafted(body):
        m = block(body, "members") if any(b["name"] == "members" for b in body["tables"]) else None
        if m is None:
            cols = list(a.db["members"].columns_dict)
            m = {"name": "members", "columns": cols, "rows": [], "meta": []}
            body["tables"].append(m)
        row = a.rows("SELECT * FROM members WHERE id = ?", [zhang["id"]])[0]
        row["household_id"] = home_id(county, B_HOME)
        m["rows"].append([row[c] for c in m["columns"]])
        m["meta"].append(["", {"household_id": a.clock.now()}, {"household_id": zhang["household_id"]}])

    import_package(county, reseal_body(county, a, data, crafted))
    assert member_by_name(county, "张三")["household_id"] == home_id(county, A_HOME)
    assert any(r["table_name"] == "members" for r in refused_rows(county))


# ---------------------------------------------------------------- 2. nothing can wedge a laptop's sync

def test_a_row_the_county_cannot_apply_is_refused_alone_and_the_laptop_is_told(office):
    county, a = office.county, office.a
    hid = home_id(a, A_HOME2)
    register.save_household(a, {"number": B_HOME, "head_name": "赵四", "size": 1}, household_id=hid)
    register.save_member(a, {"expected_income": 3400}, member_id=member_by_name(a, "张三")["id"])
    result = office.send(a, county)  # today: IntegrityError traceback, rolled back
    assert result.counts["rejected"] == 1
    assert member_by_name(county, "张三")["expected_income"] == 3400
    assert county.get("households", hid)["number"] == A_HOME2
    assert any("户编号" in n for n in result.notes)
    # Not wedged: the next package (which carries the same change) imports too.
    register.save_member(a, {"expected_income": 3500}, member_id=member_by_name(a, "张三")["id"])
    again = office.send(a, county)
    assert member_by_name(county, "张三")["expected_income"] == 3500
    assert again.counts["rejected"] == 1
    assert len([r for r in refused_rows(county) if r["status"] == "open"]) == 1  # kept once for review
    # The laptop is told in the reply which of its changes were refused and why.
    reply = office.send(county, a, cadre="王芳")
    assert any("县就业办没有接收" in n and "户编号" in n for n in reply.notes)
    assert any(r["table_name"] == "households" for r in refused_rows(a))
    # Corrected on the laptop, it goes through.
    register.save_household(a, {"number": "3715811090010009", "head_name": "赵四", "size": 1}, household_id=hid)
    office.send(a, county)
    assert county.get("households", hid)["number"] == "3715811090010009"


# ---------------------------------------------------------------- 6. crafted files: a Chinese refusal

def _outer(header_bytes: bytes, rest: bytes = b"\0" * 40) -> bytes:
    import struct

    from cadre_desk.sync.package import MAGIC
    return MAGIC + struct.pack(">HI", 1, len(header_bytes)) + header_bytes + rest


@pytest.mark.parametrize("header", [
    {"kind": "changes", "enc": {"alg": "X25519-HKDF-SHA256-AES256GCM", "nonce": 5, "epk": "AAAA"}},
    {"kind": "changes", "enc": {"alg": "X25519-HKDF-SHA256-AES256GCM", "nonce": ["x"], "epk": {"a": 1}}},
    {"kind": ["changes"], "county": {"x": 1}, "sender": 7, "receiver": None, "enc": {}},
    {"kind": "setup", "enc": {"alg": "scrypt-AES256GCM", "salt": 3, "n": "big", "nonce": "AAAA"}},
])
def test_a_malformed_header_is_refused_without_keys(office, tmp_path, header):
    for store in (office.county, office.a):
        with pytest.raises(PackageRejected) as caught:
            import_package(store, _outer(json.dumps(header).encode()), code="ABCD-EFGH-JKLM-NPQR")
        assert caught.value.reason == CORRUPT


def test_a_deeply_nested_or_huge_header_is_refused(office):
    deep = ("[" * 100000 + "]" * 100000).encode()
    for raw in (deep, b'{"enc": {}, "x": "' + b"a" * 2_000_000 + b'"}'):
        with pytest.raises(PackageRejected) as caught:
            import_package(office.county, _outer(raw))
        assert caught.value.reason == CORRUPT


def _bodies(a):
    good_stamp = "1700000000000-00000-" + a.device_id
    yield "tables not a list", zlib.compress(b'{"tables": 5}')
    yield "deep", zlib.compress(b'{"tables": ' + b"[" * 50000 + b"]" * 50000 + b"}")
    yield "bomb", zlib.compress(b'{"tables": [], "x": "' + b"a" * 30_000_000 + b'"}', 9)
    bad_blocks = [
        {"name": 5, "columns": [], "rows": [], "meta": []},
        {"name": "members", "columns": "id", "rows": [], "meta": []},
        {"name": "members", "columns": ["id", "name"], "rows": [["x"]], "meta": [["", {}, {}]]},
        {"name": "members", "columns": ["id", "name"], "rows": [["x", "y"]], "meta": []},
        {"name": "members", "columns": ["id", "name"], "rows": [[5, "y"]], "meta": [["", {}, {}]]},
        {"name": "members", "columns": ["id", "name"], "rows": [["x", {"a": 1}]], "meta": [["", {}, {}]]},
        {"name": "members", "columns": ["id", "name"], "rows": [["x", "y"]], "meta": [[5, [], {}]]},
        {"name": "members", "columns": ["id", "name"], "rows": [["x", "y"]], "meta": [["", {"name": 5}, {}]]},
        {"name": "members", "columns": ["id", "name"], "rows": [["x", "y"]],
         "meta": [["not a stamp", {}, {}]]},
        {"name": "members", "columns": ["id", "id"], "rows": [["x", "y"]], "meta": [[good_stamp, {}, {}]]},
        {"name": "members", "columns": ["id", "name"], "rows": [["x", "y" * 2_000_000]],
         "meta": [[good_stamp, {}, {}]]},
        {"name": "households", "columns": ["id", "number"], "rows": [["x", 1e400]],
         "meta": [[good_stamp, {}, {}]]},
        {"name": "members", "columns": ["id", "name"], "rows": [["x", "y"]],
         "meta": [[good_stamp, {}, {"name": [1, 2]}]]},
    ]
    for i, b in enumerate(bad_blocks):
        yield f"block {i}", zlib.compress(json.dumps({"tables": [b]}).replace("Infinity", "1e400").encode())


def test_malformed_bodies_signed_with_a_laptops_keys_are_refused_in_chinese(office, monkeypatch):
    from cadre_desk.sync import schema
    monkeypatch.setattr(schema, "MAX_BODY", 20_000_000)  # the bomb below expands past it
    county, a = office.county, office.a
    data = office.package(a).read_bytes()
    before = without_log(county)
    for what, raw in _bodies(a):
        with pytest.raises(PackageRejected) as caught:
            import_package(county, reseal_body(county, a, data, raw_body=raw))
        assert caught.value.reason == CORRUPT, what
        assert "没有导入任何内容" in caught.value.message
    for change in ({"seq": "abc"}, {"since": [1]}, {"upto": {"a": 1}}, {"ack_upto": -5}, {"schema": "x"},
                   {"county": "x"}, {"enrol": 5}):
        with pytest.raises(PackageRejected) as caught:
            import_package(county, reseal_body(county, a, data, manifest_change=change))
        assert caught.value.reason == CORRUPT, change
    assert without_log(county) == before


# ---------------------------------------------------------------- 4. a wrong clock

def test_a_laptop_clock_years_ahead_cannot_hold_the_county_clock(office):
    county, a, b = office.county, office.a, office.b
    a.clock._wall_ms = lambda: 4_070_908_800_000  # 2099
    register.save_member(a, {"expected_income": 9999}, member_id=member_by_name(a, "张三")["id"])
    result = office.send(a, county)
    assert member_by_name(county, "张三")["expected_income"] != 9999
    assert any("时钟" in n and "王芳" in n for n in result.notes)
    assert any("时钟" in r["reason"] for r in refused_rows(county))
    assert county.clock.physical < county.clock._wall_ms() + 2 * 24 * 3600 * 1000
    # The county's later edits still reach the other laptop.
    register.save_member(county, {"expected_income": 4100}, member_id=member_by_name(county, "钱五")["id"])
    office.send(county, b, cadre="李强")
    assert member_by_name(b, "钱五")["expected_income"] == 4100


def test_a_laptop_clock_years_behind_still_syncs_both_ways(office):
    county, b = office.county, office.b
    real = b.clock._wall_ms
    b.clock._wall_ms = lambda: real() - 5 * YEAR_MS
    register.save_member(b, {"expected_income": 2800}, member_id=member_by_name(b, "钱五")["id"])
    office.send(b, county)
    assert member_by_name(county, "钱五")["expected_income"] == 2800
    register.save_member(county, {"job_intention": "县内企业就业"}, member_id=member_by_name(county, "钱五")["id"])
    office.send(county, b, cadre="李强")
    assert member_by_name(b, "钱五")["job_intention"] == "县内企业就业"


def test_stamps_sort_as_text_for_any_counter_value():
    clock = HybridClock("dev", wall_ms=lambda: 1_700_000_000_000)
    stamps = [clock.now() for _ in range(100_005)]
    assert stamps == sorted(stamps)
    assert len(set(len(s) for s in stamps)) == 1
    far = HybridClock("dev", "4070908800000-99999-other", wall_ms=lambda: 1_700_000_000_000)
    assert far.now() > "4070908800000-99999-other"


# ---------------------------------------------------------------- 5. out of order is not a conflict

def test_an_older_package_after_a_newer_one_is_no_conflict(office):
    county, a = office.county, office.a
    zid = member_by_name(a, "张三")["id"]
    register.save_member(a, {"work_company": "手套厂", "work_status": "乡(镇)内务工", "work_months": 6},
                         member_id=zid)
    older = office.package(a)
    register.save_member(a, {"work_company": "玩具厂"}, member_id=zid)
    newer = office.package(a)
    import_package(county, newer)
    result = import_package(county, older)
    assert result.counts["conflicts"] == 0
    assert county.rows("SELECT count(*) AS n FROM sync_conflicts")[0]["n"] == 0
    assert member_by_name(county, "张三")["work_company"] == "玩具厂"


# ---------------------------------------------------------------- 7. enrolment is one-time

def test_a_setup_package_cannot_clone_a_laptop(office, tmp_path):
    county = office.county
    setup = write_setup_package(county, "王芳", tmp_path / "again.cdsync")
    from helpers_sync import open_db
    first, clone = open_db(tmp_path / "first.db"), open_db(tmp_path / "clone.db")
    import_package(first, setup.path, code=setup.code)
    import_package(clone, setup.path, code=setup.code)
    office.send(first, county)
    with pytest.raises(PackageRejected) as caught:
        office.send(clone, county)
    assert "另一台电脑" in caught.value.message
    lines = journal.log_lines(county, setup.device_id)
    assert any(line.direction == "refused" and "另一台电脑" in line.what for line in lines)


def test_wrong_codes_are_throttled(office, tmp_path, monkeypatch):
    from cadre_desk.sync import importer
    from helpers_sync import open_db
    setup = write_setup_package(office.county, "王芳", tmp_path / "s.cdsync")
    laptop = open_db(tmp_path / "new.db")
    now = [1_800_000_000.0]
    monkeypatch.setattr(importer, "wall_seconds", lambda: now[0])
    for _ in range(5):
        with pytest.raises(PackageRejected):
            import_package(laptop, setup.path, code="AAAA-AAAA-AAAA-AAAA")
    with pytest.raises(roles.SyncSetupError) as caught:
        import_package(laptop, setup.path, code=setup.code)
    assert "请在" in caught.value.message and "后再试" in caught.value.message
    now[0] += 3600
    import_package(laptop, setup.path, code=setup.code)
    assert roles.role(laptop) == roles.LAPTOP


# ---------------------------------------------------------------- 9. messages that say what is true

def test_exporting_for_a_retired_laptop_says_it_was_retired(office, tmp_path):
    roles.retire_device(office.county, cadre="王芳")
    with pytest.raises(roles.SyncSetupError) as caught:
        office.package(office.county, "王芳")
    assert "已停用" in caught.value.message


def test_a_damaged_setup_package_is_called_damaged_and_full_width_codes_work(office, tmp_path):
    from helpers_sync import open_db
    setup = write_setup_package(office.county, "王芳", tmp_path / "s.cdsync")
    data = bytearray(setup.path.read_bytes())
    data[-40] ^= 0x01
    laptop = open_db(tmp_path / "new.db")
    with pytest.raises(PackageRejected) as caught:
        import_package(laptop, bytes(data), code=setup.code)
    assert caught.value.reason == CORRUPT and "损坏" in caught.value.message
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else "－" for c in setup.code.lower())
    import_package(laptop, setup.path, code=wide)
    assert roles.role(laptop) == roles.LAPTOP


def test_refused_imports_appear_in_the_sync_log(office, tmp_path):
    county, a = office.county, office.a
    data = bytearray(office.package(a).read_bytes())
    data[-30] ^= 0x01
    with pytest.raises(PackageRejected):
        import_package(county, bytes(data), file_name="坏包.cdsync")
    line = journal.log_lines(county, newest_first=True)[0]
    assert line.direction == "refused" and line.direction_label == "拒收"
    assert "损坏" in line.what and line.file_name == "坏包.cdsync"


# ---------------------------------------------------------------- 3. a restored backup loses nothing

def test_a_restored_laptop_resends_and_gets_back_what_it_lacked(office, tmp_path):
    county, a = office.county, office.a
    saved = backup_copy(a, tmp_path / "a-backup.db")
    register.save_member(a, {"expected_income": 5100}, member_id=member_by_name(a, "张三")["id"])
    register.save_member(a, {"expected_income": 5200}, member_id=member_by_name(a, "李梅")["id"])
    office.round_trip(a, "王芳")
    a = office.a = restore_copy(a, saved)
    assert member_by_name(a, "张三")["expected_income"] != 5100
    register.save_member(a, {"expected_income": 5300}, member_id=member_by_name(a, "赵四")["id"])
    office.round_trip(a, "王芳")
    office.round_trip(a, "王芳")
    assert member_by_name(county, "赵四")["expected_income"] == 5300
    assert member_by_name(a, "张三")["expected_income"] == 5100
    assert member_by_name(a, "李梅")["expected_income"] == 5200
    # Restored then syncing from the county first.
    saved2 = backup_copy(a, tmp_path / "a-backup2.db")
    register.save_member(a, {"expected_income": 6100}, member_id=member_by_name(a, "张三")["id"])
    office.round_trip(a, "王芳")
    a = office.a = restore_copy(a, saved2)
    office.send(county, a, cadre="王芳")
    register.save_member(a, {"expected_income": 6200}, member_id=member_by_name(a, "李梅")["id"])
    office.round_trip(a, "王芳")
    office.round_trip(a, "王芳")
    assert member_by_name(county, "李梅")["expected_income"] == 6200
    assert member_by_name(a, "张三")["expected_income"] == 6100


# ---------------------------------------------------------------- a household handed to another cadre

def test_a_household_handed_to_another_cadre_moves_between_laptops(office):
    import datetime as dt
    county, a, b = office.county, office.a, office.b
    hid = home_id(county, A_HOME2)
    register.pair_cadre(county, hid, county.rows("SELECT id FROM cadres WHERE name = '李强'")[0]["id"],
                        since=dt.date.today())
    old = office.send(county, a, cadre="王芳")
    assert a.rows("SELECT count(*) AS n FROM members WHERE household_id = ?", [hid])[0]["n"] == 0
    assert not a.rows("SELECT 1 FROM households WHERE id = ?", [hid])
    from cadre_desk import search
    assert [h.name for h in search.search(a, "赵四")] == []
    assert any(A_HOME2 in n and "已从本机移除（1 人）" in n for n in old.notes)
    new = office.send(county, b, cadre="李强")
    assert new.counts["rejected"] == 0, new.notes
    assert member_by_name(b, "赵四")["household_id"] == hid
    # The old laptop's removal is not sent back as a deletion; the new one can edit.
    office.send(a, county)
    assert member_by_name(county, "赵四")["deleted"] == 0
    register.save_member(b, {"expected_income": 2600}, member_id=member_by_name(b, "赵四")["id"])
    office.send(b, county)
    assert member_by_name(county, "赵四")["expected_income"] == 2600


# ---------------------------------------------------------------- 8. receiving keys rotate

def test_receiving_keys_rotate_with_every_round_trip(office):
    from cadre_desk.sync import keys
    from cadre_desk.sync.package import OLD_KEY
    county, a = office.county, office.a
    register.save_member(a, {"expected_income": 3001}, member_id=member_by_name(a, "张三")["id"])
    to_county = office.package(a)  # captured on the way (a messaging app keeps it)
    import_package(county, to_county)
    to_laptop = office.package(county, "王芳")
    import_package(a, to_laptop)
    for n in range(2):
        register.save_member(a, {"expected_income": 3100 + n}, member_id=member_by_name(a, "张三")["id"])
        office.round_trip(a, "王芳")
    # Whoever takes the laptop now cannot open what the county sent it before,
    # and whoever takes the county database cannot open what the laptop sent.
    assert keys.box_key_for(a, read_outer(to_laptop.read_bytes()).header["rk"]) is None
    assert keys.box_key_for(county, read_outer(to_county.read_bytes()).header["rk"]) is None
    with pytest.raises(PackageRejected) as caught:
        import_package(a, to_laptop)
    assert caught.value.reason == OLD_KEY
    assert a.get_setting(keys.BOX_PRIVATE) is None  # the enrolment key is gone from the laptop too
    assert a.rows("SELECT count(*) AS n FROM sync_box_keys")[0]["n"] <= 2
    # Still syncing both ways.
    register.save_member(county, {"expected_income": 4200}, member_id=member_by_name(county, "李梅")["id"])
    office.round_trip(a, "王芳")
    assert member_by_name(a, "李梅")["expected_income"] == 4200


def test_a_laptop_restored_from_an_old_backup_recovers_its_keys_and_data(office, tmp_path):
    from cadre_desk.sync.package import OLD_KEY
    county, a = office.county, office.a
    saved = backup_copy(a, tmp_path / "old.db")
    for n in range(3):
        register.save_member(a, {"expected_income": 3200 + n}, member_id=member_by_name(a, "张三")["id"])
        office.round_trip(a, "王芳")
    a = office.a = restore_copy(a, saved)
    register.save_member(a, {"expected_income": 5500}, member_id=member_by_name(a, "赵四")["id"])
    refused = []
    for _ in range(3):
        for src, dst, cadre in ((a, county, None), (county, a, "王芳")):
            try:
                office.send(src, dst, cadre=cadre)
            except PackageRejected as exc:
                assert exc.reason == OLD_KEY
                refused.append(exc.reason)
    assert refused  # the backup's keys were retired on the way
    assert member_by_name(county, "赵四")["expected_income"] == 5500
    assert member_by_name(a, "张三")["expected_income"] == 3202


# ---------------------------------------------------------------- the format stays readable

def test_a_package_of_an_older_program_is_read_and_a_newer_one_refused(office):
    from cadre_desk.sync import keys
    from cadre_desk.sync.package import NEWER_VERSION, open_sealed, seal
    county, b = office.county, office.b
    register.save_member(b, {"expected_income": 2900}, member_id=member_by_name(b, "钱五")["id"])
    data = office.package(b).read_bytes()
    sealed = read_outer(data)
    envelope = open_sealed(sealed, box_key=keys.box_key_for(county, sealed.header["rk"]))
    manifest = json.loads(envelope.manifest_bytes)
    for k in ("content_hash", "next_key"):
        manifest.pop(k)

    def as_old(fmt):
        # The program before this one: manifest format 1, no receiving key named, for the enrolment key.
        header = {k: v for k, v in sealed.header.items() if k not in ("enc", "rk")}
        return seal(header, {**manifest, "format": fmt}, envelope.body, keys.signing_key(b),
                    receiver_box=keys.box_public_from(roles.county_info(county)["box_public"]))

    with pytest.raises(PackageRejected) as caught:
        import_package(county, as_old(3))
    assert caught.value.reason == NEWER_VERSION and "升级" in caught.value.message
    import_package(county, as_old(1))
    assert member_by_name(county, "钱五")["expected_income"] == 2900


def test_a_file_too_big_to_be_a_package_is_refused_before_it_is_read(office, tmp_path, monkeypatch):
    from cadre_desk.sync import importer
    monkeypatch.setattr(importer, "MAX_FILE", 1000)
    path = tmp_path / "huge.cdsync"
    path.write_bytes(b"CADRE-DESK-SYNC\n" + b"\0" * 5000)
    with pytest.raises(PackageRejected) as caught:
        import_package(office.county, path)
    assert caught.value.reason == CORRUPT and "数据包不会这么大" in caught.value.message
