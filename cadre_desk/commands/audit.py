"""``cadre-desk audit``: the audit trail (who signed in, exported, printed, backed up)."""

from __future__ import annotations

import json

from .. import audit
from .common import action, json_flag


def register(sub) -> None:
    p = action(sub, "audit", run, help="查看审计记录（登录、导出、打印、备份、用户变更）",
               description="列出审计记录；--verify 检查记录链是否完整（被改动或删除的记录会被发现）。"
                           "JSON 的 action 取值：" + "、".join(audit.ACTIONS))
    json_flag(p, "输出 JSON（time, user, device, action, detail, people）")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="只列出这一天及以后的记录")
    p.add_argument("--verify", action="store_true", help="检查记录链；有问题时指出第一条有问题的记录")
    p.add_argument("--devices", action="store_true",
                   help="（县就业办）列出各台电脑随数据包送来的审计记录；与 --verify 一起用时检查这些记录链")


def run(args, ctx) -> int:
    store = ctx.store
    if args.verify and args.devices:
        # (County) the laptops' chains, every branch of a laptop restored from a backup included.
        verdict = audit.verify_remote(store)
        if not verdict.ok:
            print("错误：" + audit.verdict_text(verdict, remote=True))
            return 1
        if not args.json:
            print(audit.verdict_text(verdict, remote=True))
            return 0
    elif args.verify:
        verdict = audit.verify(store)
        if not verdict.ok:
            print(f"错误：审计记录链断了：第 {verdict.first_bad} 条记录{verdict.reason}。"
                  "这台电脑上的审计记录可能被人改动过，请报告县就业办")
            return 1
        if not args.json:
            print(f"审计记录链完整（{verdict.count} 条记录）")
            return 0
    since = audit.parse_since(args.since) if args.since else None
    rows = audit.remote_entries(store, since=since) if args.devices else audit.entries(store, since)
    if args.json:
        print(json.dumps([{k: r[k] for k in audit.KEYS} for r in rows], ensure_ascii=False))
        return 0
    if args.devices:
        for fork in audit.fork_notes(store):  # laptops restored from a backup
            print(fork)
    for r in rows:
        people = f"，{r['people']} 人" if r["people"] else ""
        detail = audit.describe(r)
        print(f"{r['time'][:19].replace('T', ' ')}  {r['user'] or '-'}  {audit.ACTIONS[r['action']]}"
              f"{('：' + detail) if detail else ''}{people}")
    print(f"共 {len(rows)} 条记录")
    return 0
