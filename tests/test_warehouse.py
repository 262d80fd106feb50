"""``cadre-desk export-warehouse``: three demo counties exported to Parquet and
read at once with the SQL of docs/province.md give the sum of the counties'
``stats --json`` figures; the files carry no names, ID numbers or phones."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cadre_desk import places
from cadre_desk.storage import open_store
from tests.helpers_cli import run_cli

duckdb = pytest.importorskip("duckdb")

AS_OF = "2020-04-30"
DOC = (Path(__file__).resolve().parent.parent / "docs" / "province.md").read_text(encoding="utf-8")
BLOCKS = dict(re.findall(r"```sql\n-- name: (\w+)\n(.*?)```", DOC, flags=re.S))
# (seed, households, county code, county name): the demo always builds Linqing,
# the other two are renamed as two neighbouring counties would be.
COUNTIES = [(1, 300, "371581", "临清市"), (2, 220, "371525", "冠县"), (3, 180, "371526", "高唐县")]
KEY = "a3" * 32
SUMMED = ["households", "working_age_able", "employed", "applied", "placed_by_recommendation", "self_employed",
          "driven_by_self_employed", "public_welfare_posts", "public_welfare_subsidy_yuan"]


def query(name: str, glob: str) -> list[dict]:
    con = duckdb.connect()
    try:
        cur = con.execute(BLOCKS[name].replace("{DIR}", glob))
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]
    finally:
        con.close()


def stats(db: Path) -> dict:
    rc, out, err = run_cli("--db", str(db), "stats", "--json", "--as-of", AS_OF)
    assert rc == 0, err
    return json.loads(out)


def export(db: Path, folder: Path, key_file: Path, *extra: str) -> str:
    rc, out, err = run_cli("--db", str(db), "export-warehouse", str(folder), "--as-of", AS_OF,
                           "--key-file", str(key_file), *extra)
    assert rc == 0, err
    return out


@pytest.fixture(scope="module")
def counties(tmp_path_factory):
    root = tmp_path_factory.mktemp("province")
    key_file = root / "province.key"
    key_file.write_text(KEY + "\n")
    dbs = []
    for seed, households, code, name in COUNTIES:
        db = root / f"{code}.db"
        rc, _, err = run_cli("--db", str(db), "demo", "--seed", str(seed), "--households", str(households),
                             "--as-of", AS_OF)
        assert rc == 0, err
        store = open_store(db)
        county = places.county(store)
        if county["code"] != code:
            store.update("counties", county["id"], {"code": code, "name": name})
        store.db.conn.close()
        export(db, root / "exports" / code, key_file)
        dbs.append(db)
    return root, dbs, key_file


def test_documented_blocks_exist():
    assert set(BLOCKS) >= {"seed", "work", "by_channel", "by_county", "key_check", "in_several_counties"}


def test_province_figures_are_the_sum_of_the_counties_stats(counties):
    root, dbs, _ = counties
    glob = str(root / "exports" / "*")
    figures = [stats(db) for db in dbs]
    # The counties differ, and their demo households' numbers collide (the same
    # village codes): only (county_code, id) identifies a row across counties.
    assert len({f["working_age_able"] for f in figures}) == 3
    assert query("in_several_counties", glob) == []
    [seed] = query("seed", glob)
    assert list(seed) == ["working_age_able", "employed"]
    [work] = query("work", glob)
    got = {**seed, **work}
    for key in SUMMED:
        assert got[key] == pytest.approx(sum(f[key] for f in figures), abs=0.001), key
    assert got["working_age_able"] > 500 and got["applied"] > 0 and got["public_welfare_subsidy_yuan"] > 0
    channels = {r["channel"]: r["employed"] for r in query("by_channel", glob)}
    expected = {}
    for f in figures:
        for channel, n in f["by_channel"].items():
            expected[channel] = expected.get(channel, 0) + n
    assert channels == {c: n for c, n in expected.items() if n}
    by_county = {r["county_code"]: r for r in query("by_county", glob)}
    assert sorted(by_county) == sorted(c[2] for c in COUNTIES)
    for (_, _, code, name), f in zip(COUNTIES, figures):
        row = by_county[code]
        assert (row["county_name"], row["households"], row["working_age_able"], row["employed"]) == \
               (name, f["households"], f["working_age_able"], f["employed"])
        assert str(row["as_of"]) == AS_OF
    [key_row] = query("key_check", glob)
    assert key_row["counties"] == 3


def test_household_numbers_collide_across_counties_but_county_and_id_do_not(counties):
    root, dbs, _ = counties
    numbers = []
    for db in dbs:
        store = open_store(db)
        numbers.append({r[0] for r in store.db.execute("SELECT number FROM households")})
        store.db.conn.close()
    # The demo numbers households by village code, the same in every demo county.
    assert numbers[0] & numbers[1]
    # Its ids come from the seed: two demo counties built with the same seed share every id.
    twin = root / "twin.db"
    assert run_cli("--db", str(twin), "demo", "--seed", "3", "--households", "180", "--as-of", AS_OF)[0] == 0
    ids = []
    for db in (dbs[2], twin):
        store = open_store(db)
        ids.append({r[0] for r in store.db.execute("SELECT id FROM households")})
        store.db.conn.close()
    assert ids[0] == ids[1]
    con = duckdb.connect()
    total, pairs = con.execute(f"SELECT count(*), count(DISTINCT (county_code, household_id)) "
                               f"FROM read_parquet('{root}/exports/*/households.parquet')").fetchone()
    orphans = con.execute(f"SELECT count(*) FROM read_parquet('{root}/exports/*/members.parquet') m "
                          f"ANTI JOIN read_parquet('{root}/exports/*/households.parquet') h "
                          f"USING (county_code, household_id)").fetchone()[0]
    con.close()
    assert total == pairs == sum(c[1] for c in COUNTIES) and orphans == 0


def test_a_person_in_two_counties_is_counted_once(counties, tmp_path):
    root, dbs, key_file = counties
    # An employed, working-age member of county 1 with no application or measure,
    # and one like them in county 2: give the second the first one's ID number.
    pick = ("SELECT m.id, m.id_number FROM members m WHERE m.deleted = 0 AND m.employment_status = '已就业' "
            "AND m.employment_channel = '企业就业' AND m.labour_ability = '普通劳动力' "
            "AND m.birth_date BETWEEN '1970-01-01' AND '1995-01-01' AND coalesce(m.school_status, '') IN ('', '非在校生') "
            "AND m.id NOT IN (SELECT member_id FROM applications) AND m.id NOT IN (SELECT member_id FROM measures "
            "WHERE member_id IS NOT NULL) ORDER BY m.id LIMIT 1")
    first = open_store(dbs[0])
    [(a_id, a_number)] = first.db.execute(pick).fetchall()
    first.db.conn.close()
    copy = tmp_path / "second.db"
    copy.write_bytes(dbs[1].read_bytes())
    from cadre_desk.keys import keys_path

    if keys_path(dbs[1]).exists():  # an encrypted database travels with its wrapped keys
        keys_path(copy).write_bytes(keys_path(dbs[1]).read_bytes())
    second = open_store(copy)
    [(b_id, _)] = second.db.execute(pick).fetchall()
    second.update("members", b_id, {"id_number": a_number})
    second.db.conn.close()
    exports = tmp_path / "exports"
    for db, (_, _, code, _) in zip([dbs[0], copy, dbs[2]], COUNTIES):
        export(db, exports / code, key_file)
    glob = str(exports / "*")
    figures = [stats(db) for db in (dbs[0], copy, dbs[2])]
    total = {k: sum(f[k] for f in figures) for k in SUMMED}
    [seed] = query("seed", glob)
    assert seed == {"working_age_able": total["working_age_able"] - 1, "employed": total["employed"] - 1}
    [work] = query("work", glob)
    assert {k: work[k] for k in work} == pytest.approx({k: total[k] for k in work})
    channels = {r["channel"]: r["employed"] for r in query("by_channel", glob)}
    assert channels["企业就业"] == sum(f["by_channel"]["企业就业"] for f in figures) - 1
    # The county-by-county table still counts them in both counties...
    by_county = {r["county_code"]: r for r in query("by_county", glob)}
    assert [by_county[c[2]]["working_age_able"] for c in COUNTIES] == [f["working_age_able"] for f in figures]
    # ... and the check lists exactly that person, in both counties.
    [dup] = query("in_several_counties", glob)
    assert dup["counties"] == 2
    assert sorted(dup["members"]) == sorted([f"371581:{a_id}", f"371525:{b_id}"])


def test_files_carry_no_names_id_numbers_or_phones_unless_full(counties, tmp_path):
    root, dbs, key_file = counties
    store = open_store(dbs[0])
    secrets = [r[0] for r in store.db.execute(
        "SELECT * FROM (SELECT id_number FROM members WHERE id_number IS NOT NULL LIMIT 50) UNION ALL "
        "SELECT * FROM (SELECT name FROM members WHERE length(name) >= 3 LIMIT 50) UNION ALL "
        "SELECT * FROM (SELECT phone FROM households WHERE phone IS NOT NULL LIMIT 20)")]
    one = store.db.execute("SELECT id_number, name FROM members WHERE id_number IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    store.db.conn.close()
    assert len(secrets) > 100
    folder = root / "exports" / "371581"
    # Parquet compresses its pages: compare the decoded values, every column as text.
    con = duckdb.connect()
    texts = set()
    for f in folder.glob("*.parquet"):
        for row in con.execute(f"SELECT * FROM read_parquet('{f}')").fetchall():
            texts.update(str(v) for v in row if v is not None)
    assert not texts & set(secrets)
    schema = json.loads((folder / "schema.json").read_text(encoding="utf-8"))
    member_cols = {c["name"] for t in schema["tables"] if t["name"] == "members" for c in t["columns"]}
    assert {"person_key", "age", "labour_ability"} <= member_cols
    assert not member_cols & {"name", "id_number", "birth_date", "work_company", "employer"}
    # With --full the county's own copy has them.
    out = export(dbs[0], tmp_path / "full", key_file, "--full")
    assert "--full" in out
    row = con.execute(f"SELECT name, person_key FROM read_parquet('{tmp_path}/full/members.parquet') "
                      f"WHERE id_number = ?", [one[0]]).fetchone()
    assert row[0] == one[1]
    same = con.execute(f"SELECT count(*) FROM read_parquet('{folder}/members.parquet') WHERE person_key = ?",
                       [row[1]]).fetchone()
    assert same[0] == 1  # the same key as in the pseudonymous file
    con.close()


def test_another_key_gives_other_person_keys(counties, tmp_path):
    root, dbs, _ = counties
    other = tmp_path / "other.key"
    other.write_text("5c" * 32)
    export(dbs[0], tmp_path / "other", other)
    con = duckdb.connect()
    shared = con.execute(f"SELECT count(*) FROM read_parquet('{tmp_path}/other/members.parquet') a "
                         f"JOIN read_parquet('{root}/exports/371581/members.parquet') b USING (person_key)").fetchone()
    keys = con.execute(f"SELECT count(DISTINCT key_id) FROM read_parquet(['{tmp_path}/other/county.parquet', "
                       f"'{root}/exports/371581/county.parquet'])").fetchone()
    con.close()
    assert shared[0] == 0 and keys[0] == 2


def test_as_of_leaves_out_later_records_and_takes_ages_on_it(counties, tmp_path):
    root, dbs, key_file = counties
    rc, out, err = run_cli("--db", str(dbs[0]), "export-warehouse", str(tmp_path / "early"), "--as-of", "2020-01-31",
                           "--key-file", str(key_file))
    assert rc == 0, err
    con = duckdb.connect()
    late = con.execute(f"SELECT count(*) FROM read_parquet('{tmp_path}/early/payments.parquet') "
                       f"WHERE paid_on > DATE '2020-01-31'").fetchone()[0]
    before = con.execute(f"SELECT count(*) FROM read_parquet('{root}/exports/371581/payments.parquet') "
                         f"WHERE paid_on <= DATE '2020-01-31'").fetchone()[0]
    after = con.execute(f"SELECT count(*) FROM read_parquet('{tmp_path}/early/payments.parquet')").fetchone()[0]
    con.close()
    assert late == 0 and after == before
    # The figures of that date agree with stats on it.
    rc, out, err = run_cli("--db", str(dbs[0]), "stats", "--json", "--as-of", "2020-01-31")
    f = json.loads(out)
    con = duckdb.connect()
    cur = con.execute(BLOCKS["seed"].replace("{DIR}", str(tmp_path / "early")))
    assert cur.fetchone() == (f["working_age_able"], f["employed"])
    con.close()


@pytest.mark.parametrize("content, message", [
    (None, "找不到密钥文件"),
    ("abcd", "太短"),
])
def test_bad_key_files_are_refused_in_chinese(counties, tmp_path, content, message):
    _, dbs, _ = counties
    key = tmp_path / "k.key"
    if content is not None:
        key.write_text(content)
    rc, out, err = run_cli("--db", str(dbs[0]), "export-warehouse", str(tmp_path / "x"), "--key-file", str(key))
    assert rc == 1 and message in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_no_key_and_a_file_as_folder_are_refused(counties, tmp_path, monkeypatch):
    _, dbs, key_file = counties
    monkeypatch.delenv("CADRE_DESK_PROVINCE_KEY_FILE", raising=False)
    rc, _, err = run_cli("--db", str(dbs[0]), "export-warehouse", str(tmp_path / "x"))
    assert rc == 1 and "--key-file" in err
    monkeypatch.setenv("CADRE_DESK_PROVINCE_KEY_FILE", str(key_file))
    (tmp_path / "afile").write_text("x")
    rc, _, err = run_cli("--db", str(dbs[0]), "export-warehouse", str(tmp_path / "afile"))
    assert rc == 1 and "不是文件夹" in err
    rc, _, err = run_cli("--db", str(dbs[0]), "export-warehouse", str(tmp_path / "y"))
    assert rc == 0, err


def test_a_cadres_laptop_does_not_export(counties, tmp_path):
    _, _, key_file = counties
    laptop = tmp_path / "laptop.db"
    store = open_store(laptop)
    store.set_setting("sync_role", "laptop")
    store.db.conn.close()
    rc, _, err = run_cli("--db", str(laptop), "export-warehouse", str(tmp_path / "x"), "--key-file", str(key_file))
    assert rc == 1 and "县就业办" in err and not (tmp_path / "x").exists()


def test_full_numbers_only_for_the_county_office_and_recorded_in_the_audit_trail(counties, tmp_path, monkeypatch):
    from cadre_desk import audit
    from cadre_desk.users import add_user

    root, dbs, key_file = counties
    store = open_store(dbs[2])
    add_user(store, "乡镇丙", "town-pass-2026", "town", town="烟店镇")
    store.db.conn.close()
    rc, out, err = run_cli("--db", str(dbs[2]), "export-warehouse", str(tmp_path / "full"), "--as-of", AS_OF,
                           "--key-file", str(key_file), "--full")
    assert rc == 0, err
    store = open_store(dbs[2])
    last = [e for e in audit.entries(store) if e["action"] == "export"][-1]
    store.db.conn.close()
    assert last["action"] == "export" and last["detail"]["what"] == "warehouse" and last["detail"]["ids"] == "full"
    assert last["people"] > 0
    monkeypatch.setenv("CADRE_DESK_USER", "乡镇丙")
    monkeypatch.setenv("CADRE_DESK_PASSWORD", "town-pass-2026")
    rc, out, err = run_cli("--db", str(dbs[2]), "export-warehouse", str(tmp_path / "town"), "--as-of", AS_OF,
                           "--key-file", str(key_file), "--full")
    assert rc == 1 and "乡镇" in err and "不能" in err and "Traceback" not in err
    assert not (tmp_path / "town").exists()
