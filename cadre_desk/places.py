"""Counties, towns and villages, with their statistical codes.

The default county (Linqing) comes from ``resources/places.json``; villages are
created as rosters name them, with a code made from the town's code and a
running number (the county may correct codes later).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
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
    return match_town(store.rows("SELECT * FROM towns WHERE deleted = 0"), name)


def match_town(towns: list[dict], name: str) -> dict | None:
    """``town_by_name`` among ``towns`` (rows of the towns table)."""
    name = name.strip()
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
    """The village of ``town_id`` named ``name``, created if needed: the one-row
    case of ``ensure_villages``."""
    return ensure_villages(store, [(town_id, name)])[0]


def ensure_villages(store: Store, keys: Iterable[tuple[str, str]], *,
                    new_id: Callable[[], str] | None = None) -> list[str]:
    """The ids of the villages ``(town id, name)``, in order; the ones not
    there yet are created in one statement, numbered after their town's last
    village (deleted ones count) in the order given."""
    keys = [(town_id, name.strip()) for town_id, name in keys]
    towns = sorted({town_id for town_id, _ in keys})
    found: dict[tuple[str, str], str] = {}
    counts: dict[str, int] = {}
    codes: dict[str, str] = {}
    if towns:
        marks = ", ".join("?" * len(towns))
        for r in store.rows(f"SELECT town_id, name, id, deleted FROM villages WHERE town_id IN ({marks}) "
                            "ORDER BY rowid", towns):
            counts[r["town_id"]] = counts.get(r["town_id"], 0) + 1
            if not r["deleted"]:
                found.setdefault((r["town_id"], r["name"]), r["id"])
        codes = {r["id"]: r["code"] for r in store.rows(f"SELECT id, code FROM towns WHERE id IN ({marks})", towns)}
    new_rows, new_ids = [], []
    for town_id, name in dict.fromkeys(keys):
        if (town_id, name) in found:
            continue
        if town_id not in codes:
            raise NotFound("找不到这个乡镇（街道），它可能已被删除")
        counts[town_id] = counts.get(town_id, 0) + 1
        village_id = found[town_id, name] = new_id() if new_id else uuid.uuid4().hex
        new_rows.append({"town_id": town_id, "name": name, "code": f"{codes[town_id]}{counts[town_id]:03d}"})
        new_ids.append(village_id)
    store.insert_many("villages", new_rows, row_ids=new_ids)
    return [found[k] for k in keys]


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


def household_scope(store: Store, *, town: str | None = None, village: str | None = None) -> tuple[str, list]:
    """The households of a town and/or village as an SQL condition on ``h``
    (the households table) and its parameters: ``"1"`` for the whole county,
    ``"0"`` when the names match no village. Unknown names raise ``NotFound``
    (``find_villages``). The one scope the figures, the exports and the lists read."""
    if not town and not village:
        return "1", []
    return villages_condition([v["id"] for v in find_villages(store, town=town, village=village)])


def villages_condition(village_ids: list[str]) -> tuple[str, list]:
    """Households of these villages, as ``household_scope`` says it (``"0"`` for none)."""
    if not village_ids:
        return "0", []
    return f"h.village_id IN ({', '.join('?' * len(village_ids))})", list(village_ids)
