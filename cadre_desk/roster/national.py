"""The national system's list exports (domain.md §11) beside the 2020 roster:
several files read as one import.

A county office downloads from the national system one workbook per list,
the header on the third row under two title rows:

- （自定义）监测对象信息 — one row per person, household columns repeated: read
  like the roster (``importer``), kind ``monitoring`` (a 2020 花名册 is kind
  ``roster``);
- （乡村建设）户信息 — one row per household: ``households``;
- （务工月监测）已外出务工信息 — one row per work spell, several per person:
  ``spells``, written through ``spells.save_spells`` (the same person and start
  month is the same spell: re-importing updates it);
- 计划外出务工信息 — one row per person: ``planned``.

Each worksheet's kind is told from its header row, which may be any of the
first five rows (a 2020 roster's, as before, any of the first thirty). The
files given together are one import in one transaction: the member lists
first (they create the households and members the other lists refer to),
then the household, spell and planned-work lists. All or nothing: one bad
row anywhere and nothing is written, unless bad rows are skipped; every bad
row is named by file, sheet, row and column.

Columns the app does not know are kept with their row — a member's in
``members.roster_extra`` (as before), a household's in
``households.roster_extra``, a spell's in ``work_spells.extra``, a planned-work
row's in ``members.planned_extra`` — and ``export.export_roster`` writes them
back. After the import the questionnaire's check rules are run over the
households and members the files named (``checks.check_register``): their
findings are warnings of the result, nothing is refused for them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import python_calamine as calamine
from xlsxwriter.utility import xl_col_to_name

from .. import register, validation
from ..errors import CadreDeskError
from ..idnumber import parse_id_number
from ..questionnaire import ERROR, Problem
from ..storage import Store
from .columns import COUNTY, TOWN, VILLAGE, normalize_header, roster_format
from .read import HEADER_SCAN_ROWS, MIN_HEADER_MATCHES, cell_text, is_blank, not_excel, open_workbook
from .result import BadRow, ImportResult, RosterImportFailed, file_failure

CHUNK_ROWS = 2000

MEMBER_KINDS = ("roster", "monitoring")
KIND_LABELS = {"roster": "花名册", "monitoring": "监测对象信息", "households": "户信息",
               "spells": "务工信息", "planned": "计划外出务工信息"}
# The order in which a file set is applied: members create what the others name.
_ORDER = {"roster": 0, "monitoring": 0, "households": 1, "spells": 2, "planned": 3}

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
            try:
                sheet = workbook.get_sheet_by_index(index)
            except (calamine.CalamineError, ValueError) as exc:
                raise not_excel(path, exc) from None
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


def _rows(item: ListSheet) -> Iterator[tuple[int, list]]:
    """(Excel row number, cells) of the rows under the header."""
    rows = item.sheet.iter_rows()
    for _ in range(item.header_row):
        next(rows, None)
    for number, cells in enumerate(rows, start=item.header_row + 1):
        yield number, cells


def _cell(cells: list, index: int | None) -> Any:
    if index is None or index >= len(cells):
        return None
    return cells[index]


def _text_cell(value: Any) -> Any:
    """A cell as the questionnaire should see it: Excel's 6.0 is 6, blank is None."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def _extras(item: ListSheet, cells: list) -> dict[str, str]:
    kept = {}
    for i, header in item.extras:
        text = cell_text(_cell(cells, i))
        if text:
            kept[header] = text
    for i in item.unnamed:
        text = cell_text(_cell(cells, i))
        if text:
            kept[f"列{xl_col_to_name(i + item.start_col)}"] = text
    return kept


# ---------------------------------------------------------------- the import

def import_files(store: Store, paths: Sequence[str | Path], *, allowed_numbers: set[str] | None = None,
                 skip_bad_rows: bool = False, progress: Callable[[int, int | None], None] | None = None,
                 cancel: Callable[[], bool] | None = None, as_of: dt.date | None = None,
                 **importer_options: Any) -> ImportResult:
    """Import ``paths`` (2020 rosters and national list exports, in any order)
    as one import; see the module docstring. Raises ``RosterImportFailed``
    (nothing written) for a file that cannot be read, a sheet without its
    required columns, or bad rows unless ``skip_bad_rows``. ``importer_options``
    go to the roster import of the member lists (``importer.Importer``)."""
    return NationalImport(store, [Path(p) for p in paths], allowed_numbers=allowed_numbers,
                          skip_bad_rows=skip_bad_rows, progress=progress, cancel=cancel, as_of=as_of,
                          importer_options=importer_options).run()


class NationalImport:
    def __init__(self, store: Store, paths: list[Path], *, allowed_numbers, skip_bad_rows, progress, cancel,
                 as_of, importer_options=None):
        if not paths:
            raise CadreDeskError("请至少选择一个要导入的文件")
        self.store = store
        self.paths = paths
        self.allowed_numbers = allowed_numbers
        self.skip = skip_bad_rows
        self.progress = progress
        self.cancel = cancel
        self.as_of = as_of or dt.date.today()
        self.q = store.questionnaire
        self.importer_options = dict(importer_options or {})
        self.vocab = Vocabulary(store)
        self.many = len(paths) > 1
        self.result = ImportResult(skipped_rows=skip_bad_rows)
        self.touched_households: set[str] = set()  # household numbers the files named
        self.touched_members: set[str] = set()  # member ids of the spell and planned lists
        self.bad_member_rows: dict[str, str] = {}  # ID number -> where its member row was bad (this import)
        self.done = 0
        self.total = 0

    # ------------------------------------------------------------ driver
    def run(self) -> ImportResult:
        surveyed: list[tuple[calamine.CalamineWorkbook, Path, list[ListSheet]]] = []
        res = self.result
        try:
            for path in self.paths:
                workbook, sheets = survey_file(path, self.vocab, path.name if self.many else "")
                surveyed.append((workbook, path, sheets))
            self.total = sum(s.sheet.total_height or 0 for _, _, sheets in surveyed for s in sheets)
            failures: list[RosterImportFailed] = []
            with self.store.transaction():
                order = sorted(((min((_ORDER[s.kind] for s in sheets), default=0), i)
                                for i, (_, _, sheets) in enumerate(surveyed)))
                for stage in range(4):
                    for _, i in order:
                        workbook, path, sheets = surveyed[i]
                        try:
                            self._apply(stage, path, sheets)
                        except RosterImportFailed as exc:
                            if len(self.paths) == 1 or exc.result.bad_rows and exc.result.bad_rows[0].kind in (
                                    "missing", "format", "empty", "columns"):
                                failures.append(self._named(exc, path))
                                continue
                            raise
                if failures:
                    raise self._combined_failure(failures)
                if res.bad_rows and not self.skip:
                    self._sort()
                    raise RosterImportFailed(
                        f"{res.bad_row_count} 行有问题，没有导入任何数据。请按问题清单改正后重新导入，"
                        "或选择跳过问题行（--skip-bad-rows）", self._failed())
                self._after_import()
                res.written = True
        finally:
            for workbook, _, _ in surveyed:
                workbook.close()
        self._sort()
        return res

    def _named(self, exc: RosterImportFailed, path: Path) -> RosterImportFailed:
        if not self.many:
            return exc
        result = exc.result
        result.bad_rows[:] = [replace(b, file=path.name) for b in result.bad_rows]
        return RosterImportFailed(f"文件 {path.name}：{exc.message}", result)

    def _combined_failure(self, failures: list[RosterImportFailed]) -> RosterImportFailed:
        if len(failures) == 1 and not self.result.bad_rows:
            return failures[0]
        result = self._failed()
        for f in failures:
            result.bad_rows.extend(f.result.bad_rows)
        message = "；".join(f.message for f in failures)
        return RosterImportFailed(f"{message}。没有导入任何数据", result)

    def _failed(self) -> ImportResult:
        r = self.result
        return ImportResult(bad_rows=list(r.bad_rows), extra_columns=r.extra_columns,
                            ignored_columns=r.ignored_columns, converted_ids=r.converted_ids, headers=r.headers,
                            bad_cells=r.bad_cells, files=r.files)

    def _sort(self) -> None:
        files = {p.name: i for i, p in enumerate(self.paths)}
        self.result.bad_rows.sort(key=lambda b: (files.get(b.file, 0), b.sheet, b.row or 0))

    def _apply(self, stage: int, path: Path, sheets: list[ListSheet]) -> None:
        """Stage 0: the file's member sheets (or the whole file, when no sheet
        is a national list: the roster import's own messages then say what
        is wrong with it); 1–3: its household, spell and planned lists."""
        if stage == 0:
            members = [s for s in sheets if s.kind in MEMBER_KINDS]
            if members or not sheets:
                self._import_members(path, members)
            return
        kind = ("households", "spells", "planned")[stage - 1]
        for item in sheets:
            if item.kind == kind:
                self.result.files.append({"file": path.name, "sheet": item.name, "kind": kind})
                getattr(self, f"_read_{kind}")(item)

    # ------------------------------------------------------------ member lists: the roster import
    def _import_members(self, path: Path, sheets: list[ListSheet]) -> None:
        from .importer import Importer

        importer = Importer(self.store, path, allowed_numbers=self.allowed_numbers, skip_bad_rows=True,
                            progress=self._progress_from(self.done), cancel=self.cancel,
                            sheets={s.index: s.sheet for s in sheets} or None,
                            terms="2021" if sheets and all(s.kind == "monitoring" for s in sheets) else "2020",
                            **self.importer_options)
        got = importer.run()
        self.touched_households.update(importer.reconciler.households)
        for s in sheets:
            self.result.files.append({"file": path.name, "sheet": s.name, "kind": s.kind})
        self.done += sum(s.sheet.total_height or 0 for s in sheets)
        self._note_bad_members(got, path)
        self._merge(got, path)

    def _note_bad_members(self, got: ImportResult, path: Path) -> None:
        """The ID numbers of member rows refused in this import: a spell or
        planned-work row of that person then says where the trouble is."""
        for bad in got.bad_rows:
            cells = got.bad_cells.get((bad.sheet, bad.row))
            header = got.headers.get(bad.sheet) or []
            index = next((i for i, h in enumerate(header) if self.vocab.key(h, spells=False) == "member.id_number"),
                         None)
            if cells is None or index is None or index >= len(cells):
                continue
            try:
                number = parse_id_number(cells[index]).value
            except CadreDeskError:
                continue
            file = f"{path.name} " if self.many else ""
            self.bad_member_rows.setdefault(number, f"{file}工作表“{bad.sheet}”第 {bad.row} 行")

    def _progress_from(self, base: int):
        if self.progress is None:
            return None
        return lambda done, total: self.progress(base + done, self.total or total)

    def _merge(self, got: ImportResult, path: Path) -> None:
        res = self.result
        label = path.name if self.many else ""
        for name in ("households_created", "households_updated", "members_created", "members_updated",
                     "members_unchanged", "cadres_changed", "pairings_dated_today"):
            setattr(res, name, getattr(res, name) + getattr(got, name))
        res.bad_rows.extend(replace(b, file=label) for b in got.bad_rows)
        res.extra_columns.extend(c for c in got.extra_columns if c not in res.extra_columns)
        res.ignored_columns.extend(c for c in got.ignored_columns if c not in res.ignored_columns)
        res.converted_ids.extend(got.converted_ids)
        res.not_own_rows.extend(got.not_own_rows)
        for sheet, cells in got.headers.items():
            res.headers[_sheet_key(label, sheet)] = cells
        for (sheet, row), cells in got.bad_cells.items():
            res.bad_cells[_sheet_key(label, sheet), row] = cells
        for table, ids in got.changed.items():
            res.changed.setdefault(table, set()).update(ids)

    # ------------------------------------------------------------ common
    def _bad(self, item: ListSheet, row: int | None, column: str, reason: str, kind: str, cells: list) -> None:
        self.result.bad_rows.append(BadRow(item.name, row, column, reason, kind, file=item.file_label))
        self.result.bad_cells.setdefault((_sheet_key(item.file_label, item.name), row), list(cells))

    def _start(self, item: ListSheet, required: Sequence[tuple[str, str]]) -> None:
        res = self.result
        res.headers[_sheet_key(item.file_label, item.name)] = item.header_cells
        for _, header in item.extras:
            if header not in res.extra_columns:
                res.extra_columns.append(header)
        missing = [label for key, label in required if key not in item.columns]
        if missing:
            found = [t for t in (cell_text(c) for c in item.header_cells) if t]
            message = (f"工作表“{item.name}”（{KIND_LABELS[item.kind]}）缺少必需的列：{'、'.join(missing)}。"
                       f"找到的列：{'、'.join(found)}。请补上这些列后重新导入")
            if item.file_label:
                message = f"文件 {item.file_label}：{message}"
            failure = file_failure(item.path, message, "columns", sheet=item.name, row=item.header_row)
            failure.result.bad_rows[:] = [replace(b, file=item.file_label) for b in failure.result.bad_rows]
            raise failure

    def _tick(self, n: int) -> None:
        self.done += n
        if self.cancel is not None and self.cancel():
            raise CadreDeskError("已取消导入，数据库没有任何改动")
        if self.progress is not None:
            self.progress(self.done, self.total or None)

    def _id_of(self, item: ListSheet, number: int, cells: list) -> str | None:
        """The row's ID number, checked; a bad one is a bad row (None)."""
        header = item.header("member.id_number", "证件号码")
        raw = _cell(cells, item.columns["member.id_number"])
        if isinstance(raw, float):
            if raw.is_integer() and abs(raw) >= 1e15:
                self._bad(item, number, header, f"证件号码被Excel存成了数字（{raw:.5E}），后几位已丢失："
                                                 "请把该列设置为文本格式后重新录入", "float", cells)
                return None
            raw = cell_text(raw)
        try:
            return parse_id_number(raw).value
        except CadreDeskError as exc:
            self._bad(item, number, header, str(exc), "id", cells)
            return None

    def _members_by_id(self, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """ID number -> (member id, household number) of registered members."""
        out: dict[str, tuple[str, str]] = {}
        values = list(dict.fromkeys(ids))
        for start in range(0, len(values), 500):
            block = values[start:start + 500]
            for r in self.store.rows(
                    "SELECT m.id_number, m.id, h.number FROM members m JOIN households h ON h.id = m.household_id "
                    f"WHERE m.deleted = 0 AND m.id_number IN ({', '.join('?' * len(block))})", block):
                out[r["id_number"]] = (r["id"], r["number"])
        return out

    def _not_registered(self, item: ListSheet, number: int, id_number: str, cells: list) -> None:
        where = self.bad_member_rows.get(id_number)
        if where is not None:
            self._bad(item, number, item.header("member.id_number", "证件号码"),
                      f"证件号码 {id_number} 的成员在{where}有问题，没有导入，本行因此也没有导入：请先改正那一行",
                      "member_row_bad", cells)
            return
        self._bad(item, number, item.header("member.id_number", "证件号码"),
                  f"证件号码 {id_number} 的成员没有登记：请先导入（或同时导入）他所在户的监测对象信息（家庭成员名单）",
                  "unknown_member", cells)

    def _own(self, item: ListSheet, number: int, household_number: str) -> bool:
        if self.allowed_numbers is None or household_number in self.allowed_numbers:
            return True
        self.result.not_own_rows.append(f"{item.name} 第 {number} 行（户编号 {household_number}）")
        return False

    def _chunks(self, item: ListSheet, keep: Callable[[list], bool]) -> Iterator[list[tuple[int, list]]]:
        rows = _rows(item)
        while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
            yield [(n, c) for n, c in chunk if keep(c)]
            self._tick(len(chunk))

    # ------------------------------------------------------------ the household list
    def _read_households(self, item: ListSheet) -> None:
        from ..checks import rule_fields
        from ..values import from_storage

        self._start(item, [("household.number", "户编号")])
        part = self.q.household
        i_number = item.columns["household.number"]
        given = [(k.split(".", 1)[1], i) for k, i in item.columns.items()
                 if k.startswith("household.") and k != "household.number"]
        given_keys = {k for k, _ in given}
        # The stored answers the rules read beside the list's own (the rules see the whole record).
        stored_keys = [k for k in rule_fields(part) if k not in given_keys]
        keeps_extras = bool(item.extras or item.unnamed)
        cols = "".join(f", [{k}]" for k in stored_keys)
        stored = {r[1]: r for r in self.store.db.execute(
            f"SELECT id, number{cols} FROM households WHERE deleted = 0").fetchall()}
        for chunk in self._chunks(item, lambda c: not is_blank(_cell(c, i_number))):
            pending = []
            for number, cells in chunk:
                hh_number = cell_text(_cell(cells, i_number))
                if not self._own(item, number, hh_number):
                    continue
                row = stored.get(hh_number)
                if row is None:
                    self._bad(item, number, item.header("household.number", "户编号"),
                              f"户编号 {hh_number} 没有登记：请先导入（或同时导入）该户的监测对象信息（家庭成员名单）",
                              "unknown_household", cells)
                    continue
                pending.append((number, cells, row))
            if not pending:
                continue
            raw = {k: [_text_cell(_cell(cells, i)) for _, cells, _ in pending] for k, i in given}
            for j, k in enumerate(stored_keys, start=2):
                fld = part.by_key[k]
                raw[k] = [from_storage(fld, row[j]) for _, _, row in pending]
            block = validation.check_columns(part, raw, len(pending), as_of=self.as_of)
            changes = []
            for n, ((number, cells, row), problems) in enumerate(zip(pending, block.problems)):
                errors = [p for p in problems if p.severity == ERROR and p.field in given_keys]
                if errors:
                    for p in errors:
                        fld = part.by_key[p.field]
                        self._bad(item, number, item.header(f"household.{p.field}", fld.label), p.message,
                                  p.rule or "value", cells)
                    continue
                self.touched_households.add(row[1])
                change = register.encode(part, {k: block.columns[k][n] for k in given_keys})
                if keeps_extras:
                    kept = _extras(item, cells)
                    change["roster_extra"] = json.dumps(kept, ensure_ascii=False) if kept else None
                changes.append((row[0], change))
            if changes and (self.skip or not self.result.bad_rows):
                for (row_id, _), diff in zip(changes, self.store.update_many("households", changes)):
                    if diff:
                        self.result.households_updated += 1
                        self.result.changed.setdefault("households", set()).add(row_id)

    # ------------------------------------------------------------ the planned-work list
    def _read_planned(self, item: ListSheet) -> None:
        self._start(item, [("member.id_number", "证件号码")])
        part = self.q.member
        i_id = item.columns["member.id_number"]
        given = [(k.split(".", 1)[1], i) for k, i in item.columns.items()
                 if k.startswith("member.") and k.split(".", 1)[1] in PLANNED_FIELDS]
        keeps_extras = bool(item.extras or item.unnamed)
        for chunk in self._chunks(item, lambda c: not is_blank(_cell(c, i_id))):
            ids = [(n, c, self._id_of(item, n, c)) for n, c in chunk]
            known = self._members_by_id([v for _, _, v in ids if v])
            rows, refs = [], []
            for number, cells, id_number in ids:
                if id_number is None:
                    continue
                if id_number not in known:
                    self._not_registered(item, number, id_number, cells)
                    continue
                member_id, hh_number = known[id_number]
                if not self._own(item, number, hh_number):
                    continue
                answers = {k: _text_cell(_cell(cells, i)) for k, i in given}
                extra = {}
                if keeps_extras:
                    kept = _extras(item, cells)
                    extra["planned_extra"] = json.dumps(kept, ensure_ascii=False) if kept else None
                rows.append(register.MemberRow(answers, member_id=member_id, extra=extra))
                refs.append((number, cells))
                self.touched_members.add(member_id)
            if not rows:
                continue
            checked = register.check_members(self.store, rows, as_of=self.as_of, block_missing=False)
            for c, (number, cells) in zip(checked, refs):
                errors = [p for p in c.problems if p.severity == ERROR and p.field in c.row.answers]
                for p in errors:
                    fld = part.by_key[p.field]
                    self._bad(item, number, item.header(f"member.{p.field}", fld.label), p.message,
                              p.rule or "value", cells)
                # Only this list's answers are judged here: the rest of the record is the member list's.
                c.problems[:] = errors
            if self.skip or not self.result.bad_rows:
                written = register.write_members(self.store, checked, surveyed=False)
                self.result.members_updated += written.updated
                for table, changed in written.changed.items():
                    self.result.changed.setdefault(table, set()).update(changed)

    # ------------------------------------------------------------ the work-spell list
    def _read_spells(self, item: ListSheet) -> None:
        from .. import spells

        self._start(item, [("member.id_number", "证件号码"), (SPELL + "start_month", "开始时间")])
        i_id = item.columns["member.id_number"]
        cols = {k[len(SPELL):]: i for k, i in item.columns.items() if k.startswith(SPELL)}
        keeps_extras = bool(item.extras or item.unnamed)
        where = f"{item.file_label} " if item.file_label else ""
        for chunk in self._chunks(item, lambda c: not is_blank(_cell(c, i_id))):
            ids = [(n, c, self._id_of(item, n, c)) for n, c in chunk]
            known = self._members_by_id([v for _, _, v in ids if v])
            rows, refs = [], []
            for number, cells, id_number in ids:
                if id_number is None:
                    continue
                values = {k: _cell(cells, i) for k, i in cols.items()}
                working = cell_text(values.pop("working", None))
                if working in ("否", "0") and is_blank(values.get("start_month")):
                    continue  # 是否已务工 否: not a spell
                if id_number not in known:
                    self._not_registered(item, number, id_number, cells)
                    continue
                member_id, hh_number = known[id_number]
                if not self._own(item, number, hh_number):
                    continue
                extra = (_extras(item, cells) or None) if keeps_extras else spells.KEEP
                rows.append(spell_row(spells, member_id, values, extra, ref=f"{where}第 {number} 行"))
                refs.append((number, cells))
                self.touched_members.add(member_id)
            if not rows:
                continue
            if self.skip or not self.result.bad_rows:
                outcome = spells.save_spells(self.store, rows, skip_bad=True, as_of=self.as_of)
            else:
                outcome = spells.check_spells(self.store, rows)  # nothing will be written: only the problems
            for problems, (number, cells) in zip(outcome.problems, refs):
                for p in problems:
                    column = self._spell_column(item, p.field)
                    if p.severity == ERROR:
                        self._bad(item, number, column, p.message, p.rule or "spell", cells)
                    else:
                        self.result.warnings.append(BadRow(item.name, number, column, p.message,
                                                           p.rule or "warning", file=item.file_label))
            if outcome.written:
                self.result.spells_created += outcome.created
                self.result.spells_updated += outcome.updated
                self.result.spells_unchanged += outcome.unchanged
                if outcome.changed:
                    self.result.changed.setdefault("work_spells", set()).update(outcome.changed)

    @staticmethod
    def _spell_column(item: ListSheet, field_key: str | None) -> str:
        """The header in the file of the column a spell problem is about."""
        if field_key in (None, "id_number", "member_id"):
            return item.header("member.id_number", "证件号码")
        if field_key == "place" and SPELL + "place" not in item.columns:
            return item.header(SPELL + "county", SPELL_HEADERS["county"])
        return item.header(SPELL + field_key, SPELL_HEADERS.get(field_key, field_key))

    # ------------------------------------------------------------ after the rows: the check rules
    def _after_import(self) -> None:
        from ..checks import check_register

        res = self.result
        numbers = set(self.touched_households)
        if self.touched_members:
            ids = list(self.touched_members)
            for start in range(0, len(ids), 500):
                block = ids[start:start + 500]
                numbers.update(r["number"] for r in self.store.rows(
                    "SELECT h.number FROM members m JOIN households h ON h.id = m.household_id "
                    f"WHERE m.id IN ({', '.join('?' * len(block))})", block))
        if numbers:
            report = check_register(self.store, household_numbers=numbers, as_of=self.as_of, spells=False)
            res.findings.extend(report)


def _sheet_key(file_label: str, sheet: str) -> str:
    """The key of a sheet's header and cells in an ``ImportResult`` (the file's
    name comes first in a several-file import, where sheet names repeat)."""
    return f"{file_label}｜{sheet}" if file_label else sheet


def spell_row(spells, member_id: str, values: dict[str, Any], extra: Any, *, ref: str | None = None):
    """A spell list's row as a ``spells.SpellRow``: cells as the export has
    them (the write path coerces them); a column the list does not have keeps
    the stored value (``KEEP``). 务工所在县 completes 务工所在地."""
    given = {k: (None if is_blank(v) else v) for k, v in values.items()}
    if "county" in given:
        place = cell_text(given.get("place"))
        county = cell_text(given.pop("county"))
        if county and county not in place:
            place = f"{place}{county}"
        given["place"] = place or None
    for key in ("channel", "employer", "industry", "note", "place"):
        if isinstance(given.get(key), float):
            given[key] = cell_text(given[key])
    return spells.SpellRow(member_id=member_id, extra=extra, ref=ref,
                           **{k: v for k, v in given.items() if k in SPELL_FIELD_NAMES})


SPELL_FIELD_NAMES = {"start_month", "end_month", "place", "channel", "employer", "industry", "monthly_income",
                     "point_to_point", "transport_subsidy", "note"}
