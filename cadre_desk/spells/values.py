"""A spell row's given fields as stored values: months parsed, the channel
read against its code list, money and yes/no answers read, place codes
checked, texts trimmed to their limits. A bad value is an error ``Problem``
of its row (nothing raises)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from .. import gazetteer, months
from ..codes import code_list
from ..questionnaire import ERROR, Problem
from .rows import KEEP, SpellRow

_TEXT_LIMITS = {"employer": 60, "industry": 40, "place": 60, "note": 200}


@lru_cache(maxsize=1)
def _channels():
    return code_list("employment_channel")


def _number(raw: Any, label: str, *, lo: float = 0, hi: float = 1_000_000) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        if isinstance(raw, bool):
            raise ValueError
        value = float(str(raw).strip().replace(",", "").replace("，", "").removesuffix("元")) \
            if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        raise _Bad(f"{label}应为数字（元），现为“{raw}”") from None
    if not lo <= value <= hi:
        raise _Bad(f"{label}应在 {lo:g} 到 {hi:g} 元之间，现为 {value:g}")
    return round(value, 2)


def _bool(raw: Any, label: str) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        return int(raw)
    text = str(raw).strip()
    if text in ("是", "有", "1", "1.0", "Y", "y", "True", "true", "√"):
        return 1
    if text in ("否", "无", "0", "0.0", "N", "n", "False", "false", "×"):
        return 0
    raise _Bad(f"{label}应填“是”或“否”，现为“{text}”")


def _text(raw: Any, key: str, label: str) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    if not text:
        return None
    limit = _TEXT_LIMITS.get(key)
    if limit and len(text) > limit:
        raise _Bad(f"{label}最多 {limit} 个字，现有 {len(text)} 个，请删减")
    return text


class _Bad(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


_LABELS = {"start_month": "开始时间", "end_month": "结束时间", "place": "务工所在地", "channel": "就业渠道",
           "employer": "务工企业名称", "industry": "所属行业", "monthly_income": "务工月收入",
           "point_to_point": "是否点对点输送", "transport_subsidy": "年度交通费补助", "note": "备注",
           "county_code": "务工所在县代码", "province_code": "务工所在省代码", "offer_id": "推荐编号", "extra": "其他列"}


def _coerce(row: SpellRow, problems: list[Problem]) -> dict[str, Any]:
    """The given fields of ``row`` as stored values (KEEP fields left out)."""
    out: dict[str, Any] = {}
    for name in ("start_month", "end_month", "place", "channel", "employer", "industry", "monthly_income",
                 "point_to_point", "transport_subsidy", "county_code", "province_code", "offer_id", "extra", "note"):
        raw = getattr(row, name)
        if raw is KEEP:
            continue
        label = _LABELS[name]
        try:
            if name in ("start_month", "end_month"):
                out[name] = months.parse(raw, label)
            elif name == "channel":
                if raw is None or not str(raw).strip():
                    out[name] = None
                else:
                    value = _channels().normalize_current(raw)
                    if value is None:
                        raise _Bad(f"就业渠道“{raw}”不在代码表中，可填：{'、'.join(_channels().values)}")
                    out[name] = value
            elif name in ("monthly_income", "transport_subsidy"):
                out[name] = _number(raw, label)
            elif name == "point_to_point":
                out[name] = _bool(raw, label)
            elif name in ("county_code", "province_code"):
                out[name] = _code(raw, label, county=name == "county_code")
            elif name == "extra":
                out[name] = json.dumps({str(k): v for k, v in raw.items()}, ensure_ascii=False) if raw else None
            elif name == "offer_id":
                out[name] = raw or None
            else:
                out[name] = _text(raw, name, label)
        except (months.MonthError, _Bad) as exc:
            problems.append(Problem(name, exc.message, ERROR, "value"))
    return out


def _code(raw: Any, label: str, *, county: bool) -> str | None:
    if raw is None or not str(raw).strip():
        return None
    text = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw).strip()
    found = gazetteer.lookup(text)
    if found is None or (county and found.county_code != text):
        raise _Bad(f"{label}“{raw}”不是有效的{'县级' if county else '省级'}行政区划代码（6 位数字）")
    return text if county else found.province_code

