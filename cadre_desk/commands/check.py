"""``cadre-desk check``: the check rules over the whole register (or one town
or village), as a list of findings or, with ``--json``, one JSON object:

    {"as_of": "YYYY-MM-DD",
     "summary": {"findings": N, "households": H, "members": M, "by_rule": {rule id: n}},
     "findings": [{"household_number", "town", "village", "member", "id_number", "level", "rule", "field",
                   "message", "severity"}, ...]}

``level`` is ``household``, ``member`` or ``spell``; ``member``/``id_number``
are null for a household's finding. ID numbers are masked (first 6, last 4)
unless ``--full-ids``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from .common import action, json_flag


def register(subparsers) -> None:
    p = action(
        subparsers, "check", run, help="按核查规则检查全部户和成员（劳动技能、公益性岗位年龄、电话、残疾证、务工记录等）",
        description="用调查表中的核查规则（与入户调查表、导入时的提醒相同）检查数据库中的全部户、成员和务工记录，"
                    "逐条列出问题：户编号、成员、规则说明。只是提醒，不会改动任何数据。")
    p.add_argument("--town", metavar="NAME", help="只检查这个乡镇（街道）")
    p.add_argument("--village", metavar="NAME", help="只检查这个行政村")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="按这一天计算年龄（默认今天）")
    p.add_argument("--full-ids", action="store_true", help="写出完整的证件号码（默认只显示前6位和后4位）")
    json_flag(p, "输出一个 JSON 对象（供其他程序读取）")


def run(args, ctx) -> int:
    from .. import places
    from ..checks import check_register, summary
    from ..idnumber import mask_id
    from .stats import parse_date

    store = ctx.store
    as_of = parse_date(args.as_of)
    numbers = None
    if args.town or args.village:
        ids = [v["id"] for v in places.find_villages(store, town=args.town, village=args.village)]
        numbers = set()
        for start in range(0, len(ids), 500):
            block = ids[start:start + 500]
            numbers.update(r["number"] for r in store.rows(
                f"SELECT number FROM households WHERE deleted = 0 AND village_id IN ({', '.join('?' * len(block))})",
                block))
    findings = check_register(store, household_numbers=numbers, as_of=as_of)
    if not args.full_ids:
        findings = [replace(f, id_number=mask_id(f.id_number)) if f.id_number else f for f in findings]
    else:
        from ..audit import record

        record(store, "export", {"what": "check", "town": args.town, "village": args.village, "ids": "full"},
               people=len({f.id_number for f in findings if f.id_number}))
    counts = summary(findings)
    if args.json:
        print(json.dumps({"as_of": as_of.isoformat(), "summary": counts,
                          "findings": [f.to_json() for f in findings]}, ensure_ascii=False))
        return 0
    for f in findings:
        print(f.line())
    print(f"共 {counts['findings']} 条提醒，涉及 {counts['households']} 户、{counts['members']} 人"
          if findings else "没有发现问题")
    return 0
