"""Find a person or household as the user types: any part of a name (one or
two characters too), pinyin initials (``wxl`` → 武学亮) or full pinyin (also a
prefix: ``wuxue``), an ID number or its last digits, a household number.

How it stays fast (first page well under one frame at 100,000 members) and
right:

* ``search_people`` holds one row per live member: name, ID number, its last
  four characters (``id_tail``), pinyin initials and full pinyin, each indexed.
  ``search_grams`` holds every 1- and 2-character piece of every name with its
  position. A name query of any length looks up its first piece in that index
  (names are short, so a piece's posting list is small) and checks the whole
  query with ``instr``. SQLite 3.40's FTS5 trigram index cannot answer 1–2
  character queries, and two thirds of Chinese names are two characters long,
  so one positional n-gram index serves every length instead of two indexes.
* ``search_households`` holds household numbers and their last four digits.
* SQLite triggers (migration ``0030_search_index``) keep all three tables in
  step with ``members``/``households`` for every write path – the register,
  roster imports, sync, undo, raw SQL – without those modules knowing.
* Pinyin cannot be computed in a trigger. A trigger leaves ``initials`` NULL
  for a new or renamed person; ``update_search_index`` fills the pending rows
  in Python (pypinyin, about 20 µs a name). ``search`` does that itself before a
  pinyin query, and importers or the UI may call it after bulk work so the
  first query after a 100,000-row import does not pay for it.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

from .lazydb import Database

KIND_LABELS = {
    "name": "姓名",
    "initials": "拼音首字母",
    "pinyin": "全拼",
    "id_number": "证件号码",
    "household_number": "户编号",
}

_DIGITS = re.compile(r"^[0-9]+[X]?$")
_LETTERS = re.compile(r"^[a-z]+$")
_MAX_GRAM_POSITION = 64


@dataclass(frozen=True)
class Hit:
    """One result: a person (``member_id`` None only for a household without members)."""

    member_id: str | None
    household_id: str
    name: str
    id_number: str
    household_number: str
    village: str
    town: str
    kind: str  # name, initials, pinyin, id_number, household_number

    @property
    def matched(self) -> str:
        """What matched, in Chinese (姓名, 拼音首字母, 全拼, 证件号码, 户编号)."""
        return KIND_LABELS[self.kind]

    def as_dict(self) -> dict:
        return {**asdict(self), "matched": self.matched}


# ---------------------------------------------------------------- schema
# _TABLES and _TRIGGERS are what migration 0030 creates: released schema. Do not
# edit them; a change to the index is a new migration that alters what exists.

_TABLES = """
CREATE TABLE search_numbers (n INTEGER PRIMARY KEY);
CREATE TABLE search_people (
    member_id TEXT PRIMARY KEY, household_id TEXT, name TEXT, id_number TEXT, id_tail TEXT,
    initials TEXT, pinyin TEXT);
CREATE INDEX search_people_household ON search_people(household_id);
CREATE INDEX search_people_id_number ON search_people(id_number);
CREATE INDEX search_people_id_tail ON search_people(id_tail);
CREATE INDEX search_people_initials ON search_people(initials);
CREATE INDEX search_people_pinyin ON search_people(pinyin);
CREATE INDEX search_people_pending ON search_people(member_id) WHERE initials IS NULL;
CREATE TABLE search_grams (
    gram TEXT NOT NULL, pos INTEGER NOT NULL, member_id TEXT NOT NULL,
    PRIMARY KEY (gram, pos, member_id)) WITHOUT ROWID;
CREATE INDEX search_grams_member ON search_grams(member_id);
CREATE TABLE search_households (household_id TEXT PRIMARY KEY, number TEXT, number_tail TEXT);
CREATE INDEX search_households_number ON search_households(number);
CREATE INDEX search_households_tail ON search_households(number_tail);
"""

# ``{m}`` is NEW (triggers) or a members row alias (initial fill).
_GRAMS = """
INSERT OR IGNORE INTO search_grams (gram, pos, member_id)
  SELECT substr({m}.name, n, 1), n, {m}.id FROM {src} search_numbers
  WHERE {cond} n <= length({m}.name)
  UNION ALL
  SELECT substr({m}.name, n, 2), n, {m}.id FROM {src} search_numbers
  WHERE {cond} n < length({m}.name)
"""

# The update and delete triggers of members, apart from how a person's pieces of
# name are deleted (by member id in 0030, by the table's key since 0290).
_MEMBER_CHANGE_TRIGGERS = """
CREATE TRIGGER search_members_update AFTER UPDATE OF name, id_number, household_id, deleted ON members BEGIN
  {delete_grams};
  -- a renamed person loses the stale pinyin; an unchanged name keeps it
  DELETE FROM search_people WHERE member_id = OLD.id AND (NEW.deleted != 0 OR OLD.name IS NOT NEW.name);
  UPDATE search_people SET household_id = NEW.household_id, id_number = NEW.id_number,
    id_tail = substr(NEW.id_number, -4) WHERE member_id = NEW.id;
  INSERT OR IGNORE INTO search_people (member_id, household_id, name, id_number, id_tail)
    SELECT NEW.id, NEW.household_id, NEW.name, NEW.id_number, substr(NEW.id_number, -4) WHERE NEW.deleted = 0;
  {grams};
END;
CREATE TRIGGER search_members_delete AFTER DELETE ON members BEGIN
  {delete_grams};
  DELETE FROM search_people WHERE member_id = OLD.id;
END;
"""

_MEMBER_CHANGE_0030 = _MEMBER_CHANGE_TRIGGERS.format(
    delete_grams="DELETE FROM search_grams WHERE member_id = OLD.id",
    grams=_GRAMS.format(m="NEW", src="", cond="NEW.deleted = 0 AND"))

_TRIGGERS = f"""
CREATE TRIGGER search_members_insert AFTER INSERT ON members WHEN NEW.deleted = 0 BEGIN
  INSERT OR REPLACE INTO search_people (member_id, household_id, name, id_number, id_tail)
    VALUES (NEW.id, NEW.household_id, NEW.name, NEW.id_number, substr(NEW.id_number, -4));
  {_GRAMS.format(m="NEW", src="", cond="")};
END;
{_MEMBER_CHANGE_0030}
CREATE TRIGGER search_households_insert AFTER INSERT ON households WHEN NEW.deleted = 0 BEGIN
  INSERT OR REPLACE INTO search_households VALUES (NEW.id, NEW.number, substr(NEW.number, -4));
END;
CREATE TRIGGER search_households_update AFTER UPDATE OF number, deleted ON households BEGIN
  DELETE FROM search_households WHERE household_id = OLD.id;
  INSERT INTO search_households SELECT NEW.id, NEW.number, substr(NEW.number, -4) WHERE NEW.deleted = 0;
END;
CREATE TRIGGER search_households_delete AFTER DELETE ON households BEGIN
  DELETE FROM search_households WHERE household_id = OLD.id;
END;
"""


def create_index_schema(db: Database) -> None:
    """Tables, triggers and the initial fill (migration ``0030_search_index``)."""
    conn = db.conn
    for statement in _split(_TABLES):
        conn.execute(statement)
    conn.executemany("INSERT INTO search_numbers (n) VALUES (?)", [(i,) for i in range(1, _MAX_GRAM_POSITION + 1)])
    for statement in _split_triggers(_TRIGGERS):
        conn.execute(statement)
    conn.execute("INSERT INTO search_people (member_id, household_id, name, id_number, id_tail) "
                 "SELECT id, household_id, name, id_number, substr(id_number, -4) FROM members WHERE deleted = 0")
    conn.execute(_GRAMS.format(m="m", src="members m,", cond="m.deleted = 0 AND"))
    conn.execute("INSERT INTO search_households SELECT id, number, substr(number, -4) FROM households "
                 "WHERE deleted = 0")


# Migration 0290 (docs/storage.md): two b-trees that no query read are dropped.
# ``search_people_household``: nothing looks people up by household in this
# table (the search joins households by their own key). ``search_grams_member``
# (a copy of every piece with the member id first, 9 % of a county's file) was
# only there for the triggers to delete a renamed or deleted person's pieces;
# those pieces are the ones the triggers computed from the old name, so they
# are deleted by the table's own key, computed again from ``OLD.name``.
_UNREAD_INDEXES = ("search_people_household", "search_grams_member")

# ``{name}`` / ``{id}``: the old name and member id (OLD.name, OLD.id in a trigger).
_DELETE_GRAMS = """
DELETE FROM search_grams WHERE (gram, pos, member_id) IN (
  SELECT substr({name}, n, w), n, {id} FROM search_numbers, (SELECT 1 AS w UNION ALL SELECT 2)
  WHERE n + w - 1 <= length({name}))
"""


def delete_grams_sql(name: str, member_id: str) -> str:
    """The statement deleting the pieces of ``name`` (an SQL expression) of
    one person (``member_id``, an SQL expression) by the primary key."""
    return _DELETE_GRAMS.format(name=name, id=member_id).strip()


_TRIGGERS_0290 = _MEMBER_CHANGE_TRIGGERS.format(
    delete_grams=delete_grams_sql("OLD.name", "OLD.id"),
    grams=_GRAMS.format(m="NEW", src="", cond="NEW.deleted = 0 AND"))


def drop_unread_indexes(db: Database) -> None:
    """Migration ``0290_search_index_unread_btrees``: drop the two indexes no
    query reads and put in the triggers that no longer need them. An existing
    file keeps its size (the freed pages are reused by what it writes next)."""
    conn = db.conn
    for statement in _split_triggers(_TRIGGERS_0290):
        name = statement.split()[2]
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        conn.execute(statement)
    for name in _UNREAD_INDEXES:
        conn.execute(f"DROP INDEX IF EXISTS {name}")


_BULK_SUSPENDED = ("search_members_insert", "search_households_insert")


@contextlib.contextmanager
def bulk_inserts(db: Database) -> Iterator[None]:
    """Index rows inserted inside the block in one set-based pass at its end
    instead of row by row through the insert triggers (which cost about five
    times the insert itself in a 100,000-row roster import). Must run inside
    the caller's transaction, so that a rollback also restores the triggers;
    updates and deletes inside the block are still indexed by their triggers."""
    conn = db.conn
    if not conn.in_transaction:
        raise RuntimeError("bulk_inserts needs an open transaction")
    before_members = conn.execute("SELECT coalesce(max(rowid), 0) FROM members").fetchone()[0]
    before_households = conn.execute("SELECT coalesce(max(rowid), 0) FROM households").fetchone()[0]
    saved = {name: sql for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?)", _BULK_SUSPENDED)}
    for name in saved:
        conn.execute(f"DROP TRIGGER {name}")
    yield
    for sql in saved.values():
        conn.execute(sql)
    conn.execute("INSERT OR REPLACE INTO search_people (member_id, household_id, name, id_number, id_tail) "
                 "SELECT id, household_id, name, id_number, substr(id_number, -4) FROM members "
                 "WHERE rowid > ? AND deleted = 0", [before_members])
    # CROSS JOIN keeps members the outer loop (a rowid range): left to itself
    # the planner scans search_numbers outside and builds an automatic index on
    # members for each pass, about 17x slower (3 s of a 100,000-row import).
    # Unsorted: sorting by gram first measured slower (2.2-2.7 s against
    # 1.4-1.7 s for 433,000 grams, into an empty or a full index alike).
    conn.execute(_GRAMS.format(m="m", src="members m CROSS JOIN", cond="m.rowid > ? AND m.deleted = 0 AND"),
                 [before_members, before_members])
    conn.execute("INSERT OR REPLACE INTO search_households SELECT id, number, substr(number, -4) FROM households "
                 "WHERE rowid > ? AND deleted = 0", [before_households])


def _split(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";") if s.strip()]


def _split_triggers(sql: str) -> list[str]:
    return [s.strip() + "\nEND" for s in sql.split("\nEND;") if s.strip()]


# ---------------------------------------------------------------- pinyin

def name_pinyin(name: str | None) -> tuple[str, str]:
    """(initials, full pinyin) of a name, lower case, letters only: 武学亮 →
    ("wxl", "wuxueliang"); ü is written v (吕 → lv). Latin letters in a name
    are kept as they are."""
    from pypinyin import Style, lazy_pinyin  # imported on first use: it costs ~0.2 s to load

    if not name:
        return "", ""
    syllables = [re.sub(r"[^a-z]", "", s.lower()) for s in lazy_pinyin(name, style=Style.NORMAL, errors="default")]
    syllables = [s for s in syllables if s]
    return "".join(s[0] for s in syllables), "".join(syllables)


def pending_count(store) -> int:
    """People whose pinyin columns still need filling."""
    return store.db.execute("SELECT count(*) FROM search_people WHERE initials IS NULL").fetchone()[0]


# A fill of more than this many people rebuilds the pinyin indexes once instead
# of updating them row by row (after a roster import: 100,000 people).
_REBUILD_FROM = 20_000
_PINYIN_INDEXES = ("search_people_initials", "search_people_pinyin", "search_people_pending")


def update_search_index(store, member_ids: Iterable[str] | None = None, *, progress=None,
                        batch: int = 5000) -> int:
    """Fill the pinyin columns of new or renamed people (``member_ids``: also
    recompute those). Returns how many rows were written. Safe to call at any
    time; everything else in the index is kept by triggers.

    Set-based, like the rest of the index: pypinyin is asked once per distinct
    name (a county repeats names a lot), the answers go into a temporary table
    and one ``UPDATE`` writes every pending row from it. A large fill drops the
    three indexes on the pinyin columns first and builds them again after
    (sorting once is several times cheaper than 100,000 index updates); the
    indexes are re-created from their own SQL, so the schema is unchanged."""
    conn = store.db.conn
    if member_ids is not None:
        ids = list(member_ids)
        names: dict[str, int] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            for (name,) in conn.execute(f"SELECT coalesce(name, '') FROM search_people WHERE member_id IN "
                                        f"({','.join('?' * len(chunk))})", chunk):
                names[name] = names.get(name, 0) + 1
        where, params = "member_id IN (SELECT value FROM json_each(?))", [_json_list(ids)]
    else:
        many = conn.execute("SELECT count(*) FROM search_people WHERE initials IS NULL").fetchone()[0]
        # a few pending people are found through the pending index, most of the table by reading it
        scan = "NOT INDEXED" if many >= _REBUILD_FROM else ""
        names = dict(conn.execute(f"SELECT coalesce(name, ''), count(*) FROM search_people {scan} "
                                  "WHERE initials IS NULL GROUP BY 1").fetchall())
        where, params = "initials IS NULL", []
    total = sum(names.values())
    if not total:
        return 0
    computed, done = [], 0
    for name, count in names.items():
        computed.append((name, *name_pinyin(name)))
        done += count
        if progress is not None and len(computed) % batch == 0:
            progress(min(done, total - 1), total)
    with store.db.atomic():
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS search_pinyin_fill "
                     "(name TEXT PRIMARY KEY, initials TEXT, pinyin TEXT) WITHOUT ROWID")
        conn.execute("DELETE FROM temp.search_pinyin_fill")
        conn.executemany("INSERT INTO temp.search_pinyin_fill VALUES (?, ?, ?)", computed)
        rebuilt = []
        if total >= _REBUILD_FROM:
            rebuilt = conn.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'search_people' "
                f"AND name IN ({','.join('?' * len(_PINYIN_INDEXES))})", _PINYIN_INDEXES).fetchall()
            for index_name, _sql in rebuilt:
                conn.execute(f"DROP INDEX {index_name}")
        conn.execute("UPDATE search_people SET (initials, pinyin) = (SELECT p.initials, p.pinyin "
                     "FROM temp.search_pinyin_fill p WHERE p.name = coalesce(search_people.name, '')) "
                     f"WHERE {where}", params)
        for _name, sql in rebuilt:
            conn.execute(sql)
        conn.execute("DELETE FROM temp.search_pinyin_fill")
    if progress is not None:
        progress(total, total)
    return total


def _json_list(values: list[str]) -> str:
    import json

    return json.dumps(values)


# ---------------------------------------------------------------- search

_SELECT = """
SELECT sp.member_id, sp.household_id, sp.name, sp.id_number, h.number, v.name, t.name
FROM {source}
CROSS JOIN households h ON h.id = sp.household_id
CROSS JOIN villages v ON v.id = h.village_id
CROSS JOIN towns t ON t.id = v.town_id
WHERE h.deleted = 0 AND {where}
"""


def normalize_query(text: str) -> str:
    """Full-width digits and letters to ASCII, spaces and apostrophes out of
    pinyin and number queries, x to X at the end of an ID number."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    compact = re.sub(r"[\s'’]+", "", text)
    if re.fullmatch(r"[0-9]+[xX]?", compact):
        return compact.upper()
    if re.fullmatch(r"[A-Za-z]+", compact):
        return compact.lower()
    return compact


def search(store, text: str, *, limit: int = 50) -> list[Hit]:
    """Hits for ``text``, best first, at most ``limit``."""
    q = normalize_query(text)
    if not q or limit <= 0:
        return []
    found: dict[tuple, Hit] = {}

    def add(rows, kind):
        for member_id, household_id, name, id_number, number, village, town in rows:
            key = (member_id or "", household_id)
            if key not in found and len(found) < limit:
                found[key] = Hit(member_id, household_id, name or "", id_number or "", number or "",
                                 village or "", town or "", kind)

    conn = store.db.conn
    if _DIGITS.match(q):
        _search_digits(conn, q, limit, add, found)
    elif _LETTERS.match(q):
        if not conn.in_transaction and conn.execute(
                "SELECT 1 FROM search_people WHERE initials IS NULL LIMIT 1").fetchone():
            update_search_index(store)
        upper = q[:-1] + chr(ord(q[-1]) + 1)
        for column, kind in (("initials", "initials"), ("pinyin", "pinyin")):
            if len(found) >= limit:
                break
            add(conn.execute(_SELECT.format(source="search_people sp INDEXED BY search_people_" + column,
                                            where=f"sp.{column} >= ? AND sp.{column} < ?")
                             + f" ORDER BY sp.{column} LIMIT ?", [q, upper, limit]), kind)
    else:
        _search_name(conn, q, limit, add)
    return list(found.values())[:limit]


def _search_name(conn, q: str, limit: int, add) -> None:
    gram = q[:2]
    source = "search_grams g CROSS JOIN search_people sp ON sp.member_id = g.member_id"
    if len(q) == 1:
        # Names that start with the character come first (the surname).
        sql = _SELECT.format(source=source, where="g.gram = ?") + " ORDER BY g.pos LIMIT ?"
        add(conn.execute(sql, [gram, limit]), "name")
        return
    sql = (_SELECT.format(source=source, where="g.gram = ? AND instr(sp.name, ?) > 0")
           + " ORDER BY g.pos, length(sp.name), sp.name LIMIT ?")
    add(conn.execute(sql, [gram, q, limit]), "name")


def _household_hits(conn, where: str, params: list, limit: int, add) -> None:
    """Households by number: one hit each, carrying the head of household
    (else any member; a household without members has no member id)."""
    sql = f"""
    SELECT (SELECT m.id FROM members m WHERE m.household_id = h.id AND m.deleted = 0
            ORDER BY m.relation = '户主' DESC, m.birth_date LIMIT 1) AS member_id,
           h.id, h.head_name, h.head_id_number, h.number, v.name, t.name
    FROM search_households sh
    CROSS JOIN households h ON h.id = sh.household_id
    CROSS JOIN villages v ON v.id = h.village_id
    CROSS JOIN towns t ON t.id = v.town_id
    WHERE h.deleted = 0 AND {where} ORDER BY sh.number LIMIT ?"""
    rows = conn.execute(sql, [*params, limit]).fetchall()
    member_ids = [r[0] for r in rows if r[0]]
    people = {}
    if member_ids:
        people = {r[0]: r for r in conn.execute(
            f"SELECT member_id, name, id_number FROM search_people WHERE member_id IN "
            f"({','.join('?' * len(member_ids))})", member_ids)}
    out = []
    for member_id, hid, head_name, head_id, number, village, town in rows:
        person = people.get(member_id)
        name = person[1] if person else head_name
        id_number = person[2] if person else head_id
        out.append((member_id, hid, name, id_number, number, village, town))
    add(out, "household_number")


def _search_digits(conn, q: str, limit: int, add, found: dict) -> None:
    def remaining() -> int:
        return limit - len(found)

    if len(q) in (15, 18):
        add(conn.execute(_SELECT.format(source="search_people sp", where="sp.id_number = ?") + " LIMIT ?",
                         [q, limit]), "id_number")
    if remaining() > 0:
        _household_hits(conn, "sh.number = ?", [q], remaining(), add)
    if len(q) < 4:
        return
    if remaining() > 0:
        add(conn.execute(_SELECT.format(source="search_people sp INDEXED BY search_people_id_tail",
                                        where="sp.id_tail = ? AND substr(sp.id_number, -?) = ?")
                         + " ORDER BY sp.id_number LIMIT ?", [q[-4:], len(q), q, remaining()]), "id_number")
    if remaining() > 0 and q.isdigit():
        _household_hits(conn, "sh.number_tail = ? AND substr(sh.number, -?) = ? AND sh.number != ?",
                        [q[-4:], len(q), q, q], remaining(), add)
    if len(q) >= 6 and remaining() > 0:
        upper = q[:-1] + chr(ord(q[-1]) + 1)
        add(conn.execute(_SELECT.format(source="search_people sp INDEXED BY search_people_id_number",
                                        where="sp.id_number >= ? AND sp.id_number < ?")
                         + " ORDER BY sp.id_number LIMIT ?", [q, upper, remaining()]), "id_number")
        if remaining() > 0 and q.isdigit():
            _household_hits(conn, "sh.number >= ? AND sh.number < ? AND sh.number != ?", [q, upper, q],
                            remaining(), add)
