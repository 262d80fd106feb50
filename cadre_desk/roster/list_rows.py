"""Reading the rows of the national lists other than the member lists: the
household list (户信息: the households' answers), the planned-work list
(计划外出务工信息: the members' planned-work answers) and the work-spell list
(已外出务工信息: ``spells.save_spells``). ``ListRows`` holds what the three share:
the import's result, bad rows named by file, sheet, row and column, the
person a row names, the laptop's own households, progress and cancelling.
``national.NationalImport`` is the driver built on it."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from .. import register, validation
from ..errors import CadreDeskError
from ..idnumber import parse_id_number
from ..questionnaire import ERROR
from ..storage import Store
from .list_kinds import (KIND_LABELS, PLANNED_FIELDS, SPELL, SPELL_HEADERS, ListSheet, cell_at, extras_of, rows_under_header,
                         text_cell)
from .columns import check_unknown_columns
from .read import cell_text, is_blank
from .result import BadRow, ImportResult, file_failure

CHUNK_ROWS = 2000


class ListRows:
    """The state and the row readers of one import of national lists."""

    def __init__(self, store: Store, *, allowed_numbers: set[str] | None, skip_bad_rows: bool,
                 progress: Callable[[int, int | None], None] | None, cancel: Callable[[], bool] | None,
                 as_of: dt.date | None):
        self.store = store
        self.allowed_numbers = allowed_numbers
        self.skip = skip_bad_rows
        self.progress = progress
        self.cancel = cancel
        self.as_of = as_of or dt.date.today()
        self.q = store.questionnaire
        self.result = ImportResult(skipped_rows=skip_bad_rows)
        self.touched_households: set[str] = set()  # household numbers the files named
        self.touched_members: set[str] = set()  # member ids of the spell and planned lists
        self.bad_member_rows: dict[str, str] = {}  # ID number -> where its member row was bad (this import)
        self.done = 0
        self.total = 0

    # ------------------------------------------------------------ common
    def _bad(self, item: ListSheet, row: int | None, column: str, reason: str, kind: str, cells: list) -> None:
        self.result.bad_rows.append(BadRow(item.name, row, column, reason, kind, file=item.file_label))
        self.result.bad_cells.setdefault((sheet_key(item.file_label, item.name), row), list(cells))

    def _start(self, item: ListSheet, required: Sequence[tuple[str, str]]) -> None:
        res = self.result
        res.headers[sheet_key(item.file_label, item.name)] = item.header_cells
        check_unknown_columns(item.path, item.name, item.header_row, [header for _, header in item.extras],
                              file_label=item.file_label)
        res.note_extra_columns(header for _, header in item.extras)
        missing = [label for key, label in required if key not in item.columns]
        if missing:
            found = [t for t in (cell_text(c) for c in item.header_cells) if t]
            message = (f"工作表“{item.name}”（{KIND_LABELS[item.kind]}）缺少必需的列：{'、'.join(missing)}。"
                       f"找到的列：{'、'.join(found)}。请补上这些列后重新导入")
            if item.file_label:
                message = f"文件 {item.file_label}：{message}"
            failure = file_failure(item.path, message, "columns", sheet=item.name, row=item.header_row)
            failure.result.bad_rows[:] = [replace(b, file=item.file_label) for b in failure.result.bad_rows]
            raise failure

    def _tick(self, n: int) -> None:
        self.done += n
        if self.cancel is not None and self.cancel():
            raise CadreDeskError("已取消导入，数据库没有任何改动")
        if self.progress is not None:
            self.progress(self.done, self.total or None)

    def _id_of(self, item: ListSheet, number: int, cells: list) -> str | None:
        """The row's ID number, checked; a bad one is a bad row (None)."""
        header = item.header("member.id_number", "证件号码")
        raw = cell_at(cells, item.columns["member.id_number"])
        if isinstance(raw, float):
            if raw.is_integer() and abs(raw) >= 1e15:
                self._bad(item, number, header, f"证件号码被Excel存成了数字（{raw:.5E}），后几位已丢失："
                                                 "请把该列设置为文本格式后重新录入", "float", cells)
                return None
            raw = cell_text(raw)
        try:
            return parse_id_number(raw).value
        except CadreDeskError as exc:
            self._bad(item, number, header, str(exc), "id", cells)
            return None

    def _members_by_id(self, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """ID number -> (member id, household number) of registered members."""
        return {r["id_number"]: (r["id"], r["number"]) for r in self.store.rows_in(
            "SELECT m.id_number, m.id, h.number FROM members m JOIN households h ON h.id = m.household_id "
            "WHERE m.deleted = 0 AND m.id_number IN ({})", ids)}

    def _member_rows(self, item: ListSheet, *, skip: Callable[[list], bool] | None = None
                     ) -> Iterator[list[tuple[int, list, str]]]:
        """A person list chunk by chunk: (row number, cells, member id) of the
        rows whose person is registered in one of the laptop's own households.
        A bad ID number or a person not registered is a bad row; a row that
        ``skip`` says is not one (a spell list's 否) is passed over."""
        i_id = item.columns["member.id_number"]
        for chunk in self._chunks(item, lambda c: not is_blank(cell_at(c, i_id))):
            ids = [(n, c, self._id_of(item, n, c)) for n, c in chunk]
            known = self._members_by_id([v for _, _, v in ids if v])
            found = []
            for number, cells, id_number in ids:
                if id_number is None or skip is not None and skip(cells):
                    continue
                if id_number not in known:
                    self._not_registered(item, number, id_number, cells)
                    continue
                member_id, hh_number = known[id_number]
                if self._own(item, number, hh_number):
                    self.touched_members.add(member_id)
                    found.append((number, cells, member_id))
            yield found

    def _not_registered(self, item: ListSheet, number: int, id_number: str, cells: list) -> None:
        where = self.bad_member_rows.get(id_number)
        if where is not None:
            self._bad(item, number, item.header("member.id_number", "证件号码"),
                      f"证件号码 {id_number} 的成员在{where}有问题，没有导入，本行因此也没有导入：请先改正那一行",
                      "member_row_bad", cells)
            return
        self._bad(item, number, item.header("member.id_number", "证件号码"),
                  f"证件号码 {id_number} 的成员没有登记：请先导入（或同时导入）他所在户的监测对象信息（家庭成员名单）",
                  "unknown_member", cells)

    def _own(self, item: ListSheet, number: int, household_number: str) -> bool:
        if self.allowed_numbers is None or household_number in self.allowed_numbers:
            return True
        self.result.not_own_rows.append(f"{item.name} 第 {number} 行（户编号 {household_number}）")
        return False

    def _chunks(self, item: ListSheet, keep: Callable[[list], bool]) -> Iterator[list[tuple[int, list]]]:
        rows = rows_under_header(item)
        while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
            yield [(n, c) for n, c in chunk if keep(c)]
            self._tick(len(chunk))

    # ------------------------------------------------------------ the household list
    def _read_households(self, item: ListSheet) -> None:
        from ..checks import rule_fields
        from ..values import from_storage

        self._start(item, [("household.number", "户编号")])
        part = self.q.household
        i_number = item.columns["household.number"]
        given = [(k.split(".", 1)[1], i) for k, i in item.columns.items()
                 if k.startswith("household.") and k != "household.number"]
        given_keys = {k for k, _ in given}
        # The stored answers the rules read beside the list's own (the rules see the whole record).
        stored_keys = [k for k in rule_fields(part) if k not in given_keys]
        keeps_extras = bool(item.extras or item.unnamed)
        cols = "".join(f", [{k}]" for k in stored_keys)
        stored = {r[1]: r for r in self.store.db.execute(
            f"SELECT id, number{cols} FROM households WHERE deleted = 0").fetchall()}
        for chunk in self._chunks(item, lambda c: not is_blank(cell_at(c, i_number))):
            pending = []
            for number, cells in chunk:
                hh_number = cell_text(cell_at(cells, i_number))
                if not self._own(item, number, hh_number):
                    continue
                row = stored.get(hh_number)
                if row is None:
                    self._bad(item, number, item.header("household.number", "户编号"),
                              f"户编号 {hh_number} 没有登记：请先导入（或同时导入）该户的监测对象信息（家庭成员名单）",
                              "unknown_household", cells)
                    continue
                pending.append((number, cells, row))
            if not pending:
                continue
            raw = {k: [text_cell(cell_at(cells, i)) for _, cells, _ in pending] for k, i in given}
            for j, k in enumerate(stored_keys, start=2):
                fld = part.by_key[k]
                raw[k] = [from_storage(fld, row[j]) for _, _, row in pending]
            block = validation.check_columns(part, raw, len(pending), as_of=self.as_of)
            changes = []
            for n, ((number, cells, row), problems) in enumerate(zip(pending, block.problems)):
                errors = [p for p in problems if p.severity == ERROR and p.field in given_keys]
                if errors:
                    for p in errors:
                        fld = part.by_key[p.field]
                        self._bad(item, number, item.header(f"household.{p.field}", fld.label), p.message,
                                  p.rule or "value", cells)
                    continue
                self.touched_households.add(row[1])
                change = register.encode(part, {k: block.columns[k][n] for k in given_keys})
                if keeps_extras:
                    kept = extras_of(item, cells)
                    change["roster_extra"] = json.dumps(kept, ensure_ascii=False) if kept else None
                changes.append((row[0], change))
            if changes and (self.skip or not self.result.bad_rows):
                for (row_id, _), diff in zip(changes, self.store.update_many("households", changes)):
                    if diff:
                        self.result.households_updated += 1
                        self.result.note_changed("households", [row_id])

    # ------------------------------------------------------------ the planned-work list
    def _read_planned(self, item: ListSheet) -> None:
        self._start(item, [("member.id_number", "证件号码")])
        part = self.q.member
        given = [(k.split(".", 1)[1], i) for k, i in item.columns.items()
                 if k.startswith("member.") and k.split(".", 1)[1] in PLANNED_FIELDS]
        keeps_extras = bool(item.extras or item.unnamed)
        for chunk in self._member_rows(item):
            rows, refs = [], []
            for number, cells, member_id in chunk:
                answers = {k: text_cell(cell_at(cells, i)) for k, i in given}
                extra = {}
                if keeps_extras:
                    kept = extras_of(item, cells)
                    extra["planned_extra"] = json.dumps(kept, ensure_ascii=False) if kept else None
                rows.append(register.MemberRow(answers, member_id=member_id, extra=extra))
                refs.append((number, cells))
            if not rows:
                continue
            checked = register.check_members(self.store, rows, as_of=self.as_of, block_missing=False)
            for c, (number, cells) in zip(checked, refs):
                errors = [p for p in c.problems if p.severity == ERROR and p.field in c.row.answers]
                for p in errors:
                    fld = part.by_key[p.field]
                    self._bad(item, number, item.header(f"member.{p.field}", fld.label), p.message,
                              p.rule or "value", cells)
                # Only this list's answers are judged here: the rest of the record is the member list's.
                c.problems[:] = errors
            if self.skip or not self.result.bad_rows:
                written = register.write_members(self.store, checked, surveyed=False)
                self.result.members_updated += written.updated
                for table, changed in written.changed.items():
                    self.result.note_changed(table, changed)

    # ------------------------------------------------------------ the work-spell list
    def _read_spells(self, item: ListSheet) -> None:
        from .. import spells

        self._start(item, [("member.id_number", "证件号码"), (SPELL + "start_month", "开始时间")])
        cols = {k[len(SPELL):]: i for k, i in item.columns.items() if k.startswith(SPELL)}
        keeps_extras = bool(item.extras or item.unnamed)
        where = f"{item.file_label} " if item.file_label else ""
        i_working, i_start = cols.pop("working", None), cols["start_month"]

        def no_spell(cells: list) -> bool:  # 是否已务工 否 and no start: not a spell
            return cell_text(cell_at(cells, i_working)) in ("否", "0") and is_blank(cell_at(cells, i_start))

        for chunk in self._member_rows(item, skip=no_spell):
            rows, refs = [], []
            for number, cells, member_id in chunk:
                values = {k: cell_at(cells, i) for k, i in cols.items()}
                extra = (extras_of(item, cells) or None) if keeps_extras else spells.KEEP
                rows.append(spell_row(spells, member_id, values, extra, ref=f"{where}第 {number} 行"))
                refs.append((number, cells))
            if not rows:
                continue
            if self.skip or not self.result.bad_rows:
                outcome = spells.save_spells(self.store, rows, skip_bad=True, as_of=self.as_of)
            else:
                outcome = spells.check_spells(self.store, rows)  # nothing will be written: only the problems
            for problems, (number, cells) in zip(outcome.problems, refs):
                for p in problems:
                    column = self._spell_column(item, p.field)
                    if p.severity == ERROR:
                        self._bad(item, number, column, p.message, p.rule or "spell", cells)
                    else:
                        self.result.warnings.append(BadRow(item.name, number, column, p.message,
                                                           p.rule or "warning", file=item.file_label))
            if outcome.written:
                self.result.spells_created += outcome.created
                self.result.spells_updated += outcome.updated
                self.result.spells_unchanged += outcome.unchanged
                if outcome.changed:
                    self.result.note_changed("work_spells", outcome.changed)

    @staticmethod
    def _spell_column(item: ListSheet, field_key: str | None) -> str:
        """The header in the file of the column a spell problem is about."""
        if field_key in (None, "id_number", "member_id"):
            return item.header("member.id_number", "证件号码")
        if field_key == "place" and SPELL + "place" not in item.columns:
            return item.header(SPELL + "county", SPELL_HEADERS["county"])
        return item.header(SPELL + field_key, SPELL_HEADERS.get(field_key, field_key))


def sheet_key(file_label: str, sheet: str) -> str:
    """The key of a sheet's header and cells in an ``ImportResult`` (the file's
    name comes first in a several-file import, where sheet names repeat)."""
    return f"{file_label}｜{sheet}" if file_label else sheet


def spell_row(spells, member_id: str, values: dict[str, Any], extra: Any, *, ref: str | None = None):
    """A spell list's row as a ``spells.SpellRow``: cells as the export has
    them (the write path coerces them); a column the list does not have keeps
    the stored value (``KEEP``). 务工所在县 completes 务工所在地."""
    given = {k: (None if is_blank(v) else v) for k, v in values.items()}
    if "county" in given:
        place = cell_text(given.get("place"))
        county = cell_text(given.pop("county"))
        if county and county not in place:
            place = f"{place}{county}"
        given["place"] = place or None
    for key in ("channel", "employer", "industry", "note", "place"):
        if isinstance(given.get(key), float):
            given[key] = cell_text(given[key])
    return spells.SpellRow(member_id=member_id, extra=extra, ref=ref,
                           **{k: v for k, v in given.items() if k in SPELL_FIELD_NAMES})


SPELL_FIELD_NAMES = {"start_month", "end_month", "place", "channel", "employer", "industry", "monthly_income",
                     "point_to_point", "transport_subsidy", "note"}
