"""The newcomer walk's attack of a database folder that is read-only: the
message is Chinese, names the folder (not a hidden temporary file) and says
what to do; nothing is created."""

from __future__ import annotations

import errno
import os

import pytest
from PySide6.QtWidgets import QMessageBox

from cadre_desk import first_start
from helpers_qt import when_modal
from helpers_roster import family, write_roster
from ui import errors as ui_errors
from ui.app import Launcher, application


def _read_only(path) -> OSError:
    return OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))


def test_a_read_only_folder_is_said_in_chinese_with_its_folder(tmp_path):
    temp = tmp_path / "县就业办" / ".cadre-desk.db.keys.3fe6c44b.tmp"
    text = ui_errors.message_for(_read_only(temp))
    assert "Read-only" not in text and "只读" in text
    assert str(tmp_path / "县就业办") in text and ".tmp" not in text
    assert "换一个" in text  # says what to do


@pytest.mark.parametrize("code, said", [(errno.EACCES, "没有权限"), (errno.ENOSPC, "磁盘空间已满")])
def test_other_file_errors_are_said_in_chinese(tmp_path, code, said):
    text = ui_errors.message_for(OSError(code, os.strerror(code), str(tmp_path / "a.xlsx")))
    assert said in text and "a.xlsx" in text and os.strerror(code) not in text


def test_the_first_start_page_in_a_read_only_folder_says_so_and_creates_nothing(qtbot, tmp_path, monkeypatch):
    application()
    folder = tmp_path / "只读"
    folder.mkdir()
    launcher = Launcher(str(folder / "cadre-desk.db"))
    launcher.start()
    try:
        page = launcher.first_start_page

        def refuse(path, *args, **kwargs):
            raise _read_only(folder / ".cadre-desk.db.keys.3fe6c44b.tmp")  # as a read-only mount answers
        monkeypatch.setattr(first_start, "create_database", refuse)
        page.user_name.setText("周敏")
        roster = write_roster(tmp_path / "roster.xlsx", family())
        page.ask_roster_paths = lambda: [str(roster)]
        seen = []
        when_modal(QMessageBox, lambda box: (seen.append(box.text()), box.accept()))
        assert page.choose_roster() is None
        assert launcher.window is None and not (folder / "cadre-desk.db").exists()
        assert "只读" in seen[0] and str(folder) in seen[0] and "Read-only" not in seen[0]
    finally:
        launcher.close()
