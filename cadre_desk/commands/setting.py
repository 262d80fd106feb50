"""``cadre-desk setting set|get|list``: the county's settings (monitoring line,
务工 target, 一次性交通补助 tiers, 雨露计划 amount, terms, working-age bounds)."""

from __future__ import annotations

import json

from .common import action, action_group, json_flag


def register(subparsers) -> None:
    actions = action_group(subparsers, "setting", help="查看和修改本县的设置（监测线、交通补助档次、雨露计划标准、用语等）",
                           description="本县的设置：monitoring_line.YYYY（监测线，元/人·年）、work_target.YYYY"
                                       "（务工规模目标，人）、transport_subsidy_tiers.YYYY（一次性交通补助档次）、"
                                       "yulu_amount.YYYY（雨露计划标准）、terms（用语 2021 或 2020）、"
                                       "working_age_min / working_age_max。")
    s = action(actions, "set", run_set, help="修改一项设置，如 setting set monitoring_line.2026 7000")
    s.add_argument("key", metavar="KEY", help="设置项，如 monitoring_line.2026")
    s.add_argument("value", metavar="VALUE", help="取值，如 7000；交通补助档次如 省内县外=200,省外=500,最少月数=3")
    g = action(actions, "get", run_get, help="查看一项设置")
    g.add_argument("key", metavar="KEY", help="设置项")
    ls = action(actions, "list", run_list, help="列出已有的设置")
    json_flag(ls)


def _shown(value) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "（未设置）" if value is None else str(value)


def run_set(args, ctx) -> int:
    from .. import county_settings

    spec = county_settings.spec_of(args.key)
    value = county_settings.set_value(ctx.store, args.key, args.value)
    print(f"已设置 {args.key.strip()}（{spec.label}）= {_shown(value)}")
    return 0


def run_get(args, ctx) -> int:
    from .. import county_settings

    print(_shown(county_settings.get_value(ctx.store, args.key)))
    return 0


def run_list(args, ctx) -> int:
    from .. import county_settings

    rows = county_settings.listed(ctx.store)
    if args.json:
        print(json.dumps({k: v for k, v, _ in rows}, ensure_ascii=False, indent=1))
        return 0
    for key, value, label in rows:
        print(f"{key} = {_shown(value)}    {label}")
    return 0
