"""Policy management: ``cadre-desk policy import|export|list|retire|restore|samples``.
Policies are data (see cadre_desk/policies.py and docs/printing.md for the file format)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import action, action_group


def register(sub) -> None:
    actions = action_group(sub, "policy", help="管理就业帮扶政策（导入、列出、停用）",
                           description="管理政策汇编中的政策。政策是数据：用结构化文件（JSON 或 TOML）导入和导出。",
                           required=True)

    imp = action(actions, "import", import_cmd, help="从政策文件导入（同名政策更新，新政策添加）",
                 description="导入政策文件（格式见 docs/printing.md）。文件有任何错误时一条也不导入。")
    imp.add_argument("file", metavar="FILE", help="政策文件（.json 或 .toml）")

    exp = action(actions, "export", export_cmd, help="把政策导出为政策文件（可编辑后再导入）",
                 description="把数据库中的政策写成可导入的政策文件。")
    exp.add_argument("-o", "--output", required=True, metavar="FILE.json", help="输出文件")

    ls = action(actions, "list", list_cmd, help="列出政策", description="列出在用的政策（加 --all 含已停用的）。")
    ls.add_argument("--all", action="store_true", help="包括已停用的政策")

    ret = action(actions, "retire", retire_cmd, help="停用政策（不再打印，记录保留）",
                 description="停用一项政策：不再出现在政策汇编和手册中，记录保留。")
    ret.add_argument("policy_id", metavar="ID", help="政策编号（policy list 显示的前几位即可）")

    res = action(actions, "restore", restore_cmd, help="恢复已停用的政策", description="恢复一项已停用的政策。")
    res.add_argument("policy_id", metavar="ID", help="政策编号")

    action(actions, "samples", samples_cmd, help="载入样本政策（标注为样本文本）",
           description="载入随程序提供的样本政策（标注为样本文本，不是正式文件）。重复执行不会重复添加。")
    # ``--db`` is also accepted after the action (cli.py adds it after ``policy`` only).
    for child in actions.choices.values():
        child.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help="数据库文件")


def import_cmd(args, ctx) -> int:
    from ..policies import import_policies

    result = import_policies(ctx.store, args.file)
    print(f"导入完成：新增 {len(result.added)} 项，更新 {len(result.updated)} 项，未变 {len(result.unchanged)} 项")
    return 0


def export_cmd(args, ctx) -> int:
    from ..policies import export_policies

    n = export_policies(ctx.store, args.output)
    from ..audit import record

    record(ctx.store, "export", {"what": "policies", "file": Path(args.output).name})
    print(f"已导出 {n} 项政策：{args.output}")
    return 0


def list_cmd(args, ctx) -> int:
    from ..policies import list_policies

    policies = list_policies(ctx.store, include_retired=args.all)
    if not policies:
        print("没有政策。可用 cadre-desk policy import 文件 导入。")
        return 0
    for p in policies:
        marks = "".join(m for m, on in (("［已停用］", p.retired), ("［样本］", p.is_sample)) if on)
        print(f"{p.short_id}  {p.kind or '-'}  {p.title}  {p.doc_number or ''}{('  ' + marks) if marks else ''}")
    return 0


def retire_cmd(args, ctx) -> int:
    from ..policies import retire_policy

    p = retire_policy(ctx.store, args.policy_id, True)
    print(f"已停用：{p.title}（{p.short_id}）")
    return 0


def restore_cmd(args, ctx) -> int:
    from ..policies import retire_policy

    p = retire_policy(ctx.store, args.policy_id, False)
    print(f"已恢复：{p.title}（{p.short_id}）")
    return 0


def samples_cmd(args, ctx) -> int:
    from ..policies import load_sample_policies

    n = load_sample_policies(ctx.store)
    if n:
        print(f"已载入 {n} 项样本政策（标注为样本文本，不是正式文件）")
    else:
        print("样本政策已全部载入，没有新增")
    return 0

