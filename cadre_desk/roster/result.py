"""What a roster import reports: the bad rows (sheet, Excel row, column,
reason), the converted ID numbers, the counts, the failure that carries
them when nothing was imported, and the question it stops to ask."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CadreDeskError, ImportFailed


@dataclass(frozen=True)
class BadRow:
    """One problem of one row. ``row`` is the row number Excel shows (1-based,
    title rows counted); ``column`` is the header as written in the file."""

    sheet: str
    row: int | None
    column: str
    reason: str
    kind: str
    file: str = ""  # the file's name, in an import of several files (national.py)

    def to_json(self) -> dict:
        out = {"sheet": self.sheet, "row": self.row, "column": self.column, "reason": self.reason,
               "kind": self.kind}
        if self.file:  # an import of several files names the file too
            out = {"file": self.file, **out}
        return out

    def line(self) -> str:
        where = f"文件“{self.file}”" if self.file else ""
        where += f"工作表“{self.sheet}”" if self.sheet else ""
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
    cadres_changed: int = 0  # stored households handed to another 帮扶责任人 (更换帮扶责任人 N 户)
    pairings_dated_today: int = 0  # pairings that started on the import day: no 帮扶时间 and no date given
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
    # What was written: table -> ids of the rows created or changed (for the window to refresh from).
    changed: dict[str, set[str]] = field(default_factory=dict)
    # The national lists (national.py): each sheet read and its kind, the work spells written,
    # the spell rows' warnings (overlap, income …) and the check rules' findings on what was imported.
    files: list[dict] = field(default_factory=list)
    spells_created: int = 0
    spells_updated: int = 0
    spells_unchanged: int = 0
    warnings: list[BadRow] = field(default_factory=list)
    findings: list = field(default_factory=list)  # checks.Finding

    def note_changed(self, table: str, ids: Iterable[str]) -> None:
        """Rows of ``table`` written by the import (the window refreshes from ``changed``)."""
        self.changed.setdefault(table, set()).update(ids)

    def note_extra_columns(self, headers: Iterable[str]) -> None:
        """Columns kept aside with their rows, each named once in the order found."""
        self.extra_columns.extend(h for h in dict.fromkeys(headers) if h not in self.extra_columns)

    @property
    def bad_row_count(self) -> int:
        return len({(b.file, b.sheet, b.row) for b in self.bad_rows})

    def to_json(self) -> dict:
        return {
            "households_created": self.households_created,
            "households_updated": self.households_updated,
            "members_created": self.members_created,
            "members_updated": self.members_updated,
            "members_unchanged": self.members_unchanged,
            "cadres_changed": self.cadres_changed,
            "bad_rows": [b.to_json() for b in self.bad_rows],
            "extra_columns": list(self.extra_columns),
            "converted_ids": [{"sheet": c.sheet, "row": c.row, "from": c.old, "to": c.new}
                              for c in self.converted_ids],
            "files": list(self.files),
            "spells_created": self.spells_created,
            "spells_updated": self.spells_updated,
            "spells_unchanged": self.spells_unchanged,
            "warnings": [w.to_json() for w in self.warnings],
            "findings": [f.to_json() for f in self.findings],
        }

    def summary(self) -> str:
        """One Chinese line: what was written and what was left out."""
        head = "导入完成" if self.written else "未导入"
        parts = [f"{head}：新建 {self.households_created} 户、更新 {self.households_updated} 户；"
                 f"新建成员 {self.members_created} 人、更新 {self.members_updated} 人、"
                 f"未变 {self.members_unchanged} 人"]
        if self.cadres_changed:
            parts.append(f"更换帮扶责任人 {self.cadres_changed} 户（原结对已结束，保留在帮扶记录中）")
        if self.pairings_dated_today:
            parts.append(f"{self.pairings_dated_today} 户的结对时间记为今天（花名册没有“帮扶时间”列；"
                         "可在导入时指定结对开始日期）")
        if self.spells_created or self.spells_updated or self.spells_unchanged:
            parts.append(f"务工记录新建 {self.spells_created} 条、更新 {self.spells_updated} 条、"
                         f"未变 {self.spells_unchanged} 条")
        if self.bad_rows:
            parts.append(f"问题行 {self.bad_row_count} 行" + ("（已跳过）" if self.skipped_rows else ""))
        else:
            parts.append("问题行 0 行")
        if self.warnings or self.findings:
            parts.append(f"提醒 {len(self.warnings) + len(self.findings)} 条（不影响导入，请核实）")
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
    file that cannot be read at all, one problem describing it).
    ``skippable``: importing again with bad rows skipped would import the
    rest (``bad_rows_failure``); the message then ends with ``SKIP_HINT``,
    to which the command line adds its flag."""

    def __init__(self, message: str, result: ImportResult, *, skippable: bool = False):
        super().__init__(message, result.bad_rows)
        self.result = result
        self.skippable = skippable


SKIP_HINT = "或选择跳过问题行"  # said the same in the window and on the command line (which adds its flag)


def bad_rows_failure(result: ImportResult) -> RosterImportFailed:
    """Nothing imported because of ``result``'s bad rows (not skipped)."""
    return RosterImportFailed(f"{result.bad_row_count} 行有问题，没有导入任何数据。请按问题清单改正后重新导入，"
                              f"{SKIP_HINT}", result, skippable=True)


class PairingDateNeeded(CadreDeskError):
    """Nothing was imported: the caller asked to be told (``ask_paired_since``)
    when a member sheet names 帮扶责任人 without a 帮扶时间 column and no
    ``paired_since`` was given. The window then asks the clerk from which day
    the pairings count and imports again with it."""

    def __init__(self, file: str, sheet: str):
        super().__init__(f"文件 {file} 的工作表“{sheet}”有“帮扶责任人”列，但没有“帮扶时间”（结对时间）列："
                         "请给出帮扶关系从哪天开始算，再导入")
        self.file, self.sheet = file, sheet


# The kinds of failure of a file that cannot be imported at all (``file_failure``): not found,
# not a workbook, no data, a sheet whose columns cannot be read as a list. Skipping bad rows is
# no help for such a file; in an import of several files each one's is reported.
FILE_FAILURE_KINDS = ("missing", "format", "empty", "columns")


def file_failure(path: Path, message: str, kind: str, *, sheet: str = "", row: int | None = None,
                 column: str = "") -> RosterImportFailed:
    """A file that cannot be imported at all, as one problem of a ``FILE_FAILURE_KINDS`` kind."""
    result = ImportResult()
    result.bad_rows.append(BadRow(sheet, row, column, message, kind))
    return RosterImportFailed(message, result)
