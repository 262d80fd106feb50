"""What a write changed: the tables and the ids of the rows it wrote.

Core writes return it (or the caller derives it from what it asked to write);
the window hands it to the pages, and each page refreshes only what shows one
of those rows (issue 10 §7: "what changed, not something changed"). A write
whose reach is unknown (a roster import, a sync package, a setting) is
announced without one, and every page re-reads what it shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Changed:
    """Table name → ids of the rows written there (inserted, updated or deleted)."""

    rows: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, **tables: Iterable[str | None] | str | None) -> Changed:
        """``Changed.of(members=[id], households=household_id)``; None ids are left out."""
        rows = {}
        for table, ids in tables.items():
            if ids is None:
                continue
            ids = [ids] if isinstance(ids, str) else ids
            kept = frozenset(i for i in ids if i)
            if kept:
                rows[table] = kept
        return cls(rows)

    def ids(self, table: str) -> frozenset[str]:
        return self.rows.get(table, frozenset())

    def touches(self, *tables: str) -> bool:
        return any(t in self.rows for t in tables)

    @property
    def tables(self) -> frozenset[str]:
        return frozenset(self.rows)

    def __or__(self, other: Changed) -> Changed:
        merged = {t: set(ids) for t, ids in self.rows.items()}
        for t, ids in other.rows.items():
            merged.setdefault(t, set()).update(ids)
        return Changed({t: frozenset(ids) for t, ids in merged.items()})

    def __bool__(self) -> bool:
        return bool(self.rows)
