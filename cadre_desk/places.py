"""Counties, towns and villages, with their statistical codes.

The default county (Linqing) comes from ``resources/places.json``; villages are
created as rosters name them, with a code made from the town's code and a
running number (the county may correct codes later).
"""

from __future__ import annotations

import json
from functools import lru_cache

from .errors import NotFound
from .paths import resource_path
from .storage import Store


@lru_cache(maxsize=1)
def default_places() -> dict:
    return json.loads(resource_path("places.json").read_text(encoding="utf-8"))


def ensure_county(store: Store) -> str:
    """The county row (created with its towns on first use); returns its id."""
    spec = default_places()
    rows = store.rows("SELECT id FROM counties WHERE deleted = 0 ORDER BY created_at LIMIT 1")
    if rows:
        return rows[0]["id"]
    with store.transaction():
        county_id = store.insert("counties", {"code": spec["county"]["code"], "name": spec["county"]["name"]})
        store.insert_many("towns", [{"county_id": county_id, "code": spec["county"]["code"] + code, "name": name}
                                    for code, name in spec["towns"]])
    return county_id


def county(store: Store) -> dict:
    county_id = ensure_county(store)
    return store.get("counties", county_id)


def _short(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def town_by_name(store: Store, name: str) -> dict | None:
    """Find a town by its name, also without 镇/街道/乡 (康庄 finds 康庄镇)."""
    name = name.strip()
    towns = store.rows("SELECT * FROM towns WHERE deleted = 0")
    for t in towns:
        if t["name"] == name:
            return t
    short = _short(name, ("街道办事处", "街道", "镇", "乡"))
    for t in towns:
        if _short(t["name"], ("街道", "镇", "乡")) == short:
            return t
    return None


def village_by_name(store: Store, town_id: str, name: str) -> dict | None:
    rows = store.rows("SELECT * FROM villages WHERE town_id = ? AND deleted = 0 AND name = ?", [town_id, name.strip()])
    return rows[0] if rows else None


def ensure_village(store: Store, town_id: str, name: str) -> str:
    found = village_by_name(store, town_id, name)
    if found:
        return found["id"]
    town = store.get("towns", town_id)
    count = store.db.execute("SELECT count(*) FROM villages WHERE town_id = ?", [town_id]).fetchone()[0]
    return store.insert("villages", {"town_id": town_id, "name": name.strip(),
                                     "code": f"{town['code']}{count + 1:03d}"})


def find_villages(store: Store, *, town: str | None = None, village: str | None = None) -> list[dict]:
    """Villages matching optional town and village names; raises NotFound with
    a Chinese message when a name matches nothing."""
    sql = ("SELECT v.*, t.name AS town_name FROM villages v JOIN towns t ON t.id = v.town_id "
           "WHERE v.deleted = 0")
    params: list = []
    if town:
        t = town_by_name(store, town)
        if not t:
            raise NotFound(f"没有名为“{town}”的乡镇（街道），请检查名称")
        sql += " AND v.town_id = ?"
        params.append(t["id"])
    if village:
        sql += " AND v.name = ?"
        params.append(village.strip())
    rows = store.rows(sql + " ORDER BY t.code, v.code", params)
    if village and not rows:
        raise NotFound(f"没有名为“{village}”的行政村，请检查名称")
    return rows
