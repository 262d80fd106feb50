"""Drafts of unsaved survey answers (cadre_desk/drafts.py)."""

import pytest

from cadre_desk import drafts
from cadre_desk.storage import open_store
from tests.helpers_survey import sample_household


def test_save_load_replace_discard(store):
    household_id, members = sample_household(store)
    key = drafts.draft_key(member_id=members[0])
    assert drafts.load_draft(store, key) is None
    drafts.save_draft(store, key, {"name": "武学良", "health": ["健康"], "training_willing": False})
    got = drafts.load_draft(store, key)
    assert got.answers == {"name": "武学良", "health": ["健康"], "training_willing": False}
    assert got.member_id == members[0]
    drafts.save_draft(store, key, {"name": "武学亮"})
    assert drafts.load_draft(store, key).answers == {"name": "武学亮"}
    assert len(store.rows("SELECT * FROM drafts")) == 1
    drafts.discard_draft(store, key)
    assert drafts.load_draft(store, key) is None


def test_new_member_key_and_household_listing(store):
    household_id, members = sample_household(store)
    new_key = drafts.draft_key(household_id=household_id)
    assert new_key == f"new:{household_id}"
    drafts.save_draft(store, new_key, {"name": "武小明"})
    drafts.save_draft(store, members[2], {"name": "武晓艳"}, household_id=household_id)
    listed = drafts.drafts_of_household(store, household_id)
    assert set(listed) == {new_key, members[2]}
    assert listed[new_key].household_id == household_id and listed[new_key].member_id is None


def test_key_needs_member_or_household():
    with pytest.raises(ValueError):
        drafts.draft_key()


def test_drafts_stay_out_of_change_log(store):
    household_id, members = sample_household(store)
    before = store.rows("SELECT count(*) AS n FROM change_log")[0]["n"]
    drafts.save_draft(store, members[0], {"name": "x"})
    drafts.discard_draft(store, members[0])
    assert store.rows("SELECT count(*) AS n FROM change_log")[0]["n"] == before


def test_draft_survives_reopening_the_database(db_path):
    store = open_store(db_path)
    household_id, members = sample_household(store)
    drafts.save_draft(store, members[1], {"name": "李秀荣"})
    store.db.conn.close()
    again = open_store(db_path)
    got = drafts.load_draft(again, members[1])
    assert got.answers == {"name": "李秀荣"}
    assert len(got.saved_at_local) == 16  # 'YYYY-MM-DD HH:MM'
    again.db.conn.close()
