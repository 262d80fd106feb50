"""Import a county roster (花名册, domain.md §10) into the register: the driver.

One row per member, household columns repeated on every member row. The
workbook is read sheet by sheet (``read``), 2,000 rows at a time: each chunk
is checked (``check``, pure), then reconciled with the rest of the file
(``reconcile``), then written through the register's one write path
(``register.write_members``, ``register.ensure_cadres``/``pair_cadres``,
``places.ensure_villages``). A member is matched by ID number, so importing
an updated roster again updates the same records in place (logged) and
creates no duplicates; the stored answers of those members are read a chunk
at a time.

The import is one transaction and all-or-nothing: one bad row and nothing is
written, unless the caller asks to skip bad rows. Every bad row is reported
with its sheet, the row number Excel shows, the column and a Chinese reason.
On a cadre's laptop the caller passes the household numbers the laptop holds
(``allowed_numbers``); rows of other households are reported, not applied.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .. import places, register, search, terms
from ..domain import working_age_bounds
from ..errors import CadreDeskError
from ..storage import Store
from ..values import row_encoder
from .check import Context, Row, SheetChecker
from .columns import CADRE, PAIRED_SINCE, check_unknown_columns, roster_format
from .read import Sheet, open_workbook, roster_sheets
from .reconcile import Household, Reconciler
from .result import BadRow, ImportResult, PairingDateNeeded, bad_rows_failure, file_failure

CHUNK_ROWS = 2000  # rows checked between two writes, progress reports and cancel checks
IMPORT_CACHE_KB = 16384  # SQLite page cache while importing (see ``import_cache``)


@contextlib.contextmanager
def import_cache(store: Store) -> Iterator[None]:
    """The connection's page cache held at ``IMPORT_CACHE_KB`` for a bulk
    import, restored on exit; nested uses keep the outermost's.

    A large import inserts into indexes keyed by random values (ID numbers,
    name pieces of the search index): with SQLite's default 2 MB page cache
    a 100,000-row import spends more time re-reading index pages than
    inserting (+50 % CPU). 16 MB costs no more CPU than 64 or 256 MB (the
    connection's own cache, ``storage.CACHE_KIB``, which suits the window's
    reads) and keeps the cache from growing with the database while the
    import writes, checks every household it touched and commits: at
    100,000 members the 256 MB cache grew by about 70 MB in those last
    steps alone (issue 16)."""
    conn = store.db.conn
    cache_size = conn.execute("PRAGMA cache_size").fetchone()[0]
    if cache_size == -IMPORT_CACHE_KB:
        yield
        return
    conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KB}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {cache_size}")


def import_roster(store: Store, path: str | Path, *, allowed_numbers: set[str] | None,
                  skip_bad_rows: bool = False, paired_since: dt.date | None = None,
                  progress: Callable[[int, int | None], None] | None = None,
                  cancel: Callable[[], bool] | None = None) -> ImportResult:
    """Import the roster at ``path``; see the module docstring.

    ``allowed_numbers``: the household numbers this database may change (a
    cadre's laptop), None for all. Raises ``RosterImportFailed`` when the file
    cannot be read, lacks required columns, is empty, or has bad rows (unless
    ``skip_bad_rows``); the database is then left as it was. ``cancel()`` is
    checked between chunks of rows; a cancelled import writes nothing and
    raises ``CadreDeskError``. A household's pairing with its 帮扶责任人 starts
    on the roster's 帮扶时间 when it gives one, else on ``paired_since`` (the
    date the clerk gives), else on the day of the import (and the summary
    says so). ``Importer(ask_paired_since=True)`` (the window, through
    ``import_files``) instead raises ``PairingDateNeeded`` before reading a
    sheet that names cadres without 帮扶时间 when no date was given."""
    return Importer(store, Path(path), allowed_numbers=allowed_numbers, skip_bad_rows=skip_bad_rows,
                    paired_since=paired_since, progress=progress, cancel=cancel).run()


class Importer:
    def __init__(self, store: Store, path: Path, *, allowed_numbers: set[str] | None, skip_bad_rows: bool,
                 progress, cancel, sheets: dict | None = None, terms: str = "2020",
                 paired_since: dt.date | None = None, ask_paired_since: bool = False):
        self.store = store
        self.path = path
        self.sheets = sheets  # only these sheets, already read (national.py), or None: every roster sheet
        self.terms = terms  # the register's terms: "2020" for a 花名册, "2021" for a national list (national.py)
        self.allowed_numbers = allowed_numbers
        self.skip = skip_bad_rows
        self.progress = progress
        self.cancel = cancel
        self.q = store.questionnaire
        self.fmt = roster_format(self.q)
        self.result = ImportResult(skipped_rows=skip_bad_rows)
        self.today = dt.date.today()
        self.paired_since = paired_since  # the clerk's start date for pairings the roster gives none
        self.ask_paired_since = ask_paired_since  # stop (PairingDateNeeded) rather than date them today
        self.version = self.q.version
        # What the database already holds.
        self.existing_members: dict[str, tuple] = {}
        self.existing_households: dict[str, tuple[str, str]] = {}
        self.cadres: dict[str, str] = {}
        self.current_cadre: dict[str, str] = {}  # household id -> cadre id of its open pairing
        self.villages: dict[tuple[str, str], str] = {}  # (town id, village name) -> id
        self.towns: list[dict] = []
        self.town_ids: dict[str, str] = {}  # town name as written -> id
        self.keeps_extras: dict[str, bool] = {}  # sheet -> it has columns kept aside
        self._sheet_order: dict[str, int] = {}
        self.done_rows = 0
        self.total_rows = 0
        self._id_stamp = int(dt.datetime.now().timestamp() * 1000)
        self._id_counter = 0
        self._id_random = uuid.uuid4().hex[:12]  # drawn once per import: the counter keeps ids apart
        self.encode_household = row_encoder(self.q.household)
        self.household_updates: list[tuple[Household, dict]] = []  # stored households the chunk changes

    # ------------------------------------------------------------ driver
    def run(self) -> ImportResult:
        workbook = open_workbook(self.path)
        try:
            with import_cache(self.store), self.store.transaction(), search.bulk_inserts(self.store.db):
                self._load_existing()
                self.reconciler = Reconciler(self.q, self.existing_members, self.allowed_numbers)
                for index, layout in roster_sheets(workbook, self.path, self.fmt, self.sheets):
                    self._sheet_order[layout.name] = index
                    self._read_sheet(layout)
                if not self.reconciler.seen_ids and not self.result.bad_rows:
                    raise file_failure(self.path, f"文件 {self.path.name} 中只有表头，没有成员数据行。"
                                                  "请填好成员后再导入", "empty")
                self._finish()
                if self.result.bad_rows and not self.skip:
                    raise bad_rows_failure(self._failed_result())
                self.result.written = True
                # A 2020 roster: the county keeps the 2020 terms unless someone chose (cadre_desk/terms.py).
                terms.note_import(self.store, self.terms)
        finally:
            workbook.close()
        self._sort_bad_rows()
        return self.result

    def _sort_bad_rows(self) -> None:
        self.result.bad_rows.sort(key=lambda b: (self._sheet_order.get(b.sheet, 0), b.row or 0))

    def _failed_result(self) -> ImportResult:
        r = self.result
        self._sort_bad_rows()
        return ImportResult(bad_rows=r.bad_rows, extra_columns=r.extra_columns, ignored_columns=r.ignored_columns,
                            converted_ids=r.converted_ids, headers=r.headers, bad_cells=r.bad_cells)

    @property
    def writing(self) -> bool:
        return self.skip or not self.result.bad_rows

    def _load_existing(self) -> None:
        county_id = places.ensure_county(self.store)
        self.county_name = self.store.get("counties", county_id)["name"]
        for r in self.store.rows(
                "SELECT m.id_number, m.id, m.household_id, h.number FROM members m "
                "JOIN households h ON h.id = m.household_id WHERE m.deleted = 0 AND m.id_number IS NOT NULL"):
            self.existing_members[r["id_number"]] = (r["id"], r["household_id"], r["number"])
        for r in self.store.rows("SELECT number, id, village_id FROM households WHERE deleted = 0"):
            self.existing_households[r["number"]] = (r["id"], r["village_id"])
        for r in self.store.rows("SELECT name, id FROM cadres WHERE deleted = 0 ORDER BY created_at"):
            self.cadres.setdefault(r["name"], r["id"])
        for r in self.store.rows("SELECT household_id, cadre_id FROM pairings WHERE deleted = 0 AND until IS NULL "
                                 "ORDER BY since"):
            self.current_cadre[r["household_id"]] = r["cadre_id"]  # the latest since wins (current_pairing)
        # The first village of a name, as ``places.village_by_name`` finds it.
        for r in self.store.rows("SELECT town_id, name, id FROM villages WHERE deleted = 0 ORDER BY rowid"):
            self.villages.setdefault((r["town_id"], r["name"]), r["id"])
        self.towns = self.store.rows("SELECT * FROM towns WHERE deleted = 0")

    # ------------------------------------------------------------ sheets
    def _read_sheet(self, layout: Sheet) -> None:
        if (self.ask_paired_since and self.paired_since is None and CADRE in layout.columns
                and PAIRED_SINCE not in layout.columns):
            raise PairingDateNeeded(self.path.name, layout.name)  # the transaction writes nothing
        kept = [header for _, header in layout.extras]  # the columns kept aside: unknown headers ...
        check_unknown_columns(self.path, layout.name, layout.header_row, kept)
        res = self.result
        res.headers[layout.name] = layout.header_cells
        for _, header in layout.extras:
            if header not in res.extra_columns:
                res.extra_columns.append(header)
        for header in layout.ignored:
            if header not in res.ignored_columns:
                res.ignored_columns.append(header)
        self.total_rows += layout.total_rows
        self.done_rows += layout.header_row  # title and header rows
        checker = SheetChecker(Context(self.q, self.fmt, self.today, self.county_name, self.towns,
                                       working_age_bounds(self.store)), layout)
        self.reconciler.add_sheet(layout.name, checker.header_of)
        self.keeps_extras[layout.name] = checker.keeps_extras
        row_number = layout.first_data_row
        while chunk := list(itertools.islice(layout.rows, CHUNK_ROWS)):
            rows = checker.data_rows(chunk, row_number)
            row_number += len(chunk)
            checked = checker.check(rows, self._stored_of(checker, rows))
            for bad, cells in checked.bad:
                self._bad(bad, cells)
            res.converted_ids.extend(checked.converted)
            if checked.extra_columns:  # ... and columns without a header found holding values
                found = set(kept)
                kept.extend(c for c in checked.extra_columns if c not in found)
                check_unknown_columns(self.path, layout.name, layout.header_row, kept)
                res.note_extra_columns(checked.extra_columns)
            for row in checked.rows:
                self.reconciler.accept(row)
            self._drain_reconciler()
            self.done_rows += len(chunk)
            self._flush(self.reconciler.take())
            self._tick()

    def _stored_of(self, checker: SheetChecker, rows) -> dict[str, dict]:
        """The stored answers of the chunk's members already registered, when
        the file lacks some columns (one query per 500 members)."""
        if not checker.member_missing or not self.existing_members:
            return {}
        ids = [v for v in checker.id_values(rows) if v in self.existing_members]
        stored = register.stored_members(self.store, (self.existing_members[v][0] for v in ids),
                                         checker.member_missing)
        return {v: stored[self.existing_members[v][0]] for v in ids if self.existing_members[v][0] in stored}

    def _drain_reconciler(self) -> None:
        rec = self.reconciler
        for bad, cells in rec.bad:
            self._bad(bad, cells)
        rec.bad.clear()
        self.result.not_own_rows.extend(rec.not_own)
        rec.not_own.clear()
        fills, rec.fills = rec.fills, []
        if self.writing:
            for hh, fill in fills:
                self._update_household(hh, fill)

    def _tick(self) -> None:
        if self.cancel is not None and self.cancel():
            raise CadreDeskError("已取消导入，数据库没有任何改动")
        if self.progress is not None:
            self.progress(self.done_rows, self.total_rows or None)

    def _bad(self, bad: BadRow, cells: list) -> None:
        self.result.bad_rows.append(bad)
        self.result.bad_cells.setdefault((bad.sheet, bad.row), list(cells))

    def _finish(self) -> None:
        rec = self.reconciler
        for row in rec.finish():
            where = register.describe_member_place(self.store, row.existing[0])
            town, village = row.place
            self._bad(BadRow(row.sheet, row.row, rec.id_header(row.sheet),
                             f"证件号码 {row.id_number} 已登记在 {where}（该户不在本文件中），本行是 {town}{village} "
                             f"户编号 {row.household_number}。同一证件号码在全县只能出现一次，请核对号码，"
                             "或先在原户中处理该成员", "duplicate"), row.cells)
            rec.release(row)
        self._drain_reconciler()
        self._flush(rec.take())

    # ------------------------------------------------------------ writing
    def _flush(self, rows: list[Row]) -> None:
        """Write rows: villages, cadres, households and pairings through the
        register's bulk functions, members through its one write path
        (``register.write_members``; the rows were checked in ``check``)."""
        if not rows or not self.writing:
            return
        households = self.reconciler.households
        new_households: list[dict] = []
        new_household_ids: list[str] = []
        to_pair: list[Household] = []
        self._create_villages(dict.fromkeys(households[row.household_number].village_key for row in rows
                                            if households[row.household_number].db_id is None))
        checked: list[register.CheckedMember] = []
        for row in rows:
            hh = households[row.household_number]
            if hh.db_id is None:
                self._materialize(hh, new_households, new_household_ids)
            values = {**row.rest, "name": row.name, "id_number": row.id_number, "sex": row.sex,
                      "birth_date": row.birth_date}
            if row.existing is None:
                member = register.MemberRow(values, household_id=hh.db_id, row_id=self._new_id(),
                                            extra={"roster_extra": row.extras})
            else:
                member = register.MemberRow(values, household_id=hh.db_id, member_id=row.existing[0],
                                            extra={"roster_extra": row.extras}
                                            if self.keeps_extras.get(row.sheet) else {})
                self.existing_members[row.id_number] = (row.existing[0], hh.db_id, hh.number)
            checked.append(register.CheckedMember(member, values, []))
            if hh.cadre and not hh.paired:
                to_pair.append(hh)
                hh.paired = True
        self._create_cadres({hh.cadre for hh in to_pair})
        self.store.insert_many("households", new_households, row_ids=new_household_ids)
        updates, self.household_updates = self.household_updates, []
        changed = self.result.changed
        for (hh, _), diff in zip(updates, self.store.update_many("households", [(hh.db_id, c) for hh, c in updates])):
            if diff:
                hh.updated = True
                self.result.households_updated += 1
                changed.setdefault("households", set()).add(hh.db_id)
        if new_household_ids:
            changed.setdefault("households", set()).update(new_household_ids)
        self._pair(to_pair)
        checked.sort(key=lambda c: c.row.member_id is None)  # updates first: a member may leave for a new one
        written = register.write_members(self.store, checked, surveyed=False)
        for table, ids in written.changed.items():
            changed.setdefault(table, set()).update(ids)
        self.result.households_created += len(new_households)
        self.result.members_created += written.created
        self.result.members_updated += written.updated
        self.result.members_unchanged += written.unchanged

    def _pair(self, households: list[Household]) -> None:
        """Pair each household with its cadre from its 帮扶时间 (else the clerk's
        date, else today); a stored household handed to another cadre is
        counted (the old pairing is closed and stays in the history)."""
        res = self.result
        pairs = []
        for hh in households:
            cadre_id = self.cadres[hh.cadre]
            start = hh.since or self.paired_since or self.today
            previous = self.current_cadre.get(hh.db_id)
            if previous == cadre_id:
                continue
            if previous is not None:
                res.cadres_changed += 1
            if hh.since is None and self.paired_since is None:
                res.pairings_dated_today += 1
            self.current_cadre[hh.db_id] = cadre_id
            pairs.append((hh.db_id, cadre_id, start))
        ids = [i for i in register.pair_cadres(self.store, pairs, since=self.today, new_id=self._new_id) if i]
        if ids:
            res.changed.setdefault("pairings", set()).update(ids)

    def _materialize(self, hh: Household, new_rows: list[dict], new_ids: list[str]) -> None:
        village_id = self._village_id(hh.village_key)
        existing = self.existing_households.get(hh.number)
        if existing is None:
            hh.db_id = self._new_id()
            hh.is_new = True
            household = self.encode_household(hh.values)
            household.update(village_id=village_id, questionnaire_version=self.version)
            new_rows.append(household)
            new_ids.append(hh.db_id)
            self.existing_households[hh.number] = (hh.db_id, village_id)
            return
        hh.db_id = existing[0]
        self.household_updates.append((hh, {**register.encode(self.q.household, hh.values), "village_id": village_id}))

    def _update_household(self, hh: Household, fill: dict) -> None:
        diff = self.store.update("households", hh.db_id, register.encode(self.q.household, fill))
        if diff:
            self.result.changed.setdefault("households", set()).add(hh.db_id)
        if diff and not hh.is_new and not hh.updated:
            hh.updated = True
            self.result.households_updated += 1

    def _new_id(self) -> str:
        """A new row id: 32 hex characters like ``uuid4().hex``, but time-ordered
        (milliseconds when the import began, a counter, 48 random bits drawn
        once per import, in the manner of UUIDv7), so that 100,000 inserts
        append to the id indexes instead of landing at random places in them
        (about a third faster here), without a call to the OS random source
        per row."""
        self._id_counter += 1
        return f"{self._id_stamp:012x}{self._id_counter:08x}{self._id_random}"

    def _town_id(self, name: str) -> str:
        if name not in self.town_ids:
            self.town_ids[name] = places.match_town(self.towns, name)["id"]
        return self.town_ids[name]

    def _village_id(self, key: tuple[str, str]) -> str:
        town_name, village_name = key
        return self.villages[self._town_id(town_name), village_name]

    def _create_villages(self, keys: Iterable[tuple[str, str]]) -> None:
        """The villages of a chunk's new households (``places.ensure_villages``)."""
        wanted = [(self._town_id(town_name), village_name) for town_name, village_name in keys]
        wanted = [k for k in wanted if k not in self.villages]
        self.villages.update(zip(wanted, places.ensure_villages(self.store, wanted, new_id=self._new_id)))

    def _create_cadres(self, names: set[str]) -> None:
        """The cadres the database does not know yet (``register.ensure_cadres``)."""
        new = sorted(n for n in names if n not in self.cadres)
        self.cadres.update(zip(new, register.ensure_cadres(self.store, new, new_id=self._new_id)))
