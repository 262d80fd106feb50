"""The checks that need the whole file, not one row: each ID number once,
the household columns of one household's rows agreeing, members moving
between households, and (on a cadre's laptop) only the households it holds.

Checked rows (``check.Row``) go in through ``accept``; the rows ready to be
written come out of ``take``, the rest at ``finish``. Problems found are
collected in ``bad``; households are kept in ``households`` (the writer sets
their ``db_id`` when it writes them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..questionnaire import Questionnaire, display
from .check import Row
from .columns import CADRE, PAIRED_SINCE, VILLAGE
from .result import BadRow


@dataclass(slots=True)  # 33,000 of them at 100,000 members: no __dict__ each
class Household:
    number: str
    sheet: str
    first_row: int
    village_key: tuple[str, str]
    # Household answers as first seen, completed by later rows: the first row's
    # dict (read-only, shared by the chunk's rows) until a later row fills one in.
    values: dict[str, Any]
    cadre: str | None
    # The first row's ``Row.hh_cells`` while its chunk is reconciled (rows of one
    # chunk with the same cells share that dict); then None, to hold no more.
    cells: dict[str, Any] | None = None
    since: str | None = None  # 帮扶时间: when the pairing with ``cadre`` began (ISO), None when not given
    db_id: str | None = None  # set by the writer
    is_new: bool = False
    paired: bool = False
    updated: bool = False
    owns_values: bool = False  # ``values`` is this household's own copy


class Reconciler:
    def __init__(self, q: Questionnaire, existing_members: Mapping[str, tuple],
                 allowed_numbers: set[str] | None):
        self.q = q
        self.existing_members = existing_members  # id number -> (member id, household id, household number)
        self.allowed_numbers = allowed_numbers  # None: every household (the county office)
        self.households: dict[str, Household] = {}
        # id -> where it was first seen, one int (``_seen``): 100,000 tuples cost 10 MB
        self.seen_ids: dict[str, int] = {}
        self._sheets: list[str] = []  # sheet names, by their index in ``seen_ids``
        self.deferred: dict[str, Row] = {}  # rows held back until no better twin shows up
        self.moves: list[Row] = []  # IDs registered in another household of the database
        self.ready: list[Row] = []
        self.bad: list[tuple[BadRow, list]] = []
        self.not_own: list[str] = []
        self.fills: list[tuple[Household, dict]] = []  # answers later rows added to a written household
        self.headers_by_sheet: dict[str, dict[str, str]] = {}  # Column.key -> header as written
        self._new_households: list[Household] = []  # those first seen since the last ``take``

    def add_sheet(self, sheet: str, header_of: dict[str, str]) -> None:
        self.headers_by_sheet[sheet] = header_of

    def _seen(self, sheet: str, row: int, contradicts: bool) -> int:
        """(sheet, row, contradicts) as one int for ``seen_ids``."""
        if sheet not in self._sheets:
            self._sheets.append(sheet)
        return (self._sheets.index(sheet) << 33) | (row << 1) | contradicts  # Excel has under 2**32 rows

    def _where_seen(self, seen: int) -> tuple[str, int, bool]:
        return self._sheets[seen >> 33], (seen >> 1) & 0xFFFFFFFF, bool(seen & 1)

    def _bad(self, row_or_sheet, row: int, column: str, reason: str, kind: str, cells: list) -> None:
        self.bad.append((BadRow(row_or_sheet, row, column, reason, kind), cells))

    # ------------------------------------------------------------ rows in
    def accept(self, row: Row) -> None:
        """Claim the row's ID number and household; queue it for writing."""
        if self.allowed_numbers is not None and row.household_number not in self.allowed_numbers:
            self.not_own.append(f"{row.sheet} 第 {row.row} 行（户编号 {row.household_number}）")
            return
        if not self._claim_id(row):
            return
        if not self._claim_household(row):
            self.seen_ids.pop(row.id_number, None)
            return
        if row.relation_contradicts:
            self.deferred[row.id_number] = row  # until no better row with this ID shows up
            return
        self._queue(row)

    def take(self) -> list[Row]:
        """The rows ready to be written, in file order (once per chunk)."""
        rows, self.ready = self.ready, []
        for hh in self._new_households:
            hh.cells = None  # a later chunk's rows have dicts of their own: compared, not matched by identity
        self._new_households.clear()
        return rows

    def finish(self) -> list[Row]:
        """At the end of the file: queue the rows held back, and return the rows
        whose ID number is registered in a household this file does not hold
        (the caller reports them and ``release``s each, then ``take``s the
        last rows to write)."""
        for row in self.deferred.values():
            self._queue(row)
        self.deferred.clear()
        file_households = set(self.households)
        moves, self.moves = self.moves, []
        rejected = []
        for row in moves:
            if row.existing[2] in file_households:
                self.ready.append(row)  # the roster moved this person to another household
            else:
                rejected.append(row)
        return rejected

    def _queue(self, row: Row) -> None:
        existing = self.existing_members.get(row.id_number)
        row.existing = existing
        if existing is not None and existing[2] != row.household_number:
            self.moves.append(row)  # decided when every household of the file is known
            return
        self.ready.append(row)

    # ------------------------------------------------------------ each ID once
    def _claim_id(self, row: Row) -> bool:
        """The same ID number on two rows: one of them is a copy error. The row
        whose 与户主关系 contradicts the sex in the ID number is reported (that
        is the likelier mistake); if neither or both do, the later row is."""
        first = self.seen_ids.get(row.id_number)
        if first is None:
            self.seen_ids[row.id_number] = self._seen(row.sheet, row.row, row.relation_contradicts)
            return True
        sheet, number, first_contradicts = self._where_seen(first)
        held = self.deferred.get(row.id_number)
        if first_contradicts and not row.relation_contradicts and held is not None:
            del self.deferred[row.id_number]
            self.release(held)
            where = self.where(row.sheet, row.row, held.sheet)
            self._bad(held.sheet, held.row, self.id_header(held.sheet),
                      f"证件号码 {row.id_number} 与{where}重复，同一证件号码只能出现一次；本行与户主关系"
                      f"“{held.member_values.get('relation')}”与证件号码中的性别（{held.sex}）不符，"
                      "应是本行录错了，请核对", "duplicate", held.cells)
            self.seen_ids[row.id_number] = self._seen(row.sheet, row.row, False)
            return True
        where = self.where(sheet, number, row.sheet)
        self._bad(row.sheet, row.row, self.id_header(row.sheet),
                  f"证件号码 {row.id_number} 与{where}重复，同一证件号码只能出现一次，请核对", "duplicate", row.cells)
        return False

    @staticmethod
    def where(sheet: str, row: int, from_sheet: str) -> str:
        return f"第 {row} 行" if sheet == from_sheet else f"工作表“{sheet}”第 {row} 行"

    def id_header(self, sheet: str) -> str:
        return self.headers_by_sheet.get(sheet, {}).get("member.id_number", "证件号码")

    # ------------------------------------------------------------ one household's rows agree
    def _claim_household(self, row: Row) -> bool:
        """The household columns of every row of one household must agree; the
        first good row defines them, later rows may fill what it left empty."""
        hh = self.households.get(row.household_number)
        if hh is None:
            hh = self.households[row.household_number] = Household(
                row.household_number, row.sheet, row.row, row.place, row.household_values, row.cadre,
                row.hh_cells, since=row.paired_since)
            self._new_households.append(hh)
            return True
        if (row.household_values is row.hh_cells is hh.cells and row.place == hh.village_key
                and (row.cadre is None or row.cadre == hh.cadre)
                and (row.paired_since is None or row.paired_since == hh.since)):
            return True  # the same household cells as its first row: nothing to compare or fill
        where = self.where(hh.sheet, hh.first_row, row.sheet)
        headers = self.headers_by_sheet.get(row.sheet, {})
        conflicts = []
        if row.place != hh.village_key:
            conflicts.append((headers.get(VILLAGE, "行政村"), "/".join(hh.village_key), "/".join(row.place)))
        for key, value in row.household_values.items():
            old = hh.values.get(key)
            if value is not None and old is not None and value != old:
                fld = self.q.household.by_key[key]
                conflicts.append((headers.get(f"household.{key}", fld.label), display(fld, old),
                                  display(fld, value)))
        if row.cadre and hh.cadre and row.cadre != hh.cadre:
            conflicts.append((headers.get(CADRE, "帮扶责任人"), hh.cadre, row.cadre))
        if row.paired_since and hh.since and row.paired_since != hh.since:
            conflicts.append((headers.get(PAIRED_SINCE, "帮扶时间"), hh.since, row.paired_since))
        if conflicts:
            for header, old, new in conflicts:
                self._bad(row.sheet, row.row, header,
                          f"同一户（户编号 {row.household_number}）在{where}填的是“{old}”，本行是“{new}”，"
                          "请统一为同一个值", "household", row.cells)
            return False
        fill = {k: v for k, v in row.household_values.items() if v is not None and hh.values.get(k) is None}
        if fill:
            if not hh.owns_values:  # a copy only for the few households later rows complete
                hh.values, hh.owns_values = dict(hh.values), True
            hh.values.update(fill)
            if hh.db_id is not None:
                self.fills.append((hh, fill))
        if row.cadre and not hh.cadre:
            hh.cadre = row.cadre
        if row.paired_since and not hh.since:
            hh.since = row.paired_since
        return True

    def release(self, row: Row) -> None:
        """A row held back turned out bad: if its household came from it alone
        and is not written yet, forget the household (a later row may bring it)."""
        hh = self.households.get(row.household_number)
        if hh is None or hh.db_id is not None or (hh.sheet, hh.first_row) != (row.sheet, row.row):
            return
        waiting = (*self.ready, *self.deferred.values(), *self.moves)
        if not any(r.household_number == row.household_number and r is not row for r in waiting):
            del self.households[row.household_number]
