"""``cadre-desk import-roster`` and ``cadre-desk export-roster``: the county's
roster workbook (花名册) in and out."""

from __future__ import annotations

import json
from .common import action, json_flag


def register(subparsers) -> None:
    p = action(
        subparsers, "import-roster", run_import, help="导入花名册（Excel），新建或更新户和成员",
        description="导入县里下发的花名册（.xlsx）：按列名识别各列（可用别名，顺序不限），按证件号码匹配成员，"
                    "重复导入更新后的花名册会原地更新、不会重复建档。默认全部成功才写入：只要有一行有问题，"
                    "就什么也不导入，并逐行列出问题（工作表、行号、列、原因）。")
    p.add_argument("file", metavar="FILE.xlsx", nargs="+",
                   help="花名册文件；也可以是国家系统导出的监测对象信息、户信息、已外出务工信息、计划外出务工信息，"
                        "几个文件一起给出时作为一次导入（全部成功才写入）")
    p.add_argument("--skip-bad-rows", action="store_true", help="跳过有问题的行，导入其余各行")
    p.add_argument("--errors", metavar="OUT.xlsx",
                   help="另把问题清单写成 Excel 文件（含原行内容；证件号码和电话默认只显示首尾几位）")
    p.add_argument("--full-ids", action="store_true", help="问题清单中写出完整的证件号码和电话")
    p.add_argument("--paired-since", metavar="YYYY-MM-DD",
                   help="帮扶责任人的结对开始日期，用于花名册没有“帮扶时间”（结对时间）列或该格为空的户（默认导入当天）")
    json_flag(p, "输出一个 JSON 对象（供其他程序读取）")

    e = action(
        subparsers, "export-roster", run_export, help="导出花名册（Excel），含全部调查项",
        description="把户和成员导出为花名册（.xlsx），列名与导入格式相同，证件号码为文本格式，"
                    "多个值用“、”分隔；导出的文件可以原样再导入。")
    e.add_argument("out", metavar="OUT.xlsx", help="要写入的文件")
    e.add_argument("--town", metavar="NAME", help="只导出这个乡镇（街道），如 烟店镇 或 烟店")
    e.add_argument("--village", metavar="NAME", help="只导出这个行政村")


def run_import(args, ctx) -> int:
    from ..roster import RosterImportFailed, import_files
    from .stats import parse_date

    paired_since = parse_date(args.paired_since) if args.paired_since else None
    store = ctx.store
    if args.full_ids and args.errors:
        from .. import exports
        exports.check_full(store, True)
    try:
        result = import_files(store, args.file, skip_bad_rows=args.skip_bad_rows, paired_since=paired_since)
        if result.written:
            # The new people's pinyin, as the window's import does: the first
            # search or window start after the import does not wait for it.
            from ..search import update_search_index

            update_search_index(store)
    except RosterImportFailed as exc:
        # A file that cannot be read at all has one problem: the error line says it.
        whole_file = [b.reason for b in exc.result.bad_rows] == [exc.message]
        _report(args, exc.result, rows=not whole_file)
        if exc.skippable:  # the core says it for the window too; here the choice is a flag
            raise RosterImportFailed(f"{exc.message}（--skip-bad-rows）", exc.result, skippable=True) from None
        raise
    _report(args, result)
    return 0


def _report(args, result, *, rows: bool = True) -> None:
    from ..roster import write_error_report
    if args.errors:
        write_error_report(args.errors, result, full_numbers=args.full_ids)  # allowed: run_import checked
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
        return
    for bad in result.bad_rows if rows else ():
        print(bad.line())
    for c in result.converted_ids:
        print(f"工作表“{c.sheet}”第 {c.row} 行：15位证件号码 {c.old} 已转换为18位 {c.new}")
    _print_warnings(result)
    if result.written:
        print(result.summary())
    if args.errors:
        print(f"问题清单已写入 {args.errors}")


SHOWN_WARNINGS = 50  # reminders printed after an import; `cadre-desk check` lists them all


def _print_warnings(result) -> None:
    """The spell rows' warnings and the check rules' findings on what was imported."""
    lines = [f"提醒：{w.line()}" for w in result.warnings] + [f"提醒：{f.line(masked=True)}" for f in result.findings]
    for line in lines[:SHOWN_WARNINGS]:
        print(line)
    if len(lines) > SHOWN_WARNINGS:
        print(f"……另有 {len(lines) - SHOWN_WARNINGS} 条提醒，用 cadre-desk check 查看全部")


def run_export(args, ctx) -> int:
    from .. import exports
    count = exports.roster(ctx.store, args.out, town=args.town, village=args.village)
    print(f"已导出 {count} 名成员到 {args.out}")
    return 0
