"""Backups: a complete copy that opens as the same data, never a half file."""

import sqlite3

import pytest

from cadre_desk.backup import backup_database
from cadre_desk.cli import main
from cadre_desk.errors import CadreDeskError
from cadre_desk.storage import open_store


def test_backup_is_a_complete_copy(file_store, tmp_path):
    file_store.insert("cadres", {"name": "王丽"})
    dest = backup_database(file_store, tmp_path / "copy.db")
    copy = open_store(dest)
    assert [r["name"] for r in copy.rows("SELECT name FROM cadres")] == ["王丽"]


def test_cancelled_backup_leaves_no_file(file_store, tmp_path):
    dest = tmp_path / "copy.db"
    with pytest.raises(CadreDeskError, match="已取消"):
        backup_database(file_store, dest, cancelled=lambda: True)
    assert not dest.exists() and not (tmp_path / "copy.db.part").exists()


def test_refuses_to_overwrite_the_open_database(file_store, db_path):
    with pytest.raises(CadreDeskError, match="正在使用"):
        backup_database(file_store, db_path)


def test_backup_command(db_path, tmp_path, capsys):
    open_store(db_path).insert("cadres", {"name": "赵成"})
    dest = tmp_path / "b.db"
    assert main(["--db", str(db_path), "backup", str(dest)]) == 0
    assert "已备份" in capsys.readouterr().out
    # Issue 12: a backup is encrypted like the database (it opens signed in,
    # not with plain sqlite3).
    assert [r["name"] for r in open_store(dest).rows("SELECT name FROM cadres")] == ["赵成"]
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(dest).execute("SELECT name FROM cadres")
