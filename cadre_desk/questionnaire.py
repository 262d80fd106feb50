"""The questionnaire definition (``resources/questionnaire.json``) and what is
done with it: coercing raw answers to stored values, deciding which fields are
relevant, and validating a member's or household's answers.

The same definition drives the survey form (``ui/``), the storage columns
(``storage.sync_questionnaire_columns``), the roster's Excel columns and the
printed handbook; nothing else in the code lists fields by hand.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from . import rules
from .codes import CodeList, code_list, split_multi
from .errors import InvalidIdNumber
from .idnumber import birth_date_of, id_number_value, parse_id_number
from .paths import resource_path

ERROR = "error"
WARNING = "warning"

_SQL_TYPES = {
    "text": str, "code": str, "id_number": str, "phone": str, "date": str,
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
        self._compiled: _CompiledPart | None = None

    @property
    def compiled(self) -> _CompiledPart:
        """The part's coercers and rules compiled once (see ``_CompiledPart``)."""
        if self._compiled is None:
            self._compiled = _CompiledPart(self)
        return self._compiled

    def relevant_keys(self, answers: Mapping[str, Any]) -> set[str]:
        return self.compiled.relevant_keys(answers)

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

    def part(self, level: str) -> Part:
        return self.member if level == "member" else self.household


def _build_part(level: str, spec: Mapping) -> Part:
    fields = []
    for f in spec["fields"]:
        roster = f.get("roster") or {}
        fld = Field(
            key=f["key"], label=f["label"], type=f["type"], level=level, section=f.get("section", ""),
            required=bool(f.get("required")), codes=f.get("codes"), min=f.get("min"), max=f.get("max"),
            max_items=f.get("max_items"), max_length=f.get("max_length"), relevant=f.get("relevant"),
            roster_header=roster.get("header"), roster_aliases=tuple(roster.get("aliases", ())),
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
        household=_build_part("household", data["household"]),
        member=_build_part("member", data["member"]),
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
        if text in ("是", "有", "1", "Y", "y", "True", "true", "√"):
            return True
        if text in ("否", "无", "0", "N", "n", "False", "false", "×"):
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
        number = float(str(raw).strip().replace(",", "").replace("，", "")) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        raise CoerceError(f"{fld.label}应为数字，现为“{raw}”", "number") from None
    if fld.type == "int":
        if not number.is_integer():
            raise CoerceError(f"{fld.label}应为整数，现为“{raw}”", "number")
        number = int(number)
    if fld.min is not None and number < fld.min or fld.max is not None and number > fld.max:
        raise CoerceError(f"{fld.label}应在 {_fmt(fld.min)} 到 {_fmt(fld.max)} 之间，现为 {_fmt(number)}", "range")
    return number


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else str(x)


def _unknown_code_message(fld: Field, raw: Any) -> str:
    values = fld.code_list.values
    shown = "、".join(values[:8]) + ("等" if len(values) > 8 else "")
    return f"{fld.label}“{raw}”不在代码表中，可填：{shown}"


def display(fld: Field, value: Any) -> str:
    """How a value is shown on paper and in Excel: several values joined by 、."""
    if rules.is_empty(value):
        return ""
    if fld.type == "multi":
        return "、".join(value)
    if fld.type == "bool":
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---------------------------------------------------------------- validation

def age_on(id_number: str | None, day: dt.date) -> int | None:
    if not id_number:
        return None
    try:
        return parse_id_number(id_number).age_on(day)
    except InvalidIdNumber:
        return None


def _age_of_coerced(value: str | None, day: dt.date) -> int | None:
    """Age from an ID number ``coerce`` has already checked (no second parse;
    the same arithmetic as ``IdNumber.age_on``)."""
    if not value:
        return None
    born = birth_date_of(value)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def validate(part: Part, raw_answers: Mapping[str, Any], *, as_of: dt.date | None = None
             ) -> tuple[dict[str, Any], list[Problem]]:
    """Coerce every answer and check required fields, ranges and the part's
    consistency rules. Returns the cleaned answers (irrelevant fields emptied)
    and every problem found, errors and warnings alike."""
    return part.compiled.validate(raw_answers, as_of)


# ---------------------------------------------------------------- compiled validation
#
# ``validate`` runs once per row of a 100,000-row roster import. Walking the
# definition every time (type dispatch per field, rule dicts, code-list
# look-ups through properties) cost most of an import, so each part is
# compiled once: a coercer closure per field, its relevance and consistency
# rules as closures (``rules.compile_rule``), identical relevance rules
# evaluated once. The results are exactly those of ``coerce`` and the rules.

_MEMO_LIMIT = 4096  # remembered raw values per field before the memo starts over
# Types whose coercion depends on the raw value alone and whose values repeat
# from row to row (code names, yes/no, numbers); not ID numbers (checked
# against today's date), phones and free text (nearly all different).
_REMEMBERED = frozenset({"multi", "bool", "int", "number", "date"})


class _Refused:
    """A remembered coercion failure."""

    __slots__ = ("kind", "message")

    def __init__(self, exc: CoerceError):
        self.message, self.kind = exc.message, exc.kind


def field_coercer(fld: Field) -> Callable[[Any], Any]:
    """``coerce(fld, ·)`` specialised for one field: same values, same errors."""
    if fld.type == "text":
        return _text_coercer(fld)
    if fld.type == "code":
        return _code_coercer(fld)
    if fld.type in _REMEMBERED:
        return _remembering_coercer(fld)
    if fld.type == "id_number":
        return _id_number_coercer(fld)
    if fld.type == "phone":
        return _phone_coercer(fld)
    return functools.partial(coerce, fld)


def _phone_coercer(fld: Field) -> Callable[[Any], Any]:
    def coerce_phone(raw: Any) -> Any:
        if type(raw) is str and _PHONE.fullmatch(raw):  # written as it is stored: nothing to clean up
            return raw
        return coerce(fld, raw)
    return coerce_phone


def _id_number_coercer(fld: Field) -> Callable[[Any], Any]:
    def coerce_id_number(raw: Any) -> Any:
        if type(raw) is str and len(raw) == 18 and raw.isalnum():  # the usual cell: straight to the check
            try:
                return id_number_value(raw)
            except InvalidIdNumber as exc:
                raise CoerceError(exc.message, exc.kind) from None
        return coerce(fld, raw)
    return coerce_id_number


def _text_coercer(fld: Field) -> Callable[[Any], Any]:
    limit = fld.max_length

    def coerce_text(raw: Any) -> Any:
        if type(raw) is not str:
            return coerce(fld, raw)
        text = raw.strip()
        if limit and len(text) > limit:
            return coerce(fld, raw)  # raises, with the message
        return text or None
    return coerce_text


def _code_coercer(fld: Field) -> Callable[[Any], Any]:
    names = fld.code_list.exact_names()
    # Aliases, spellings that need clean-up (full-width brackets, spaces),
    # empty -> None, unknown -> raises: a roster repeats these too.
    other = _remembering_coercer(fld)

    def coerce_code(raw: Any) -> Any:
        if type(raw) is str:
            value = names.get(raw)  # the name as written: most cells
            if value is not None:
                return value
        return other(raw)
    return coerce_code


def _remembering_coercer(fld: Field) -> Callable[[Any], Any]:
    memo: dict[Any, Any] = {}
    copy = list if fld.type == "multi" else None  # callers get their own list

    def coerce_remembered(raw: Any) -> Any:
        if raw is None:
            return None
        key = raw if type(raw) is str else (type(raw), raw)  # 1, 1.0 and True differ for text
        try:
            outcome = memo[key]
        except KeyError:
            try:
                outcome = coerce(fld, raw)
            except CoerceError as exc:
                outcome = _Refused(exc)
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            memo[key] = outcome
        except TypeError:  # unhashable (a list from the form): not remembered
            return coerce(fld, raw)
        if type(outcome) is _Refused:
            raise CoerceError(outcome.message, outcome.kind)
        return copy(outcome) if copy is not None and outcome is not None else outcome
    return coerce_remembered


def _rule_key(rule: Mapping) -> str:
    return json.dumps(rule, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class _CompiledRule:
    when: Callable[[Mapping[str, Any]], bool]
    holds: Callable[[Mapping[str, Any]], bool]
    problem: Problem


class _CompiledPart:
    """One part of the questionnaire, ready to validate answers quickly."""

    def __init__(self, part: Part):
        self.member_level = part.level == "member"
        self.coercers = [(f.key, field_coercer(f)) for f in part.fields]
        self.always = frozenset(f.key for f in part.fields if not f.relevant)
        # Conditional fields grouped by their relevance rule (several fields
        # share one, e.g. everything asked only of the employed).
        groups: dict[str, tuple[Mapping, list[str]]] = {}
        for f in part.fields:
            if f.relevant:
                groups.setdefault(_rule_key(f.relevant), (f.relevant, []))[1].append(f.key)
        self.relevance = [(rules.compile_rule(rule), tuple(keys)) for rule, keys in groups.values()]
        self.required = [(f.key, Problem(f.key, f"请填写{f.label}", ERROR, "required"))
                         for f in part.fields if f.required]
        self.rules = [_CompiledRule(rules.compile_rule(r.get("when")), rules.compile_rule(r.get("assert")),
                                    Problem((r.get("fields") or [None])[0], r["message"],
                                            r.get("severity", WARNING), r["id"]))
                      for r in part.rules]
        # What the rules' outcome depends on: the fields they read, the age,
        # and whether each required field is empty. Rows of a roster repeat
        # these far more than their whole answers, so outcomes are remembered
        # by them (see ``_rule_outcome``).
        read: set[str] = set()
        for f in part.fields:
            read |= rules.fields_of(f.relevant)
        for r in part.rules:
            read |= rules.fields_of(r.get("when")) | rules.fields_of(r.get("assert"))
        self.reads_age = self.member_level and "age" in read
        self.read_keys = tuple(sorted(read - {"age"}))
        self.read_multi = [i for i, k in enumerate(self.read_keys) if k in part.by_key and part.by_key[k].type == "multi"]
        self.required_keys = tuple(key for key, _ in self.required)
        self._outcomes: dict[tuple, tuple[tuple[str, ...], tuple[Problem, ...]]] = {}

    def irrelevant_keys(self, values: Mapping[str, Any]) -> list[str]:
        return [k for holds, keys in self.relevance if not holds(values) for k in keys]

    def relevant_keys(self, answers: Mapping[str, Any]) -> set[str]:
        keys = set(self.always)
        keys.update(k for holds, group in self.relevance if holds(answers) for k in group)
        return keys

    def validate(self, raw_answers: Mapping[str, Any], as_of: dt.date | None
                 ) -> tuple[dict[str, Any], list[Problem]]:
        problems: list[Problem] = []
        values: dict[str, Any] = {}
        for key, convert in self.coercers:
            if key in raw_answers:
                raw = raw_answers[key]
                if raw is None or raw == "":  # an empty cell: no answer, nothing to check
                    values[key] = None
                    continue
                try:
                    values[key] = convert(raw)
                except CoerceError as exc:
                    problems.append(Problem(key, exc.message, ERROR, exc.kind))
                    values[key] = None
        age = None
        if self.reads_age:
            age = _age_of_coerced(values.get("id_number"), as_of or dt.date.today())
        if problems:  # a value was refused: its field is neither required-checked nor remembered
            irrelevant, found = self._rule_outcome(values, age, {p.field for p in problems})
        else:
            read = list(map(values.get, self.read_keys))
            for i in self.read_multi:  # lists are not hashable
                if read[i] is not None:
                    read[i] = tuple(read[i])
            key = (*read, *map(rules.is_empty, map(values.get, self.required_keys)), age)
            outcome = self._outcomes.get(key)
            if outcome is None:
                if len(self._outcomes) >= _OUTCOME_LIMIT:
                    self._outcomes.clear()
                outcome = self._outcomes[key] = self._rule_outcome(values, age, ())
            irrelevant, found = outcome
        for key in irrelevant:  # pruned
            if key in values:
                values[key] = None
        problems.extend(found)
        return values, problems

    def _rule_outcome(self, values: Mapping[str, Any], age: int | None, bad
                      ) -> tuple[tuple[str, ...], tuple[Problem, ...]]:
        """Irrelevant fields, and the required and consistency problems, of
        coerced ``values`` (``bad``: fields whose value was refused)."""
        irrelevant = self.irrelevant_keys(values)
        found = [missing for key, missing in self.required
                 if key not in bad and key not in irrelevant and rules.is_empty(values.get(key))]
        if self.rules:
            context = dict(values)
            for key in irrelevant:
                if key in context:
                    context[key] = None
            if self.member_level:
                context["age"] = age
            for rule in self.rules:
                if rule.when(context) and not rule.holds(context):
                    found.append(rule.problem)
        return tuple(irrelevant), tuple(found)


_OUTCOME_LIMIT = 50_000  # remembered rule outcomes per part before the memo starts over


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
