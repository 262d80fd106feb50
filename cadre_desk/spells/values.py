"""A spell row's given fields as stored values. The answers (months, place,
channel, employer, income, 点对点, subsidy, note) are coerced by the
questionnaire's engine (``questionnaire.coerce``) against the spell's part,
``resources/spells.json``, as openings are against theirs; what is a spell's
own is done here: a channel held by its current name, money to the fen,
yes/no as 0/1, place codes looked up, the kept columns as JSON. A bad value
is an error ``Problem`` of its row (nothing raises)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from .. import gazetteer
from ..paths import resource_path
from ..questionnaire import ERROR, CoerceError, Part, Problem, build_part, coerce
from .rows import KEEP, SpellRow

# The SpellRow fields, in the order their problems are reported.
_FIELDS = ("start_month", "end_month", "place", "channel", "employer", "industry", "monthly_income",
           "point_to_point", "transport_subsidy", "county_code", "province_code", "offer_id", "extra", "note")
_CODE_LABELS = {"county_code": "务工所在县代码", "province_code": "务工所在省代码"}


@lru_cache(maxsize=1)
def spell_part() -> Part:
    """The spell's answers as a questionnaire part (``resources/spells.json``)."""
    return build_part("spell", json.loads(resource_path("spells.json").read_text(encoding="utf-8")))


def channels():
    """The 就业渠道 code list (a spell holds its current names)."""
    return spell_part().by_key["channel"].code_list


def coerce_row(row: SpellRow, problems: list[Problem]) -> dict[str, Any]:
    """The given fields of ``row`` as stored values (KEEP fields left out)."""
    part = spell_part()
    out: dict[str, Any] = {}
    for name in _FIELDS:
        raw = getattr(row, name)
        if raw is KEEP:
            continue
        try:
            if name in part.by_key:
                out[name] = _answer(part.by_key[name], raw)
            elif name in _CODE_LABELS:
                out[name] = _code(raw, _CODE_LABELS[name], county=name == "county_code")
            elif name == "extra":
                out[name] = json.dumps({str(k): v for k, v in raw.items()}, ensure_ascii=False) if raw else None
            else:  # offer_id
                out[name] = raw or None
        except CoerceError as exc:
            problems.append(Problem(name, exc.message, ERROR, "value"))
    return out


def _answer(fld, raw: Any) -> Any:
    value = coerce(fld, raw)
    if value is None:
        return None
    if fld.type == "code":
        # Spells hold current names only (帮扶车间, not 扶贫车间); a 2020 name
        # without a current equivalent is not a channel a spell can have.
        current = fld.code_list.current(value)
        if current is None:
            raise CoerceError(fld.message("code", "", raw), "code")
        return current
    if fld.type == "number":
        return round(value, 2)
    if fld.type == "bool":
        return int(value)
    return value


def _code(raw: Any, label: str, *, county: bool) -> str | None:
    if raw is None or not str(raw).strip():
        return None
    text = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw).strip()
    found = gazetteer.lookup(text)
    if found is None or (county and found.county_code != text):
        raise CoerceError(f"{label}“{raw}”不是有效的{'县级' if county else '省级'}行政区划代码（6 位数字）")
    return text if county else found.province_code
