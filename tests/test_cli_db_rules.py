"""The command line's ``--db`` rules (issue 11 §1): a missing folder is an
error, a command that only reads never creates a file, a search without a
match says so, and a closed pipe ends quietly."""

from __future__ import annotations

import subprocess
import sys

import pytest

from helpers_cli import run_cli

READ_ONLY = [
    ["stats"], ["search", "张三"], ["export-roster", "out.xlsx"], ["handbook", "--all", "--out", "hb"], ["policy", "list"],
    ["sync", "status"], ["sync", "log"], ["sync", "conflicts"],
]


def test_a_db_whose_folder_does_not_exist_is_an_error_and_is_not_created(tmp_path):
    target = tmp_path / "no-such-folder" / "county.db"
    for argv in (["stats"], ["demo", "--households", "3"], ["import-roster", str(tmp_path / "r.xlsx")]):
        rc, out, err = run_cli("--db", str(target), *argv)
        assert rc == 1, argv
        assert err.startswith(f"错误：文件夹不存在：{target.parent}"), err
    assert not target.parent.exists()


@pytest.mark.parametrize("argv", READ_ONLY, ids=lambda a: " ".join(a))
def test_read_only_commands_on_a_missing_file_say_so_and_create_nothing(tmp_path, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "county.db"
    rc, out, err = run_cli("--db", str(target), *argv)
    assert rc == 1
    assert err.strip() == f"错误：数据库文件不存在：{target}"
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_creating_commands_may_create_the_file(tmp_path):
    target = tmp_path / "demo.db"
    rc, out, err = run_cli("--db", str(target), "demo", "--households", "3")
    assert rc == 0, err
    assert target.exists()
    rc, out, err = run_cli("--db", str(target), "stats")
    assert rc == 0, err


def test_a_search_without_a_match_says_so(tmp_path):
    target = tmp_path / "demo.db"
    run_cli("--db", str(target), "demo", "--households", "3")
    rc, out, err = run_cli("--db", str(target), "search", "zzzqqq")
    assert rc == 0
    assert out == ""
    assert err.startswith("没有找到“zzzqqq”")


def test_a_closed_pipe_ends_quietly(tmp_path):
    target = tmp_path / "demo.db"
    run_cli("--db", str(target), "demo", "--households", "20")
    proc = subprocess.Popen([sys.executable, "-m", "cadre_desk", "--db", str(target), "search", "w", "--limit", "500"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before anything is written (as `| head -0`)
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert "Traceback" not in err and "BrokenPipe" not in err, err
