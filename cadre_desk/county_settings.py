"""The county's settings a user may set by hand (``cadre-desk setting``):
what each key means, and how its value is read and checked. Values are
stored in the settings table (``Store.set_setting``), JSON-encoded.

| key | value |
|---|---|
| ``terms`` | 2021 or 2020 (cadre_desk/terms.py) |
| ``monitoring_line.YYYY`` | the year's monitoring line, 元/人·年 (cadre_desk/monitoring.py) |
| ``work_target.YYYY`` | the year's 务工规模 target, people |
| ``transport_subsidy_tiers.YYYY`` | 一次性交通补助 tiers: ``省内县外=200,省外=500,最少月数=3`` or JSON |
| ``yulu_amount.YYYY`` | 雨露计划 amount, 元/人·年 |
| ``working_age_min`` / ``working_age_max`` | the working-age bounds (16, 60) |
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import gazetteer
from .errors import CadreDeskError
from .storage import DEFAULT_SETTINGS, Store


class InvalidSetting(CadreDeskError):
    """A setting key or value that cannot be used (the message says what to write)."""


def _amount(label: str, hi: float = 100_000) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(str(text).strip().replace(",", "").replace("，", "").removesuffix("元"))
        except ValueError:
            raise InvalidSetting(f"{label}应为金额（元），如 7000，现为“{text}”") from None
        if not 0 < value <= hi:
            raise InvalidSetting(f"{label}应在 1 到 {hi:g} 元之间，现为 {value:g}")
        return int(value) if value.is_integer() else round(value, 2)
    return parse


def _people(text: str) -> int:
    cleaned = str(text).strip().replace(",", "").removesuffix("人")
    if not cleaned.isdigit():
        raise InvalidSetting(f"目标人数应为整数，如 5200，现为“{text}”")
    return int(cleaned)


def _age(text: str) -> int:
    cleaned = str(text).strip().removesuffix("岁")
    if not cleaned.isdigit() or not 10 <= int(cleaned) <= 80:
        raise InvalidSetting(f"年龄界限应为 10 到 80 之间的整数，现为“{text}”")
    return int(cleaned)


def _terms(text: str) -> str:
    from . import terms

    try:
        return terms.check(text)
    except terms.InvalidTerms as exc:
        raise InvalidSetting(exc.message) from None


TIER_SCOPES = ("省内县外", "省外")
_TIER_KEYS = {"省内县外": "省内县外", "省内": "省内县外", "县外省内": "省内县外", "省外": "省外",
              "最少月数": "min_months", "务工月数": "min_months", "min_months": "min_months"}


def parse_tiers(text: str) -> dict[str, Any]:
    """一次性交通补助 tiers: ``省内县外=200,省外=500,最少月数=3`` (a province may
    have its own amount: ``新疆=800``), or the same as a JSON object. Stored as
    {"省内县外": 200, "省外": 500, "min_months": 3, "by_province": {"650000": 800}}."""
    raw = str(text).strip()
    pairs: list[tuple[str, Any]]
    if raw.startswith("{"):
        try:
            data = json.loads(raw)
        except ValueError:
            raise InvalidSetting("交通补助档次的 JSON 写法不对，可写成：省内县外=200,省外=500,最少月数=3") from None
        pairs = []
        for k, v in data.items():
            if k == "by_province" and isinstance(v, dict):
                pairs.extend(v.items())
            else:
                pairs.append((k, v))
    else:
        pairs = []
        for piece in re.split(r"[,，;；、\s]+", raw):
            if not piece:
                continue
            if "=" not in piece and "：" not in piece and ":" not in piece:
                raise InvalidSetting(f"交通补助档次“{piece}”应写成 名称=金额，如：省内县外=200,省外=500,最少月数=3")
            k, v = re.split(r"[=：:]", piece, maxsplit=1)
            pairs.append((k.strip(), v.strip()))
    out: dict[str, Any] = {"min_months": 3, "by_province": {}}
    for k, v in pairs:
        key = _TIER_KEYS.get(str(k).strip())
        if key == "min_months":
            try:
                months = int(str(v))
            except ValueError:
                raise InvalidSetting(f"最少务工月数应为整数，现为“{v}”") from None
            if not 0 <= months <= 12:
                raise InvalidSetting(f"最少务工月数应在 0 到 12 之间，现为 {months}")
            out["min_months"] = months
            continue
        amount = _amount("交通补助金额", 10_000)(str(v))
        if key in TIER_SCOPES:
            out[key] = amount
            continue
        found = gazetteer.resolve(k)
        if not isinstance(found, gazetteer.Resolved) or found.city_code or found.county_code:
            raise InvalidSetting(f"交通补助档次“{k}”不认识：应为 省内县外、省外、最少月数，或一个省份名称（如 新疆=800）")
        out["by_province"][found.province_code] = amount
    if not any(k in out for k in TIER_SCOPES) and not out["by_province"]:
        raise InvalidSetting("交通补助档次至少要有一档金额，如：省内县外=200,省外=500,最少月数=3")
    return out


@dataclass(frozen=True)
class Spec:
    pattern: str
    label: str
    parse: Callable[[str], Any]
    example: str


SPECS = (
    Spec(r"terms", "用语（2021：脱贫人口、监测对象、帮扶车间；2020：建档立卡贫困户、扶贫车间）", _terms, "terms 2021"),
    Spec(r"monitoring_line\.(20\d\d)", "该年防止返贫监测线（元/人·年）", _amount("监测线"), "monitoring_line.2026 7000"),
    Spec(r"work_target\.(20\d\d)", "该年务工规模目标（人）", _people, "work_target.2026 5200"),
    Spec(r"transport_subsidy_tiers\.(20\d\d)", "该年一次性交通补助档次", parse_tiers,
         "transport_subsidy_tiers.2026 省内县外=200,省外=500,最少月数=3"),
    Spec(r"yulu_amount\.(20\d\d)", "该年雨露计划补助标准（元/人·年）", _amount("雨露计划补助标准", 20_000),
         "yulu_amount.2026 3000"),
    Spec(r"working_age_min", "劳动年龄下限（岁）", _age, "working_age_min 16"),
    Spec(r"working_age_max", "劳动年龄上限（岁，不含）", _age, "working_age_max 60"),
)


def spec_of(key: str) -> Spec:
    key = (key or "").strip()
    for spec in SPECS:
        if re.fullmatch(spec.pattern, key):
            return spec
    known = "；".join(s.example for s in SPECS)
    raise InvalidSetting(f"不认识的设置项“{key}”。可设置：{known}")


def set_value(store: Store, key: str, text: str) -> Any:
    """Check and store one setting; returns the stored value."""
    key = key.strip()
    spec = spec_of(key)
    value = spec.parse(text)
    if key in ("working_age_min", "working_age_max"):
        low = value if key == "working_age_min" else store.get_setting("working_age_min")
        high = value if key == "working_age_max" else store.get_setting("working_age_max")
        if low >= high:
            raise InvalidSetting(f"劳动年龄下限（{low}）应小于上限（{high}）")
    if key == "terms":
        from . import terms

        terms.set_terms(store, value)
        return value
    with store.transaction():
        store.set_setting(key, value)
    return value


def get_value(store: Store, key: str) -> Any:
    spec_of(key)
    if key == "terms":
        from . import terms

        return terms.current(store)
    return store.get_setting(key.strip())


def listed(store: Store) -> list[tuple[str, Any, str]]:
    """(key, value, label) of every user setting that has a value (defaults included)."""
    out = []
    keys = [r["key"] for r in store.rows("SELECT key FROM settings ORDER BY key")]
    for key in dict.fromkeys(["terms", *DEFAULT_SETTINGS, *keys]):
        try:
            spec = spec_of(key)
        except InvalidSetting:
            continue
        out.append((key, get_value(store, key), spec.label))
    return out


def tiers(store: Store, year: int) -> dict[str, Any] | None:
    """The 一次性交通补助 tiers of ``year`` (None: not set)."""
    return store.get_setting(f"transport_subsidy_tiers.{year}")


def yulu_amount(store: Store, year: int) -> float | None:
    return store.get_setting(f"yulu_amount.{year}")
