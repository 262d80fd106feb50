"""Reading stored work spells: a member's spells, one spell by its id or a
prefix of it, the home county and a spell's scope (县内 / 省内县外 / 省外), and
who is working in a month."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .. import gazetteer, months, places
from ..storage import Store
from .rows import TABLE, decode

def spells_of(store: Store, member_id: str) -> list[dict[str, Any]]:
    """A member's spells, oldest first, each with its ``scope`` (县内 / 省内县外 /
    省外 / None)."""
    home, aliases = home_county(store)
    rows = store.rows("SELECT * FROM work_spells WHERE member_id = ? AND deleted = 0 ORDER BY start_month",
                      [member_id])
    out = []
    for r in rows:
        d = decode(r)
        d["scope"] = gazetteer.scope(d.get("county_code"), home, province_code=d.get("province_code"),
                                     home_aliases=aliases)
        out.append(d)
    return out


def get_spell(store: Store, spell_id: str) -> dict[str, Any]:
    return decode(store.get(TABLE, spell_id))


def find_spell(store: Store, key: str) -> dict[str, Any]:
    """A spell by its id or a unique beginning of it (at least 4 characters)."""
    return get_spell(store, store.id_by_prefix(TABLE, key, what="务工记录",
                                               listing="cadre-desk spell list 证件号码"))


def home_county(store: Store) -> tuple[str, tuple[str, ...]]:
    """The county's code and its older codes (临清 371581, 372502)."""
    county = places.county(store)
    code = county["code"]
    spec = places.default_places()["county"]
    aliases = tuple(spec.get("old_codes", ())) if spec["code"] == code else ()
    return code, aliases


def scope_sql(store: Store, *, county_column: str = "county_code", province_column: str = "province_code"
              ) -> tuple[str, list[str]]:
    """An SQL expression giving 县内 / 省内县外 / 省外 (NULL: undecided) of a
    spell row by its codes, relative to the home county; with its parameters."""
    home, aliases = home_county(store)
    return gazetteer.scope_sql(home, county_column=county_column, province_column=province_column,
                               home_aliases=aliases)


def working_on(store: Store, month: str | dt.date) -> list[dict[str, Any]]:
    """People with a spell covering ``month`` (a ``YYYY-MM`` or a date), each
    once: when spells of one person overlap that month, the later-started
    spell decides. Rows: member_id, spell_id, start_month, end_month,
    county_code, province_code, channel, scope. Members who left the
    register (``left_on`` before the month's end) are not counted."""
    m = month if isinstance(month, str) else months.of(month)
    m = months.parse(m)
    expr, params = scope_sql(store, county_column="s.county_code", province_column="s.province_code")
    last = months.last_day(m).isoformat()
    rows = store.rows(
        f"SELECT s.member_id, s.id AS spell_id, s.start_month, s.end_month, s.county_code, s.province_code, "
        f"s.channel, {expr} AS scope FROM work_spells s JOIN members mb ON mb.id = s.member_id "
        "WHERE s.deleted = 0 AND mb.deleted = 0 AND s.start_month <= ? AND (s.end_month IS NULL OR s.end_month >= ?) "
        "AND (mb.left_on IS NULL OR mb.left_on = '' OR mb.left_on > ?) "
        "ORDER BY s.member_id, s.start_month DESC", [*params, m, m, last])
    seen: dict[str, dict] = {}
    for r in rows:
        seen.setdefault(r["member_id"], r)
    return list(seen.values())

