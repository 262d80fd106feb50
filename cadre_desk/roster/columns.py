"""The roster's column vocabulary (domain.md §10): which Excel headers mean
which field, and how a header cell is normalised before it is looked up.

The questionnaire definition is the source: every field with a ``roster``
entry contributes its header and aliases. A field without one is still given a
column (its label is the header), so that an export carries every answer and
imports back without loss. The place columns (县/乡镇/行政村), 性别 (checked
against the ID number), 帮扶责任人 and 帮扶时间 (when that pairing began) are
not questionnaire fields and are declared here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..questionnaire import Field, Questionnaire, default_questionnaire
from .result import file_failure

# Column kinds that are not questionnaire fields.
COUNTY = "county"
TOWN = "town"
VILLAGE = "village"
SEX = "sex"
CADRE = "cadre"
PAIRED_SINCE = "paired_since"

_PLACE_COLUMNS = (
    (COUNTY, "县(市、区)", ("县", "县(市)", "县市区", "市(县、区)", "县(市、区、旗)")),
    (TOWN, "乡(镇)", ("乡镇", "镇(街道)", "乡(镇、街道)", "乡镇(街道)", "乡(镇)街道", "乡")),
    (VILLAGE, "行政村", ("村", "村(居)", "行政村(社区)")),
)
_SEX_COLUMN = (SEX, "性别", ())
_CADRE_COLUMN = (CADRE, "帮扶责任人", ("帮扶干部", "帮包干部", "帮扶人"))
# When the pairing with that cadre began (the pairing's ``since``).
_PAIRED_SINCE_COLUMN = (PAIRED_SINCE, "帮扶时间", ("结对时间", "结对帮扶时间", "帮扶开始时间", "结对日期"))

# A running number re-counts on every list: recognised, then ignored.
IGNORED_HEADERS = ("序号",)

# The columns without which a file cannot be imported (keys of ``Column.key``).
REQUIRED_KEYS = ("household.number", "member.name", "member.id_number", TOWN, VILLAGE)

# Missing answers in these sections are an unfinished survey, to be completed
# at the door, not a bad row: a county roster rarely carries the survey.
SURVEY_SECTIONS = frozenset({"survey", "employment"})

_SPACE = re.compile(r"\s+")
_MARKS = "*＊★☆※"


@dataclass(frozen=True)
class Column:
    """One roster column: ``key`` is ``household.<field>``, ``member.<field>``
    or one of the non-field kinds above; ``field`` is the questionnaire field."""

    key: str
    header: str  # canonical name, written by the export
    aliases: tuple[str, ...]
    field: Field | None = None

    @property
    def level(self) -> str:
        return self.field.level if self.field else "row"


def normalize_header(text: object) -> str:
    """A header cell reduced to what identifies it: no whitespace at all (also
    inside and line breaks), full-width brackets and ASCII made half-width,
    required-field marks (*, ★) dropped."""
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    out = []
    for ch in _SPACE.sub("", str(text)):
        if "\uff01" <= ch <= "\uff5e":  # full-width ASCII: （）０-９ …
            ch = chr(ord(ch) - 0xFEE0)
        elif ch in "〔【":
            ch = "("
        elif ch in "〕】":
            ch = ")"
        out.append(ch)
    return "".join(out).strip(_MARKS)


def _field_column(fld: Field) -> Column:
    header = fld.roster_header or fld.label
    return Column(f"{fld.level}.{fld.key}", header, tuple(fld.roster_aliases), fld)


def _build_columns(q: Questionnaire) -> tuple[Column, ...]:
    cols = [Column(key, header, aliases) for key, header, aliases in _PLACE_COLUMNS]
    hh = {f.key: _field_column(f) for f in q.household.fields}
    mem = {f.key: _field_column(f) for f in q.member.fields}
    # The household number first, then the rest of the household; the member's
    # name and ID number lead the member part, with 性别 right after the ID.
    cols.append(hh.pop("number"))
    cols.extend(hh.values())
    cols.append(mem.pop("name"))
    cols.append(mem.pop("id_number"))
    cols.append(Column(*_SEX_COLUMN))
    cols.extend(mem.values())
    cols.append(Column(*_CADRE_COLUMN))
    cols.append(Column(*_PAIRED_SINCE_COLUMN))
    return tuple(cols)


@dataclass(frozen=True)
class RosterFormat:
    """The columns of one questionnaire version, in export order, and the
    lookup from a normalised header to its column."""

    columns: tuple[Column, ...]
    lookup: dict[str, Column]
    ignored: frozenset[str]

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    def match(self, header: object) -> Column | None:
        return self.lookup.get(normalize_header(header))

    def is_ignored(self, header: object) -> bool:
        return normalize_header(header) in self.ignored

    @property
    def required(self) -> list[Column]:
        return [self.column(k) for k in REQUIRED_KEYS]


def build_format(q: Questionnaire) -> RosterFormat:
    columns = _build_columns(q)
    lookup: dict[str, Column] = {}
    for col in columns:
        for name in (col.header, *col.aliases):
            key = normalize_header(name)
            other = lookup.get(key)
            if other is not None and other.key != col.key:
                raise ValueError(f"roster header {name!r} names both {other.key} and {col.key}")
            lookup[key] = col
    return RosterFormat(columns, lookup, frozenset(normalize_header(h) for h in IGNORED_HEADERS))


def roster_format(q: Questionnaire | None = None) -> RosterFormat:
    """The roster format of ``q`` (default: the bundled questionnaire), built
    once per definition and kept with it."""
    q = q or default_questionnaire()
    fmt = q.derived.get("roster_format")
    if fmt is None:
        fmt = q.derived["roster_format"] = build_format(q)
    return fmt


# Unknown columns are kept aside with every row (members.roster_extra ...). A real export has a
# few: a 2020 roster or a national list has at most about 150 columns in all. A sheet with more
# unknown columns than this is not such a file (or has junk beside it) and is refused before
# its rows are read, instead of storing thousands of columns per person.
MAX_UNKNOWN_COLUMNS = 300


def check_unknown_columns(path: Path, sheet: str, header_row: int, unknown: Sequence[str], *,
                          file_label: str = "") -> None:
    """Raise ``RosterImportFailed`` (a "columns" failure) when a sheet has more
    than ``MAX_UNKNOWN_COLUMNS`` columns the app would keep aside: headers it
    does not know (checked before the rows are read) and, as the rows show
    them, columns without a header holding values ("列AB")."""
    if len(unknown) <= MAX_UNKNOWN_COLUMNS:
        return
    shown = "、".join(unknown[:5])
    message = (f"工作表“{sheet}”有 {len(unknown)} 列不认识的列（如 {shown} 等），超过 {MAX_UNKNOWN_COLUMNS} 列："
               "花名册和国家系统导出的名单不会有这么多列，这些列也不会逐人另存。"
               "请删去多余的列，或检查是否选错了文件，再导入")
    if file_label:  # one of several files
        message = f"文件 {file_label}：{message}"
    failure = file_failure(path, message, "columns", sheet=sheet, row=header_row)
    failure.result.bad_rows[:] = [replace(b, file=file_label) for b in failure.result.bad_rows]
    raise failure
