"""The employment assistance handbook (就业帮扶手册) as PDF files: one
household's (``write_handbook``), or a batch's, one file each or one for the
batch (``write_handbooks``). The data is read by ``handbook_data``, laid out by
``handbook_layout``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from reportlab.platypus import NextPageTemplate, PageBreak

from .. import places, register
from ..errors import NotFound
from ..policies import Policy
from ..storage import Store
from .document import CadreDocTemplate, PrintCancelled
from .flowables import Grid, Heading, TextBlock
from .handbook_data import HandbookData, Shared, collect, issuer_of, shared
from .handbook_layout import TITLE, story

__all__ = ["TITLE", "HandbookData", "Shared", "collect", "common_text", "handbook_file_name", "households_of",
           "issuer_of", "safe_file_part", "shared", "story", "write_handbook", "write_handbook_by_number",
           "write_handbooks"]


def safe_file_part(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_") or "未命名"


def handbook_file_name(hh: Mapping[str, Any]) -> str:
    head = safe_file_part(hh.get("head_name") or "")
    return f"就业帮扶手册_{safe_file_part(hh.get('number') or '')}_{head}.pdf"


def unique_path(folder: Path, name: str, taken: set[str]) -> Path:
    """``folder/name``, or ``name`` with _2, _3 … when an earlier file of the
    same batch has that name: household numbers such as "A/1" and "A:1"
    differ only in characters a file name cannot hold. Compared without case
    (Windows file names ignore it)."""
    stem, suffix = name.rsplit(".", 1) if "." in name else (name, "")
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{stem}_{n}.{suffix}" if suffix else f"{stem}_{n}"
    taken.add(candidate.lower())
    return folder / candidate


# ---------------------------------------------------------------- writing PDFs

_seeds: dict[tuple, str] = {}


def common_text(d: HandbookData) -> str:
    """The characters every handbook printed with the same labels, date and
    issuer draws, in order of first use: those of a handbook of a household
    with nobody and nothing recorded, and of the running header and footer.
    Seeds the font subsets (``fonts.seed_subsets``), so that these
    characters' subsets are cut once per process instead of once per file."""
    key = (d.as_of, d.issuer, d.age_min, d.age_max, tuple(d.member_labels.items()),
           tuple(d.household_labels.items()), d.place.get("county", ""), d.households_term)
    seed = _seeds.get(key)
    if seed is None:
        blank = HandbookData(household={}, place={"county": d.place.get("county", "")}, members=[], ages={},
                             cadres=[], working_age=[], policies=[], visits=[], measures=[], as_of=d.as_of,
                             issuer=d.issuer, age_min=d.age_min, age_max=d.age_max, member_labels=d.member_labels,
                             household_labels=d.household_labels, households_term=d.households_term)
        flow = story(blank)
        texts = [flow[0].header_left, flow[0].header_right, "第页共"]
        for f in flow:
            if isinstance(f, Heading) or type(f) is TextBlock:
                if f.style_name != "plain":  # the "nobody / no policy" notes of an empty household
                    texts.append(f.text)
            elif isinstance(f, Grid):
                texts += f.texts()
        seed = "".join(dict.fromkeys("".join(texts)))
        if len(_seeds) > 16:
            _seeds.clear()
        _seeds[key] = seed
    return seed


def _doc(target, title: str, on_page_done=None, subset_seed: str = "") -> CadreDocTemplate:
    return CadreDocTemplate(target, title=title, subject=TITLE, on_page_done=on_page_done, subset_seed=subset_seed)


def write_handbook(store: Store, household_id: str, target, *, as_of: dt.date | None = None,
                   policies: list[Policy] | None = None, common: Shared | None = None) -> int:
    """Write one household's handbook to ``target`` (path or binary file); returns its page count.
    ``common``: what a batch shares (``shared``), read here when not given."""
    return _write(collect(store, household_id, as_of=as_of, policies=policies, common=common), target)


def _write(d: HandbookData, target) -> int:
    title = f"{TITLE}（户编号 {d.number}）"
    if isinstance(target, Path):
        from ..safe_write import replacing

        with replacing(target) as tmp:  # no partial PDF after a full disk or a crash
            doc = _doc(str(tmp), title, subset_seed=common_text(d))
            doc.build(story(d))
        return doc.page
    doc = _doc(target, title, subset_seed=common_text(d))
    doc.build(story(d))
    return doc.page


def write_handbook_by_number(store: Store, number: str, target, *, as_of: dt.date | None = None) -> int:
    hh = register.household_by_number(store, number)
    return write_handbook(store, hh["id"], target, as_of=as_of)


def households_of(store: Store, *, village: str | None = None, town: str | None = None) -> list[dict]:
    """The households of a village (by name, optionally within a town) or of
    the whole county, in village and household-number order."""
    sql = ("SELECT h.id, h.number, h.head_name, v.name AS village FROM households h "
           "JOIN villages v ON v.id = h.village_id JOIN towns t ON t.id = v.town_id WHERE h.deleted = 0")
    params: list = []
    if village or town:
        found = places.find_villages(store, town=town, village=village)
        if not found:
            raise NotFound(f"没有找到名为“{village or town}”的行政村，请检查名称")
        sql += f" AND h.village_id IN ({', '.join('?' * len(found))})"
        params += [v["id"] for v in found]
    return store.rows(sql + " ORDER BY t.code, v.code, h.number", params)


ProgressFn = Callable[[int, int, str], None]


def write_handbooks(store: Store, household_ids: Iterable[str], out_dir: str | Path, *, combined: bool = False,
                    combined_name: str = "就业帮扶手册_合订本.pdf", as_of: dt.date | None = None,
                    progress: ProgressFn | None = None, cancelled: Callable[[], bool] | None = None
                    ) -> list[Path]:
    """Handbooks for many households: one PDF each in ``out_dir`` (file names
    carry the household number), or with ``combined`` one PDF for the batch,
    each handbook numbered on its own and bookmarked under its household.
    Returns the files written. ``cancelled()`` is polled between households;
    a cancelled batch raises ``PrintCancelled`` and removes a partial combined file."""
    ids = list(household_ids)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    common = shared(store, as_of=as_of)
    total = len(ids)

    def check(i: int, text: str) -> None:
        if cancelled is not None and cancelled():
            raise PrintCancelled()
        if progress is not None:
            progress(i, total, text)

    if combined:
        path = out / combined_name
        flow: list = []
        for i, hid in enumerate(ids):
            check(i, "正在读取数据")
            d = collect(store, hid, common=common)
            if flow:
                flow += [NextPageTemplate("cover"), PageBreak()]
            flow += story(d, outline_title=f"{d.number} {d.head_name}")

        def page_done(_page: int) -> None:
            # each handbook is one section of the document: report by household
            check(doc.sections_started, "正在排版")

        from ..safe_write import replacing

        with replacing(path) as tmp:  # a cancelled or failed batch leaves no partial file
            doc = _doc(str(tmp), f"{TITLE}（{total} 户）", on_page_done=page_done)
            doc.build(flow)
        if progress is not None:
            progress(total, total, "完成")
        return [path]

    written, taken = [], set()
    for i, hid in enumerate(ids):
        d = collect(store, hid, common=common)
        check(i, f"户编号 {d.household.get('number')}")
        path = unique_path(out, handbook_file_name(d.household), taken)
        _write(d, path)
        written.append(path)
    if progress is not None:
        progress(total, total, "完成")
    return written
