"""What the search index stores (docs/storage.md): every b-tree it keeps is
read by a query, its pieces of names are exactly those of the live members'
names through every kind of write, and a database made before migration 0290
(with the two b-trees no query read) comes out of it searchable and
consistent."""

import pytest

from cadre_desk import migrations, search
from cadre_desk.lazydb import Database
from cadre_desk.storage import Store, sqlcipher

from tests.helpers_search import make_county

UNREAD = {"search_people_household", "search_grams_member"}


def index_names(store) -> set[str]:
    return {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def stored_grams(store) -> set[tuple]:
    return set(store.db.execute("SELECT gram, pos, member_id FROM search_grams"))


def expected_grams(store) -> set[tuple]:
    """Every 1- and 2-character piece of every live member's name, with its position."""
    out = set()
    for member_id, name in store.db.execute("SELECT id, name FROM members WHERE deleted = 0"):
        name = name or ""
        for i in range(min(len(name), 64)):
            out.add((name[i], i + 1, member_id))
            if i + 1 < len(name):
                out.add((name[i:i + 2], i + 1, member_id))
    return out


def exercise(store) -> None:
    """Renames (longer, shorter, to nothing, back), soft deletes and restores,
    a move, a hard delete: the writes the triggers follow."""
    ids = [r[0] for r in store.db.execute("SELECT id FROM members WHERE deleted = 0 ORDER BY id LIMIT 6")]
    store.update("members", ids[0], {"name": "欧阳秀英"})
    store.update("members", ids[0], {"name": "欧"})
    store.update("members", ids[1], {"name": None})
    store.update("members", ids[1], {"name": "司马相如"})
    store.delete("members", ids[2])
    store.update("members", ids[2], {"name": "已删改名"})
    store.delete("members", ids[3])
    store.restore("members", ids[3])
    other = store.db.execute("SELECT id FROM households WHERE id != (SELECT household_id FROM members "
                             "WHERE id = ?) LIMIT 1", [ids[4]]).fetchone()[0]
    store.update("members", ids[4], {"household_id": other})
    with store.transaction():
        store.db.execute("DELETE FROM change_log WHERE row_id = ?", [ids[5]])
        store.db.execute("DELETE FROM members WHERE id = ?", [ids[5]])


def test_no_index_that_no_query_reads(store):
    assert not UNREAD & index_names(store)


def test_pieces_of_names_follow_every_write(store):
    make_county(store, 120, people=[("武学亮", "371581198001011234")])
    assert stored_grams(store) == expected_grams(store)
    exercise(store)
    assert stored_grams(store) == expected_grams(store)
    names = [h.name for h in search.search(store, "秀英")]
    assert "欧阳秀英" not in names  # renamed on to 欧
    assert "司马相如" in [h.name for h in search.search(store, "相如")]
    assert "已删改名" not in [h.name for h in search.search(store, "删")]


def test_a_rename_inside_a_bulk_import_block_is_indexed_once(store):
    make_county(store, 20)
    with store.transaction(), search.bulk_inserts(store.db):
        [new_id] = store.insert_many("members", [{"household_id": store.db.execute(
            "SELECT id FROM households LIMIT 1").fetchone()[0], "name": "诸葛亮", "id_number": "371581199001011110"}])
        store.update("members", new_id, {"name": "诸葛明"})
    assert stored_grams(store) == expected_grams(store)
    assert [h.name for h in search.search(store, "葛明")] == ["诸葛明"]
    assert not search.search(store, "葛亮")


@pytest.fixture
def old_shape():
    """A database with every migration before 0290 applied (the index that
    no query read still there), a county in it."""
    db = Database(sqlcipher.connect(":memory:", isolation_level=None, check_same_thread=False))
    db.execute("PRAGMA foreign_keys=ON")
    steps = migrations.migrations._migrations
    later = [s for s in steps if s.name.startswith("029")]
    for s in later:
        steps.remove(s)
    try:
        migrations.apply(db)
        store = Store(db)
        from cadre_desk import places

        places.ensure_county(store)
        make_county(store, 150, people=[("武学亮", "371581198001011234")])
        search.update_search_index(store)
    finally:
        steps.extend(later)
    return store


def test_a_database_of_before_loses_the_unread_index_and_keeps_searching(old_shape):
    assert UNREAD <= index_names(old_shape)
    before = {q: search.search(old_shape, q) for q in ("学亮", "武", "wxl", "wuxue", "1234", "371581198001")}
    migrations.apply(old_shape.db)
    assert not UNREAD & index_names(old_shape)
    assert {q: search.search(old_shape, q) for q in before} == before
    assert stored_grams(old_shape) == expected_grams(old_shape)
    exercise(old_shape)
    assert stored_grams(old_shape) == expected_grams(old_shape)
    assert old_shape.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_deleting_a_persons_pieces_reads_the_primary_key(store):
    """The statement the triggers run for a renamed or deleted person, with
    the old name and id as values: it finds each piece by the table's key,
    not by reading every piece in the county."""
    sql = search.delete_grams_sql("'武学亮'", "'m1'")
    plan = " ".join(r[3] for r in store.db.execute("EXPLAIN QUERY PLAN " + sql))
    assert "search_grams USING PRIMARY KEY" in plan and "SCAN search_grams" not in plan, plan
