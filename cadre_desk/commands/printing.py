"""Printing commands: ``cadre-desk handbook`` (one household, a village or the
whole county) and ``cadre-desk policies`` (the policy compilation)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from ..errors import CadreDeskError, NotFound
from .common import action


def register(sub) -> None:
    p = action(
        sub, "handbook", handbook, help="打印就业帮扶手册（PDF）",
        description="为一户、一个行政村或全县的户生成就业帮扶手册 PDF。一户时 -o 为文件名；"
                    "--village / --all 时 -o 为文件夹，每户一个 PDF（文件名含户编号），加 --combined 则合成一个 PDF。")
    p.add_argument("household_number", nargs="?", metavar="HOUSEHOLD_NUMBER", help="户编号")
    p.add_argument("--village", metavar="NAME", help="行政村名称：打印该村所有户")
    p.add_argument("--town", metavar="NAME", help="乡镇（街道）名称：与 --village 同用以区分同名村")
    p.add_argument("--all", action="store_true", help="打印全县所有户")
    p.add_argument("-o", "--output", required=True, metavar="PATH", help="输出的 PDF 文件（一户）或文件夹（多户）")
    p.add_argument("--combined", action="store_true", help="多户合成一个 PDF（每户页码单独编排）")
    p.add_argument("--as-of", metavar="DATE", help="计算年龄和年度所用的日期（默认今天），如 2020-05-20")

    c = action(sub, "policies", policies, help="打印政策汇编（PDF）",
               description="把在用（未停用）的政策生成一份带目录和书签的政策汇编 PDF。")
    c.add_argument("-o", "--output", required=True, metavar="FILE.pdf", help="输出的 PDF 文件")
    c.add_argument("--as-of", metavar="DATE", help="封面年份所用的日期（默认今天）")


def _as_of(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CadreDeskError(f"日期“{text}”无效，请按 2020-05-20 的格式填写") from None


def _pdf_path(output: str, default_name: str) -> Path:
    path = Path(output)
    if output.endswith(("/", "\\")) or path.is_dir():
        return path / default_name
    if path.suffix.lower() != ".pdf":
        raise CadreDeskError(f"输出文件“{output}”应以 .pdf 结尾")
    return path


def _people(store, household_ids: list[str]) -> int:
    """How many people a print touched (for the audit trail)."""
    return sum(store.db.execute("SELECT count(*) FROM members WHERE household_id = ? AND deleted = 0",
                                [h]).fetchone()[0] for h in household_ids)


def handbook(args, ctx) -> int:
    from ..printing import handbook as hb

    chosen = sum(bool(x) for x in (args.household_number, args.village, args.all))
    if chosen != 1:
        raise CadreDeskError("请给出户编号，或 --village 村名，或 --all 三者之一")
    if args.town and not args.village:
        raise CadreDeskError("--town 只能和 --village 一起使用")
    as_of = _as_of(args.as_of)
    store = ctx.store
    from ..print_checks import check_village_unambiguous, no_policies_warning

    if args.village:
        check_village_unambiguous(store, args.village, args.town)
    warning = no_policies_warning(store)
    if warning:
        print(warning, file=sys.stderr)
    if args.household_number:
        if args.combined:
            raise CadreDeskError("--combined 只用于 --village 或 --all 的多户打印")
        from ..register import household_by_number

        hh = household_by_number(store, args.household_number)
        path = _pdf_path(args.output, hb.handbook_file_name(hh))
        path.parent.mkdir(parents=True, exist_ok=True)
        pages = hb.write_handbook(store, hh["id"], path, as_of=as_of)
        from ..audit import record

        record(store, "print", {"what": "handbook", "file": path.name, "household": hh["number"]},
               people=_people(store, [hh["id"]]))
        print(f"已生成户编号 {hh['number']}（{hh.get('head_name') or ''}）的就业帮扶手册，共 {pages} 页：{path}")
        return 0

    households = hb.households_of(store, village=args.village, town=args.town)
    if not households:
        where = f"行政村“{args.village}”" if args.village else "数据库中"
        raise NotFound(f"{where}没有登记的户，没有可打印的手册")
    out_dir = Path(args.output)
    if out_dir.suffix.lower() == ".pdf":
        raise CadreDeskError("多户打印时 -o 应为文件夹，不是 .pdf 文件")
    label = f"行政村“{args.village}”" if args.village else "全县"
    safe = hb.safe_file_part(args.village) if args.village else "全县"
    name = f"就业帮扶手册_{safe}_{len(households)}户.pdf"

    def progress(done: int, total: int, text: str) -> None:
        if sys.stderr.isatty() and total:
            print(f"\r{done}/{total} {text}   ", end="", file=sys.stderr, flush=True)

    files = hb.write_handbooks(store, [h["id"] for h in households], out_dir, combined=args.combined,
                               combined_name=name, as_of=as_of, progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    from ..audit import record

    record(store, "print", {"what": "handbooks", "folder": out_dir.name, "households": len(households),
                            "combined": bool(args.combined), "village": args.village},
           people=_people(store, [h["id"] for h in households]))
    if args.combined:
        print(f"已把{label} {len(households)} 户的就业帮扶手册合成一个 PDF：{files[0]}")
    else:
        print(f"已生成{label} {len(files)} 户的就业帮扶手册，保存在 {out_dir}")
    return 0


def policies(args, ctx) -> int:
    from ..policies import list_policies
    from ..printing.compilation import write_compilation

    store = ctx.store
    current = list_policies(store)
    if not current:
        raise CadreDeskError("没有在用的政策。请先用 cadre-desk policy import 文件 导入政策，"
                             "或用 cadre-desk policy samples 载入样本政策")
    from ..printing.compilation import compilation_title

    path = _pdf_path(args.output, f"{compilation_title(store)}.pdf")
    path.parent.mkdir(parents=True, exist_ok=True)
    pages = write_compilation(store, path, as_of=_as_of(args.as_of))
    from ..audit import record

    record(store, "print", {"what": "policies", "file": path.name})
    print(f"已生成政策汇编（{len(current)} 项政策，共 {pages} 页）：{path}")
    return 0
