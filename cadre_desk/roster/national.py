"""The national system's list exports (domain.md §11) beside the 2020 roster:
several files read as one import.

A county office downloads from the national system one workbook per list,
the header on the third row under two title rows:

- （自定义）监测对象信息 — one row per person, household columns repeated: read
  like the roster (``importer``), kind ``monitoring`` (a 2020 花名册 is kind
  ``roster``);
- （乡村建设）户信息 — one row per household: ``households``;
- （务工月监测）已外出务工信息 — one row per work spell, several per person:
  ``spells``, written through ``spells.save_spells`` (the same person and start
  month is the same spell: re-importing updates it);
- 计划外出务工信息 — one row per person: ``planned``.

Each worksheet's kind is told from its header row, which may be any of the
first five rows (a 2020 roster's, as before, any of the first thirty). The
files given together are one import in one transaction: the member lists
first (they create the households and members the other lists refer to),
then the household, spell and planned-work lists. All or nothing: one bad
row anywhere and nothing is written, unless bad rows are skipped; every bad
row is named by file, sheet, row and column.

Columns the app does not know are kept with their row — a member's in
``members.roster_extra`` (as before), a household's in
``households.roster_extra``, a spell's in ``work_spells.extra``, a planned-work
row's in ``members.planned_extra`` — and ``export.export_roster`` writes them
back. After the import the questionnaire's check rules are run over the
households and members the files named (``checks.check_register``): their
findings are warnings of the result, nothing is refused for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import python_calamine as calamine

from ..errors import CadreDeskError
from ..idnumber import parse_id_number
from ..storage import Store
from .list_kinds import MEMBER_KINDS, ListSheet, Vocabulary, survey_file
from .list_rows import ListRows, sheet_key
from .result import FILE_FAILURE_KINDS, ImportResult, RosterImportFailed, bad_rows_failure

# The order in which a file set is applied: members create what the others name.
_ORDER = {"roster": 0, "monitoring": 0, "households": 1, "spells": 2, "planned": 3}


# ---------------------------------------------------------------- the import

def import_files(store: Store, paths: Sequence[str | Path], *, allowed_numbers: set[str] | None = None,
                 skip_bad_rows: bool = False, progress: Callable[[int, int | None], None] | None = None,
                 cancel: Callable[[], bool] | None = None, as_of: dt.date | None = None,
                 **importer_options: Any) -> ImportResult:
    """Import ``paths`` (2020 rosters and national list exports, in any order)
    as one import; see the module docstring. Raises ``RosterImportFailed``
    (nothing written) for a file that cannot be read, a sheet without its
    required columns, or bad rows unless ``skip_bad_rows``. ``importer_options``
    go to the roster import of the member lists (``importer.Importer``)."""
    return NationalImport(store, [Path(p) for p in paths], allowed_numbers=allowed_numbers,
                          skip_bad_rows=skip_bad_rows, progress=progress, cancel=cancel, as_of=as_of,
                          importer_options=importer_options).run()


class NationalImport(ListRows):
    """The files given together, applied as one import (see the module docstring)."""

    def __init__(self, store: Store, paths: list[Path], *, allowed_numbers, skip_bad_rows, progress, cancel,
                 as_of, importer_options=None):
        if not paths:
            raise CadreDeskError("请至少选择一个要导入的文件")
        super().__init__(store, allowed_numbers=allowed_numbers, skip_bad_rows=skip_bad_rows, progress=progress,
                         cancel=cancel, as_of=as_of)
        self.paths = paths
        self.importer_options = dict(importer_options or {})
        self.vocab = Vocabulary(store)
        self.many = len(paths) > 1

    # ------------------------------------------------------------ driver
    def run(self) -> ImportResult:
        from .importer import import_cache

        surveyed: list[tuple[calamine.CalamineWorkbook, Path, list[ListSheet]]] = []
        res = self.result
        try:
            for path in self.paths:
                workbook, sheets = survey_file(path, self.vocab, path.name if self.many else "")
                surveyed.append((workbook, path, sheets))
            self.total = sum(s.sheet.total_height or 0 for _, _, sheets in surveyed for s in sheets)
            failures: list[RosterImportFailed] = []
            # The import's page cache until the commit: the checks below read every touched household.
            with import_cache(self.store), self.store.transaction():
                order = sorted(((min((_ORDER[s.kind] for s in sheets), default=0), i)
                                for i, (_, _, sheets) in enumerate(surveyed)))
                for stage in range(4):
                    for _, i in order:
                        workbook, path, sheets = surveyed[i]
                        try:
                            self._apply(stage, path, sheets)
                        except RosterImportFailed as exc:
                            whole_file = bool(exc.result.bad_rows) and exc.result.bad_rows[0].kind in FILE_FAILURE_KINDS
                            if len(self.paths) == 1 or whole_file:
                                failures.append(self._named(exc, path))
                                continue
                            raise
                if failures:
                    raise self._combined_failure(failures)
                if res.bad_rows and not self.skip:
                    self._sort()
                    raise bad_rows_failure(self._failed())
                self._after_import()
                res.written = True
        finally:
            for workbook, _, _ in surveyed:
                workbook.close()
        self._sort()
        return res

    def _named(self, exc: RosterImportFailed, path: Path) -> RosterImportFailed:
        if not self.many:
            return exc
        result = exc.result
        result.bad_rows[:] = [replace(b, file=path.name) for b in result.bad_rows]
        return RosterImportFailed(f"文件 {path.name}：{exc.message}", result)

    def _combined_failure(self, failures: list[RosterImportFailed]) -> RosterImportFailed:
        if len(failures) == 1 and not self.result.bad_rows:
            return failures[0]
        result = self._failed()
        for f in failures:
            result.bad_rows.extend(f.result.bad_rows)
        message = "；".join(f.message for f in failures)
        return RosterImportFailed(f"{message}。没有导入任何数据", result)

    def _failed(self) -> ImportResult:
        r = self.result
        return ImportResult(bad_rows=list(r.bad_rows), extra_columns=r.extra_columns,
                            ignored_columns=r.ignored_columns, converted_ids=r.converted_ids, headers=r.headers,
                            bad_cells=r.bad_cells, files=r.files)

    def _sort(self) -> None:
        files = {p.name: i for i, p in enumerate(self.paths)}
        self.result.bad_rows.sort(key=lambda b: (files.get(b.file, 0), b.sheet, b.row or 0))

    def _apply(self, stage: int, path: Path, sheets: list[ListSheet]) -> None:
        """Stage 0: the file's member sheets (or the whole file, when no sheet
        is a national list: the roster import's own messages then say what
        is wrong with it); 1–3: its household, spell and planned lists."""
        if stage == 0:
            members = [s for s in sheets if s.kind in MEMBER_KINDS]
            if members or not sheets:
                self._import_members(path, members)
            return
        kind = ("households", "spells", "planned")[stage - 1]
        for item in sheets:
            if item.kind == kind:
                self.result.files.append({"file": path.name, "sheet": item.name, "kind": kind})
                getattr(self, f"_read_{kind}")(item)

    # ------------------------------------------------------------ member lists: the roster import
    def _import_members(self, path: Path, sheets: list[ListSheet]) -> None:
        from .importer import Importer

        importer = Importer(self.store, path, allowed_numbers=self.allowed_numbers, skip_bad_rows=True,
                            progress=self._progress_from(self.done), cancel=self.cancel,
                            sheets={s.index: s.sheet for s in sheets} or None,
                            terms="2021" if sheets and all(s.kind == "monitoring" for s in sheets) else "2020",
                            **self.importer_options)
        got = importer.run()
        self.touched_households.update(importer.reconciler.households)
        for s in sheets:
            self.result.files.append({"file": path.name, "sheet": s.name, "kind": s.kind})
        self.done += sum(s.sheet.total_height or 0 for s in sheets)
        self._note_bad_members(got, path)
        self._merge(got, path)

    def _note_bad_members(self, got: ImportResult, path: Path) -> None:
        """The ID numbers of member rows refused in this import: a spell or
        planned-work row of that person then says where the trouble is."""
        for bad in got.bad_rows:
            cells = got.bad_cells.get((bad.sheet, bad.row))
            header = got.headers.get(bad.sheet) or []
            index = next((i for i, h in enumerate(header) if self.vocab.key(h, spells=False) == "member.id_number"),
                         None)
            if cells is None or index is None or index >= len(cells):
                continue
            try:
                number = parse_id_number(cells[index]).value
            except CadreDeskError:
                continue
            file = f"{path.name} " if self.many else ""
            self.bad_member_rows.setdefault(number, f"{file}工作表“{bad.sheet}”第 {bad.row} 行")

    def _progress_from(self, base: int):
        if self.progress is None:
            return None
        return lambda done, total: self.progress(base + done, self.total or total)

    def _merge(self, got: ImportResult, path: Path) -> None:
        res = self.result
        label = path.name if self.many else ""
        for name in ("households_created", "households_updated", "members_created", "members_updated",
                     "members_unchanged", "cadres_changed", "pairings_dated_today"):
            setattr(res, name, getattr(res, name) + getattr(got, name))
        res.bad_rows.extend(replace(b, file=label) for b in got.bad_rows)
        res.note_extra_columns(got.extra_columns)
        res.ignored_columns.extend(c for c in got.ignored_columns if c not in res.ignored_columns)
        res.converted_ids.extend(got.converted_ids)
        res.not_own_rows.extend(got.not_own_rows)
        for sheet, cells in got.headers.items():
            res.headers[sheet_key(label, sheet)] = cells
        for (sheet, row), cells in got.bad_cells.items():
            res.bad_cells[sheet_key(label, sheet), row] = cells
        for table, ids in got.changed.items():
            res.note_changed(table, ids)


    # ------------------------------------------------------------ after the rows: the check rules
    def _after_import(self) -> None:
        from ..checks import check_register

        res = self.result
        numbers = set(self.touched_households)
        numbers.update(r["number"] for r in self.store.rows_in(
            "SELECT h.number FROM members m JOIN households h ON h.id = m.household_id WHERE m.id IN ({})",
            self.touched_members))
        if numbers:
            report = check_register(self.store, household_numbers=numbers, as_of=self.as_of, spells=False)
            res.findings.extend(report)
