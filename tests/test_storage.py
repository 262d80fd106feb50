"""Storage: identity columns, change log, history, undo, soft delete, atomicity,
and clear messages for files that are not our database."""

import sqlite3

import pytest

from cadre_desk import places, register
from cadre_desk.errors import DatabaseError, NotFound
from cadre_desk.idnumber import check_character
from cadre_desk.storage import CREATE_FIELD, open_store


def make_id(body17: str) -> str:
    return body17 + check_character(body17)


def add_member(store, name="武学亮", id_body="37158119850612001", **answers):
    town = places.town_by_name(store, "烟店镇")
    village = places.ensure_village(store, town["id"], "李庄村")
    hh, _ = register.save_household(store, {"number": "H001", "head_name": name}, village_id=village)
    values = {"name": name, "id_number": make_id(id_body), "relation": "户主", "health": "健康",
              "labour_ability": "普通劳动力", **answers}
    member_id, _ = register.save_member(store, values, household_id=hh)
    return hh, member_id


def test_rows_carry_identity_and_timestamps(store):
    _, member_id = add_member(store)
    row = store.get("members", member_id)
    assert len(row["id"]) == 32
    assert row["created_at"] and row["updated_at"] and row["device_id"] == store.device_id
    assert row["deleted"] == 0


def test_every_field_change_is_logged_with_old_and_new(store):
    _, member_id = add_member(store)
    store.set_setting("user_name", "王干部")
    register.save_member(store, {"labour_ability": "技能劳动力", "job_intention": "外出务工"}, member_id=member_id)
    changes = store.history("members", member_id)
    assert changes[0].field == CREATE_FIELD
    by_field = {c.field: c for c in changes[1:]}
    assert by_field["labour_ability"].old_value == "普通劳动力"
    assert by_field["labour_ability"].new_value == "技能劳动力"
    assert by_field["job_intention"].user == "王干部"
    stamps = [c.hlc for c in changes]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


def test_revert_writes_the_old_value_back_as_a_new_change(store):
    _, member_id = add_member(store)
    register.save_member(store, {"labour_ability": "丧失劳动力"}, member_id=member_id)
    wrong = [c for c in store.history("members", member_id) if c.field == "labour_ability"][0]
    store.revert(wrong.seq)
    assert register.member(store, member_id)["labour_ability"] == "普通劳动力"
    assert len([c for c in store.history("members", member_id) if c.field == "labour_ability"]) == 2


def test_soft_delete_keeps_the_row_and_frees_the_id_number(store):
    hh, member_id = add_member(store)
    register.remove_member(store, member_id)
    assert store.get("members", member_id, include_deleted=True)["deleted"] == 1
    with pytest.raises(NotFound):
        store.get("members", member_id)
    assert register.members_of(store, hh) == []


def test_a_failed_transaction_leaves_nothing_behind(store):
    before = store.db.execute("SELECT count(*) FROM change_log").fetchone()[0]
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.insert("cadres", {"name": "张干部"})
            raise RuntimeError("boom")
    assert store.rows("SELECT * FROM cadres") == []
    assert store.db.execute("SELECT count(*) FROM change_log").fetchone()[0] == before


def test_update_without_changes_logs_nothing(store):
    _, member_id = add_member(store)
    n = len(store.history("members", member_id))
    assert store.update("members", member_id, {"labour_ability": "普通劳动力"}) == {}
    assert len(store.history("members", member_id)) == n


def test_database_file_settings_and_reopen(db_path):
    s = open_store(db_path)
    assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert s.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    device = s.device_id
    s.set_setting("working_age_max", 65)
    s.db.conn.close()
    again = open_store(db_path)
    assert again.device_id == device
    assert again.get_setting("working_age_max") == 65


def test_a_file_that_is_not_a_database_gets_a_chinese_message(tmp_path):
    bogus = tmp_path / "photo.db"
    bogus.write_bytes(b"\x89PNG not a database at all" * 100)
    with pytest.raises(DatabaseError) as err:
        open_store(bogus)
    assert "数据库" in err.value.message


def test_another_programs_sqlite_file_is_refused_untouched(tmp_path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE accounts (x)")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError, match="不是帮扶工作台的数据库"):
        open_store(other)
    conn = sqlite3.connect(other)
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")] == ["accounts"]


def test_full_disk_is_reported_and_keeps_saved_data(db_path):
    s = open_store(db_path)
    places.ensure_county(s)
    s.insert("cadres", {"name": "已保存"})
    # Cap the file at its current size so the next write cannot grow it.
    pages = s.db.execute("PRAGMA page_count").fetchone()[0]
    s.db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(DatabaseError, match="磁盘已满"):
        with s.transaction():
            s.insert_many("cadres", [{"name": "x" * 2000} for _ in range(200)])
    assert [r["name"] for r in s.rows("SELECT name FROM cadres")] == ["已保存"]


def test_an_operation_on_a_closed_database_is_explained_in_chinese(db_path):
    from cadre_desk.storage import explain_sqlite_error, open_store

    store = open_store(db_path)
    store.db.conn.close()
    with pytest.raises(Exception) as info:
        store.rows("SELECT count(*) FROM households")
    message = explain_sqlite_error(info.value)
    assert "数据库已经关闭" in message and "重新操作" in message
    assert not any(c.isascii() and c.isalpha() for c in message)  # no English left in it


def test_a_snapshot_reads_one_state_while_another_window_writes(file_store, db_path):
    """What the handbook reads of a household (``Store.snapshot``) is one moment's
    state: a save from another window during it shows only after it."""
    from cadre_desk import register
    from cadre_desk.storage import open_store

    from helpers_printing import make_village

    village = make_village(file_store)
    with file_store.transaction():
        hid = file_store.insert("households", {"number": "S-1", "head_name": "张三", "village_id": village})
    other = open_store(db_path)
    try:
        with file_store.snapshot():
            assert register.household(file_store, hid)["head_name"] == "张三"
            with other.transaction():  # not blocked by the reader
                other.update("households", hid, {"head_name": "李四"})
            assert register.household(file_store, hid)["head_name"] == "张三"
        assert register.household(file_store, hid)["head_name"] == "李四"
        with file_store.transaction(), file_store.snapshot():  # inside a transaction: that one
            assert file_store.db.conn.in_transaction
        assert not file_store.db.conn.in_transaction
    finally:
        other.db.conn.close()
