"""Stopping a lost or replaced laptop at the county office: its packages are
refused before anything in them is read, none are written for it, the log
says so, and a laptop stopped by mistake can be taken back."""

from __future__ import annotations

import pytest

from cadre_desk import register
from cadre_desk.cli import main
from cadre_desk.errors import NotFound
from cadre_desk.sync import roles
from cadre_desk.sync.export import export_package
from cadre_desk.sync.importer import import_package
from cadre_desk.sync.journal import log_lines
from cadre_desk.sync.package import RETIRED_DEVICE, PackageRejected
from helpers_sync import county_with_households, dump, enrol, member_by_name


@pytest.fixture
def county_and_laptop(tmp_path):
    county = county_with_households(tmp_path / "county.db")
    laptop = enrol(county, "王芳", tmp_path / "laptop.db", tmp_path)
    import_package(county, export_package(laptop, tmp_path / "hello.cdsync").path)  # keys handed in
    register.save_member(laptop, {"work_company": "手套厂", "work_status": "乡(镇)内务工", "work_months": 2},
                         member_id=member_by_name(laptop, "李梅")["id"])
    package = export_package(laptop, tmp_path / "changes.cdsync").path
    yield county, laptop, package
    for s in (county, laptop):
        s.db.conn.close()


def test_a_stopped_laptop_gets_nothing_in_and_nothing_out(county_and_laptop):
    county, laptop, package = county_and_laptop
    stopped = roles.retire_device(county, cadre="王芳")
    assert stopped["retired"] and stopped["id"] == laptop.device_id
    before = dump(county)
    with pytest.raises(PackageRejected) as refused:
        import_package(county, package)
    assert refused.value.reason == RETIRED_DEVICE
    assert "停用" in str(refused.value) and laptop.device_id in str(refused.value)
    assert dump(county, sync_log=False) == {k: v for k, v in before.items() if k != "sync_log"}
    with pytest.raises(roles.SyncSetupError) as no_export:
        export_package(county, package.with_name("back.cdsync"), cadre="王芳")
    assert "已停用" in no_export.value.message
    assert [line.direction_label for line in log_lines(county, "王芳")][-2:] == ["停用", "拒收"]


def test_a_laptop_stopped_by_mistake_is_taken_back(county_and_laptop):
    county, _laptop, package = county_and_laptop
    roles.retire_device(county, cadre="王芳")
    roles.retire_device(county, cadre="王芳", restore=True)
    result = import_package(county, package)
    assert result.counts.get("updated") == 1
    assert member_by_name(county, "李梅")["work_company"] == "手套厂"
    assert [line.direction_label for line in log_lines(county, "王芳")][-3:] == ["停用", "恢复", "导入"]


def test_only_the_county_office_stops_laptops_and_it_must_be_told_which(county_and_laptop, tmp_path):
    county, laptop, _ = county_and_laptop
    with pytest.raises(roles.SyncSetupError, match="县就业办"):
        roles.retire_device(laptop, cadre="王芳")
    with pytest.raises(NotFound, match="李四"):
        roles.retire_device(county, cadre="李四")
    enrol(county, "王芳", tmp_path / "second.db", tmp_path).db.conn.close()
    with pytest.raises(roles.SyncSetupError, match="设备号"):
        roles.retire_device(county, cadre="王芳")  # two laptops: which one?
    assert roles.retire_device(county, device_id=laptop.device_id)["retired"]


def test_retire_from_the_command_line(county_and_laptop, tmp_path, capsys):
    county, laptop, package = county_and_laptop
    db = str(county.path)
    assert main(["--db", db, "sync", "retire", "--cadre", "王芳"]) == 0
    assert "已停用王芳的电脑" in capsys.readouterr().out
    assert main(["--db", db, "sync", "import", str(package)]) == 1
    err = capsys.readouterr().err
    assert "停用" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert main(["--db", db, "sync", "log", "--device", "王芳"]) == 0
    assert "停用 王芳" in capsys.readouterr().out
    assert main(["--db", db, "sync", "status"]) == 0
    assert "（已停用）" in capsys.readouterr().out
    assert main(["--db", db, "sync", "retire", "--device", laptop.device_id, "--restore"]) == 0
    assert "已恢复" in capsys.readouterr().out
    assert main(["--db", db, "sync", "retire", "--cadre", "不存在的人"]) == 1
    assert "不存在的人" in capsys.readouterr().err
