"""Household handbooks: one typical handbook, then a village of 1,000 households
(one PDF each), beside a bare ReportLab floor.

    .venv/bin/python benchmarks/bench_handbook.py            # 1,000 households
    .venv/bin/python benchmarks/bench_handbook.py --quick    # 100 households, smoke run

The data is the demo county (``cadre_desk.demo.build_demo``), its households
all moved into one village so that ``write_handbooks`` prints a real village
batch. The floor is a bare ReportLab script that draws the same text (every
paragraph and table cell of each handbook, its running header and "第 N 页 共
M 页") line by line, one text object a page, on as many A4 pages as our
handbook has, in the same embedded font, one file per household, without our
layout (no tables, lines, wrapping or page templates). The floor is given the
text ready-made; our figure includes reading each household from the
database. Both use the same font handling, registered once before timing:
the bundled font through ``cadre_desk.printing.fonts``, which remembers the
font subsets it cut, and each file seeded with the characters every handbook
draws (``fonts.seed_subsets`` with ``handbook.common_text``), so that those
subsets are cut once per process for the floor as for ours. (A floor that
cut every subset anew, as a bare ReportLab script does, flattered ours:
ReportLab's subset cutting is about a fifth of a handbook's time.) Each
run forgets the subsets it cut itself (``own_subsets``): the floor, run right
after ours on the same text, used to reuse the subset of the household's own
characters that ours had just cut, and so never paid for one.
The comparison runs ours and the floor household by household, alternately,
in process CPU time, so that other load on the machine weighs on both alike;
the wall-clock time of the batch API is reported beside it.

Ends with one JSON line: benchmark "handbook_batch_ms_per_household" (CPU ms
per household, one PDF each), floor = the bare script's CPU ms per household,
ratio = value / floor; "params" has the batch's wall-clock time, the
single-handbook time, KB per household for both, page counts and the combined
(one PDF for the batch) time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from cadre_desk import demo, places  # noqa: E402
from cadre_desk.printing import handbook as hb  # noqa: E402
from cadre_desk.printing import fonts, styles  # noqa: E402
from cadre_desk.printing.flowables import Grid, TextBlock  # noqa: E402
from cadre_desk.printing.fonts import register_font, seed_subsets  # noqa: E402
from cadre_desk.storage import open_store  # noqa: E402

AS_OF = dt.date(2020, 5, 20)


def texts_of(flowables) -> list[str]:
    """Every string a handbook story draws (paragraphs and table cells)."""
    out: list[str] = []
    for f in flowables:
        if isinstance(f, TextBlock):
            out.append(f.text)
        elif isinstance(f, Grid):
            out += f.texts()
    return out


def floor_write(path: Path, lines: list[str], header: tuple[str, str], pages: int, seed: str) -> int:
    """Draw the lines one under another on ``pages`` pages (as many as our
    handbook has), with its running header from the second page on and
    "第 N 页 共 M 页" on every page: the same text in the same font, with the
    same font subsets seeded (``seed``), without layout. Each page's lines go
    into one text object, the cheapest way ReportLab draws lines of text."""
    font = register_font()
    width, height = styles.page_size()
    c = Canvas(str(path), pagesize=(width, height), invariant=1, initialFontName=font)
    seed_subsets(c._doc, seed)
    # a handbook cell or paragraph can be long: cut it into page-wide pieces
    pieces = [line[start:start + 44] for line in lines for start in range(0, max(len(line), 1), 44)]
    per_page = -(-len(pieces) // pages)
    leading = min(15.0, (height - 72 - 60) / max(per_page, 1))
    for page in range(1, pages + 1):
        c.setFont(font, 10.5)
        if page > 1:
            c.drawString(60, height - 40, header[0])
            c.drawRightString(width - 60, height - 40, header[1])
        t = c.beginText(60, height - 72)
        t.setFont(font, 10.5, leading)
        for piece in pieces[(page - 1) * per_page:page * per_page]:
            t.textLine(piece)
        c.drawText(t)
        c.setFont(font, 9)
        c.drawCentredString(width / 2, 28, f"第 {page} 页 共 {pages} 页")
        c.showPage()
    c.save()
    return pages


def own_subsets(run, *args, **kwargs):
    """``run(*args, **kwargs)``, then forget the font subsets it cut (the seeded ones, cut
    before, stay remembered). Ours and the floor draw the same text one after
    the other: without this the second reused the subset of the household's
    own characters (names, numbers) that the first had just cut, which no
    real run can (every household has its own), and the floor, run second,
    never paid for one."""
    before = set(fonts._subsets)
    try:
        return run(*args, **kwargs)
    finally:
        for key in [k for k in fonts._subsets if k not in before]:
            fonts._packed.pop(fonts._subsets.pop(key), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 households")
    parser.add_argument("--households", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    n = 100 if args.quick else args.households

    register_font()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store = open_store(tmp / "bench.db")
        places.ensure_county(store)
        started = time.perf_counter()
        demo.build_demo(store, households=n, as_of=AS_OF)
        build_s = time.perf_counter() - started
        village = store.rows("SELECT id, name FROM villages WHERE deleted = 0 ORDER BY code LIMIT 1")[0]
        store.db.execute("UPDATE households SET village_id = ?", [village["id"]])  # one big village
        households = hb.households_of(store, village=village["name"])
        ids = [h["id"] for h in households]
        assert len(ids) == n, (len(ids), n)

        # One typical handbook: a household of three (the commonest size).
        typical = store.rows("SELECT h.id FROM households h WHERE (SELECT count(*) FROM members m WHERE "
                             "m.household_id = h.id AND m.deleted = 0) = 3 ORDER BY h.number LIMIT 1")[0]["id"]
        one = tmp / "one.pdf"
        times = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            pages_one = hb.write_handbook(store, typical, one, as_of=AS_OF)
            times.append((time.perf_counter() - t) * 1000)
        one_ms, one_kb = statistics.median(times), one.stat().st_size / 1024

        # The village batch, one PDF per household, through the batch API.
        out = tmp / "village"
        t = time.perf_counter()
        files = hb.write_handbooks(store, ids, out, as_of=AS_OF)
        batch_wall_s = time.perf_counter() - t
        batch_kb = sum(f.stat().st_size for f in files) / 1024 / n

        # The same batch as one PDF.
        t = time.perf_counter()
        (combined,) = hb.write_handbooks(store, ids, tmp / "combined", combined=True, as_of=AS_OF)
        combined_s = time.perf_counter() - t
        combined_kb = combined.stat().st_size / 1024 / n

        # Ours against the floor, household by household, interleaved and in
        # CPU time, so that other work on the machine weighs on both alike.
        # The batch and the combined PDF above leave cyclic garbage (ReportLab's documents,
        # canvases and flowables refer to each other): collect it now, or the next full
        # collection charges its cost to whichever side of the comparison allocates then
        # (a 1,000-household combined PDF made the first 200 households of ours 10-20 % dearer).
        gc.collect()
        common = hb.shared(store, as_of=AS_OF)  # what the batch API reads once for the batch
        prepared = []
        for hid in ids:
            d = hb.collect(store, hid, common=common)
            flow = hb.story(d)
            start = flow[0]  # the SectionStart with the running header
            prepared.append((texts_of(flow), (start.header_left, start.header_right), hb.common_text(d)))
        floor_dir = tmp / "floor"
        floor_dir.mkdir()
        ours_cpu = floor_cpu = 0.0
        floor_pages = our_pages = 0
        for i, (hid, (lines, header, seed)) in enumerate(zip(ids, prepared)):
            t0 = time.process_time()
            pages = own_subsets(hb.write_handbook, store, hid, out / f"again-{i}.pdf", common=common)
            t1 = time.process_time()
            floor_pages += own_subsets(floor_write, floor_dir / f"{i}.pdf", lines, header, pages, seed)
            t2 = time.process_time()
            our_pages += pages
            ours_cpu += t1 - t0
            floor_cpu += t2 - t1
        floor_kb = sum(f.stat().st_size for f in floor_dir.iterdir()) / 1024 / n
        members = store.db.execute("SELECT count(*) FROM members WHERE deleted = 0").fetchone()[0]

    value = ours_cpu * 1000 / n
    floor = floor_cpu * 1000 / n
    print(f"demo county of {n} households ({members} members) built in {build_s:.1f} s")
    print(f"one typical handbook (3 members): {one_ms:.1f} ms, {one_kb:.1f} KB, {pages_one} pages")
    print(f"village batch, one PDF each: {batch_wall_s:.1f} s wall = {batch_wall_s * 1000 / n:.1f} ms/household, "
          f"{batch_kb:.1f} KB/household")
    print(f"one PDF each, CPU time interleaved with the floor: {value:.1f} ms/household")
    print(f"village batch, one combined PDF: {combined_s:.1f} s = {combined_s * 1000 / n:.1f} ms/household, "
          f"{combined_kb:.1f} KB/household")
    print(f"floor (bare ReportLab, same text, same font handling): {floor:.1f} ms/household, "
          f"{floor_kb:.1f} KB/household")
    print(f"ratio: {value / floor:.2f}x the floor")
    print(json.dumps({
        "benchmark": "handbook_batch_ms_per_household", "value": round(value, 2), "unit": "ms",
        "floor": round(floor, 2), "ratio": round(value / floor, 3),
        "params": {"households": n, "members": members, "clock": "process CPU time",
                   "batch_wall_ms_per_household": round(batch_wall_s * 1000 / n, 2),
                   "one_handbook_ms": round(one_ms, 1),
                   "one_handbook_kb": round(one_kb, 1), "one_handbook_pages": pages_one,
                   "kb_per_household": round(batch_kb, 1), "floor_kb_per_household": round(floor_kb, 1),
                   "combined_ms_per_household": round(combined_s * 1000 / n, 2),
                   "combined_kb_per_household": round(combined_kb, 1), "pages": our_pages,
                   "floor_pages": floor_pages},
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
