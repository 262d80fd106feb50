"""Where things live: bundled resources (also inside a PyInstaller bundle) and
the default database file (the user's data folder, from platformdirs)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "CadreDesk"
DB_ENV = "CADRE_DESK_DB"


def resource_path(*parts: str) -> Path:
    """A file under ``resources/``; PyInstaller unpacks it under ``sys._MEIPASS``."""
    base = getattr(sys, "_MEIPASS", None)
    root = Path(base) if base else Path(__file__).resolve().parent.parent
    return root.joinpath("resources", *parts)


def default_db_path() -> Path:
    """``--db`` wins, then ``CADRE_DESK_DB``, then the per-user data folder."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "cadre-desk.db"
