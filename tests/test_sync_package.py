"""Damaged, altered, foreign and future packages are refused with a Chinese
reason and leave the database exactly as it was; a crash half-way through an
import leaves it as before too."""

from __future__ import annotations

import pytest

from cadre_desk import register
from cadre_desk.sync import keys, roles
from cadre_desk.sync.export import export_package, write_setup_package
from cadre_desk.sync.importer import SetupCodeNeeded, import_package
from cadre_desk.sync.merge import Merger
from cadre_desk.sync.package import (CORRUPT, NEWER_VERSION, UNKNOWN_DEVICE, WRONG_COUNTY, PackageRejected,
                                     open_sealed, read_outer, seal)
from helpers_sync import county_with_households, dump, enrol, member_by_name


@pytest.fixture
def pair(tmp_path):
    """County office and one enrolled laptop (keys handed in) with an edit
    packed and ready: (county, laptop, package bytes)."""
    county = county_with_households(tmp_path / "county.db")
    laptop = enrol(county, "王芳", tmp_path / "laptop.db", tmp_path)
    import_package(county, export_package(laptop, tmp_path / "first.cdsync").path)
    register.save_member(laptop, {"expected_income": 3100}, member_id=member_by_name(laptop, "张三")["id"])
    data = export_package(laptop, tmp_path / "edit.cdsync").path.read_bytes()
    yield county, laptop, data
    county.db.conn.close()
    laptop.db.conn.close()


def reseal(county, laptop, data, *, sign_key=None, manifest_change=None, format_version=1):
    """Open a real package with the county's key and seal it again, changed."""
    sealed = read_outer(data)
    envelope = open_sealed(sealed, box_key=keys.box_key(county))
    manifest = envelope.manifest
    manifest.pop("content_hash")
    manifest.update(manifest_change or {})
    header = {k: v for k, v in sealed.header.items() if k != "enc"}
    return seal(header, manifest, envelope.body, sign_key or keys.signing_key(laptop),
                receiver_box=keys.box_public_from(roles.county_info(county)["box_public"]),
                format_version=format_version)


def assert_refused(county, data, reason, tmp_path):
    """Refused with ``reason``: nothing changed but one 拒收 line in the sync log."""
    before = dump(county)
    path = tmp_path / "bad.cdsync"
    path.write_bytes(data)
    with pytest.raises(PackageRejected) as caught:
        import_package(county, path)
    assert caught.value.reason == reason
    assert "没有导入任何内容" in caught.value.message
    after = dump(county)
    logged = set(after.pop("sync_log")) - set(before.pop("sync_log"))
    assert after == before
    assert len(logged) == 1 and "'refused'" in next(iter(logged))
    return caught.value.message


def test_good_package_applies(pair, tmp_path):
    county, _, data = pair
    path = tmp_path / "ok.cdsync"
    path.write_bytes(data)
    assert import_package(county, path).counts["updated"] == 1
    assert member_by_name(county, "张三")["expected_income"] == 3100


@pytest.mark.parametrize("cut", [10, 40, 200, -1, -17])
def test_truncated(pair, tmp_path, cut):
    county, _, data = pair
    assert "文件已损坏或被篡改" in assert_refused(county, data[:cut], CORRUPT, tmp_path)


@pytest.mark.parametrize("where", [0.3, 0.5, 0.7, 0.99])
def test_bit_flipped_anywhere_in_the_body(pair, tmp_path, where):
    county, _, data = pair
    i = int(len(data) * where)
    flipped = data[:i] + bytes([data[i] ^ 0x04]) + data[i + 1:]
    assert_refused(county, flipped, CORRUPT, tmp_path)


def test_bit_flipped_in_header_is_refused(pair, tmp_path):
    county, _, data = pair
    i = data.index(b'"receiver"') + 14
    flipped = data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:]
    before = dump(county)
    path = tmp_path / "bad.cdsync"
    path.write_bytes(flipped)
    with pytest.raises(PackageRejected):
        import_package(county, path)
    assert dump(county, sync_log=False) == {k: v for k, v in before.items() if k != "sync_log"}


def test_resigned_by_another_key(pair, tmp_path):
    county, laptop, data = pair
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    forged = reseal(county, laptop, data, sign_key=Ed25519PrivateKey.generate())
    assert_refused(county, forged, CORRUPT, tmp_path)


def test_wrong_county(pair, tmp_path):
    county, _, _ = pair
    other = county_with_households(tmp_path / "other-county.db")
    other_laptop = enrol(other, "王芳", tmp_path / "other-laptop.db", tmp_path)
    data = export_package(other_laptop, tmp_path / "other.cdsync").path.read_bytes()
    assert "不是本县的数据包" in assert_refused(county, data, WRONG_COUNTY, tmp_path)


def test_unknown_device(pair, tmp_path):
    county, laptop, data = pair
    sealed = read_outer(data)
    header = {k: v for k, v in sealed.header.items() if k != "enc"}
    header["sender"] = "0123456789ab"
    forged = seal(header, {"sender": "0123456789ab"}, b"", keys.signing_key(laptop),
                  receiver_box=keys.box_public_from(roles.county_info(county)["box_public"]))
    assert "未登记的设备" in assert_refused(county, forged, UNKNOWN_DEVICE, tmp_path)


def test_future_format_version(pair, tmp_path):
    county, laptop, data = pair
    newer = reseal(county, laptop, data, format_version=2)
    assert "由更新版本的程序生成" in assert_refused(county, newer, NEWER_VERSION, tmp_path)


def test_future_schema(pair, tmp_path):
    county, laptop, data = pair
    newer = reseal(county, laptop, data, manifest_change={
        "schema": roles.schema_names() + ["0099_something_new"], "program": "9.0"})
    message = assert_refused(county, newer, NEWER_VERSION, tmp_path)
    assert "升级" in message


def test_crash_mid_import_leaves_database_as_before(pair, tmp_path, monkeypatch):
    county, _, data = pair
    path = tmp_path / "ok.cdsync"
    path.write_bytes(data)
    before = dump(county)
    calls = {"n": 0}
    original = Merger._table

    def crashing(self, block):
        original(self, block)
        calls["n"] += 1
        raise RuntimeError("power cut")

    monkeypatch.setattr(Merger, "_table", crashing)
    with pytest.raises(RuntimeError):
        import_package(county, path)
    assert calls["n"] == 1
    assert dump(county) == before
    monkeypatch.undo()
    assert import_package(county, path).counts["updated"] == 1


def test_setup_package_needs_the_code_and_a_new_database(tmp_path):
    county = county_with_households(tmp_path / "county.db")
    setup = write_setup_package(county, "王芳", tmp_path / "setup.cdsync")
    from helpers_sync import open_db

    laptop = open_db(tmp_path / "laptop.db")
    with pytest.raises(SetupCodeNeeded):
        import_package(laptop, setup.path)
    before = dump(laptop)
    with pytest.raises(PackageRejected) as caught:
        import_package(laptop, setup.path, code="AAAA-BBBB-CCCC-DDDD")
    assert "启用码不对" in caught.value.message
    after = dump(laptop)
    # Only the refusal's log line and the count of wrong codes (for the throttle) are written.
    assert [line for line in after.pop("sync_log")][0][2] == "'refused'"
    assert [k for k, _ in after.pop("settings")] == [k for k, _ in before.pop("settings")] + ["'sync_code_failures'"]
    before.pop("sync_log")
    assert after == before
    result = import_package(laptop, setup.path, code=setup.code.lower().replace("-", " "))
    assert roles.role(laptop) == roles.LAPTOP and result.counts["new"] > 0
    assert import_package(laptop, setup.path, code=setup.code).duplicate
    # The laptop's private keys are its own; the county only ever sees public halves.
    assert keys.has_keys(laptop)
    assert not county.rows("SELECT 1 FROM settings WHERE value LIKE ?",
                           [f'%{laptop.get_setting(keys.SIGN_PRIVATE)}%'])
    # A county database cannot be turned into a laptop.
    with pytest.raises(roles.SyncSetupError):
        import_package(county, setup.path, code=setup.code)


def test_same_file_twice_changes_nothing(pair, tmp_path):
    county, _, data = pair
    path = tmp_path / "ok.cdsync"
    path.write_bytes(data)
    import_package(county, path)
    before = dump(county)
    result = import_package(county, path)
    assert result.duplicate and "已经导入过" in result.summary
    assert dump(county) == before


def test_lost_package_is_covered_by_the_next(pair, tmp_path):
    county, laptop, _lost = pair  # the edit package never arrives
    register.save_member(laptop, {"expected_income": 3200}, member_id=member_by_name(laptop, "赵四")["id"])
    import_package(county, export_package(laptop, tmp_path / "next.cdsync").path)
    assert member_by_name(county, "张三")["expected_income"] == 3100
    assert member_by_name(county, "赵四")["expected_income"] == 3200
