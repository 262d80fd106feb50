"""Shared fixtures. Qt runs offscreen (set before any Qt import)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Databases are encrypted and signed in to: every test (in-process, and the
# cadre-desk subprocesses it starts, which inherit the environment) creates
# and opens its databases as this user, the first user (县就业办管理员) of
# each new file. Tests of sign-in itself pass other credentials explicitly.
os.environ.setdefault("CADRE_DESK_USER", "测试管理员")
os.environ.setdefault("CADRE_DESK_PASSWORD", "test-pass-2026")

import pytest  # noqa: E402

from cadre_desk import places  # noqa: E402
from cadre_desk.storage import memory_store, open_store  # noqa: E402


@pytest.fixture
def store():
    """A fresh in-memory database with the default county and its towns."""
    s = memory_store()
    places.ensure_county(s)
    return s


@pytest.fixture
def db_path(tmp_path):
    """A path for an on-disk database (created on first open)."""
    return tmp_path / "county.db"


@pytest.fixture
def file_store(db_path):
    s = open_store(db_path)
    places.ensure_county(s)
    yield s
    s.db.conn.close()
