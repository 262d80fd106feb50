"""Issue 12 §4: 文件 → 从备份恢复 in the window. The backup is checked (the
password, integrity, that it is this database's) while the current database
is still open; each refusal says why in Chinese and changes nothing; a
restore keeps the current file aside, reopens the window on the restored
data and says what date it is from. If reopening fails, the current file is
put back."""

from __future__ import annotations

import pytest

from cadre_desk import audit, backup, places
from cadre_desk.storage import open_store
from helpers_qt import answer_next_box
from helpers_sync import add_household, make_id
from ui import restore_dialog
from ui.main_window import MainWindow

PASSWORD = "test-pass-2026"  # tests/conftest.py


def _households(store):
    return store.db.execute("SELECT count(*) FROM households WHERE deleted = 0").fetchone()[0]


@pytest.fixture
def setup(qtbot, tmp_path, file_store):
    add_household(file_store, "3715811090010001", "王芳", [("张三", make_id("19700101", 11))])
    made = backup.backup_database(file_store, tmp_path / "备份.db")
    add_household(file_store, "3715811090010002", "王芳", [("赵四", make_id("19650303", 33))])
    window = MainWindow(file_store, install_features=False)
    qtbot.addWidget(window)
    restore_dialog.install(window)
    reopened = []

    def reopen(store):
        reopened.append(store)
        return store

    window.reopen = reopen
    return window, made, reopened


def _dialog(qtbot, window, path, password=PASSWORD):
    dialog = restore_dialog.RestoreDialog(window, path)
    qtbot.addWidget(dialog)
    dialog.password.setText(password)
    return dialog


def test_the_file_menu_has_the_item(setup):
    window, _made, _ = setup
    texts = [a.text() for a in window.menu("文件").actions()]
    assert "从备份恢复…" in texts
    assert texts.index("从备份恢复…") < texts.index("退出")


def test_a_wrong_password_is_refused_and_nothing_changes(qtbot, setup, db_path):
    window, made, reopened = setup
    before = db_path.read_bytes()
    dialog = _dialog(qtbot, window, made, password="not-the-password")
    assert dialog.run() is None
    assert "密码不对" in dialog.error.text()
    assert reopened == [] and _households(window.store) == 2
    assert db_path.read_bytes() == before
    assert not list(db_path.parent.glob("*.before-restore-*"))


def test_a_damaged_backup_is_refused_and_nothing_changes(qtbot, setup, tmp_path, db_path):
    window, made, reopened = setup
    damaged = tmp_path / "坏的.db"
    data = bytearray(made.read_bytes())
    data[5000:9000] = b"\x00" * 4000
    damaged.write_bytes(bytes(data))
    (tmp_path / "坏的.db.keys").write_bytes((tmp_path / "备份.db.keys").read_bytes())
    for bad in (damaged, tmp_path / "不存在.db"):
        dialog = _dialog(qtbot, window, bad)
        assert dialog.run() is None
        assert "损坏" in dialog.error.text() or "找不到" in dialog.error.text() or "打不开" in dialog.error.text()
    assert reopened == [] and _households(window.store) == 2
    assert not list(db_path.parent.glob("*.before-restore-*"))


def test_a_backup_of_another_database_is_refused(qtbot, setup, tmp_path):
    window, _made, reopened = setup
    other = open_store(tmp_path / "other" / "other.db")
    places.ensure_county(other)
    foreign = backup.backup_database(other, tmp_path / "别人的.db")
    other.db.conn.close()
    dialog = _dialog(qtbot, window, foreign)
    assert dialog.run() is None
    assert "不是这个数据库的" in dialog.error.text() or "打不开" in dialog.error.text()
    assert reopened == [] and _households(window.store) == 2


def test_a_good_backup_is_restored_after_the_question(qtbot, setup, db_path):
    window, made, reopened = setup
    dialog = _dialog(qtbot, window, made)
    answer_next_box("取消")
    assert dialog.run() is None and reopened == []  # said no: nothing done
    assert _households(window.store) == 2
    dialog = _dialog(qtbot, window, made)
    answer_next_box("恢复")
    store = dialog.run()
    assert store is not None and reopened == [store]
    assert _households(store) == 1
    assert audit.entries(store)[-1]["action"] == "restore"
    assert list(db_path.parent.glob("county.db.before-restore-*"))
    assert "截至" in dialog.outcome and "重新录入或重新同步" in dialog.outcome
    store.db.conn.close()


def test_if_the_restored_file_cannot_be_opened_the_current_one_is_put_back(qtbot, setup, db_path, monkeypatch):
    window, made, reopened = setup
    real_open = backup.open_store_for_restore
    calls = []

    def failing(path, creds):
        calls.append(path)
        if len(calls) == 1:
            raise backup.CadreDeskError("模拟：恢复后的文件打不开")
        return real_open(path, creds)

    monkeypatch.setattr(backup, "open_store_for_restore", failing)
    dialog = _dialog(qtbot, window, made)
    answer_next_box("恢复")
    store = dialog.run()
    assert "原来的数据库已放回" in dialog.error.text()
    assert store is not None and reopened == [store]  # the window goes on with the current data
    assert _households(store) == 2
    assert not list(db_path.parent.glob("county.db.before-restore-*"))
    store.db.conn.close()
