"""Issue 12 §5: hypothesis fuzzing, bounded in time. Random ID numbers, random
cells and random bytes as a roster workbook, random policy and openings files:
no traceback, a clear Chinese error, nothing changed."""

from __future__ import annotations

import json
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cadre_desk import places
from cadre_desk.errors import CadreDeskError
from cadre_desk.idnumber import parse_id_number
from cadre_desk.jobs.openings import import_openings
from cadre_desk.policies import import_policies
from cadre_desk.roster import import_roster
from cadre_desk.storage import memory_store
from tests.helpers_roster import family, write_roster

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])


def _counts(store) -> tuple:
    return tuple(store.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("households", "members", "policies", "openings", "change_log"))


@pytest.fixture(scope="module")
def county():
    store = memory_store()
    places.ensure_county(store)
    return store


def _refused_cleanly(store, call) -> None:
    before = _counts(store)
    try:
        call()
    except CadreDeskError as exc:
        assert exc.message and any("\u4e00" <= ch <= "\u9fff" for ch in exc.message)
        assert _counts(store) == before
    except RecursionError:
        pytest.fail("RecursionError escaped")


@FAST
@given(st.one_of(st.text(max_size=25), st.integers(), st.floats(allow_nan=True), st.none(), st.binary(max_size=20)))
def test_id_numbers(value):
    try:
        parse_id_number(value)
    except CadreDeskError as exc:
        assert exc.message


CELL = st.one_of(st.none(), st.text(max_size=30), st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
                 st.booleans())


@settings(FAST, max_examples=20)
@given(rows=st.lists(st.dictionaries(st.sampled_from(list(family()[0])), CELL, max_size=8), max_size=6))
def test_roster_workbooks_with_random_cells(county, tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("r") / "r.xlsx"
    write_roster(path, [{**family()[0], **r} for r in rows] or [{}])
    _refused_cleanly(county, lambda: import_roster(county, path))


@FAST
@given(data=st.binary(max_size=3000), keep_zip=st.booleans(), flip=st.integers(0, 10**6))
def test_roster_files_of_random_bytes_truncations_and_bit_flips(county, tmp_path_factory, data, keep_zip, flip):
    folder = tmp_path_factory.mktemp("b")
    good = write_roster(folder / "g.xlsx", family())
    raw = bytearray(good.read_bytes()) if keep_zip else bytearray(data)
    if keep_zip and raw:
        raw[flip % len(raw)] ^= 1 << (flip % 8)
        raw = raw[: max(1, (flip * 7919) % len(raw))] if flip % 3 == 0 else raw
    path = folder / "x.xlsx"
    path.write_bytes(bytes(raw))
    before = _counts(county)
    try:
        import_roster(county, path)
    except CadreDeskError as exc:
        assert exc.message
        assert _counts(county) == before
    except zipfile.BadZipFile:
        pytest.fail("BadZipFile escaped")


JSONISH = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-10**40, 10**40), st.floats(), st.text(max_size=10)),
                       lambda kids: st.one_of(st.lists(kids, max_size=4),
                                              st.dictionaries(st.text(max_size=8), kids, max_size=4)), max_leaves=20)
POLICY_KEYS = ["title", "kind", "benefit", "eligibility", "sort_order", "retired", "conditions", "procedure",
               "issued_on", "phone"]


@FAST
@given(policies=st.lists(st.dictionaries(st.sampled_from(POLICY_KEYS), JSONISH, max_size=6), max_size=4))
def test_policy_files(county, tmp_path_factory, policies):
    path = tmp_path_factory.mktemp("p") / "p.json"
    path.write_text(json.dumps({"format": "cadre-desk-policies", "policies": policies}, ensure_ascii=False),
                    encoding="utf-8")
    try:
        import_policies(county, path)
    except CadreDeskError as exc:
        assert exc.message


@FAST
@given(data=st.binary(max_size=2000))
def test_openings_files_of_random_bytes(county, tmp_path_factory, data):
    path = tmp_path_factory.mktemp("o") / "o.xlsx"
    path.write_bytes(data)
    _refused_cleanly(county, lambda: import_openings(county, path))
