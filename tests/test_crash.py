"""Issue 12 §5: a real process killed (SIGKILL) in the middle of a roster
import, a survey save or a password change leaves a sound database holding the state from
before or the state after, never a mixture."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from cadre_desk import keys
from cadre_desk.storage import connect, open_store
from cadre_desk.users import Credentials
from tests.helpers_cli import run_cli
from tests.helpers_roster import make_id, member, write_roster

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


def _roster(path, first: int, households: int):
    rows = []
    for h in range(first, first + households):
        number = f"37158110900{h:06d}"
        rows.append(member(number, f"户主{h}", make_id("19700312", 1 + h % 900, area=f"{371500 + h // 900:06d}")))
    return write_roster(path, rows)


def _stats(db) -> dict:
    rc, out, err = run_cli("--db", str(db), "stats", "--json")
    assert rc == 0, err
    return json.loads(out)


def _start(*argv) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cadre_desk", *argv], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill_after(proc: subprocess.Popen, seconds: float) -> bool:
    """SIGKILL ``proc`` after ``seconds``; False when it had already finished."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return True


def _sound(db) -> None:
    store = open_store(db)
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.db.conn.close()


def test_killing_a_roster_import_leaves_before_or_after(tmp_path):
    base = tmp_path / "base.db"
    rc, out, err = run_cli("--db", str(base), "import-roster", str(_roster(tmp_path / "a.xlsx", 0, 50)))
    assert rc == 0, err
    more = _roster(tmp_path / "b.xlsx", 50, 2500)
    before = _stats(base)
    done = tmp_path / "done.db"
    shutil.copy(base, done)
    shutil.copy(keys.keys_path(base), keys.keys_path(done))
    # The import is timed as the killed runs will run it (a whole process), and a
    # kill that came too late (the process had finished: a noisy machine) is
    # tried again earlier, so that the kills land during the import.
    started = time.monotonic()
    assert _start("--db", str(done), "import-roster", str(more)).wait() == 0
    took = time.monotonic() - started
    after = _stats(done)
    assert after != before
    killed = 0
    for fraction in (0.3, 0.55, 0.8, 1.1, 1.6):
        delay = took * fraction / 1.6
        for _attempt in range(4):
            db = tmp_path / f"k{fraction}.db"
            shutil.copy(base, db)
            shutil.copy(keys.keys_path(base), keys.keys_path(db))
            landed = _kill_after(_start("--db", str(db), "import-roster", str(more)), delay)
            _sound(db)
            assert _stats(db) in (before, after)
            if landed:
                killed += 1
                break
            delay /= 2
    assert killed >= 2  # the kills did land during the import


def test_killing_a_password_change_leaves_the_old_or_the_new_password(tmp_path):
    db = tmp_path / "c.db"
    open_store(db).db.conn.close()
    old = Credentials(os.environ["CADRE_DESK_USER"], os.environ["CADRE_DESK_PASSWORD"])
    new = Credentials(old.user, "brand-new-pass-1")
    for delay in (0.25, 0.45, 0.7, 0.9):
        env = {**os.environ, "CADRE_DESK_NEW_PASSWORD": new.password}
        current = old
        for creds in (old, new):
            try:
                open_store(db, credentials=creds).db.conn.close()
                current = creds
                break
            except Exception:  # noqa: BLE001 - the other password is the right one
                continue
        env["CADRE_DESK_PASSWORD"] = current.password
        proc = subprocess.Popen([sys.executable, "-m", "cadre_desk", "--db", str(db), "user", "passwd"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=env)
        _kill_after(proc, delay)
        keys.KeyFile.load(db)  # never a half-written key file
        opened = 0
        for creds in (old, new):
            try:
                store = open_store(db, credentials=creds)
            except Exception:  # noqa: BLE001
                continue
            assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            store.db.conn.close()
            opened += 1
        assert opened == 1  # exactly one of the two passwords opens it, whatever moment the kill hit
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_no_file_beside_the_database_holds_a_name_in_plaintext(tmp_path):
    db = tmp_path / "c.db"
    rc, out, err = run_cli("--db", str(db), "import-roster", str(_roster(tmp_path / "a.xlsx", 0, 300)))
    assert rc == 0
    for f in tmp_path.iterdir():
        if f.name.startswith("c.db") and not f.name.endswith(".keys"):
            assert "户主12".encode() not in f.read_bytes()
    conn = connect(db, open_store(db).key)
    assert conn.execute("SELECT count(*) FROM members").fetchone()[0] == 300


SAVER = r"""
import sys
from cadre_desk import register
from cadre_desk.storage import open_store
store = open_store(sys.argv[1])
ids = [r["id"] for r in store.rows("SELECT id FROM members ORDER BY id_number")]
print("ready", flush=True)
i = 0
while True:
    i += 1
    for mid in ids:
        register.save_member(store, {"name": f"名{i}", "employer": f"单位{i}"}, member_id=mid)
"""


def test_killing_survey_saves_never_leaves_half_a_record(tmp_path):
    db = tmp_path / "c.db"
    rc, out, err = run_cli("--db", str(db), "import-roster", str(_roster(tmp_path / "a.xlsx", 0, 20)))
    assert rc == 0, err
    for delay in (0.2, 0.5, 0.9):
        proc = subprocess.Popen([sys.executable, "-c", SAVER, str(db)], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=os.getcwd())
        assert proc.stdout.readline().strip() == b"ready"
        assert _kill_after(proc, delay)
        _sound(db)
        store = open_store(db)
        for r in store.rows("SELECT name, employer FROM members"):
            if r["employer"]:  # both fields of one save, or neither
                assert r["name"][1:] == r["employer"][2:], r
        store.db.conn.close()
