"""Checking a chunk of roster rows: cells in, checked rows and bad rows out.

Pure: no database. What the check needs to know (the questionnaire, the
county's towns, the stored answers of members already registered) is passed
in. The member and household answers go through the validation engine a
chunk at a time, column by column (``validation.check_columns``: each value
coerced once, each rule evaluated once per distinct input); the household
columns, repeated on every member's row, are checked once per distinct set of
cells. Rows without a name and an ID number (blank rows, notes and totals
under the data) are passed over.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from .. import places, register, validation
from ..codes import code_list
from ..errors import CadreDeskError
from ..idnumber import normalize_raw, parse_id_number
from ..questionnaire import ERROR, Field, Problem, Questionnaire
from ..validation import MISSING
from .columns import CADRE, COUNTY, PAIRED_SINCE, SEX, SURVEY_SECTIONS, TOWN, VILLAGE, RosterFormat
from .read import Sheet, cell_text, is_blank
from .result import BadRow, ConvertedId

# Relations that say the member's sex. Only used to decide which of two rows
# carrying the same ID number is the copy error (see ``reconcile``).
_RELATION_SEX = {
    **dict.fromkeys(("之子", "之父", "之女婿", "之孙子", "之外孙子", "之岳父", "之公公", "之祖父", "之外祖父"), "男"),
    **dict.fromkeys(("之女", "之母", "之儿媳", "之孙女", "之外孙女", "之岳母", "之婆婆", "之祖母", "之外祖母"), "女"),
}
_IDENTITY = ("name", "id_number")
_NUMERIC = ("int", "number", "id_number", "phone")
_NOT_TEXT = (dt.datetime, dt.date, dt.time, bool)  # cells Excel typed as dates or yes/no
CELL_LIMIT = 32767  # characters Excel holds in one cell (and the export can write back)


def not_text(header: str, label: str, cell: Any) -> tuple[str, str, str]:
    """The problem of a date or yes/no cell in a column that holds text."""
    what = "“是/否”" if isinstance(cell, bool) else "日期"
    return (header, f"{label}应填文字，本格却是{what}（{cell_text(cell)}）。请把该列设置为文本格式后重新填写",
            "type")


@dataclass(frozen=True)
class Context:
    """What checking rows needs to know, read once before the import."""

    q: Questionnaire
    fmt: RosterFormat
    today: dt.date
    county_name: str
    towns: list[dict]  # rows of the towns table
    working_age: tuple[int, int] | None = None  # the settings' bounds (``domain.working_age_bounds``)


@dataclass
class Row:
    """A good row, checked."""

    sheet: str
    row: int
    cells: list
    household_number: str
    place: tuple[str, str]  # (town name as written, village)
    household_values: dict[str, Any]  # household answers (columns present); read-only, shared
    hh_cells: dict[str, Any]  # the answers of the household cells alone (``household_values`` may add the head's)
    rest: dict[str, Any]  # member answers other than name and ID number (columns present), pruned; read-only
    name: str | None
    id_number: str
    sex: str
    birth_date: str
    relation_contradicts: bool
    cadre: str | None
    paired_since: str | None  # ISO date the pairing with ``cadre`` began (帮扶时间), None when not given
    extras: str | None  # JSON of the kept-aside columns, or None
    existing: tuple | None = None  # (member id, household id, household number), set by ``reconcile``

    @property
    def member_values(self) -> dict[str, Any]:
        return {**self.rest, "name": self.name, "id_number": self.id_number}


@dataclass
class Checked:
    rows: list[Row] = field(default_factory=list)
    bad: list[tuple[BadRow, list]] = field(default_factory=list)  # each problem, with its row's cells
    converted: list[ConvertedId] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)  # unnamed columns found holding values


class SheetChecker:
    """Checks the rows of one sheet, a chunk at a time."""

    def __init__(self, ctx: Context, layout: Sheet):
        self.ctx = ctx
        self.layout = layout
        self.sheet = layout.name
        q = ctx.q
        cols = layout.columns
        self.member_cols = [(i, ctx.fmt.column(k).field, layout.headers[k]) for k, i in cols.items()
                            if k.startswith("member.")]
        self.household_cols = [(i, ctx.fmt.column(k).field, layout.headers[k]) for k, i in cols.items()
                               if k.startswith("household.")]
        self.header_of = {k: layout.headers[k] for k in cols}
        self.keeps_extras = bool(layout.extras or layout.unnamed)
        self.i_name = cols["member.name"]
        self.i_id = cols["member.id_number"]
        self.i_town = cols[TOWN]
        self.i_village = cols[VILLAGE]
        self.i_county = cols.get(COUNTY)
        self.i_sex = cols.get(SEX)
        self.i_cadre = cols.get(CADRE)
        self.i_since = cols.get(PAIRED_SINCE)
        self.member_present = [f.key for _, f, _ in self.member_cols]
        self.household_present = {f.key for _, f, _ in self.household_cols}
        self.member_missing = [f.key for f in q.member.fields if f.key not in self.member_present]
        self.rest_keys = [k for k in self.member_present if k not in _IDENTITY]
        self.derive_head_name = "head_name" not in self.household_present
        self.derive_head_id = "head_id_number" not in self.household_present
        self.sex_codes = code_list("sex")

    def header(self, level: str, key: str, label: str) -> str:
        return self.header_of.get(f"{level}.{key}", label)

    # ------------------------------------------------------------ the chunk
    def data_rows(self, chunk: Sequence[list], first_row: int) -> list[tuple[int, list]]:
        """(Excel row number, cells) of the rows that hold a member."""
        i_name, i_id = self.i_name, self.i_id
        return [(first_row + k, cells) for k, cells in enumerate(chunk)
                if not (is_blank(cells[i_name]) and is_blank(cells[i_id]))]

    def id_values(self, rows: Sequence[tuple[int, list]]) -> list[str | None]:
        """The rows' ID numbers as stored (None where not a valid one): the
        caller looks up the members already registered with them."""
        out = []
        i_id = self.i_id
        for _, cells in rows:
            value = cells[i_id]
            if type(value) is str and len(value) == 18 and value.isalnum() and not value.islower():
                out.append(value)  # as written: a look-up finds it or it is no registered number
                continue
            try:
                out.append(parse_id_number(value).value)
            except CadreDeskError:
                out.append(None)
        return out

    def check(self, rows: Sequence[tuple[int, list]], stored: Mapping[str, Mapping[str, Any]] | None = None
              ) -> Checked:
        """Check data rows (from ``data_rows``). ``stored``: the decoded stored
        answers of the rows' members already registered, by ID number; they
        fill the columns this file lacks, so that the rules see the whole
        record (``id_values`` gives the numbers to look up)."""
        out = Checked()
        n = len(rows)
        if not n:
            return out
        found: list[list[tuple[str, str, str]]] = [[] for _ in range(n)]
        columns = _columns(rows)
        self._too_long(columns, found)
        rests, names, ids = self._members(rows, columns, stored or {}, found)
        households = self._households(columns, found)
        places_ = self._places(rows, columns, found)
        derived = register.derived_from_id
        i_sex, i_id = self.i_sex, self.i_id
        sexes: list[str | None] = []
        births: list[str | None] = []
        for k, id_number in enumerate(ids):
            sex = birth = None
            if id_number:
                sex, birth = derived(id_number)
                if i_sex is not None and not is_blank(rows[k][1][i_sex]):
                    self._check_sex(rows[k][1][i_sex], sex, found[k])
            sexes.append(sex)
            births.append(birth)
        cadres = self._cadres(columns, found)
        since_col = self._since(columns, found)
        with_extras = self._with_extras(columns) if self.keeps_extras else ()
        for k, (row_number, cells) in enumerate(rows):
            id_number, sex = ids[k], sexes[k]
            if found[k]:
                for column, reason, kind in found[k]:
                    out.bad.append((BadRow(self.sheet, row_number, column, reason, kind), cells))
                continue
            rest, name = rests[k], names[k]
            hh_cells = households[k]
            relation = rest.get("relation")
            hh_values = hh_cells
            if relation == "户主" and (self.derive_head_name and name or self.derive_head_id):
                hh_values = dict(hh_cells)
                if self.derive_head_name and name:
                    hh_values["head_name"] = name
                if self.derive_head_id:
                    hh_values["head_id_number"] = id_number
            id_cell = cells[i_id]
            if not (isinstance(id_cell, str) and len(id_cell) == 18):  # the common case needs no look
                old = normalize_raw(cell_text(id_cell))
                if len(old) == 15:
                    out.converted.append(ConvertedId(self.sheet, row_number, old, id_number))
            implied = _RELATION_SEX.get(relation)
            out.rows.append(Row(
                sheet=self.sheet, row=row_number, cells=cells, household_number=hh_values["number"],
                place=places_[k], household_values=hh_values, hh_cells=hh_cells, rest=rest, name=name,
                id_number=id_number, sex=sex, birth_date=births[k],
                relation_contradicts=implied is not None and implied != sex, cadre=cadres[k],
                paired_since=since_col[k], extras=self._extras(cells, out.extra_columns) if k in with_extras else None,
            ))
        return out

    def _cadres(self, columns: list[tuple], found: list[list]) -> list[str | None]:
        """The 帮扶责任人 of each row (checked once per distinct cell)."""
        n = len(found)
        if self.i_cadre is None:
            return [None] * n
        header = self.header_of[CADRE]
        outcome: dict[Any, tuple[str | None, list]] = {}
        out = []
        for k, cell in enumerate(columns[self.i_cadre]):
            key = (type(cell), cell)
            hit = outcome.get(key)
            if hit is None:
                problems = [not_text(header, "帮扶责任人", cell)] if isinstance(cell, _NOT_TEXT) else []
                cadre = cell_text(cell) or None
                if cadre and len(cadre) > 30:
                    problems.append((header, "帮扶责任人姓名过长，每户只填一名帮扶责任人", "value"))
                hit = outcome[key] = (cadre, problems)
            if hit[1]:
                found[k].extend(hit[1])
            out.append(hit[0])
        return out

    def _since(self, columns: list[tuple], found: list[list]) -> list[str | None]:
        """The 帮扶时间 of each row as an ISO date (``pairing_date``, once per distinct cell)."""
        n = len(found)
        if self.i_since is None:
            return [None] * n
        header, today = self.header_of[PAIRED_SINCE], self.ctx.today
        outcome: dict[Any, tuple[str | None, str | None]] = {}
        out = []
        for k, cell in enumerate(columns[self.i_since]):
            key = (type(cell), cell)
            hit = outcome.get(key)
            if hit is None:
                hit = outcome[key] = pairing_date(cell, today)
            if hit[1]:
                found[k].append((header, hit[1], "date"))
            out.append(hit[0])
        return out

    # ------------------------------------------------------------ member answers
    def _members(self, rows: Sequence[tuple[int, list]], columns: list[tuple], stored: Mapping[str, Mapping[str, Any]],
                 found: list[list]) -> tuple[list[dict], list, list]:
        """Each row's answers (other than name and ID number), name and ID
        number, all rows checked together; problems that make a row bad go
        to ``found``."""
        ctx = self.ctx
        n = len(rows)
        raw: dict[str, list] = {}
        for i, fld, header in self.member_cols:
            raw[fld.key] = self._excel_column(fld, list(columns[i]), found, header)
        if self.member_missing and stored:
            known = [stored.get(v) if v else None for v in self.id_values(rows)]
            if any(r is not None for r in known):
                for key in self.member_missing:
                    raw[key] = [MISSING if r is None else r.get(key) for r in known]
        block = validation.check_columns(ctx.q.member, raw, n, as_of=ctx.today, working_age=ctx.working_age)
        for k, problems in enumerate(block.problems):
            if problems:
                found[k].extend(self._row_problems(problems, "member", rows[k][1][self.i_id]))
        cols = [block.columns[key] for key in self.rest_keys]
        rests = [dict(zip(self.rest_keys, t)) for t in zip(*cols)] if cols else [{} for _ in range(n)]
        return rests, block.columns["name"], block.columns["id_number"]

    def _too_long(self, columns: list[tuple], found: list[list]) -> None:
        """A cell longer than Excel holds would be cut on export: refused."""
        for i, col in enumerate(columns):
            try:
                if len("".join(col)) <= CELL_LIMIT:  # a column of text cells, all short together: C speed
                    continue
            except TypeError:  # numbers, dates or blanks among them
                pass
            texts = compress(col, map(operator.is_, map(type, col), repeat(str)))
            if max(map(len, texts), default=0) <= CELL_LIMIT:
                continue
            header = self.layout_header(i)
            for k, value in enumerate(col):
                if value.__class__ is str and len(value) > CELL_LIMIT:
                    found[k].append((header, f"本格有 {len(value)} 个字符，超过 Excel 单元格的上限 {CELL_LIMIT} 个"
                                             "（导出时会被截断）。请删减后重新导入", "too_long"))

    def layout_header(self, index: int) -> str:
        """The header of cell ``index`` as written (or 列X for a column without one)."""
        cells = self.layout.header_cells
        text = cell_text(cells[index]) if index < len(cells) else ""
        return text or f"列{xl_col_to_name(index + self.layout.start_col)}"

    def _excel_column(self, fld: Field, values: list, found: list[list], header: str) -> list:
        """Undo what Excel does to typed text before the questionnaire sees it:
        a number typed into a text column arrives as a float (6.0, 3.71581E+16);
        a date or yes/no cell in a text column is a bad row."""
        kinds = set(map(type, values))
        if fld.type == "text" and kinds & set(_NOT_TEXT):
            for k, value in enumerate(values):
                if isinstance(value, _NOT_TEXT):  # the row is bad; its value is not looked at again
                    found[k].append(not_text(header, fld.label, value))
        if fld.type in _NUMERIC or float not in kinds:
            return values
        out = list(values)
        for k, value in enumerate(values):
            if type(value) is not float:
                continue
            if value.is_integer() and abs(value) < 1e15:
                out[k] = str(int(value))
            elif value.is_integer():
                found[k].append((header, f"{fld.label}被Excel存成了数字（{value:.5E}），后几位已丢失："
                                         "请把该列设置为文本格式后重新录入完整内容", "float"))
                out[k] = None
            else:
                out[k] = repr(value)
        return out

    def _row_problems(self, problems: list[Problem], level: str, id_value: Any = None
                      ) -> list[tuple[str, str, str]]:
        """The validation errors that make the row bad, as (header, reason, kind)."""
        part = self.ctx.q.part(level)
        out = []
        for p in problems:
            fld = part.by_key.get(p.field)
            if p.severity != ERROR or not self._blocks(fld, p.rule, level):
                continue
            fld = part.by_key[p.field]
            kind = p.rule or "value"
            if fld.type == "id_number" and kind == "length" and level == "member":
                kind = "short" if len(normalize_raw(cell_text(id_value))) < 18 else "long"
            out.append((self.header(level, p.field, fld.label), p.message, kind))
        return out

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

    # ------------------------------------------------------------ household, place, sex
    def _households(self, columns: list[tuple], found: list[list]) -> list[dict]:
        """The household answers of each row: the same on every row of a
        household, so checked once per distinct set of cells (rows with the
        same cells share one dict)."""
        indexes = [i for i, _, _ in self.household_cols]
        keys = list(zip(*(columns[i] for i in indexes))) if indexes else [()] * len(found)
        distinct = list(dict.fromkeys(keys))
        hh_found: list[list] = [[] for _ in distinct]
        raw = {fld.key: self._excel_column(fld, [key[j] for key in distinct], hh_found, header)
               for j, (_, fld, header) in enumerate(self.household_cols)}
        block = validation.check_columns(self.ctx.q.household, raw, len(distinct))
        outcome = {}
        for j, (key, (values, problems)) in enumerate(zip(distinct, block.rows())):
            outcome[key] = (values, [*hh_found[j], *self._row_problems(problems, "household")])
        out = []
        for k, key in enumerate(keys):
            values, problems = outcome[key]
            found[k].extend(problems)
            out.append(values)
        return out

    def _places(self, rows: Sequence[tuple[int, list]], columns: list[tuple], found: list[list]
                ) -> list[tuple[str, str]]:
        """Town and village as written, checked once per distinct pair."""
        indexes = [self.i_town, self.i_village, *([self.i_county] if self.i_county is not None else [])]
        memo: dict[tuple, tuple[tuple[str, str], list]] = {}
        out = []
        for k, ((_, cells), key) in enumerate(zip(rows, zip(*(columns[i] for i in indexes)))):
            hit = memo.get(key)
            if hit is None:
                hit = memo[key] = self._check_place(cells)
            found[k].extend(hit[1])
            out.append(hit[0])
        return out

    def _check_place(self, cells: list) -> tuple[tuple[str, str], list]:
        ctx = self.ctx
        problems = [not_text(self.header_of[key], label, cells[i])
                    for key, label, i in ((COUNTY, "县(市、区)", self.i_county), (TOWN, "乡(镇)", self.i_town),
                                          (VILLAGE, "行政村", self.i_village))
                    if i is not None and isinstance(cells[i], _NOT_TEXT)]
        if problems:
            return (cell_text(cells[self.i_town]), cell_text(cells[self.i_village])), problems
        town = cell_text(cells[self.i_town])
        village = cell_text(cells[self.i_village])
        if not town:
            problems.append((self.header_of[TOWN], "请填写乡(镇)", "required"))
        elif places.match_town(ctx.towns, town) is None:
            problems.append((self.header_of[TOWN], f"乡(镇)“{town}”不是{ctx.county_name}的乡镇或街道，请检查名称",
                             "place"))
        if not village:
            problems.append((self.header_of[VILLAGE], "请填写行政村", "required"))
        if self.i_county is not None:
            county = cell_text(cells[self.i_county])
            if county and _short_place(county) != _short_place(ctx.county_name):
                problems.append((self.header_of[COUNTY],
                                 f"县(市、区)“{county}”不是本数据库的{ctx.county_name}，请只导入本县的花名册", "place"))
        return (town, village), problems

    def _check_sex(self, cell: Any, id_sex: str, problems: list) -> None:
        sex = self.sex_codes.normalize(cell)
        if sex is None:
            problems.append((self.header_of[SEX], f"性别“{cell_text(cell)}”应填“男”或“女”", "code"))
        elif sex != id_sex:
            problems.append((self.header_of[SEX], f"性别“{sex}”与证件号码中的性别（{id_sex}）不符，"
                             "请核对证件号码或性别", "sex"))

    def _with_extras(self, columns: list[tuple]) -> set[int]:
        """The rows with something in a column kept aside (the others keep nothing)."""
        filled: set[int] = set()
        for i in [*(i for i, _ in self.layout.extras), *self.layout.unnamed]:
            if i >= len(columns):
                continue
            col = columns[i]
            if col.count("") + col.count(None) == len(col):  # nothing in it (C speed)
                continue
            filled.update(k for k, v in enumerate(col) if not is_blank(v))
        return filled

    def _extras(self, cells: list, extra_columns: list[str]) -> str | None:
        kept = {}
        for i, header in self.layout.extras:
            text = cell_text(cells[i])
            if text:
                kept[header] = text
        for i in self.layout.unnamed:
            if i < len(cells) and not is_blank(cells[i]):
                header = f"列{xl_col_to_name(i + self.layout.start_col)}"
                kept[header] = cell_text(cells[i])
                if header not in extra_columns:
                    extra_columns.append(header)
        return json.dumps(kept, ensure_ascii=False) if kept else None


_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?|月?)$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")


def pairing_date(cell: Any, today: dt.date) -> tuple[str | None, str | None]:
    """A 帮扶时间 cell as (ISO date, None), or (None, a Chinese problem). A month
    alone (2018年3月, 2018-03, 201803) is the first of that month; an empty cell
    is (None, None); a date after ``today`` is refused."""
    if is_blank(cell):
        return None, None
    if isinstance(cell, dt.datetime):
        day = cell.date()
    elif isinstance(cell, dt.date):
        day = cell
    else:
        text = cell_text(cell)
        match = _DATE_TEXT.match(text) or _DATE_DIGITS.match(text)
        try:
            if match is None or isinstance(cell, bool):
                raise ValueError
            year, month, d = match.groups()
            day = dt.date(int(year), int(month), int(d or 1))
        except ValueError:
            return None, f"帮扶时间“{text}”不是有效日期，请按 2018-03-01 或 2018年3月 的格式填写"
    if day > today:
        return None, f"帮扶时间 {day.isoformat()} 晚于今天，请核对"
    return day.isoformat(), None


def _columns(rows: Sequence[tuple[int, list]]) -> list[tuple]:
    """The rows' cells column by column (rows shorter than the widest padded)."""
    width = max(map(len, (cells for _, cells in rows)))
    if any(len(cells) != width for _, cells in rows):
        return list(zip(*([*cells, *[None] * (width - len(cells))] for _, cells in rows)))
    return list(zip(*(cells for _, cells in rows)))


def _short_place(name: str) -> str:
    for suffix in ("市", "县", "区"):
        if name.endswith(suffix) and len(name) > 2:
            return name[:-1]
    return name
