"""The ``cadre-desk sync`` commands end to end over real files."""

from __future__ import annotations

import json
import re

from cadre_desk import register
from cadre_desk.cli import main
from cadre_desk.storage import open_store
from helpers_sync import county_with_households, member_by_name


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_setup_export_import_status_log_conflicts_resolve(tmp_path, capsys):
    county_db, a_db, b_db = (str(tmp_path / n) for n in ("county.db", "a.db", "b.db"))
    county_with_households(tmp_path / "county.db").db.conn.close()
    codes = {}
    for name, db in (("a", a_db), ("b", b_db)):
        code, out, _ = run(capsys, "--db", county_db, "sync", "setup", "--cadre", "王芳", "-o",
                           str(tmp_path / f"setup-{name}.cdsync"))
        assert code == 0 and "启用码" in out
        codes[name] = re.search(r"启用码：(\S+)", out).group(1)
        code, _, err = run(capsys, "--db", db, "sync", "import", str(tmp_path / f"setup-{name}.cdsync"))
        assert code == 1 and "启用码" in err
        code, out, _ = run(capsys, "--db", db, "sync", "import", str(tmp_path / f"setup-{name}.cdsync"),
                           "--code", codes[name])
        assert code == 0 and "启用完成" in out
    for db, company in ((a_db, "手套厂"), (b_db, "玩具厂")):
        s = open_store(db)
        register.save_member(s, {"work_status": "乡(镇)内务工", "work_months": 3, "work_company": company},
                             member_id=member_by_name(s, "李梅")["id"])
        s.db.conn.close()
    for name, db in (("a", a_db), ("b", b_db)):
        assert run(capsys, "--db", db, "sync", "export", "-o", str(tmp_path / f"{name}.cdsync"))[0] == 0
        code, out, _ = run(capsys, "sync", "import", str(tmp_path / f"{name}.cdsync"), "--db", county_db)
        assert code == 0 and "已导入王芳的第 1 号数据包" in out
    code, out, _ = run(capsys, "--db", county_db, "sync", "import", str(tmp_path / "a.cdsync"))
    assert "已经导入过" in out
    code, out, _ = run(capsys, "--db", county_db, "sync", "status", "--json")
    status = json.loads(out)
    assert status["role"] == "county" and status["open_conflicts"] == 1 and len(status["devices"]) == 3
    code, out, _ = run(capsys, "--db", county_db, "sync", "log", "--device", "王芳")
    assert out.count("导入自 王芳") == 2 and "导出给 王芳" in out
    code, out, _ = run(capsys, "--db", county_db, "sync", "conflicts")
    assert "李梅" in out and "手套厂" in out and "玩具厂" in out
    conflict_id = int(re.search(r"#(\d+)", out).group(1))
    code, out, _ = run(capsys, "--db", county_db, "sync", "resolve", str(conflict_id), "--keep", "theirs")
    assert code == 0 and "采用了对方的值" in out
    code, out, _ = run(capsys, "--db", county_db, "sync", "conflicts")
    assert "没有待处理的同步冲突" in out
    # The county must say which laptop a package is for.
    code, _, err = run(capsys, "--db", county_db, "sync", "export", "-o", str(tmp_path / "c.cdsync"))
    assert code == 1 and "--cadre" in err


def test_rejection_is_one_chinese_line(tmp_path, capsys):
    county_db = str(tmp_path / "county.db")
    county_with_households(tmp_path / "county.db").db.conn.close()
    bad = tmp_path / "bad.cdsync"
    bad.write_bytes(b"CADRE-DESK-SYNC\n" + b"\x00\x01garbage")
    code, out, err = run(capsys, "--db", county_db, "sync", "import", str(bad))
    assert code == 1 and err.startswith("错误：") and "文件已损坏或被篡改" in err and err.count("\n") == 1
    code, _, err = run(capsys, "--db", county_db, "sync", "export", "-o", str(tmp_path / "x.cdsync"))
    assert code == 1 and "还没有设置同步" in err


def test_many_packages_in_one_run_each_on_its_own(tmp_path, capsys):
    from helpers_sync_trust import Office

    office = Office(tmp_path)
    register.save_member(office.a, {"expected_income": 3100}, member_id=member_by_name(office.a, "张三")["id"])
    register.save_member(office.b, {"expected_income": 4100}, member_id=member_by_name(office.b, "钱五")["id"])
    a_pkg, b_pkg = office.package(office.a), office.package(office.b)
    bad = tmp_path / "坏的.cdsync"
    bad.write_bytes(a_pkg.read_bytes()[:-20])
    county_db = str(office.county.path)
    office.close()
    code, out, _ = run(capsys, "--db", county_db, "sync", "import", str(a_pkg), str(bad), str(b_pkg))
    lines = out.strip().splitlines()
    assert code == 1 and len(lines) == 4
    assert lines[0].startswith(f"{a_pkg.name}：已导入王芳的") and "更新 1 条" in lines[0]
    assert lines[1].startswith("坏的.cdsync：未导入：") and "损坏" in lines[1]
    assert lines[2].startswith(f"{b_pkg.name}：已导入李强的")
    assert lines[3] == "共 3 个文件：导入 2 个，未导入 1 个"
    county = open_store(county_db)
    assert member_by_name(county, "张三")["expected_income"] == 3100
    assert member_by_name(county, "钱五")["expected_income"] == 4100


def test_refused_rows_are_listed_for_review(tmp_path, capsys):
    from helpers_sync_trust import B_HOME, Office

    office = Office(tmp_path)
    a = office.a
    register.save_member(a, {"expected_income": 3100}, member_id=member_by_name(a, "张三")["id"])
    hid = a.rows("SELECT id FROM households WHERE number = '3715811090010002'")[0]["id"]
    register.save_household(a, {"number": B_HOME, "head_name": "赵四", "size": 1}, household_id=hid)
    pkg = office.package(a)
    county_db = str(office.county.path)
    office.close()
    assert run(capsys, "--db", county_db, "sync", "import", str(pkg))[0] == 0
    code, out, _ = run(capsys, "--db", county_db, "sync", "refused", "--device", "王芳")
    assert code == 0 and "王芳" in out and f"户编号 {B_HOME} 已被本县另一户使用" in out
    code, out, _ = run(capsys, "--db", county_db, "sync", "refused", "--json")
    assert json.loads(out.splitlines()[0])["table_name"] == "households"


def test_a_new_laptop_from_a_setup_package_is_the_cadres_and_a_wrong_code_creates_nothing(tmp_path, capsys,
                                                                                          monkeypatch):
    county_db = tmp_path / "county.db"
    county_with_households(county_db).db.conn.close()
    code, out, _ = run(capsys, "--db", str(county_db), "sync", "setup", "--cadre", "王芳", "-o",
                       str(tmp_path / "setup.cdsync"))
    enrol_code = re.search(r"启用码：(\S+)", out).group(1)
    monkeypatch.setenv("CADRE_DESK_USER", "王芳")
    monkeypatch.setenv("CADRE_DESK_PASSWORD", "wangfang-2026")
    laptop = tmp_path / "laptop.db"
    code, _, err = run(capsys, "--db", str(laptop), "sync", "import", str(tmp_path / "setup.cdsync"),
                       "--code", "AAAA-BBBB-CCCC-DDDD")
    assert code == 1 and "启用码" in err and "Traceback" not in err
    assert not laptop.exists() and not (tmp_path / "laptop.db.keys").exists()
    code, out, _ = run(capsys, "--db", str(laptop), "sync", "import", str(tmp_path / "setup.cdsync"),
                       "--code", enrol_code)
    assert code == 0 and "启用完成" in out
    code, out, _ = run(capsys, "--db", str(laptop), "user", "list", "--json")
    assert code == 0 and [(u["name"], u["role"]) for u in json.loads(out)] == [("王芳", "cadre")]
