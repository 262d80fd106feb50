"""Issue 12 §3: a laptop's audit entries travel to the county office in its
sync packages (real package files between three databases), are kept per
device in ``audit_remote``, and are not sent again once the county has them."""

from __future__ import annotations

import pytest

from cadre_desk import audit
from cadre_desk.sync.importer import import_package
from cadre_desk.sync.package import CORRUPT, PackageRejected, decode_body, open_sealed, read_outer
from helpers_sync_trust import Office, reseal_body


@pytest.fixture
def office(tmp_path):
    o = Office(tmp_path)
    yield o
    o.close()


def _body_of(county, path):
    from cadre_desk.sync import keys

    sealed = read_outer(path.read_bytes())
    envelope = open_sealed(sealed, box_key=keys.box_key_for(county, sealed.header.get("rk")))
    return decode_body(envelope.body)


def test_a_laptops_exports_reach_the_county_in_its_package(office):
    county, a = office.county, office.a
    audit.record(a, "export", {"what": "roster", "file": "全村.xlsx", "ids": "full"}, people=120)
    path = office.package(a)
    sent = _body_of(county, path)["audit"]
    assert sent[-1]["action"] == "export" and sent[-1]["people"] == 120
    import_package(county, path)
    held = audit.remote_entries(county, a.device_id)
    assert [e["seq"] for e in held] == [e["seq"] for e in audit.entries(a)]
    assert held[-1]["detail"] == {"what": "roster", "file": "全村.xlsx", "ids": "full"}
    assert held[-1]["people"] == 120
    # The county's reply says how far it holds them: the next package carries only newer ones.
    import_package(a, office.package(county, cadre="王芳"))
    audit.record(a, "print", {"what": "handbook"}, people=3)
    later = _body_of(county, office.package(a))["audit"]
    assert [e["action"] for e in later][-1] == "print"
    assert min(e["seq"] for e in later) > held[-1]["seq"]


def test_the_county_does_not_send_its_own_entries_to_laptops(office):
    county, a = office.county, office.a
    audit.record(county, "export", {"what": "roster"}, people=5)
    path = office.package(county, cadre="王芳")
    from cadre_desk.sync import keys

    sealed = read_outer(path.read_bytes())
    envelope = open_sealed(sealed, box_key=keys.box_key_for(a, sealed.header.get("rk")))
    assert "audit" not in decode_body(envelope.body)
    import_package(a, path)
    assert audit.remote_entries(a) == []


def test_edited_audit_entries_in_a_package_are_kept_out_and_said(office):
    county, a = office.county, office.a
    audit.record(a, "export", {"what": "roster", "file": "全村.xlsx"}, people=120)
    data = office.package(a).read_bytes()

    def hide_people(body):
        body["audit"][-1]["people"] = 0  # someone with the laptop's keys hides how many were exported

    before = audit.remote_entries(county, a.device_id)
    result = import_package(county, reseal_body(county, a, data, hide_people))
    assert audit.remote_entries(county, a.device_id) == before
    assert "export" not in [e["action"] for e in before]
    assert any("审计记录" in n and "改动" in n for n in result.notes), result.notes


def test_malformed_audit_entries_refuse_the_package_as_damaged(office):
    county, a = office.county, office.a
    data = office.package(a).read_bytes()
    before = audit.remote_entries(county)
    for bad in (5, [5], [{"seq": "x"}], [{"seq": 1, "time": "t", "user": "u", "action": "export",
                                          "detail": "x" * 10, "people": 1, "prev_hash": "0", "hash": 7}]):
        def put(body, bad=bad):
            body["audit"] = bad

        with pytest.raises(PackageRejected) as caught:
            import_package(county, reseal_body(county, a, data, put))
        assert caught.value.reason == CORRUPT
        assert "没有导入任何内容" in caught.value.message
    assert audit.remote_entries(county) == before


def test_the_county_lists_remote_entries_per_device_with_the_cadre(office):
    county, a, b = office.county, office.a, office.b
    audit.record(a, "export", {"what": "progress"}, people=7)
    audit.record(b, "print", {"what": "handbook"}, people=2)
    import_package(county, office.package(a))
    import_package(county, office.package(b))
    rows = audit.query(county, source="remote")
    assert {r["device_name"] for r in rows} == {"王芳", "李强"}
    only_a = audit.query(county, source="remote", device=a.device_id)
    assert {r["device"] for r in only_a} == {a.device_id}
    assert audit.verify_remote(county).ok
    # An entry edited afterwards in the county's own database is found too.
    county.db.execute("DROP TRIGGER audit_remote_no_update")
    county.db.execute("UPDATE audit_remote SET people = 0 WHERE action = 'export'")
    verdict = audit.verify_remote(county)
    assert not verdict.ok and "改动" in verdict.reason
