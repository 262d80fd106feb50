"""``cadre-desk search TEXT``: find people by name (or part of it), pinyin
initials or full pinyin, ID number or its last digits, or household number.
One result per line (ID number, name, household number, village; tab
separated) or, with ``--json``, a JSON list of objects."""

from __future__ import annotations

import json
import os
import sys

from ..errors import CadreDeskError
from .common import action


def register(subparsers) -> None:
    p = action(
        subparsers, "search", run, help="查找人或户（姓名或其中几个字、拼音首字母、全拼、证件号码或后几位、户编号）",
        description="按姓名（可只输入其中两个字）、拼音首字母（如 wxl 找武学亮）、全拼（如 wuxueliang，也可只输入开头）、"
                    "证件号码或其后几位（至少4位，可含X）、户编号查找。每行一个结果：证件号码、姓名、户编号、村（以制表符分隔）。")
    p.add_argument("text", metavar="TEXT", help="要查找的内容")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="最多显示多少条（默认 50）")
    p.add_argument("--json", action="store_true",
                   help="输出 JSON 列表，每项含 member_id、household_id、name、id_number、household_number、"
                        "village、town、kind、matched")


def argument_text(text: str) -> str:
    """A command-line argument as text. Bytes that are not UTF-8 reach Python
    as lone surrogates (PEP 383); a county script on a Chinese Windows setup
    sends GBK, so those bytes are read as GB 18030 (a superset of GBK), or
    refused with a message when they are not that either."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        raw = os.fsencode(text)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise CadreDeskError("查找内容的编码不是 UTF-8 也不是 GBK，无法识别。请用 UTF-8 编码传入查找内容") from None


def run(args, ctx) -> int:
    from ..search import search

    args.text = argument_text(args.text)
    if not args.text.strip():
        raise CadreDeskError("请输入要查找的姓名、拼音、证件号码或户编号")
    if args.limit < 1:
        raise CadreDeskError("--limit 必须是正整数，例如 --limit 20")
    hits = search(ctx.store, args.text, limit=args.limit)
    if args.json:
        print(json.dumps([h.as_dict() for h in hits], ensure_ascii=False))
        return 0
    if not hits:
        # On stderr: a script reading the result lines gets none.
        print(f"没有找到“{args.text.strip()}”。请换一种写法：姓名或其中两个字、拼音首字母、全拼、证件号码后几位或户编号",
              file=sys.stderr)
        return 0
    for h in hits:
        print("\t".join([h.id_number, h.name, h.household_number, h.village]))
    return 0
