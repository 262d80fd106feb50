"""The questionnaire definition (``resources/questionnaire.json``) and what is
done with it: coercing raw answers to stored values, deciding which fields are
relevant, and validating a member's or household's answers.

The same definition drives the survey form (``ui/``), the storage columns
(``storage.sync_questionnaire_columns``), the roster's Excel columns and the
printed handbook; nothing else in the code lists fields by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from . import months, rules, validation
from .codes import CodeList, code_list, split_multi
from .errors import InvalidIdNumber
from .idnumber import id_number_value
from .domain import age_on  # noqa: F401  (read from here by the tests' literal reading)
from .paths import resource_path

ERROR = "error"
WARNING = "warning"

_SQL_TYPES = {
    "text": str, "code": str, "id_number": str, "phone": str, "date": str, "month": str,
    "multi": str, "int": int, "bool": int, "number": float,
}
_PHONE = re.compile(r"^[0-9][0-9-]{5,19}$")


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    type: str
    level: str  # "member" or "household"
    section: str
    required: bool = False
    codes: str | None = None
    min: float | None = None
    max: float | None = None
    max_items: int | None = None
    max_length: int | None = None
    relevant: Mapping | None = None
    roster_header: str | None = None
    roster_aliases: tuple[str, ...] = ()
    # Wording of its own for a problem kind (``required``, ``code``, ``number``,
    # ``range``), with {label}, {value}, {values} (the code list joined by 、),
    # {min} and {max}.
    messages: Mapping[str, str] | None = None

    def message(self, kind: str, default: str, value: Any = None) -> str:
        template = (self.messages or {}).get(kind)
        if template is None:
            return default
        values = "、".join(self.code_list.values) if self.codes else ""
        return template.format(label=self.label, value=value, values=values, min=_fmt(self.min), max=_fmt(self.max))

    @property
    def code_list(self) -> CodeList | None:
        return code_list(self.codes) if self.codes else None

    @property
    def sql_type(self) -> type:
        return _SQL_TYPES[self.type]

    @property
    def is_multi(self) -> bool:
        return self.type == "multi"


@dataclass(frozen=True)
class Problem:
    field: str | None
    message: str
    severity: str = ERROR
    rule: str | None = None


@dataclass(frozen=True)
class Section:
    key: str
    label: str


@dataclass
class Part:
    """The household part or the member part of the questionnaire."""

    level: str
    sections: list[Section]
    fields: list[Field]
    rules: list[Mapping] = field(default_factory=list)

    def __post_init__(self):
        self.by_key = {f.key: f for f in self.fields}

    def relevant_keys(self, answers: Mapping[str, Any]) -> set[str]:
        return validation.engine(self).relevant_keys(answers)

    def prune(self, answers: Mapping[str, Any], relevant: set[str] | None = None) -> dict[str, Any]:
        """Answers with the fields that are not relevant emptied (a cadre who
        unticks 残疾 must not leave a stale 残疾类别 behind). ``relevant`` may
        pass ``relevant_keys(answers)`` when the caller has it already."""
        keep = self.relevant_keys(answers) if relevant is None else relevant
        return {k: (v if k in keep or k not in self.by_key else None) for k, v in answers.items()}


@dataclass
class Questionnaire:
    version: str
    title: str
    household: Part
    member: Part
    household_rules: list[Mapping]
    raw: Mapping
    # What other modules build from this definition, built once and kept with
    # it (the roster's column format).
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def part(self, level: str) -> Part:
        return self.member if level == "member" else self.household


def build_part(level: str, spec: Mapping) -> Part:
    """A part from its definition (``fields``, ``rules``, ``sections``): the
    questionnaire's household and member parts, and other records described
    the same way (openings, ``resources/openings.json``)."""
    fields = []
    for f in spec["fields"]:
        roster = f.get("roster") or {}
        fld = Field(
            key=f["key"], label=f["label"], type=f["type"], level=level, section=f.get("section", ""),
            required=bool(f.get("required")), codes=f.get("codes"), min=f.get("min"), max=f.get("max"),
            max_items=f.get("max_items"), max_length=f.get("max_length"), relevant=f.get("relevant"),
            roster_header=roster.get("header"), roster_aliases=tuple(roster.get("aliases", ())),
            messages=f.get("messages"),
        )
        if fld.type not in _SQL_TYPES:
            raise ValueError(f"questionnaire field {fld.key}: unknown type {fld.type!r}")
        if fld.type in ("code", "multi"):
            if not fld.codes:
                raise ValueError(f"questionnaire field {fld.key}: a {fld.type} field needs 'codes'")
            code_list(fld.codes)  # KeyError on an unknown list: fail on load
        rules.check_rule(fld.relevant, f"{level}.{fld.key}.relevant")
        fields.append(fld)
    for r in spec.get("rules", ()):
        rules.check_rule(r.get("when"), f"{level}.rules.{r['id']}.when")
        rules.check_rule(r.get("assert"), f"{level}.rules.{r['id']}.assert")
    sections = [Section(s["key"], s["label"]) for s in spec.get("sections", ())]
    return Part(level, sections, fields, list(spec.get("rules", ())))


def parse_definition(data: Mapping) -> Questionnaire:
    return Questionnaire(
        version=str(data["version"]), title=data.get("title", ""),
        household=build_part("household", data["household"]),
        member=build_part("member", data["member"]),
        household_rules=list(data["member"].get("household_rules", ())), raw=data,
    )


@lru_cache(maxsize=1)
def default_questionnaire() -> Questionnaire:
    return parse_definition(json.loads(resource_path("questionnaire.json").read_text(encoding="utf-8")))


# ---------------------------------------------------------------- coercion

class CoerceError(ValueError):
    """A raw answer that cannot become a stored value; ``message`` is Chinese."""

    def __init__(self, message: str, kind: str = "value"):
        super().__init__(message)
        self.message = message
        self.kind = kind


def coerce(fld: Field, raw: Any) -> Any:
    """Turn a raw answer (form text, Excel cell, JSON value) into the value the
    core works with: str, int, float, bool, list[str], or None when empty."""
    if rules.is_empty(raw) or (isinstance(raw, str) and not raw.strip()):
        return None
    t = fld.type
    if t == "text":
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)  # Excel's 6.0 in a text column is 6
        text = str(raw).strip()
        if fld.max_length and len(text) > fld.max_length:
            raise CoerceError(f"{fld.label}最多 {fld.max_length} 个字，现有 {len(text)} 个，请删减")
        return text
    if t == "code":
        value = fld.code_list.normalize(raw)
        if value is None:
            raise CoerceError(_unknown_code_message(fld, raw), "code")
        return value
    if t == "multi":
        items = raw if isinstance(raw, (list, tuple)) else split_multi(raw)
        out: list[str] = []
        for item in items:
            value = fld.code_list.normalize(item)
            if value is None:
                raise CoerceError(_unknown_code_message(fld, item), "code")
            if value not in out:
                out.append(value)
        if fld.max_items and len(out) > fld.max_items:
            raise CoerceError(f"{fld.label}最多填 {fld.max_items} 项，现有 {len(out)} 项")
        return out or None
    if t in ("int", "number"):
        return _coerce_number(fld, raw)
    if t == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip()
        if text in ("是", "有", "1", "1.0", "Y", "y", "True", "true", "√"):
            return True
        if text in ("否", "无", "0", "0.0", "N", "n", "False", "false", "×"):
            return False
        raise CoerceError(f"{fld.label}应填“是”或“否”，现为“{text}”", "code")
    if t == "date":
        if isinstance(raw, dt.datetime):
            return raw.date().isoformat()
        if isinstance(raw, dt.date):
            return raw.isoformat()
        text = str(raw).strip().replace("/", "-").replace(".", "-")
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise CoerceError(f"{fld.label}“{raw}”不是有效日期，请按 2020-05-01 的格式填写", "date") from None
    if t == "month":
        try:
            return months.parse(raw, fld.label)
        except months.MonthError as exc:
            raise CoerceError(exc.message, "date") from None
    if t == "id_number":
        try:
            return id_number_value(raw)
        except InvalidIdNumber as exc:
            raise CoerceError(exc.message, exc.kind) from None
    if t == "phone":
        text = re.sub(r"\s", "", str(raw))
        if isinstance(raw, float) and raw.is_integer():
            text = str(int(raw))
        if not _PHONE.match(text):
            raise CoerceError(f"{fld.label}“{raw}”不像电话号码，请只填数字（可带区号和短横线）")
        return text
    raise AssertionError(t)


def _coerce_number(fld: Field, raw: Any) -> int | float:
    try:
        if isinstance(raw, bool):
            raise ValueError
        if isinstance(raw, str):
            text = raw.strip().replace(",", "").replace("，", "")
            number = float(text.removesuffix("元") if fld.type == "number" else text)  # an amount may say 元
        else:
            number = float(raw)
    except (TypeError, ValueError):
        raise CoerceError(fld.message("number", f"{fld.label}应为数字，现为“{raw}”", raw), "number") from None
    if fld.type == "int":
        if not number.is_integer():
            raise CoerceError(f"{fld.label}应为整数，现为“{raw}”", "number")
        number = int(number)
    if fld.min is not None and number < fld.min or fld.max is not None and number > fld.max:
        raise CoerceError(fld.message("range", f"{fld.label}应在 {_fmt(fld.min)} 到 {_fmt(fld.max)} 之间，现为 {_fmt(number)}",
                                      _fmt(number)), "range")
    return number


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else str(x)


def _unknown_code_message(fld: Field, raw: Any) -> str:
    values = fld.code_list.values
    shown = "、".join(values[:8]) + ("等" if len(values) > 8 else "")
    return fld.message("code", f"{fld.label}“{raw}”不在代码表中，可填：{shown}", raw)


def display(fld: Field, value: Any) -> str:
    """How a value is shown on paper and in Excel: several values joined by 、."""
    if rules.is_empty(value):
        return ""
    if fld.type == "multi":
        return "、".join(value)
    if fld.type == "bool":
        return "是" if value else "否"
    if fld.type == "month":
        return months.display(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---------------------------------------------------------------- validation

def validate(part: Part, raw_answers: Mapping[str, Any], *, as_of: dt.date | None = None,
             working_age: tuple[int, int] | None = None) -> tuple[dict[str, Any], list[Problem]]:
    """Coerce every answer and check required fields, ranges and the part's
    consistency rules. Returns the cleaned answers (irrelevant fields emptied)
    and every problem found, errors and warnings alike: the one-row case of
    the validation engine (``validation.check_rows``). ``working_age``: the
    settings' bounds (``domain.working_age_bounds``), 16 and 60 by default."""
    values, problems = validation.check_rows(part, [raw_answers], as_of=as_of, working_age=working_age).rows()[0]
    return values, list(problems)


def household_problems(q: Questionnaire, members: list[Mapping[str, Any]]) -> list[Problem]:
    """The household-level consistency rules of domain.md §3 (one head, at most
    one spouse, spouses of opposite sex), as warnings."""
    messages = {r["id"]: r["message"] for r in q.household_rules}
    heads = [m for m in members if m.get("relation") == "户主"]
    spouses = [m for m in members if m.get("relation") == "配偶"]
    found = []
    if len(heads) != 1 and "one_head" in messages:
        found.append(Problem("relation", f"{messages['one_head']}（现有 {len(heads)} 名）", WARNING, "one_head"))
    if len(spouses) > 1 and "one_spouse" in messages:
        found.append(Problem("relation", f"{messages['one_spouse']}（现有 {len(spouses)} 名）", WARNING, "one_spouse"))
    if len(heads) == 1 and len(spouses) == 1 and "spouse_sex" in messages:
        if heads[0].get("sex") and heads[0].get("sex") == spouses[0].get("sex"):
            found.append(Problem("relation", messages["spouse_sex"], WARNING, "spouse_sex"))
    return found
