"""Issue 12: the register encrypted at rest, sign-in, roles, the audit chain,
backups that restore. Databases here are made the way every test makes them
(``open_store(path)`` with the credentials tests/conftest.py puts in the
environment); sign-in tests pass other credentials explicitly."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import threading
import time

import pytest

from cadre_desk import audit, keys, places
from cadre_desk.backup import automatic_backup, automatic_backups, backup_database
from cadre_desk.roster import import_roster
from cadre_desk.storage import open_store
from cadre_desk.users import (BadPassword, Credentials, LoginRequired, NotAllowed, SignInFailed, add_user,
                              change_password, check_password, create_encrypted_database, disable_user)
from tests.helpers_cli import run_cli
from tests.helpers_roster import family, write_roster

ADMIN = Credentials(os.environ["CADRE_DESK_USER"], os.environ["CADRE_DESK_PASSWORD"])
HEAD, HEAD_ID = "张建国", family()[0]["身份证号码"]


def _imported(tmp_path, name="county.db"):
    path = tmp_path / name
    store = open_store(path)
    places.ensure_county(store)
    import_roster(store, write_roster(tmp_path / "roster.xlsx", family()))
    return path, store


def _raw(path) -> bytes:
    data = path.read_bytes()
    for extra in (f"{path}-wal",):
        if os.path.exists(extra):
            data += open(extra, "rb").read()
    return data


def test_database_and_backup_hold_no_name_or_id_number_in_plaintext(tmp_path):
    path, store = _imported(tmp_path)
    assert store.rows("SELECT name FROM members WHERE id_number = ?", [HEAD_ID])[0]["name"] == HEAD
    backup = backup_database(store, tmp_path / "b.db")
    store.db.conn.close()
    for f in (path, backup):
        raw = _raw(f)
        assert HEAD_ID.encode() not in raw
        assert HEAD.encode("utf-8") not in raw and "李秀英".encode() not in raw
        assert not raw.startswith(b"SQLite format 3")
        with pytest.raises(sqlite3.DatabaseError):
            sqlite3.connect(f).execute("SELECT count(*) FROM members").fetchone()
    # The key file beside them holds wraps only, never the key or a name of a household.
    key_text = keys.keys_path(path).read_text(encoding="utf-8")
    assert HEAD not in key_text and HEAD_ID not in key_text


def test_files_are_created_user_only(tmp_path):
    path, store = _imported(tmp_path)
    backup = backup_database(store, tmp_path / "b.db")
    for f in (path, keys.keys_path(path), backup, keys.keys_path(backup), tmp_path / "county.db-wal"):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f


def test_wrong_and_missing_password_are_refused_without_traceback(tmp_path, monkeypatch):
    path, store = _imported(tmp_path)
    store.db.conn.close()
    with pytest.raises(SignInFailed, match="用户名或密码不对"):
        open_store(path, credentials=Credentials(ADMIN.user, "wrong-password"))
    monkeypatch.delenv("CADRE_DESK_PASSWORD")
    rc, out, err = run_cli("--db", str(path), "stats", "--json")
    assert rc == 1 and err.startswith("错误：需要登录") and "Traceback" not in err
    monkeypatch.setenv("CADRE_DESK_PASSWORD", "wrong-password")
    rc, out, err = run_cli("--db", str(path), "stats", "--json")
    assert rc == 1 and "用户名或密码不对" in err and out == ""
    # A real process, as the county's scripts run it.
    env = {**os.environ, "CADRE_DESK_PASSWORD": "wrong-password"}
    proc = subprocess.run([sys.executable, "-m", "cadre_desk", "--db", str(path), "stats"], env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "密码不对" in proc.stderr


def test_the_wait_after_five_wrong_passwords_survives_a_restart(tmp_path):
    path, store = _imported(tmp_path)
    store.db.conn.close()
    wrong = Credentials(ADMIN.user, "wrong-password")
    for _ in range(5):
        with pytest.raises(SignInFailed, match="密码不对"):
            open_store(path, credentials=wrong)
    # "Restart": a new process reads the counter from the key file; even the
    # right password must wait now.
    proc = subprocess.run([sys.executable, "-m", "cadre_desk", "--db", str(path), "stats"],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert proc.returncode == 1 and "连续输错 5 次" in proc.stderr and "秒后再试" in proc.stderr
    kf = keys.KeyFile.load(path)
    assert kf.failures(ADMIN.user) == 5 and 0 < kf.wait_seconds(ADMIN.user) <= 30  # 30 s from the 5th failure
    # Once the wait is over the right password works, and every failure is in the audit trail.
    kf.throttle[ADMIN.user]["until"] = "2000-01-01T00:00:00+00:00"
    kf.save()
    store = open_store(path)
    failed = [e for e in audit.entries(store) if e["action"] == "sign_in_failed"]
    assert len(failed) == 5 and failed[0]["user"] == ADMIN.user
    assert keys.KeyFile.load(path).failures(ADMIN.user) == 0


def test_growing_wait(tmp_path):
    kf = keys.KeyFile.new(tmp_path / "x.db")
    waits = []
    for _ in range(8):
        kf.record_failure("u", "dev", "wrong_password")
        waits.append(kf.wait_seconds("u"))
    assert waits[:4] == [0, 0, 0, 0] and waits[4:] == [30, 60, 120, 240]


def test_password_rules_say_why():
    for name, password, why in (("王丽", "short1", "至少要 8 个字符"), ("wangli88", "WANGLI88", "不能和用户名相同"),
                                ("王丽", "1234567890", "不能全是数字")):
        with pytest.raises(BadPassword, match=why):
            check_password(name, password)
    check_password("王丽", "lin-qing-2026")


def test_changing_a_password_rewraps_without_reencrypting(tmp_path):
    path, store = _imported(tmp_path)
    key = store.key
    change_password(store, ADMIN.user, "another-pass-99")
    store.db.conn.close()
    with pytest.raises(SignInFailed):
        open_store(path, credentials=ADMIN)
    again = open_store(path, credentials=Credentials(ADMIN.user, "another-pass-99"))
    assert again.key == key  # same database key: only its wrap changed
    assert again.rows("SELECT count(*) AS n FROM members")[0]["n"] == 3
    assert [e["action"] for e in audit.entries(again)][-3:] == ["password_change", "sign_in_failed", "sign_in"]


def test_users_roles_and_attribution(tmp_path):
    path, store = _imported(tmp_path)
    add_user(store, "乡镇甲", "town-pass-2026", "town", town="烟店镇")
    add_user(store, "干部乙", "cadre-pass-2026", "cadre")
    store.db.conn.close()
    cadre = open_store(path, credentials=Credentials("干部乙", "cadre-pass-2026"))
    member = cadre.rows("SELECT id FROM members LIMIT 1")[0]["id"]
    cadre.update("members", member, {"name": "张建民"})
    assert cadre.history("members", member)[-1].user == "干部乙"
    with pytest.raises(NotAllowed):
        add_user(cadre, "x", "xxxx-2026-yy", "cadre")
    cadre.db.conn.close()
    env = {"CADRE_DESK_USER": "乡镇甲", "CADRE_DESK_PASSWORD": "town-pass-2026"}
    old = {k: os.environ[k] for k in env}
    os.environ.update(env)
    try:
        rc, out, err = run_cli("--db", str(path), "export-roster", str(tmp_path / "all.xlsx"))
        assert rc == 1 and "乡镇" in err and "不能" in err and not (tmp_path / "all.xlsx").exists()
        rc, out, err = run_cli("--db", str(path), "stats", "--json")
        assert rc == 0
    finally:
        os.environ.update(old)
    admin = open_store(path)
    disable_user(admin, "乡镇甲")
    admin.db.conn.close()
    with pytest.raises(SignInFailed):
        open_store(path, credentials=Credentials("乡镇甲", "town-pass-2026"))


def test_init_and_user_commands(tmp_path, monkeypatch):
    path = tmp_path / "new.db"
    monkeypatch.setenv("CADRE_DESK_PASSWORD", "county-pass-1")
    rc, out, err = run_cli("--db", str(path), "init", "--user", "县管理员", "--role", "county")
    assert rc == 0, err
    rc, out, err = run_cli("--db", str(path), "init", "--user", "县管理员")
    assert rc == 1 and "已经存在" in err
    monkeypatch.setenv("CADRE_DESK_USER", "县管理员")
    monkeypatch.setenv("CADRE_DESK_NEW_PASSWORD", "12345678")
    rc, out, err = run_cli("--db", str(path), "user", "add", "王丽", "--role", "cadre")
    assert rc == 1 and "不能全是数字" in err
    monkeypatch.setenv("CADRE_DESK_NEW_PASSWORD", "wangli-2026")
    assert run_cli("--db", str(path), "user", "add", "王丽", "--role", "cadre")[0] == 0
    rc, out, err = run_cli("--db", str(path), "user", "list", "--json")
    listed = {u["name"]: u["role"] for u in json.loads(out)}
    assert listed == {"县管理员": "admin", "王丽": "cadre"}
    monkeypatch.setenv("CADRE_DESK_NEW_PASSWORD", "wangli-2027")
    assert run_cli("--db", str(path), "user", "passwd", "王丽")[0] == 0
    assert run_cli("--db", str(path), "user", "disable", "王丽")[0] == 0
    rc, out, err = run_cli("--db", str(path), "--user", "王丽", "stats")
    assert rc == 1 and "密码不对" in err
    rc, out, err = run_cli("--db", str(path), "audit", "--json")
    actions = [e["action"] for e in json.loads(out)]
    assert {"user_change", "password_change", "sign_in", "sign_in_failed"} <= set(actions)
    assert set(json.loads(out)[0]) == {"time", "user", "device", "action", "detail", "people"}


def test_the_audit_chain_detects_an_edited_entry(tmp_path):
    path, store = _imported(tmp_path)
    rc, out, err = run_cli("--db", str(path), "export-roster", str(tmp_path / "out.xlsx"))
    assert rc == 0
    rc, out, err = run_cli("--db", str(path), "audit", "--verify")
    assert rc == 0 and "完整" in out
    entries = json.loads(run_cli("--db", str(path), "audit", "--json")[1])
    export = [e for e in entries if e["action"] == "export"][0]
    assert export["people"] == 3 and export["detail"]["file"] == "out.xlsx"
    # Append-only: the database itself refuses an edit.
    with pytest.raises(Exception, match="append-only"):
        store.db.execute("UPDATE audit_log SET people = 0 WHERE action = 'export'")
    # Someone with the key drops the trigger and edits the entry: the chain breaks there.
    store.db.execute("DROP TRIGGER audit_log_no_update")
    store.db.execute("UPDATE audit_log SET people = 0 WHERE action = 'export'")
    seq = store.rows("SELECT seq FROM audit_log WHERE action = 'export'")[0]["seq"]
    store.db.conn.close()
    rc, out, err = run_cli("--db", str(path), "audit", "--verify")
    assert rc == 1 and f"第 {seq} 条" in out + err


def test_a_plaintext_database_of_the_previous_version_is_encrypted_with_nothing_lost(tmp_path):
    path = tmp_path / "old.db"
    plain = open_store(path, plaintext=True)  # how the previous version wrote it
    places.ensure_county(plain)
    import_roster(plain, write_roster(tmp_path / "roster.xlsx", family()))
    before = {t: plain.db.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0] for t in ("members", "change_log")}
    plain.db.conn.close()
    assert HEAD.encode() in _raw(path)
    store = open_store(path)
    assert store.notices and "仍是未加密" in store.notices[0]
    for t, n in before.items():
        assert store.db.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0] == n
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.db.conn.close()
    assert HEAD.encode() not in _raw(path) and HEAD_ID.encode() not in _raw(path)
    assert not (tmp_path / "old.db.encrypting").exists()


def test_a_plaintext_database_is_not_encrypted_without_a_password(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    open_store(path, plaintext=True).db.conn.close()
    monkeypatch.delenv("CADRE_DESK_PASSWORD")
    with pytest.raises(LoginRequired):
        open_store(path)
    assert path.read_bytes().startswith(b"SQLite format 3")


def test_busy_timeout_really_waits_for_another_writer(tmp_path):
    path, store = _imported(tmp_path)
    other = open_store(path)
    other.db.conn.execute("BEGIN IMMEDIATE")
    threading.Timer(1.0, lambda: other.db.conn.execute("COMMIT")).start()
    started = time.monotonic()
    store.insert("cadres", {"name": "等待者"})  # waits for the other writer instead of failing
    assert time.monotonic() - started >= 0.8
    assert store.rows("SELECT name FROM cadres WHERE name = '等待者'")


def test_a_read_only_database_can_still_be_read(tmp_path):
    path, store = _imported(tmp_path)
    store.db.conn.close()
    if os.geteuid() == 0:
        # root writes anyway: put the files on a read-only bind mount when we may.
        ro = tmp_path / "ro"
        ro.mkdir()
        if subprocess.run(["mount", "--bind", "-o", "ro", str(tmp_path), str(ro)],
                          capture_output=True).returncode != 0:
            pytest.skip("cannot make a read-only mount here (needs root with mount rights)")
        subprocess.run(["mount", "-o", "remount,ro,bind", str(ro)], check=True)
        try:
            again = open_store(ro / path.name)
            assert again.read_only
            assert again.rows("SELECT count(*) AS n FROM members")[0]["n"] == 3
            again.db.conn.close()
        finally:
            subprocess.run(["umount", str(ro)], check=True)
    else:
        for f in tmp_path.iterdir():
            f.chmod(0o400)
        tmp_path.chmod(0o500)
        try:
            again = open_store(path)
            assert again.rows("SELECT count(*) AS n FROM members")[0]["n"] == 3
        finally:
            tmp_path.chmod(0o700)


def test_restore_checks_the_backup_keeps_the_current_file_and_says_the_date(tmp_path):
    path, store = _imported(tmp_path)
    backup = backup_database(store, tmp_path / "b.db")
    store.insert("cadres", {"name": "备份之后"})
    store.db.conn.close()
    rc, out, err = run_cli("--db", str(path), "restore", str(backup))
    assert rc == 0, err
    assert "数据截至" in out and "重新录入或重新同步" in out
    again = open_store(path)
    assert not again.rows("SELECT name FROM cadres WHERE name = '备份之后'")
    assert [e["action"] for e in audit.entries(again)][-2:] == ["restore", "sign_in"]
    kept = [p for p in tmp_path.iterdir() if ".before-restore-" in p.name and not p.name.endswith(".keys")]
    assert len(kept) == 1
    # Another county's backup is refused, nothing replaced.
    other_path, other = _imported(tmp_path / "x" if (tmp_path / "x").mkdir() is None else tmp_path, "other.db")
    foreign = backup_database(other, tmp_path / "foreign.db")
    other.db.conn.close()
    again.db.conn.close()
    rc, out, err = run_cli("--db", str(path), "restore", str(foreign))
    assert rc == 1 and "不是这个数据库的" in err


def test_automatic_backups_at_most_daily_and_seven_kept(tmp_path):
    import datetime as dt

    path, store = _imported(tmp_path)
    day = dt.datetime(2026, 3, 1, 18, 0)
    for i in range(9):
        assert automatic_backup(store, now=day + dt.timedelta(days=i)) is not None
        assert automatic_backup(store, now=day + dt.timedelta(days=i, hours=2)) is None
    made = automatic_backups(path)
    assert len(made) == 7 and "20260309" in made[0].name
    assert HEAD.encode() not in made[0].read_bytes()


def test_create_encrypted_database_for_a_new_laptop(tmp_path):
    store = create_encrypted_database(tmp_path / "laptop.db", "王丽", "wangli-2026", "cadre")
    assert store.signed_in.role == "cadre"
    store.db.conn.close()
    with pytest.raises(BadPassword):
        create_encrypted_database(tmp_path / "l2.db", "王丽", "123", "cadre")
    assert not (tmp_path / "l2.db").exists() and not (tmp_path / "l2.db.keys").exists()


def test_a_damaged_database_says_so_and_offers_the_newest_good_backup(tmp_path):
    path, store = _imported(tmp_path)
    made = automatic_backup(store)
    store.db.conn.close()
    raw = bytearray(path.read_bytes())
    raw[:4096] = os.urandom(4096)  # the first page destroyed
    path.write_bytes(bytes(raw))
    (tmp_path / "county.db-wal").unlink(missing_ok=True)
    rc, out, err = run_cli("--db", str(path), "stats")
    assert rc == 1 and "已损坏" in err and str(made) in err and "restore" in err
    # The window's 文件 → 从备份恢复 needs the database open: it is no way out of this one (h4's walk).
    assert "文件 → 从备份恢复" not in err and "县就业办" in err
    assert path.read_bytes() == bytes(raw)  # not overwritten


def test_a_forgotten_password_is_recovered_through_the_county_office(tmp_path, monkeypatch):
    county_db, laptop = tmp_path / "county.db", tmp_path / "laptop.db"
    open_store(county_db).db.conn.close()
    rc, out, err = run_cli("recovery", "keygen", "-o", str(tmp_path / "county.key"))
    assert rc == 0, err
    public = out.rsplit("：", 1)[1].strip()
    store = create_encrypted_database(laptop, "王丽", "wangli-2026", "cadre")
    import_roster(store, write_roster(tmp_path / "r.xlsx", family()))
    store.db.conn.close()
    monkeypatch.setenv("CADRE_DESK_USER", "王丽")
    monkeypatch.setenv("CADRE_DESK_PASSWORD", "wangli-2026")
    assert run_cli("--db", str(laptop), "recovery", "enrol", public)[0] == 0
    # The password is forgotten: the request needs none.
    monkeypatch.delenv("CADRE_DESK_PASSWORD")
    rc, out, err = run_cli("--db", str(laptop), "recovery", "request", "--name", "王丽", "-o", str(tmp_path / "req"))
    assert rc == 0, err
    assert HEAD not in (tmp_path / "req").read_text(encoding="utf-8")
    monkeypatch.setenv("CADRE_DESK_USER", ADMIN.user)
    monkeypatch.setenv("CADRE_DESK_PASSWORD", ADMIN.password)
    rc, out, err = run_cli("--db", str(county_db), "recovery", "answer", str(tmp_path / "req"), "--key",
                           str(tmp_path / "county.key"), "-o", str(tmp_path / "reset"))
    assert rc == 0, err
    code = out.split("验证码：")[1][:8]
    assert code not in (tmp_path / "reset").read_text(encoding="utf-8")
    monkeypatch.delenv("CADRE_DESK_PASSWORD")
    monkeypatch.setenv("CADRE_DESK_NEW_PASSWORD", "wangli-new-1")
    wrong = "0" * 8 if code != "0" * 8 else "1" * 8
    rc, out, err = run_cli("--db", str(laptop), "recovery", "reset", str(tmp_path / "reset"), "--code", wrong)
    assert rc == 1 and "恢复码不对" in err
    rc, out, err = run_cli("--db", str(laptop), "recovery", "reset", str(tmp_path / "reset"), "--code", code)
    assert rc == 0, err
    again = open_store(laptop, credentials=Credentials("王丽", "wangli-new-1"))
    assert again.rows("SELECT count(*) AS n FROM members")[0]["n"] == 3  # nothing lost
    assert "recovery" in [e["action"] for e in audit.entries(again)]
    again.db.conn.close()
    # The reset file answers one request only.
    rc, out, err = run_cli("--db", str(laptop), "recovery", "reset", str(tmp_path / "reset"), "--code", code)
    assert rc == 1 and "已经用过" in err


def test_a_laptops_audit_entries_travel_to_the_county_and_keep_their_chain(tmp_path):
    laptop = create_encrypted_database(tmp_path / "laptop.db", "王丽", "wangli-2026", "cadre")
    audit.record(laptop, "export", {"what": "roster", "file": "全村.xlsx"}, people=120)
    county = open_store(tmp_path / "county.db")
    sent = audit.export_entries(laptop)
    assert audit.import_remote(county, laptop.device_id, sent) == len(sent)
    assert audit.import_remote(county, laptop.device_id, sent) == 0  # the same package twice
    audit.record(laptop, "print", {"what": "handbook"}, people=3)
    later = audit.export_entries(laptop, after_seq=sent[-1]["seq"])
    tampered = [{**e, "people": 0} for e in later]
    with pytest.raises(Exception, match="改动"):
        audit.import_remote(county, laptop.device_id, tampered)
    assert audit.import_remote(county, laptop.device_id, later) == 1
    held = audit.remote_entries(county, laptop.device_id)
    assert [e["action"] for e in held][-2:] == ["export", "print"] and held[-2]["people"] == 120
    rc, out, err = run_cli("--db", str(tmp_path / "county.db"), "audit", "--devices", "--json")
    assert rc == 0 and "全村.xlsx" in out


def test_a_database_without_the_users_record_does_not_call_the_user_disabled_nor_drop_their_key(tmp_path):
    """A database file copied without its -wal file after a crash can lack a
    user added just before: the user is not 停用, and their key must stay in the
    key file (the complete database opens with it again)."""
    path = tmp_path / "county.db"
    admin = open_store(path)
    add_user(admin, "王丽", "wangli-2026", "cadre")
    admin.db.execute("DELETE FROM users WHERE name = '王丽'")  # what the incomplete copy holds
    admin.db.conn.close()
    with pytest.raises(SignInFailed) as info:
        open_store(path, credentials=Credentials("王丽", "wangli-2026"))
    message = info.value.message
    assert "停用" not in message and "王丽" in message
    assert "不完整" in message and "备份" in message and "管理员" in message
    assert "王丽" in keys.KeyFile.load(path).users


@pytest.mark.parametrize("damage", ["folder", "garbage"])
def test_a_key_file_that_cannot_be_read_says_why_in_chinese(tmp_path, damage):
    path = tmp_path / "county.db"
    open_store(path).db.conn.close()
    key_file = keys.keys_path(path)
    key_file.unlink()
    if damage == "folder":
        key_file.mkdir()  # e.g. a copy tool that made a folder of that name
    else:
        key_file.write_bytes(b"\xff\xfe not json")
    with pytest.raises(keys.KeyFileError) as info:
        keys.KeyFile.load(path)
    message = info.value.message
    assert "Error" not in message and key_file.name in message  # no IsADirectoryError, UnicodeDecodeError …
    assert ("是一个文件夹" if damage == "folder" else "已损坏") in message and "备份中的密钥文件" in message
