"""Drafts: a survey form's unsaved answers, kept in the database so that no
typing is lost when the window closes or the laptop dies.

A draft is keyed by the member id, or by ``new:<household id>`` for a member
not saved yet. It holds the form's raw answers (text as typed, code values,
lists, booleans) and when they were kept. Drafts live in the ``drafts`` table,
which is local to the device: written directly, not through ``Store.insert``,
so they never enter the change log and never sync. Saving the member discards
its draft.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import DatabaseError
from .storage import OPERATIONAL_ERRORS, Store, explain_sqlite_error, utc_now

NEW_PREFIX = "new:"


def draft_key(*, member_id: str | None = None, household_id: str | None = None) -> str:
    """The key of a member's draft, or of a new member's draft in a household."""
    if member_id:
        return member_id
    if not household_id:
        raise ValueError("a draft needs a member or a household")
    return NEW_PREFIX + household_id


@dataclass(frozen=True)
class Draft:
    key: str
    answers: dict[str, Any]
    saved_at: str  # ISO 8601, UTC
    household_id: str | None
    member_id: str | None
    user: str

    @property
    def saved_at_local(self) -> str:
        """'2024-05-01 10:32' in the computer's time zone, for messages."""
        try:
            moment = dt.datetime.fromisoformat(self.saved_at)
        except ValueError:
            return self.saved_at
        return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _write(store: Store, sql: str, params: list) -> None:
    try:
        store.db.execute(sql, params)
    except OPERATIONAL_ERRORS as exc:
        raise DatabaseError(explain_sqlite_error(exc, store.path)) from exc


def save_draft(store: Store, key: str, answers: Mapping[str, Any], *, household_id: str | None = None) -> Draft:
    """Keep (or replace) the draft under ``key``. ``answers`` must be JSON-able."""
    member_id = None if key.startswith(NEW_PREFIX) else key
    if household_id is None and key.startswith(NEW_PREFIX):
        household_id = key[len(NEW_PREFIX):]
    draft = Draft(key, dict(answers), utc_now(), household_id, member_id, store.user)
    _write(store,
           "INSERT INTO drafts(key, household_id, member_id, answers, saved_at, user) VALUES (?, ?, ?, ?, ?, ?) "
           "ON CONFLICT(key) DO UPDATE SET household_id = excluded.household_id, member_id = excluded.member_id, "
           "answers = excluded.answers, saved_at = excluded.saved_at, user = excluded.user",
           [key, household_id, member_id, json.dumps(draft.answers, ensure_ascii=False), draft.saved_at,
            draft.user])
    return draft


def _from_row(row: Mapping[str, Any]) -> Draft:
    return Draft(row["key"], json.loads(row["answers"] or "{}"), row["saved_at"], row["household_id"],
                 row["member_id"], row["user"] or "")


def load_draft(store: Store, key: str) -> Draft | None:
    rows = store.rows("SELECT * FROM drafts WHERE key = ?", [key])
    return _from_row(rows[0]) if rows else None


def discard_draft(store: Store, key: str) -> None:
    _write(store, "DELETE FROM drafts WHERE key = ?", [key])


def drafts_of_household(store: Store, household_id: str) -> dict[str, Draft]:
    """Drafts of the household's members (and of a new member), by key."""
    rows = store.rows("SELECT * FROM drafts WHERE household_id = ? OR key = ? OR member_id IN "
                      "(SELECT id FROM members WHERE household_id = ?)",
                      [household_id, NEW_PREFIX + household_id, household_id])
    return {r["key"]: _from_row(r) for r in rows}
