"""The county roster (花名册, domain.md §10): importing it into the register
and exporting the register as one.

- ``columns``: which Excel headers mean which field (from the questionnaire);
- ``read``: the workbook, its sheets and their header rows;
- ``check``: a chunk of rows checked (pure: cells in, checked and bad rows out);
- ``reconcile``: what needs the whole file (each ID once, one household's
  rows agree, moves between households, a laptop's own households);
- ``importer``: the driver, one transaction, writing through the register;
- ``export``: the register as a roster workbook, and the problem list;
- ``result``: what an import reports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ..storage import Store
from .export import export_roster, write_error_report
from .result import FILE_FAILURE_KINDS, BadRow, ConvertedId, ImportResult, PairingDateNeeded, RosterImportFailed

__all__ = ["FILE_FAILURE_KINDS", "BadRow", "ConvertedId", "ImportResult", "PairingDateNeeded", "RosterImportFailed",
           "export_roster", "import_files", "import_roster", "write_error_report"]


def import_files(store: Store, paths: Sequence[str | Path], *, skip_bad_rows: bool = False,
                 progress: Callable[[int, int | None], None] | None = None,
                 cancel: Callable[[], bool] | None = None, **options) -> ImportResult:
    """Import several files as one import (``national.import_files``): 2020
    rosters and the national system's list exports (监测对象信息, 户信息,
    已外出务工信息, 计划外出务工信息), each sheet's kind told from its header;
    all or nothing unless ``skip_bad_rows``. The households this database may
    change: on a cadre's laptop those it holds (``sync.roles``), at the county
    office all of them. ``progress(done_rows, total_or_None)``; ``cancel()``
    is checked every 2,000 rows (a cancelled import writes nothing). Other
    ``options`` go to the roster import of the member lists (``paired_since``,
    ``ask_paired_since``: see ``importer.Importer``)."""
    from ..sync.roles import allowed_household_numbers
    from .national import import_files as run

    return run(store, paths, allowed_numbers=allowed_household_numbers(store), skip_bad_rows=skip_bad_rows,
               progress=progress, cancel=cancel, **options)


def import_roster(store: Store, path: str | Path, *, skip_bad_rows: bool = False,
                  progress: Callable[[int, int | None], None] | None = None,
                  cancel: Callable[[], bool] | None = None, **options) -> ImportResult:
    """One file: ``import_files([path])`` (a 2020 roster or a national list)."""
    return import_files(store, [path], skip_bad_rows=skip_bad_rows, progress=progress, cancel=cancel, **options)
