"""The national system's list exports, sheet by sheet: telling a worksheet's
kind (``monitoring``, ``households``, ``spells``, ``planned``, or a 2020
``roster``) from its header row, finding that row, and mapping its columns to
keys (``household.*``, ``member.*``, ``spell.*``), the unknown ones kept as
extras. The rows themselves are read by ``list_rows``; the import of several
files as one is ``national``."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine as calamine
from xlsxwriter.utility import xl_col_to_name

from ..storage import Store
from .columns import normalize_header, roster_format
from .read import HEADER_SCAN_ROWS, MIN_HEADER_MATCHES, cell_text, is_blank, open_workbook, worksheet

MEMBER_KINDS = ("roster", "monitoring")
KIND_LABELS = {"roster": "花名册", "monitoring": "监测对象信息", "households": "户信息",
               "spells": "务工信息", "planned": "计划外出务工信息"}

# The work-spell list's own columns (``spells.SpellRow`` fields), matched
# before the roster's: in a spell list 务工企业名称 and 月收入 are the spell's.
SPELL = "spell."
WORKING = "spell.working"  # 是否已务工: a row saying 否 without a start is no spell
SPELL_COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("start_month", "开始时间", ("务工开始时间", "开始务工时间", "外出务工开始时间", "务工开始时间(年月)")),
    ("end_month", "结束时间", ("务工结束时间", "结束务工时间", "外出务工结束时间")),
    ("place", "务工所在地", ("务工地点", "务工地址", "务工所在地(县级)")),
    ("county", "务工所在县", ("务工所在县(市、区)", "务工所在县(市、区、旗)", "务工县")),
    ("channel", "就业渠道", ("务工渠道", "就业方式")),
    ("employer", "务工企业名称", ("务工单位", "务工单位名称", "就业单位", "务工企业")),
    ("industry", "所属行业", ("务工行业", "行业")),
    ("monthly_income", "务工月收入", ("月收入", "月收入(元)", "务工月收入(元)", "月均收入")),
    ("point_to_point", "是否点对点输送", ("点对点输送", "是否点对点")),
    ("transport_subsidy", "年度交通费补助", ("交通费补助", "年度交通费补助(元)", "一次性交通补助")),
    ("note", "务工备注", ()),
    ("working", "是否已务工", ("是否务工", "是否外出务工")),
)
SPELL_HEADERS = {key: header for key, header, _ in SPELL_COLUMNS}
# A planned-work list names these member fields (and the person).
PLANNED_FIELDS = ("planned_work", "planned_work_county", "work_service_needs")
_IDENTITY = {"member.name", "member.id_number"}
# Columns only a spell list has (就业渠道, 就业单位 and 月收入 are also a 2020 roster's).
_SPELL_ONLY = {SPELL + k for k in ("start_month", "end_month", "place", "county", "industry", "point_to_point",
                                   "transport_subsidy", "working")}
_MONITORING_FIELDS = {"household.household_type", "household.monitoring_category", "household.monitoring_since"}


def _spell_lookup() -> dict[str, str]:
    out: dict[str, str] = {}
    for key, header, aliases in SPELL_COLUMNS:
        for name in (header, *aliases):
            out[normalize_header(name)] = SPELL + key
    return out


_SPELL_LOOKUP = _spell_lookup()


# ---------------------------------------------------------------- telling the kind

@dataclass
class ListSheet:
    """A worksheet of one file: its kind and, for the lists read here, its layout."""

    path: Path
    file_label: str  # the file's name as the problems name it ("" in a one-file import)
    index: int
    name: str
    kind: str
    sheet: calamine.CalamineSheet  # loaded once (calamine reads a whole sheet)
    header_row: int = 0
    header_cells: list = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)  # key -> cell index
    headers: dict[str, str] = field(default_factory=dict)  # key -> header as written
    extras: list[tuple[int, str]] = field(default_factory=list)
    unnamed: list[int] = field(default_factory=list)
    start_col: int = 0

    def header(self, key: str, default: str) -> str:
        return self.headers.get(key, default)


class Vocabulary:
    """Header -> key for the lists: the roster's columns (``household.*``,
    ``member.*``, county/town/village …) and the spell list's (``spell.*``)."""

    def __init__(self, store: Store):
        self.fmt = roster_format(store.questionnaire)
        member_keys = {f.key for f in store.questionnaire.member.fields}
        self.planned = {f"member.{k}" for k in PLANNED_FIELDS if k in member_keys}

    def key(self, header: Any, *, spells: bool = True) -> str | None:
        norm = normalize_header(header)
        if not norm:
            return None
        if spells and norm in _SPELL_LOOKUP:
            return _SPELL_LOOKUP[norm]
        col = self.fmt.lookup.get(norm)
        return col.key if col is not None else None

    def kind_of(self, cells: list) -> str | None:
        keys = {k for k in map(self.key, cells) if k}
        has_id = "member.id_number" in keys
        answers = {k for k in keys if k.startswith("member.")} - _IDENTITY - self.planned
        spell_signal = SPELL + "start_month" in keys or len(keys & _SPELL_ONLY) >= 2
        # A person list may carry a 务工所在地 of its own; a spell list names the
        # person, not his survey (at most 与户主关系 or so).
        if has_id and spell_signal and len(answers) <= 2:
            return "spells"
        if has_id and keys & self.planned and not answers:
            return "planned"
        if has_id and "household.number" in keys and ("member.name" in keys or answers):
            return "monitoring" if keys & _MONITORING_FIELDS else "roster"
        if not has_id and "household.number" in keys and "member.name" not in keys and len(keys) >= 2:
            return "households"
        return None


def survey_file(path: Path, vocab: Vocabulary, file_label: str) -> tuple[calamine.CalamineWorkbook, list[ListSheet]]:
    """Open a workbook and tell each visible worksheet's kind. A sheet whose
    header is not found is left out (a notes sheet beside the lists); the
    caller decides what a file without any list means."""
    workbook = open_workbook(path)
    found: list[ListSheet] = []
    try:
        for index, meta in enumerate(workbook.sheets_metadata):
            if meta.typ != calamine.SheetTypeEnum.WorkSheet or meta.visible != calamine.SheetVisibleEnum.Visible:
                continue
            # A large sheet is read a block of rows at a time (read.worksheet).
            sheet = worksheet(workbook, path, index)
            if sheet.end is None:
                continue
            kind, row, cells = _find_kind(vocab, sheet)
            if kind is None:
                continue
            item = ListSheet(path, file_label, index, sheet.name, kind, sheet, row, list(cells),
                             start_col=sheet.start[1] if sheet.start else 0)
            if kind not in MEMBER_KINDS:
                _layout(vocab, item)
            found.append(item)
    except BaseException:
        workbook.close()
        raise
    return workbook, found


def _find_kind(vocab: Vocabulary, sheet: calamine.CalamineSheet) -> tuple[str | None, int, list]:
    """(kind, header row number, header cells): the first row that names a
    list (a national export's is one of its first five rows; up to thirty
    title rows are tolerated, as the roster import always has), or that has
    at least three roster headers (the roster import then checks it)."""
    for index, cells in enumerate(itertools.islice(sheet.iter_rows(), HEADER_SCAN_ROWS)):
        kind = vocab.kind_of(cells)
        if kind is not None:
            return kind, index + 1, cells
        if sum(1 for c in cells if not is_blank(c) and vocab.fmt.match(c) is not None) >= MIN_HEADER_MATCHES:
            return "roster", index + 1, cells  # the roster import finds and checks it
    return None, 0, []


def _layout(vocab: Vocabulary, item: ListSheet) -> None:
    spells = item.kind == "spells"
    for i, cell in enumerate(item.header_cells):
        text = cell_text(cell)
        if not text:
            item.unnamed.append(i)
            continue
        key = vocab.key(text, spells=spells)
        if key is None or key.startswith(SPELL) and not spells:
            if not vocab.fmt.is_ignored(text):
                item.extras.append((i, text))
            continue
        if key in item.columns:
            item.extras.append((i, text))  # a second column of the same name: kept, not lost
            continue
        item.columns[key] = i
        item.headers[key] = text


def rows_under_header(item: ListSheet) -> Iterator[tuple[int, list]]:
    """(Excel row number, cells) of the rows under the header."""
    rows = item.sheet.iter_rows()
    for _ in range(item.header_row):
        next(rows, None)
    for number, cells in enumerate(rows, start=item.header_row + 1):
        yield number, cells


def cell_at(cells: list, index: int | None) -> Any:
    if index is None or index >= len(cells):
        return None
    return cells[index]


def text_cell(value: Any) -> Any:
    """A cell as the questionnaire should see it: Excel's 6.0 is 6, blank is None."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def extras_of(item: ListSheet, cells: list) -> dict[str, str]:
    kept = {}
    for i, header in item.extras:
        text = cell_text(cell_at(cells, i))
        if text:
            kept[header] = text
    for i in item.unnamed:
        text = cell_text(cell_at(cells, i))
        if text:
            kept[f"列{xl_col_to_name(i + item.start_col)}"] = text
    return kept
