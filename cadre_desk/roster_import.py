"""Import a county roster (花名册, domain.md §10) into the register.

One row per member, household columns repeated on every member row. Headers
are found by name (``roster_format``) below any title rows; rows without a
name and an ID number (blank rows, notes and totals under the data) are
skipped. Every value goes through the questionnaire's ``validate``; a member
is matched by ID number, so importing an updated roster again updates the
same records in place (through ``Store.update``, so the change log records
it) and creates no duplicates.

The import is all-or-nothing: one bad row and nothing is written, unless the
caller asks to skip bad rows. Every bad row is reported with its sheet, the
row number Excel shows, the column and a Chinese reason.

Rows are streamed from python-calamine's row iterator and written in chunks
inside one transaction (bulk inserts through ``Store.insert_many``), so a
50,000-row roster never exists as Python objects all at once.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import operator
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine as calamine
from xlsxwriter.utility import xl_col_to_name

from . import places, register, search
from .codes import code_list
from .errors import CadreDeskError, ImportFailed
from .idnumber import normalize_raw, parse_id_number, sex_of, well_formed_18
from .xlsx_guard import check_workbook
from .questionnaire import (
    ERROR,
    WARNING,
    CoerceError,
    Field,
    Part,
    Problem,
    display,
    field_coercer,
    row_encoder,
    tuple_encoder,
    validate,
)
from .roster_format import (
    CADRE,
    COUNTY,
    SEX,
    SURVEY_SECTIONS,
    TOWN,
    VILLAGE,
    RosterFormat,
    roster_format,
)
from .storage import Store

CHUNK_ROWS = 2000  # rows parsed between two writes, progress reports and cancel checks
HEADER_SCAN_ROWS = 30  # title rows tolerated above the header row
MIN_HEADER_MATCHES = 3  # known headers that make a row the header row
IMPORT_CACHE_KB = 65536  # SQLite page cache while importing (see ``_Importer.run``)

# Relations that say the member's sex. Only used to decide which of two rows
# carrying the same ID number is the copy error (see ``_Importer._claim_id``).
_RELATION_SEX = {
    **dict.fromkeys(("之子", "之父", "之女婿", "之孙子", "之外孙子", "之岳父", "之公公", "之祖父", "之外祖父"), "男"),
    **dict.fromkeys(("之女", "之母", "之儿媳", "之孙女", "之外孙女", "之岳母", "之婆婆", "之祖母", "之外祖母"), "女"),
}


@dataclass(frozen=True)
class BadRow:
    """One problem of one row. ``row`` is the row number Excel shows (1-based,
    title rows counted); ``column`` is the header as written in the file."""

    sheet: str
    row: int | None
    column: str
    reason: str
    kind: str

    def to_json(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "reason": self.reason,
                "kind": self.kind}

    def line(self) -> str:
        where = f"工作表“{self.sheet}”" if self.sheet else ""
        if self.row:
            where += f"第 {self.row} 行"
        col = f"【{self.column}】" if self.column else ""
        return f"{where}{col}：{self.reason}"


@dataclass(frozen=True)
class ConvertedId:
    """An old 15-digit ID number that was converted to 18 digits."""

    sheet: str
    row: int
    old: str
    new: str


@dataclass
class ImportResult:
    households_created: int = 0
    households_updated: int = 0
    members_created: int = 0
    members_updated: int = 0
    members_unchanged: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)  # kept aside per member
    ignored_columns: list[str] = field(default_factory=list)  # recognised and not needed (序号)
    converted_ids: list[ConvertedId] = field(default_factory=list)
    skipped_rows: bool = False  # bad rows were skipped (and the rest written)
    # On a cadre's laptop: rows of households it does not hold (cadre_desk/sync), reported, not applied.
    not_own_rows: list[str] = field(default_factory=list)
    written: bool = False
    # For the error workbook: each sheet's header cells and each bad row's cells.
    headers: dict[str, list] = field(default_factory=dict)
    bad_cells: dict[tuple[str, int], list] = field(default_factory=dict)

    @property
    def bad_row_count(self) -> int:
        return len({(b.sheet, b.row) for b in self.bad_rows})

    def to_json(self) -> dict:
        return {
            "households_created": self.households_created,
            "households_updated": self.households_updated,
            "members_created": self.members_created,
            "members_updated": self.members_updated,
            "members_unchanged": self.members_unchanged,
            "bad_rows": [b.to_json() for b in self.bad_rows],
            "extra_columns": list(self.extra_columns),
            "converted_ids": [{"sheet": c.sheet, "row": c.row, "from": c.old, "to": c.new}
                              for c in self.converted_ids],
        }

    def summary(self) -> str:
        """One Chinese line: what was written and what was left out."""
        head = "导入完成" if self.written else "未导入"
        parts = [f"{head}：新建 {self.households_created} 户、更新 {self.households_updated} 户；"
                 f"新建成员 {self.members_created} 人、更新 {self.members_updated} 人、"
                 f"未变 {self.members_unchanged} 人"]
        if self.bad_rows:
            parts.append(f"问题行 {self.bad_row_count} 行" + ("（已跳过）" if self.skipped_rows else ""))
        else:
            parts.append("问题行 0 行")
        if self.not_own_rows:
            parts.append(f"{len(self.not_own_rows)} 行不属于本机负责的户，未导入（请交县就业办导入）")
        if self.converted_ids:
            parts.append(f"{len(self.converted_ids)} 个15位证件号码已转换为18位")
        if self.extra_columns:
            parts.append(f"其他列 {len(self.extra_columns)} 列已另存：{'、'.join(self.extra_columns)}")
        if self.ignored_columns:
            parts.append(f"忽略的列：{'、'.join(self.ignored_columns)}")
        return "；".join(parts)


class RosterImportFailed(ImportFailed):
    """Nothing was imported. ``result`` holds the bad rows found (and, for a
    file that cannot be read at all, one problem describing it)."""

    def __init__(self, message: str, result: ImportResult):
        super().__init__(message, result.bad_rows)
        self.result = result


def import_roster(store: Store, path: str | Path, *, skip_bad_rows: bool = False,
                  progress: Callable[[int, int | None], None] | None = None,
                  cancel: Callable[[], bool] | None = None) -> ImportResult:
    """Import the roster at ``path``; see the module docstring.

    Raises ``RosterImportFailed`` when the file cannot be read, lacks required
    columns, is empty, or has bad rows (unless ``skip_bad_rows``); the database
    is then left as it was. ``cancel()`` is checked between chunks of rows; a
    cancelled import writes nothing and raises ``CadreDeskError``."""
    importer = _Importer(store, Path(path), skip_bad_rows=skip_bad_rows, progress=progress, cancel=cancel)
    return importer.run()


# ---------------------------------------------------------------- reading the file

def _file_failure(path: Path, message: str, kind: str, *, sheet: str = "", row: int | None = None,
                  column: str = "") -> RosterImportFailed:
    result = ImportResult()
    result.bad_rows.append(BadRow(sheet, row, column, message, kind))
    return RosterImportFailed(message, result)


def _open_workbook(path: Path) -> calamine.CalamineWorkbook:
    name = path.name
    if not path.exists():
        raise _file_failure(path, f"找不到文件 {path}，请检查文件名和路径", "missing")
    if path.is_dir():
        raise _file_failure(path, f"{path} 是文件夹，不是 Excel 文件。请选择花名册的 .xlsx 文件", "format")
    check_workbook(path)  # issue 12 §5: refuse a huge sheet or a zip bomb before calamine allocates it
    try:
        return calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError:
        raise _file_failure(path, f"文件 {name} 设有密码，无法读取。请在 Excel 中取消密码后另存，再导入",
                            "format") from None
    except (calamine.CalamineError, ValueError, UnicodeError) as exc:
        raise _not_excel(path, exc) from None
    except OSError as exc:
        raise _file_failure(path, f"无法读取文件 {name}：{exc.strerror or exc}。请检查文件是否被占用或有无权限",
                            "format") from None


def _not_excel(path: Path, exc: BaseException) -> RosterImportFailed:
    return _file_failure(path, f"文件 {path.name} 不是 Excel 工作簿，或已损坏，无法读取。"
                               "请在 Excel 中打开它并另存为 .xlsx 后重新导入", "format")


def _cell_text(value: Any) -> str:
    """A cell as text, the way Excel shows it (6.0 -> '6')."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value).strip()


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


@dataclass
class _Sheet:
    """A worksheet's layout: where each known column is, what else it has."""

    name: str
    header_row: int  # Excel row number of the header
    header_cells: list
    columns: dict[str, int]  # Column.key -> cell index
    headers: dict[str, str]  # Column.key -> header as written in the file
    extras: list[tuple[int, str]]  # (cell index, header) of unknown columns
    unnamed: list[int]  # cell indexes without a header
    ignored: list[str]
    rows: Iterator[list]  # the data rows still to read
    first_data_row: int
    total_rows: int
    start_col: int  # calamine's rows begin at the sheet's first used column


def _match_header(fmt: RosterFormat, cells: list) -> int:
    return sum(1 for c in cells if not _is_blank(c) and fmt.match(c) is not None)


def _scan_sheet(fmt: RosterFormat, sheet: calamine.CalamineSheet) -> tuple[_Sheet | None, list | None, int]:
    """Find the header row. Returns (layout, None, 0) for a roster sheet, or
    (None, best candidate row, its row number) for a sheet without a header
    row (or (None, None, 0) for an empty one)."""
    rows = sheet.iter_rows()
    best: tuple[int, int, list | None, int] = (-1, -1, None, 0)
    for index in range(HEADER_SCAN_ROWS):
        try:
            cells = next(rows)
        except StopIteration:
            break
        matches = _match_header(fmt, cells)
        if matches >= MIN_HEADER_MATCHES:
            return _layout(fmt, sheet, cells, index + 1, rows), None, 0
        filled = sum(1 for c in cells if not _is_blank(c))
        if filled and (matches, filled) > best[:2]:
            best = (matches, filled, cells, index + 1)
    return None, best[2], best[3]


def _layout(fmt: RosterFormat, sheet: calamine.CalamineSheet, cells: list, header_row: int,
            rows: Iterator[list]) -> _Sheet:
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    extras: list[tuple[int, str]] = []
    unnamed: list[int] = []
    ignored: list[str] = []
    for i, cell in enumerate(cells):
        text = _cell_text(cell)
        if not text:
            unnamed.append(i)
            continue
        col = fmt.match(text)
        if col is not None and col.key not in columns:
            columns[col.key] = i
            headers[col.key] = text
        elif fmt.is_ignored(text):
            ignored.append(text)
        else:
            # Unknown, or a second column of the same name: kept aside, not lost.
            extras.append((i, text))
    total = (sheet.end[0] + 1) if sheet.end else header_row
    return _Sheet(sheet.name, header_row, list(cells), columns, headers, extras, unnamed, ignored, rows,
                  header_row + 1, total, sheet.start[1] if sheet.start else 0)


# ---------------------------------------------------------------- one parsed row

@dataclass
class _Row:
    sheet: str
    row: int
    cells: list
    household_number: str
    place: tuple[str, str]  # (town name as written, village)
    household_values: dict[str, Any]  # coerced household answers (columns present); read-only
    hh_memo: dict[str, Any]  # the remembered answers it came from (``household_values`` adds the head's)
    rest: dict[str, Any]  # coerced member answers other than name and ID number, pruned; read-only (shared)
    encoded: tuple | None  # ``rest`` as stored, in ``_Importer.rest_columns`` order (new members)
    name: str | None
    id_number: str
    sex: str
    birth_date: str
    relation_contradicts: bool
    cadre: str | None
    extras: str | None  # JSON of the kept-aside columns, or None
    existing: tuple | None = None  # (member id, household id, household number) in the database

    @property
    def member_values(self) -> dict[str, Any]:
        return {**self.rest, "name": self.name, "id_number": self.id_number}


@dataclass
class _Household:
    number: str
    sheet: str
    first_row: int
    village_key: tuple[str, str]
    values: dict[str, Any]  # coerced household answers as first seen
    cadre: str | None
    memo: dict[str, Any] | None = None  # the first row's remembered answers (``_Row.hh_memo``)
    db_id: str | None = None
    is_new: bool = False
    paired: bool = False
    updated: bool = False


class _Importer:
    def __init__(self, store: Store, path: Path, *, skip_bad_rows: bool, progress, cancel):
        self.store = store
        self.path = path
        self.skip = skip_bad_rows
        self.progress = progress
        self.cancel = cancel
        self.q = store.questionnaire
        self.fmt = roster_format(self.q)
        self.result = ImportResult(skipped_rows=skip_bad_rows)
        self.today = dt.date.today()
        self.version = self.q.version
        self.sex_codes = code_list("sex")
        # What the database already holds.
        self.existing_members: dict[str, tuple] = {}
        self.existing_households: dict[str, tuple[str, str]] = {}
        self.cadres: dict[str, str] = {}
        self.villages: dict[tuple[str, str], str] = {}  # (town id, village name) -> id
        self.village_counts: dict[str, int] = {}  # town id -> villages (deleted ones too)
        self.towns: dict[str, dict | None] = {}
        self.county_name = ""
        # What this file holds so far.
        self.households: dict[str, _Household] = {}
        self.seen_ids: dict[str, tuple[str, int, bool]] = {}  # id -> (sheet, row, contradicts)
        self.deferred: dict[str, _Row] = {}  # rows held back until no better twin shows up
        self.moves: list[_Row] = []  # IDs registered in another household of the database
        self.chunk: list[_Row] = []
        self.headers_by_sheet: dict[str, dict[str, str]] = {}  # Column.key -> header as written
        self.extras_by_sheet: dict[str, bool] = {}
        self._sheet_order: dict[str, int] = {}
        self.done_rows = 0
        self.total_rows = 0
        self._id_stamp = int(dt.datetime.now().timestamp() * 1000)
        self._id_counter = 0
        self._id_random = uuid.uuid4().hex[:12]  # drawn once per import: the counter keeps ids apart
        self.encode_household = row_encoder(self.q.household)
        # A new member's row: these columns, then the rest of the questionnaire's.
        base_columns = ["household_id", "sex", "birth_date", "questionnaire_version", "roster_extra", *_IDENTITY]
        self.rest_columns = [f.key for f in self.q.member.fields if f.key not in base_columns]
        self.member_columns = [*base_columns, *self.rest_columns]
        self.encode_rest = tuple_encoder(self.q.member, self.rest_columns)

    # ------------------------------------------------------------ driver
    def run(self) -> ImportResult:
        workbook = _open_workbook(self.path)
        conn = self.store.db.conn
        cache_size = conn.execute("PRAGMA cache_size").fetchone()[0]
        # A large import inserts into indexes keyed by random values (ID
        # numbers, name pieces of the search index): with SQLite's default 2 MB
        # page cache a 100,000-row import spends more time re-reading index
        # pages than inserting. 64 MB for the duration of the import.
        conn.execute(f"PRAGMA cache_size = {min(cache_size, -IMPORT_CACHE_KB)}")
        try:
            with self.store.transaction(), search.bulk_inserts(self.store.db):
                self._load_existing()
                self._read(workbook)
                self._finish()
                if self.result.bad_rows and not self.skip:
                    raise RosterImportFailed(
                        f"{self.result.bad_row_count} 行有问题，没有导入任何数据。请按问题清单改正后重新导入，"
                        "或选择跳过问题行（--skip-bad-rows）", self._failed_result())
                self.result.written = True
        finally:
            workbook.close()
            conn.execute(f"PRAGMA cache_size = {cache_size}")
        self.result.bad_rows.sort(key=lambda b: (self._sheet_order.get(b.sheet, 0), b.row or 0))
        return self.result

    def _failed_result(self) -> ImportResult:
        r = self.result
        r.bad_rows.sort(key=lambda b: (self._sheet_order.get(b.sheet, 0), b.row or 0))
        failed = ImportResult(bad_rows=r.bad_rows, extra_columns=r.extra_columns,
                              ignored_columns=r.ignored_columns, converted_ids=r.converted_ids,
                              headers=r.headers, bad_cells=r.bad_cells)
        return failed

    @property
    def writing(self) -> bool:
        return self.skip or not self.result.bad_rows

    def _load_existing(self) -> None:
        county_id = places.ensure_county(self.store)
        self.county_name = self.store.get("counties", county_id)["name"]
        for r in self.store.rows(
                "SELECT m.id_number, m.id, m.household_id, h.number FROM members m "
                "JOIN households h ON h.id = m.household_id WHERE m.deleted = 0 AND m.id_number IS NOT NULL"):
            self.existing_members[r["id_number"]] = (r["id"], r["household_id"], r["number"])
        for r in self.store.rows("SELECT number, id, village_id FROM households WHERE deleted = 0"):
            self.existing_households[r["number"]] = (r["id"], r["village_id"])
        for r in self.store.rows("SELECT name, id FROM cadres WHERE deleted = 0 ORDER BY created_at"):
            self.cadres.setdefault(r["name"], r["id"])
        # Villages in bulk (``places.ensure_village`` per village cost five
        # statements and a savepoint each): the first of a name, as
        # ``places.village_by_name`` finds it, and each town's count for codes.
        for r in self.store.rows("SELECT town_id, name, id FROM villages WHERE deleted = 0 ORDER BY rowid"):
            self.villages.setdefault((r["town_id"], r["name"]), r["id"])
        for r in self.store.rows("SELECT town_id, count(*) AS n FROM villages GROUP BY town_id"):
            self.village_counts[r["town_id"]] = r["n"]
        from .sync.roles import allowed_household_numbers

        self.allowed_numbers = allowed_household_numbers(self.store)  # None: no limit (county office)

    # ------------------------------------------------------------ sheets
    def _read(self, workbook: calamine.CalamineWorkbook) -> None:
        roster_sheets = 0
        candidate = None
        any_cells = False
        for index, meta in enumerate(workbook.sheets_metadata):
            if meta.typ != calamine.SheetTypeEnum.WorkSheet or meta.visible != calamine.SheetVisibleEnum.Visible:
                continue  # charts, and hidden sheets (code lists behind drop-downs)
            try:
                sheet = workbook.get_sheet_by_index(index)
            except (calamine.CalamineError, ValueError) as exc:
                raise _not_excel(self.path, exc) from None
            if sheet.end is None:
                continue
            any_cells = True
            layout, best, best_row = _scan_sheet(self.fmt, sheet)
            if layout is None:
                if best is not None and (candidate is None or
                                         _match_header(self.fmt, best) > _match_header(self.fmt, candidate[1])):
                    candidate = (sheet.name, best, best_row)
                continue
            self._check_required(layout)
            self._sheet_order[layout.name] = index
            roster_sheets += 1
            self._read_sheet(layout)
        if not any_cells:
            raise _file_failure(self.path, f"文件 {self.path.name} 是空的，没有任何内容。请选择填好的花名册", "empty")
        if not roster_sheets:
            if candidate is None:
                raise _file_failure(self.path, f"文件 {self.path.name} 中没有花名册数据", "empty")
            name, cells, row = candidate
            self._missing_columns(name, row, cells, set())
        if not self.seen_ids and not self.result.bad_rows:
            raise _file_failure(self.path, f"文件 {self.path.name} 中只有表头，没有成员数据行。请填好成员后再导入",
                                "empty")

    def _check_required(self, layout: _Sheet) -> None:
        present = set(layout.columns)
        if all(c.key in present for c in self.fmt.required):
            return
        self._missing_columns(layout.name, layout.header_row, layout.header_cells, present)

    def _missing_columns(self, sheet: str, row: int, cells: list, present: set[str]) -> None:
        missing = [c.header for c in self.fmt.required if c.key not in present]
        found = [t for t in (_cell_text(c) for c in cells) if t]
        message = (f"工作表“{sheet}”缺少必需的列：{'、'.join(missing)}。"
                   f"找到的列：{'、'.join(found) or '（无）'}。请按花名册格式补上这些列（列名可用别名）后重新导入")
        raise _file_failure(self.path, message, "columns", sheet=sheet, row=row)

    def _read_sheet(self, layout: _Sheet) -> None:
        res = self.result
        res.headers[layout.name] = layout.header_cells
        for _, header in layout.extras:
            if header not in res.extra_columns:
                res.extra_columns.append(header)
        for header in layout.ignored:
            if header not in res.ignored_columns:
                res.ignored_columns.append(header)
        self.total_rows += layout.total_rows
        self.done_rows += layout.header_row  # title and header rows
        parser = _RowParser(self, layout)
        row_number = layout.first_data_row - 1
        while chunk := list(itertools.islice(layout.rows, CHUNK_ROWS)):
            parser.known_ids = well_formed_18([cells[parser.i_id] for cells in chunk])
            for cells in chunk:
                row_number += 1
                parsed = parser.parse(cells, row_number)
                if parsed is not None:
                    self._accept(parsed)
            self.done_rows += len(chunk)
            self._flush()
            self._tick()

    def _tick(self) -> None:
        if self.cancel is not None and self.cancel():
            raise CadreDeskError("已取消导入，数据库没有任何改动")
        if self.progress is not None:
            self.progress(self.done_rows, self.total_rows or None)

    # ------------------------------------------------------------ problems
    def bad(self, sheet: str, row: int, column: str, reason: str, kind: str, cells: list) -> None:
        self.result.bad_rows.append(BadRow(sheet, row, column, reason, kind))
        self.result.bad_cells.setdefault((sheet, row), list(cells))

    # ------------------------------------------------------------ row acceptance
    def _accept(self, row: _Row) -> None:
        """Claim the row's ID number and household; queue it for writing."""
        if getattr(self, "allowed_numbers", None) is not None and row.household_number not in self.allowed_numbers:
            self.result.not_own_rows.append(f"{row.sheet} 第 {row.row} 行（户编号 {row.household_number}）")
            return
        if not self._claim_id(row):
            return
        if not self._claim_household(row):
            self.seen_ids.pop(row.id_number, None)
            return
        if row.relation_contradicts:
            self.deferred[row.id_number] = row  # until no better row with this ID shows up
            return
        self._queue(row)

    def _queue(self, row: _Row) -> None:
        existing = self.existing_members.get(row.id_number)
        row.existing = existing
        if existing is not None and existing[2] != row.household_number:
            self.moves.append(row)  # decided when every household of the file is known
            return
        self.chunk.append(row)

    def _claim_id(self, row: _Row) -> bool:
        """The same ID number on two rows: one of them is a copy error. The row
        whose 与户主关系 contradicts the sex in the ID number is reported (that
        is the likelier mistake); if neither or both do, the later row is."""
        first = self.seen_ids.get(row.id_number)
        if first is None:
            self.seen_ids[row.id_number] = (row.sheet, row.row, row.relation_contradicts)
            return True
        sheet, number, first_contradicts = first
        held = self.deferred.get(row.id_number)
        if first_contradicts and not row.relation_contradicts and held is not None:
            del self.deferred[row.id_number]
            self._release_household(held)
            where = self._where(row.sheet, row.row, held.sheet)
            self.bad(held.sheet, held.row, self._id_header(held.sheet),
                     f"证件号码 {row.id_number} 与{where}重复，同一证件号码只能出现一次；本行与户主关系"
                     f"“{held.member_values.get('relation')}”与证件号码中的性别（{held.sex}）不符，"
                     "应是本行录错了，请核对", "duplicate", held.cells)
            self.seen_ids[row.id_number] = (row.sheet, row.row, False)
            return True
        where = self._where(sheet, number, row.sheet)
        self.bad(row.sheet, row.row, self._id_header(row.sheet),
                 f"证件号码 {row.id_number} 与{where}重复，同一证件号码只能出现一次，请核对", "duplicate", row.cells)
        return False

    def _where(self, sheet: str, row: int, from_sheet: str) -> str:
        return f"第 {row} 行" if sheet == from_sheet else f"工作表“{sheet}”第 {row} 行"

    def _id_header(self, sheet: str) -> str:
        return self.headers_by_sheet.get(sheet, {}).get("member.id_number", "证件号码")

    def _claim_household(self, row: _Row) -> bool:
        """The household columns of every row of one household must agree; the
        first good row defines them, later rows may fill what it left empty."""
        hh = self.households.get(row.household_number)
        if hh is None:
            self.households[row.household_number] = _Household(
                row.household_number, row.sheet, row.row, row.place, dict(row.household_values), row.cadre,
                row.hh_memo)
            return True
        if (row.household_values is row.hh_memo is hh.memo and row.place == hh.village_key
                and (row.cadre is None or row.cadre == hh.cadre)):
            return True  # the same household cells as its first row: nothing to compare or fill
        where = self._where(hh.sheet, hh.first_row, row.sheet)
        headers = self.headers_by_sheet.get(row.sheet, {})
        conflicts = []
        if row.place != hh.village_key:
            conflicts.append((headers.get(VILLAGE, "行政村"), "/".join(hh.village_key), "/".join(row.place)))
        for key, value in row.household_values.items():
            old = hh.values.get(key)
            if value is not None and old is not None and value != old:
                fld = self.q.household.by_key[key]
                conflicts.append((headers.get(f"household.{key}", fld.label), _show(fld, old), _show(fld, value)))
        if row.cadre and hh.cadre and row.cadre != hh.cadre:
            conflicts.append((headers.get(CADRE, "帮扶责任人"), hh.cadre, row.cadre))
        if conflicts:
            for header, old, new in conflicts:
                self.bad(row.sheet, row.row, header,
                         f"同一户（户编号 {row.household_number}）在{where}填的是“{old}”，本行是“{new}”，"
                         "请统一为同一个值", "household", row.cells)
            return False
        fill = {k: v for k, v in row.household_values.items() if v is not None and hh.values.get(k) is None}
        if fill:
            hh.values.update(fill)
            if hh.db_id is not None and self.writing:
                self._update_household(hh, fill)
        if row.cadre and not hh.cadre:
            hh.cadre = row.cadre
        return True

    def _release_household(self, row: _Row) -> None:
        """A row held back turned out bad: if its household came from it alone
        and is not written yet, forget the household (a later row may bring it)."""
        hh = self.households.get(row.household_number)
        if hh is None or hh.db_id is not None or (hh.sheet, hh.first_row) != (row.sheet, row.row):
            return
        waiting = (*self.chunk, *self.deferred.values(), *self.moves)
        if not any(r.household_number == row.household_number and r is not row for r in waiting):
            del self.households[row.household_number]

    # ------------------------------------------------------------ writing
    def _finish(self) -> None:
        for row in self.deferred.values():
            self._queue(row)
        self.deferred.clear()
        file_households = set(self.households)
        moves, self.moves = self.moves, []
        rejected = []
        for row in moves:
            if row.existing[2] in file_households:
                self.chunk.append(row)  # the roster moved this person to another household
            else:
                rejected.append(row)
        for row in rejected:
            where = register.describe_member_place(self.store, row.existing[0])
            town, village = row.place
            self.bad(row.sheet, row.row, self._id_header(row.sheet),
                     f"证件号码 {row.id_number} 已登记在 {where}（该户不在本文件中），本行是 {town}{village} "
                     f"户编号 {row.household_number}。同一证件号码在全县只能出现一次，请核对号码，"
                     "或先在原户中处理该成员", "duplicate", row.cells)
            self._release_household(row)
        self._flush()

    def _flush(self) -> None:
        rows, self.chunk = self.chunk, []
        if not rows or not self.writing:
            return
        new_households: list[dict] = []
        new_household_ids: list[str] = []
        new_members: list[tuple] = []
        new_member_ids: list[str] = []
        new_pairings: list[dict] = []
        updates: list[tuple[_Row, _Household]] = []
        to_pair: list[_Household] = []
        self._create_villages(dict.fromkeys(self.households[row.household_number].village_key for row in rows
                                            if self.households[row.household_number].db_id is None))
        for row in rows:
            hh = self.households[row.household_number]
            if hh.db_id is None:
                self._materialize(hh, new_households, new_household_ids)
            if row.existing is None:
                new_members.append((hh.db_id, row.sex, row.birth_date, self.version, row.extras, row.name,
                                    row.id_number, *row.encoded))
                new_member_ids.append(self._new_id())
            else:
                updates.append((row, hh))
            if hh.cadre and not hh.paired:
                to_pair.append(hh)
                hh.paired = True
        self._create_cadres({hh.cadre for hh in to_pair})
        for hh in to_pair:
            if hh.is_new:
                new_pairings.append({"household_id": hh.db_id, "cadre_id": self.cadres[hh.cadre],
                                     "since": self.today.isoformat(), "until": None})
            else:
                register.pair_cadre(self.store, hh.db_id, self.cadres[hh.cadre], self.today)
        self.store.insert_many("households", new_households, row_ids=new_household_ids)
        for row, hh in updates:  # after the inserts: a member may move into a new household
            self._update_member(row, hh)
        self.store.insert_tuples("members", self.member_columns, new_members, new_member_ids)
        self.store.insert_many("pairings", new_pairings, row_ids=[self._new_id() for _ in new_pairings])
        self.result.households_created += len(new_households)
        self.result.members_created += len(new_members)

    def _materialize(self, hh: _Household, new_rows: list[dict], new_ids: list[str]) -> None:
        village_id = self._village_id(hh.village_key)
        existing = self.existing_households.get(hh.number)
        if existing is None:
            hh.db_id = self._new_id()
            hh.is_new = True
            household = self.encode_household(hh.values)
            household.update(village_id=village_id, questionnaire_version=self.version)
            new_rows.append(household)
            new_ids.append(hh.db_id)
            self.existing_households[hh.number] = (hh.db_id, village_id)
            return
        hh.db_id = existing[0]
        changes = {**register.encode(self.q.household, hh.values), "village_id": village_id}
        if self.store.update("households", hh.db_id, changes):
            hh.updated = True
            self.result.households_updated += 1

    def _update_household(self, hh: _Household, fill: dict) -> None:
        diff = self.store.update("households", hh.db_id, register.encode(self.q.household, fill))
        if diff and not hh.is_new and not hh.updated:
            hh.updated = True
            self.result.households_updated += 1

    def _update_member(self, row: _Row, hh: _Household) -> None:
        member_id = row.existing[0]
        changes = {**register.encode(self.q.member, row.member_values), "household_id": hh.db_id,
                   "sex": row.sex, "birth_date": row.birth_date}
        if self.extras_by_sheet.get(row.sheet):
            changes["roster_extra"] = row.extras
        diff = self.store.update("members", member_id, changes)
        if diff:
            self.result.members_updated += 1
        else:
            self.result.members_unchanged += 1
        self.existing_members[row.id_number] = (member_id, hh.db_id, hh.number)

    def _new_id(self) -> str:
        """A new row id: 32 hex characters like ``uuid4().hex``, but time-ordered
        (milliseconds when the import began, a counter, 48 random bits drawn
        once per import, in the manner of UUIDv7), so that 100,000 inserts
        append to the id indexes instead of landing at random places in them
        (about a third faster here), without a call to the OS random source
        per row."""
        self._id_counter += 1
        return f"{self._id_stamp:012x}{self._id_counter:08x}{self._id_random}"

    def _village_id(self, key: tuple[str, str]) -> str:
        town_name, village_name = key
        return self.villages[self.town(town_name)["id"], village_name]

    def _create_villages(self, keys: Iterable[tuple[str, str]]) -> None:
        """``places.ensure_village`` for the villages of a chunk at once: the new
        ones get the next codes of their town and are inserted in one statement."""
        new_rows, new_ids = [], []
        for town_name, village_name in keys:  # in the order of the file, as ensure_village did
            town = self.town(town_name)
            if (town["id"], village_name) in self.villages:
                continue
            count = self.village_counts[town["id"]] = self.village_counts.get(town["id"], 0) + 1
            village_id = self.villages[town["id"], village_name] = self._new_id()
            new_rows.append({"town_id": town["id"], "name": village_name, "code": f"{town['code']}{count:03d}"})
            new_ids.append(village_id)
        self.store.insert_many("villages", new_rows, row_ids=new_ids)

    def town(self, name: str) -> dict | None:
        if name not in self.towns:
            self.towns[name] = places.town_by_name(self.store, name)
        return self.towns[name]

    def _create_cadres(self, names: set[str]) -> None:
        """Create the cadres the database does not know yet, in one statement:
        ``register.ensure_cadre`` (look up by name, else insert) for thousands
        of names at once."""
        new = sorted(n for n in names if n not in self.cadres)
        ids = self.store.insert_many("cadres", [{"name": n} for n in new], row_ids=[self._new_id() for _ in new])
        self.cadres.update(zip(new, ids))


def _show(fld: Field, value: Any) -> str:
    return display(fld, value)


# ---------------------------------------------------------------- parsing one row

class _RowParser:
    """Turns the cells of one data row into a ``_Row`` (or reports it bad).

    Apart from the name and the ID number, a roster's cells repeat a lot (code
    values, empty survey columns, the household columns on every member's
    row), so the work that depends on them alone is remembered by the cells'
    values: the member's other answers (``_member_rest``), the household's
    answers (``_household``) and the place checks (``_place``). What is
    remembered is exactly what the questionnaire's ``validate`` returned for
    those cells the first time; nothing is checked less."""

    def __init__(self, importer: _Importer, layout: _Sheet):
        self.imp = importer
        self.layout = layout
        self.sheet = layout.name
        q = importer.q
        cols = layout.columns
        self.member_cols = [(i, self.imp.fmt.column(k).field, layout.headers[k]) for k, i in cols.items()
                            if k.startswith("member.")]
        self.household_cols = [(i, self.imp.fmt.column(k).field) for k, i in cols.items()
                               if k.startswith("household.")]
        self.header_of = {k: layout.headers[k] for k in cols}
        importer.headers_by_sheet[self.sheet] = self.header_of
        importer.extras_by_sheet[self.sheet] = bool(layout.extras or layout.unnamed)
        self.i_name = cols["member.name"]
        self.i_id = cols["member.id_number"]
        self.i_number = cols["household.number"]
        self.i_town = cols[TOWN]
        self.i_village = cols[VILLAGE]
        self.i_county = cols.get(COUNTY)
        self.i_sex = cols.get(SEX)
        self.i_cadre = cols.get(CADRE)
        self.member_present = {f.key for _, f, _ in self.member_cols}
        self.household_present = {f.key for _, f in self.household_cols}
        self.member_missing = [f.key for f in q.member.fields if f.key not in self.member_present]
        self.derive_head_name = "head_name" not in self.household_present
        self.derive_head_id = "head_id_number" not in self.household_present
        # Remembering the other answers by value is safe only while no
        # relevance rule or error rule looks at the identity fields or the age
        # (warnings are not used here).
        self.cache_rest = _identity_free(q.member)
        self.rest_cols = [c for c in self.member_cols if c[1].key not in _IDENTITY]
        self.rest_cells = _cells_getter([i for i, _, _ in self.rest_cols])
        self.household_cells = _cells_getter([i for i, _ in self.household_cols])
        self.place_cells = _cells_getter([self.i_town, self.i_village,
                                          *([self.i_county] if self.i_county is not None else [])])
        self.identity = [(self.i_name, q.member.by_key["name"]), (self.i_id, q.member.by_key["id_number"])]
        self.identity_coercers = {k: field_coercer(q.member.by_key[k]) for k in _IDENTITY}
        self.member_memo: dict[tuple, tuple[dict, list]] = {}
        self.known_ids: set[str] = set()  # ID numbers of the current chunk written as they should be
        self.household_memo: dict[tuple, tuple[dict, list]] = {}
        self.place_memo: dict[tuple, tuple[str, str, list]] = {}

    def header(self, level: str, key: str, label: str) -> str:
        return self.header_of.get(f"{level}.{key}", label)

    def parse(self, cells: list, row_number: int) -> _Row | None:
        imp = self.imp
        id_value = cells[self.i_id]
        if _is_blank(cells[self.i_name]) and _is_blank(id_value):
            return None  # blank, or a notes / totals row under the data
        problems: list[tuple[str, str, str]] = []
        rest, encoded, name, id_number = self._member(cells, problems)
        hh_memo, hh_problems = self._household(cells)
        problems.extend(hh_problems)
        town, village, place_problems = self._place(cells)
        problems.extend(place_problems)
        id_sex = sex_of(id_number) if id_number else None
        if id_number and self.i_sex is not None and not _is_blank(cells[self.i_sex]):
            self._check_sex(cells[self.i_sex], id_sex, problems)
        cadre = None
        if self.i_cadre is not None:
            cadre = _cell_text(cells[self.i_cadre]) or None
            if cadre and len(cadre) > 30:
                problems.append((self.header_of[CADRE], "帮扶责任人姓名过长，每户只填一名帮扶责任人", "value"))

        if problems:
            for column, reason, kind in problems:
                imp.bad(self.sheet, row_number, column, reason, kind, cells)
            return None

        relation = rest.get("relation")
        hh_values = hh_memo
        if relation == "户主" and (self.derive_head_name and name or self.derive_head_id):
            hh_values = dict(hh_memo)
            if self.derive_head_name and name:
                hh_values["head_name"] = name
            if self.derive_head_id:
                hh_values["head_id_number"] = id_number
        if not (isinstance(id_value, str) and len(id_value) == 18):  # the common case needs no look
            old = normalize_raw(_cell_text(id_value))
            if len(old) == 15:
                imp.result.converted_ids.append(ConvertedId(self.sheet, row_number, old, id_number))
        implied = _RELATION_SEX.get(relation)
        return _Row(
            sheet=self.sheet, row=row_number, cells=cells, household_number=hh_values["number"],
            place=(town, village), household_values=hh_values, hh_memo=hh_memo, rest=rest, encoded=encoded,
            name=name, id_number=id_number, sex=id_sex, birth_date=_iso_birth_date(id_number),
            relation_contradicts=implied is not None and implied != id_sex, cadre=cadre,
            extras=self._extras(cells) if imp.extras_by_sheet[self.sheet] else None,
        )

    # ------------------------------------------------------------ member answers
    def _member(self, cells: list, problems: list) -> tuple[dict, tuple | None, str | None, str | None]:
        """The member's answers coerced and validated, as (the answers other
        than name and ID number, those as stored, name, ID number); problems
        that make the row bad are appended as (header, reason, kind)."""
        imp = self.imp
        existing = None
        if self.member_missing and imp.existing_members:
            try:
                existing = imp.existing_members.get(parse_id_number(cells[self.i_id]).value)
            except CadreDeskError:
                existing = None
        if existing is not None or not self.cache_rest:
            values = self._member_whole(cells, problems, existing)
            rest = {k: v for k, v in values.items() if k not in _IDENTITY}
            return rest, imp.encode_rest(rest), values.get("name"), values.get("id_number")
        rest, rest_problems, encoded = self._member_rest(cells)
        problems.extend(rest_problems)
        name, id_number = self._member_identity(cells, problems)
        return rest, encoded, name, id_number

    def _member_whole(self, cells: list, problems: list, existing: tuple | None) -> dict:
        """``validate`` of all the answers at once: for a member already in the
        database whose stored answers fill the columns this file lacks (the
        relevance rules must see the whole record), or a questionnaire whose
        rules read the identity fields."""
        imp = self.imp
        raw = {}
        for i, fld, header in self.member_cols:
            value = cells[i]
            raw[fld.key] = _excel_value(fld, value, problems, header) if type(value) is float else value
        if existing is not None:
            stored = register.member(imp.store, existing[0])
            raw = {**{k: stored.get(k) for k in self.member_missing}, **raw}
        values, found = validate(imp.q.member, raw, as_of=imp.today)
        problems.extend(self._row_problems(found, "member", cells[self.i_id]))
        if existing is not None:
            values = {k: v for k, v in values.items() if k in self.member_present}
        return values

    def _member_rest(self, cells: list) -> tuple[dict, list, tuple]:
        """``validate`` of the answers other than name and ID number, the
        problems it finds, and the answers as stored, remembered by the cells'
        values."""
        key = self.rest_cells(cells)
        hit = self.member_memo.get(key)
        if hit is None:
            imp = self.imp
            row_problems: list[tuple[str, str, str]] = []
            raw = {fld.key: _excel_value(fld, value, row_problems, header) if type(value) is float else value
                   for (_, fld, header), value in zip(self.rest_cols, key)}
            values, found = validate(imp.q.member, raw, as_of=imp.today)
            row_problems.extend(self._row_problems([p for p in found if p.field not in _IDENTITY], "member"))
            if len(self.member_memo) > 50_000:
                self.member_memo.clear()
            hit = self.member_memo[key] = (values, row_problems, imp.encode_rest(values))
        return hit

    def _member_identity(self, cells: list, problems: list) -> tuple[str | None, str | None]:
        """Name and ID number: ``coerce`` and the required check, as ``validate``
        does them (these two differ on every row, so nothing is remembered)."""
        found = []
        values = []
        for i, fld in self.identity:
            raw = cells[i]
            if i == self.i_id and raw in self.known_ids:  # checked with the rest of its chunk
                values.append(raw)
                continue
            if type(raw) is float:
                raw = _excel_value(fld, raw, problems, self.header("member", fld.key, fld.label))
            try:
                value = self.identity_coercers[fld.key](raw)
            except CoerceError as exc:
                values.append(None)
                found.append(Problem(fld.key, exc.message, ERROR, exc.kind))
                continue
            values.append(value)
            if value is None and fld.required:
                found.append(Problem(fld.key, f"请填写{fld.label}", ERROR, "required"))
        if found:
            problems.extend(self._row_problems(found, "member", cells[self.i_id]))
        return values[0], values[1]

    def _row_problems(self, found: list[Problem], level: str, id_value: Any = None) -> list[tuple[str, str, str]]:
        """The validation errors that make the row bad, as (header, reason, kind)."""
        part = self.imp.q.part(level)
        out = []
        for p in found:
            fld = part.by_key.get(p.field)
            if p.severity != ERROR or not self._blocks(fld, p.rule, level):
                continue
            fld = part.by_key[p.field]
            kind = p.rule or "value"
            if fld.type == "id_number" and kind == "length" and level == "member":
                kind = "short" if len(normalize_raw(_cell_text(id_value))) < 18 else "long"
            out.append((self.header(level, p.field, fld.label), p.message, kind))
        return out

    # ------------------------------------------------------------ household, place, sex
    def _household(self, cells: list) -> tuple[dict, list]:
        """The household's answers: the same on every row of a household, so
        validated once per distinct set of cells."""
        key = self.household_cells(cells)
        hit = self.household_memo.get(key)
        if hit is None:
            hh_problems: list[tuple[str, str, str]] = []
            hh_in = {fld.key: _excel_value(fld, value, hh_problems, self.header("household", fld.key, fld.label))
                     if type(value) is float else value for (_, fld), value in zip(self.household_cols, key)}
            hh_values, found = validate(self.imp.q.household, hh_in)  # answers of the columns present only
            hh_problems.extend(self._row_problems(found, "household"))
            if len(self.household_memo) > 20000:
                self.household_memo.clear()
            hit = self.household_memo[key] = (hh_values, hh_problems)
        return hit

    def _place(self, cells: list) -> tuple[str, str, list]:
        """Town and village as written, and their problems (remembered)."""
        key = self.place_cells(cells)
        hit = self.place_memo.get(key)
        if hit is None:
            hit = self.place_memo[key] = self._check_place(cells)
        return hit

    def _check_place(self, cells: list) -> tuple[str, str, list]:
        imp = self.imp
        problems = []
        town = _cell_text(cells[self.i_town])
        village = _cell_text(cells[self.i_village])
        if not town:
            problems.append((self.header_of[TOWN], "请填写乡(镇)", "required"))
        elif imp.town(town) is None:
            problems.append((self.header_of[TOWN], f"乡(镇)“{town}”不是{imp.county_name}的乡镇或街道，请检查名称",
                             "place"))
        if not village:
            problems.append((self.header_of[VILLAGE], "请填写行政村", "required"))
        if self.i_county is not None:
            county = _cell_text(cells[self.i_county])
            if county and _short_place(county) != _short_place(imp.county_name):
                problems.append((self.header_of[COUNTY],
                                 f"县(市、区)“{county}”不是本数据库的{imp.county_name}，请只导入本县的花名册", "place"))
        return town, village, problems

    def _check_sex(self, cell: Any, id_sex: str, problems: list) -> None:
        sex = self.imp.sex_codes.normalize(cell)
        if sex is None:
            problems.append((self.header_of[SEX], f"性别“{_cell_text(cell)}”应填“男”或“女”", "code"))
        elif sex != id_sex:
            problems.append((self.header_of[SEX], f"性别“{sex}”与证件号码中的性别（{id_sex}）不符，"
                             "请核对证件号码或性别", "sex"))

    def _blocks(self, fld: Field | None, rule: str | None, level: str) -> bool:
        """Does this validation error make the row bad? A missing answer does
        not when the file has no such column, or when it belongs to the survey
        (the cadre completes it at the door)."""
        if rule != "required" or fld is None:
            return True
        present = self.member_present if level == "member" else self.household_present
        if fld.key not in present:
            return False
        return fld.section not in SURVEY_SECTIONS

    def _extras(self, cells: list) -> str | None:
        kept = {}
        for i, header in self.layout.extras:
            text = _cell_text(cells[i])
            if text:
                kept[header] = text
        for i in self.layout.unnamed:
            if i < len(cells) and not _is_blank(cells[i]):
                header = f"列{xl_col_to_name(i + self.layout.start_col)}"
                kept[header] = _cell_text(cells[i])
                if header not in self.imp.result.extra_columns:
                    self.imp.result.extra_columns.append(header)
        return json.dumps(kept, ensure_ascii=False) if kept else None


_IDENTITY = ("name", "id_number")


def _cells_getter(indexes: list[int]) -> Callable[[list], tuple]:
    """The cells at ``indexes`` as a tuple (a memo key)."""
    if len(indexes) == 1:
        index = indexes[0]
        return lambda cells: (cells[index],)
    if not indexes:
        return lambda cells: ()
    return operator.itemgetter(*indexes)


def _iso_birth_date(id_number: str) -> str:
    """``birth_date_of(id_number).isoformat()`` of a checked ID number."""
    return f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"


def _rule_fields(rule: Any) -> set[str]:
    if isinstance(rule, dict):
        found = {rule["field"]} if isinstance(rule.get("field"), str) else set()
        for value in rule.values():
            found |= _rule_fields(value)
        return found
    if isinstance(rule, list):
        return set().union(*(_rule_fields(r) for r in rule)) if rule else set()
    return set()


def _identity_free(part: Part) -> bool:
    """True when no relevance rule and no error-severity rule of ``part`` reads
    the name, the ID number or the age derived from it."""
    watched = {*_IDENTITY, "age"}
    for fld in part.fields:
        if _rule_fields(fld.relevant) & watched:
            return False
    for rule in part.rules:
        if rule.get("severity", WARNING) == ERROR and \
                (_rule_fields(rule.get("when")) | _rule_fields(rule.get("assert"))) & watched:
            return False
    return True


def _short_place(name: str) -> str:
    for suffix in ("市", "县", "区"):
        if name.endswith(suffix) and len(name) > 2:
            return name[:-1]
    return name


def _excel_value(fld: Field, value: Any, problems: list, header: str) -> Any:
    """Undo what Excel does to typed text before the questionnaire sees it: a
    number typed into a text column arrives as a float (6.0, 3.71581E+16)."""
    if not isinstance(value, float) or fld.type in ("int", "number", "id_number", "phone"):
        return value
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if value.is_integer():
        problems.append((header, f"{fld.label}被Excel存成了数字（{value:.5E}），后几位已丢失："
                                 "请把该列设置为文本格式后重新录入完整内容", "float"))
        return None
    return repr(value)
