"""Files that leave the program with people in them, from the window and the
commands alike: who may write them, whether ID numbers and phones are masked,
and the audit entry that says who wrote what about how many people.

A file meant for reading (the progress workbook, a problem list, a PDF) has
ID numbers and phone numbers masked (first 6 and last 4 digits) unless the
signed-in user's role may ask for full numbers (县就业办 and its
管理员: ``FULL_NUMBERS`` is denied to 乡镇 and 帮扶干部 in ``users.DENIED``);
a request for full numbers is recorded as ``ids: full``. The roster export is
a file for re-import and always holds full numbers; a 乡镇 user may not write
the county's roster at all.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from . import audit, users

FULL_NUMBERS = "export.full"
ROSTER = "roster.run_export"  # the command's own permission name, so the window and CLI agree


def may_write_full_numbers(store) -> bool:
    """Whether the signed-in user may ask for full ID numbers and phones (no
    one signed in: the demo's own file, or a script on a plaintext file)."""
    who = getattr(store, "signed_in", None)
    return who is None or FULL_NUMBERS not in users.DENIED.get(who.role, set())


def check_full(store, full: bool) -> None:
    if full:
        users.require(store, FULL_NUMBERS)


def ids_label(full: bool) -> str:
    return "full" if full else "masked"


def progress(store, path: str | Path, as_of: dt.date, *, town: str | None = None, village: str | None = None,
             full: bool = False) -> dict[str, Any]:
    """The progress workbook (figures and the not-employed list), recorded."""
    from .jobs.progress import export_progress

    check_full(store, full)
    figures = export_progress(store, path, as_of, town=town, village=village, mask_ids=not full)
    audit.record(store, "export", {"what": "progress", "file": Path(path).name, "town": town, "village": village,
                                   "ids": ids_label(full)}, people=figures["not_employed"])
    return figures


def roster(store, path: str | Path, *, town: str | None = None, village: str | None = None) -> int:
    """The roster workbook for re-import (full numbers), recorded."""
    from .roster import export_roster

    users.require(store, ROSTER)
    count = export_roster(store, path, town=town, village=village)
    audit.record(store, "export", {"what": "roster", "file": Path(path).name, "town": town, "village": village,
                                   "ids": "full"}, people=count)
    return count


def error_report(store, path: str | Path, result, *, full: bool = False) -> None:
    """A roster import's problem list, recorded with how many problem rows."""
    from .roster import write_error_report

    check_full(store, full)
    write_error_report(path, result, full_numbers=full)
    audit.record(store, "export", {"what": "errors", "file": Path(path).name, "ids": ids_label(full)},
                 people=len(result.bad_rows))


def document(store, action: str, detail: dict[str, Any], people: int, **more: Any) -> None:
    """A printed or saved PDF (handbooks, the policy compilation): always
    masked (``printing`` masks ID numbers on every page)."""
    audit.record(store, action, {**detail, **more, "ids": "masked"}, people=people)
