"""A damaged database at sign-in (issue 12 §4, found on the newcomer walk): the
sign-in window says so and offers the newest good automatic backup with a
button; restoring keeps the damaged file aside and opens the restored data.
The window never tells its user to type a command."""

from __future__ import annotations

import os

from cadre_desk import places, register
from cadre_desk.backup import automatic_backup
from cadre_desk.roster import import_roster
from cadre_desk.storage import open_store
from tests.helpers_roster import family, write_roster
from ui import sign_in


def _damaged_with_backup(tmp_path):
    path = tmp_path / "county.db"
    store = open_store(path)
    places.ensure_county(store)
    import_roster(store, write_roster(tmp_path / "roster.xlsx", family()))
    members = len(store.rows("SELECT id FROM members WHERE deleted = 0"))
    made = automatic_backup(store)
    store.db.conn.close()
    raw = bytearray(path.read_bytes())
    raw[:4096] = os.urandom(4096)  # the first page destroyed
    path.write_bytes(bytes(raw))
    (tmp_path / "county.db-wal").unlink(missing_ok=True)
    return path, made, members, bytes(raw)


def test_sign_in_on_a_damaged_database_offers_the_newest_backup_and_restores_it(qtbot, tmp_path, monkeypatch):
    path, made, members, damaged = _damaged_with_backup(tmp_path)
    for name in ("CADRE_DESK_USER", "CADRE_DESK_PASSWORD"):  # the window's own sign-in, not the environment's
        monkeypatch.delenv(name, raising=False)
    dialog = sign_in.SignInDialog(path, user="测试管理员")
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.restore_button.isVisible()
    dialog.password.setText("test-pass-2026")
    dialog._try()
    assert dialog.store is None and "已损坏" in dialog.error.text()
    assert "cadre-desk" not in dialog.error.text()  # no command for a window user
    assert dialog.restore_button.isVisible() and made.name in dialog.restore_button.toolTip()
    dialog.restore_button.click()
    assert dialog.store is not None, dialog.error.text()
    store = dialog.store
    assert len(store.rows("SELECT id FROM members WHERE deleted = 0")) == members
    assert register.household_by_number(store, store.rows("SELECT number FROM households LIMIT 1")[0]["number"])
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("county.db") and p.read_bytes() == damaged]
    assert kept, "the damaged file is kept aside"
    store.db.conn.close()


def test_the_command_line_still_names_the_restore_command(tmp_path):
    from tests.helpers_cli import run_cli

    path, made, _, _ = _damaged_with_backup(tmp_path)
    rc, _, err = run_cli("--db", str(path), "stats")
    assert rc == 1 and f"cadre-desk restore {made}" in err
