"""``cadre-desk stats``: the county's progress figures (domain.md §4) on a date,
as a Chinese table or, with ``--json``, as one JSON object."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata

from ..errors import CadreDeskError
from .common import action, json_flag


def register(subparsers) -> None:
    p = action(
        subparsers, "stats", run, help="就业帮扶进度统计（劳动年龄内有劳动能力人数、已就业人数等）",
        description="按截止日期统计全市（或某乡镇、某村）的就业帮扶进度：劳动年龄内有劳动能力的贫困人口、"
                    "已实现就业（分渠道）、岗位申请与推荐就业、自主创业与带动就业、公益性岗位及补贴。")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="统计截止日期（默认今天），如 2020-04-30")
    p.add_argument("--town", metavar="NAME", help="只统计这个乡镇（街道），如 烟店镇 或 烟店")
    p.add_argument("--village", metavar="NAME", help="只统计这个行政村（可与 --town 同用以区分同名村）")
    json_flag(p, "输出一个 JSON 对象（供其他程序读取）")


def parse_date(text: str | None) -> dt.date:
    """A YYYY-MM-DD date from the command line, or a one-line Chinese error."""
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CadreDeskError(f"日期“{text}”无效，请按 YYYY-MM-DD 填写，例如 2020-04-30") from None


def run(args, ctx) -> int:
    from .. import terms
    from ..stats import compute_stats

    as_of = parse_date(args.as_of)
    figures = compute_stats(ctx.store, as_of, town=args.town, village=args.village)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        print(format_table(figures, able_people=terms.term(ctx.store, "able_people")))
    return 0


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _yuan(value: float) -> str:
    return f"{value:,.2f}" if value % 1 else f"{value:,.0f}"


def format_table(f: dict, *, able_people: str = "劳动年龄内有劳动能力的贫困人口") -> str:
    """The figures as a plain-text Chinese table (aligned for a monospaced console);
    ``able_people`` names the working-age able in the county's terms."""
    scope = f["county"] + (f" {f['town']}" if f.get("town") else "") + (f" {f['village']}" if f.get("village") else "")
    rate = f"{f['employment_rate'] * 100:.1f}%"
    rows: list[tuple[str, str]] = [
        ("户数", f"{f['households']:,}"),
        (f"{able_people}（{f['working_age_min']}至{f['working_age_max']}岁以下）",
         f"{f['working_age_able']:,}"),
        ("已实现就业", f"{f['employed']:,}"),
        ("就业率", rate),
    ]
    rows += [(f"  其中：{channel}", f"{count:,}") for channel, count in f["by_channel"].items()]
    rows += [
        ("提出岗位申请", f"{f['applied']:,}"),
        ("  其中：推荐就业", f"{f['placed_by_recommendation']:,}"),
        ("自主创业", f"{f['self_employed']:,}"),
        ("带动就业", f"{f['driven_by_self_employed']:,}"),
        ("公益性岗位人数", f"{f['public_welfare_posts']:,}"),
        (f"公益性岗位补贴（{f['as_of'][:4]}年1月1日至截止日，元）", _yuan(f["public_welfare_subsidy_yuan"])),
    ]
    # The issue 14 figures, when the register has any (a 2020 roster has no
    # work spells and no 监测户: no rows of zeros that read like a finding).
    w, mon = f.get("workers"), f.get("monitoring")
    if w and w["total"]:
        rows.append((f"务工规模（{f['as_of'][:7]}，有务工记录的人数）", f"{w['total']:,}"))
        rows += [(f"  其中：{key}", f"{w[key]:,}") for key in w if key != "total"]
    if mon and mon["households"]:
        rows.append(("监测户（户）", f"{mon['households']:,}"))
        rows += [(f"  其中：{key}", f"{n:,}") for key, n in mon["by_category"].items()]
        rows += [("  其中：风险已消除", f"{mon['risk_cleared_households']:,}"),
                 ("监测对象（人）", f"{mon['people']:,}")]
    label_w = max(_width(label) for label, _ in rows) + 2
    value_w = max(len(value) for _, value in rows)
    lines = [f"{scope} 就业帮扶进度（截至 {f['as_of']}）", "-" * (label_w + value_w)]
    lines += [_pad(label, label_w) + value.rjust(value_w) for label, value in rows]
    return "\n".join(lines)
