"""The shapes of work spells: the table's columns, ``SpellRow`` (one spell to
write, fields left at ``KEEP`` keep their stored value), ``SpellResult`` (what
a write did, row by row) and the decoding of a stored row."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from ..errors import CadreDeskError
from ..questionnaire import ERROR, Problem

TABLE = "work_spells"
MIN_INCOME = 400  # 务工月收入 below this is a check-rule finding (domain.md §11)
# Channels that only exist inside the home county (current names).
IN_COUNTY_CHANNELS = ("帮扶车间", "乡村公益性岗位")
EMPLOYED, UNEMPLOYED = "已就业", "未就业"
COLUMNS = ("member_id", "start_month", "end_month", "place", "county_code", "province_code", "channel", "employer",
           "industry", "monthly_income", "point_to_point", "transport_subsidy", "offer_id", "extra", "note")


class _Keep:
    """A SpellRow field not given: an update keeps the stored value."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "KEEP"

    def __bool__(self) -> bool:
        return False


KEEP: Any = _Keep()


@dataclass
class SpellRow:
    """One spell to write. The person is ``member_id`` or ``id_number``; an
    existing spell is found by ``spell_id`` or else by (person, start month).
    Fields left at ``KEEP`` keep their stored value (a new spell: empty);
    ``None`` empties a field. ``place`` is resolved to codes unless
    ``county_code`` is given; ``province_hint`` helps an ambiguous name.
    ``ref`` names the row in messages (第 3 行, 务工.xlsx 第 5 行)."""

    start_month: Any = KEEP
    member_id: str | None = None
    id_number: str | None = None
    end_month: Any = KEEP
    place: Any = KEEP
    county_code: Any = KEEP
    province_code: Any = KEEP
    channel: Any = KEEP
    employer: Any = KEEP
    industry: Any = KEEP
    monthly_income: Any = KEEP
    point_to_point: Any = KEEP
    transport_subsidy: Any = KEEP
    offer_id: Any = KEEP
    extra: Any = KEEP
    note: Any = KEEP
    spell_id: str | None = None
    province_hint: str | None = None
    ref: str | None = None


@dataclass
class SpellResult:
    """What ``save_spells`` did: ``ids[i]`` the spell of row i (None when not
    written), ``problems[i]`` its errors and warnings."""

    ids: list[str | None]
    problems: list[list[Problem]]
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = True  # False: errors and skip_bad=False, nothing written
    changed: set[str] = field(default_factory=set)

    @property
    def errors(self) -> list[tuple[int, Problem]]:
        return [(i, p) for i, ps in enumerate(self.problems) for p in ps if p.severity == ERROR]

    @property
    def warnings(self) -> list[tuple[int, Problem]]:
        return [(i, p) for i, ps in enumerate(self.problems) for p in ps if p.severity != ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors


class SpellError(CadreDeskError):
    """A single spell that could not be written (the one-row commands)."""


def decode(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored spell row as callers see it: 点对点 a bool, the kept columns a dict."""
    out = dict(row)
    if out.get("point_to_point") is not None:
        out["point_to_point"] = bool(out["point_to_point"])
    out["extra"] = json.loads(out["extra"]) if out.get("extra") else {}
    return out


def spell_fields() -> tuple[str, ...]:
    """The SpellRow fields a caller may give (for the import's column map)."""
    return tuple(f.name for f in fields(SpellRow))
