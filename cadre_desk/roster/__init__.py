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

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from ..storage import Store
from .export import export_roster, write_error_report
from .result import BadRow, ConvertedId, ImportResult, RosterImportFailed

__all__ = ["BadRow", "ConvertedId", "ImportResult", "RosterImportFailed", "export_roster", "import_roster",
           "write_error_report"]


def import_roster(store: Store, path: str | Path, *, skip_bad_rows: bool = False,
                  paired_since: dt.date | None = None, progress: Callable[[int, int | None], None] | None = None,
                  cancel: Callable[[], bool] | None = None) -> ImportResult:
    """``importer.import_roster`` with the households this database may change:
    on a cadre's laptop those it holds (``sync.roles``), at the county office
    all of them."""
    from ..sync.roles import allowed_household_numbers
    from .importer import import_roster as run

    return run(store, path, allowed_numbers=allowed_household_numbers(store), skip_bad_rows=skip_bad_rows,
               paired_since=paired_since, progress=progress, cancel=cancel)
