"""The command line as a county clerk's script uses it: help, database
selection, one-line Chinese errors with a non-zero exit and no traceback."""

import os
import subprocess
import sys

import pytest

from cadre_desk.cli import build_parser, main


def run(*args, env=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "cadre_desk", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd, timeout=120)


def command_names():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sorted(sub.choices)


def test_help_lists_every_command():
    out = run("--help")
    assert out.returncode == 0
    for name in command_names():
        assert name in out.stdout


@pytest.mark.parametrize("name", command_names())
def test_every_command_has_help(name, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([name, "--help"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip()


def test_unknown_command_is_one_chinese_line():
    out = run("frobnicate")
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "参数错误" in out.stderr and "Traceback" not in out.stderr


def test_a_broken_database_file_is_one_chinese_line(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 1000)
    commands = command_names()
    name = "stats" if "stats" in commands else commands[0]
    extra = ["--as-of", "2020-04-30"] if name == "stats" else []
    out = run("--db", str(bad), name, *extra)
    assert out.returncode == 1
    assert out.stderr.startswith("错误：") and out.stderr.count("\n") == 1
    assert "Traceback" not in out.stderr


def test_db_option_and_environment_variable_choose_the_database(tmp_path):
    if "stats" not in command_names():
        pytest.skip("stats command not present")
    # stats only reads: the databases are made first by a command that creates (issue 11 §1).
    (tmp_path / "a").mkdir()
    first, second = tmp_path / "a" / "one.db", tmp_path / "two.db"
    assert run("--db", str(first), "demo", "--households", "2").returncode == 0
    assert run("--db", str(first), "stats", "--as-of", "2020-04-30").returncode == 0
    assert not second.exists()
    assert run("demo", "--households", "3", env={"CADRE_DESK_DB": str(second)}).returncode == 0
    assert second.exists()
    assert run("stats", "--as-of", "2020-04-30", env={"CADRE_DESK_DB": str(second)}).returncode == 0


def test_app_without_display_says_what_is_missing(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = subprocess.run([sys.executable, "-m", "cadre_desk", "--db", str(tmp_path / "x.db")],
                         capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 1 and "显示器" in out.stderr


def test_core_does_not_import_qt():
    code = ("import sys; sys.modules['PySide6'] = None\n"
            "import pkgutil, importlib, cadre_desk\n"
            "for m in pkgutil.walk_packages(cadre_desk.__path__, 'cadre_desk.'):\n"
            "    if not m.name.endswith('__main__'): importlib.import_module(m.name)\n"
            "print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr
