"""The validation engine: a block of answers checked column by column.

One engine for every caller: the survey form and the register's one write
path check one row (``questionnaire.validate`` is the one-row case), the
roster import checks 2,000 rows at a time. Within a block,

- each column is coerced once per distinct value (``questionnaire.coerce``);
  an ID-number column is checked for all its values at once
  (``idnumber.well_formed_18``) and only the others go through ``coerce``;
- each relevance and consistency rule is evaluated once per distinct tuple of
  the fields it reads (``rules.fields_of``; the age is a derived column, read
  from the ID number);
- nothing is remembered between blocks: no memo sizes, no caches keyed by
  ``id()``. What is built once is the part's compiled form (``engine(part)``),
  kept on the ``Part`` it belongs to.

The result is exactly what the definition says read literally, row by row
(tests/test_questionnaire.py holds that literal reading as the oracle): the
same values (irrelevant answers emptied) and the same problems in the same
order (refused values, then missing required answers, then the rules).
"""

from __future__ import annotations

import datetime as dt
import json
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import compress
from typing import TYPE_CHECKING, Any

from . import rules
from .domain import WORKING_AGE_DEFAULT
from .idnumber import well_formed_18

if TYPE_CHECKING:  # pragma: no cover
    from .questionnaire import Field, Part, Problem

ERROR = "error"
WARNING = "warning"

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING", "__slots__": ()})()
"""A cell of a column for a row that does not give that field at all."""


class _Refused:
    __slots__ = ("kind", "message")

    def __init__(self, message: str, kind: str):
        self.message, self.kind = message, kind


@dataclass(frozen=True)
class _Rule:
    reads: tuple[str, ...]  # fields read, "age" included
    test: Callable[[Mapping[str, Any]], bool]  # True: the row has the problem
    problem: Problem
    names_values: bool = False  # the message names fields it reads ({age_min}): worded per row


@dataclass(frozen=True)
class _Relevance:
    reads: tuple[str, ...]
    holds: Callable[[Mapping[str, Any]], bool]
    keys: tuple[str, ...]  # the fields asked only when it holds


class Engine:
    """A part of the questionnaire compiled once: its rules as predicates, with
    the fields each reads."""

    def __init__(self, part: Part):
        from .questionnaire import Problem

        self.part = part
        self.fields = list(part.fields)
        self.multi = frozenset(f.key for f in part.fields if f.type == "multi")
        groups: dict[str, tuple[Mapping, list[str]]] = {}
        for f in part.fields:
            if f.relevant:
                groups.setdefault(json.dumps(f.relevant, sort_keys=True, ensure_ascii=False), (f.relevant, []))[1].append(f.key)
        self.relevance = [_Relevance(tuple(sorted(rules.fields_of(rule))), rules.compile_rule(rule), tuple(keys))
                          for rule, keys in groups.values()]
        self.always = frozenset(f.key for f in part.fields if not f.relevant)
        self.required = [(f.key, Problem(f.key, f.message("required", f"请填写{f.label}"), ERROR, "required"))
                         for f in part.fields if f.required]
        self.rules = []
        for r in part.rules:
            when, holds = rules.compile_rule(r.get("when")), rules.compile_rule(r.get("assert"))
            reads = tuple(sorted(rules.fields_of(r.get("when")) | rules.fields_of(r.get("assert"))))
            self.rules.append(_Rule(reads, _violated(when, holds),
                                    Problem((r.get("fields") or [None])[0], r["message"],
                                            r.get("severity", WARNING), r["id"]),
                                    any("{" + k + "}" in r["message"] for k in reads)))
        self.member_level = part.level == "member"

    def relevant_keys(self, answers: Mapping[str, Any]) -> set[str]:
        keys = set(self.always)
        keys.update(k for group in self.relevance if group.holds(answers) for k in group.keys)
        return keys


def _violated(when: Callable, holds: Callable) -> Callable[[Mapping[str, Any]], bool]:
    return lambda context: when(context) and not holds(context)


def engine(part: Part) -> Engine:
    """The part's compiled form, built on first use and kept on the part."""
    compiled = part.__dict__.get("_engine")
    if compiled is None:
        compiled = part.__dict__["_engine"] = Engine(part)
    return compiled


# ---------------------------------------------------------------- a block

@dataclass
class Block:
    """A checked block of ``n`` rows: ``columns[key][i]`` is row i's value
    (None when empty, emptied or refused; ``MISSING`` when the row does not
    give the field) and ``problems[i]`` its problems. Values are shared between
    rows that gave the same answer: read-only."""

    n: int
    columns: dict[str, list]
    problems: list[list[Problem]]

    def values(self, i: int) -> dict[str, Any]:
        return {k: col[i] for k, col in self.columns.items() if col[i] is not MISSING}

    def rows(self) -> list[tuple[dict[str, Any], list[Problem]]]:
        keys = list(self.columns)
        if not keys:
            return [({}, found) for found in self.problems]
        if not any(MISSING in col for col in self.columns.values()):
            return [(dict(zip(keys, cells)), found)
                    for cells, found in zip(zip(*self.columns.values()), self.problems)]
        return [(self.values(i), self.problems[i]) for i in range(self.n)]


def check_rows(part: Part, rows: Sequence[Mapping[str, Any]], *, as_of: dt.date | None = None,
               working_age: tuple[int, int] | None = None) -> Block:
    """Check answers given as one mapping per row (a field a row does not
    give is ``MISSING`` for it)."""
    keys = [f.key for f in part.fields]
    given = {k for row in rows for k in row}
    columns = {k: [row.get(k, MISSING) for row in rows] for k in keys if k in given}
    return check_columns(part, columns, len(rows), as_of=as_of, working_age=working_age)


def check_columns(part: Part, raw: Mapping[str, list], n: int, *, as_of: dt.date | None = None,
                  working_age: tuple[int, int] | None = None) -> Block:
    """Check ``n`` rows given column by column (``raw[key]`` holds the answers
    of field ``key``, ``MISSING`` where a row does not give it; a field absent
    from ``raw`` is given by no row). A member's rules may read two derived
    fields: ``age`` (on ``as_of``, from the ID number) and ``working_age``
    (``working_age`` = the settings' bounds, ``domain.working_age_bounds``;
    rule messages may name them as ``{working_age_min}``/``{working_age_max}``)."""
    eng = engine(part)
    day = as_of or dt.date.today()
    low, high = working_age or WORKING_AGE_DEFAULT
    problems: list[list[Problem]] = [[] for _ in range(n)]
    columns: dict[str, list] = {}
    refused: dict[str, set[int]] = {}
    for fld in eng.fields:
        if fld.key in raw:
            columns[fld.key] = _coerce_column(fld, raw[fld.key], problems, refused)
    nothing = [None] * n

    def column(key: str) -> list:
        col = columns.get(key)
        if col is None:
            return nothing
        return [None if v is MISSING else v for v in col] if MISSING in col else col

    # The rules read hashable values: several-values answers as tuples.
    readable: dict[str, list] = {}

    def read(key: str) -> list:
        if key not in readable:
            if key == "age":
                readable[key] = _ages(column("id_number"), day)
            elif key == "working_age":
                readable[key] = [age is not None and low <= age < high for age in read("age")]
            elif key in eng.multi:
                readable[key] = [None if v is None else tuple(v) for v in column(key)]
            else:
                readable[key] = column(key)
        return readable[key]

    # Relevance (read from the answers as given), then pruning.
    irrelevant: dict[str, set[int]] = {}
    for group in eng.relevance:
        outcome = _per_distinct(group.holds, group.reads, [read(k) for k in group.reads], eng.multi, n)
        off = set(compress(range(n), map(operator.not_, outcome)))
        if off:
            for key in group.keys:
                irrelevant.setdefault(key, set()).update(off)
    for key, rows in irrelevant.items():
        col = columns.get(key)
        if col is None:
            continue
        columns[key] = col = list(col)
        for i in rows:
            if col[i] is not MISSING:
                col[i] = None
        readable.pop(key, None)
    # Required answers.
    for key, missing in eng.required:
        skip = refused.get(key, set()) | irrelevant.get(key, set())
        for i in compress(range(n), map(operator.is_, column(key), nothing)):
            if i not in skip:
                problems[i].append(missing)
    # Consistency rules, on the pruned answers and the age.
    for rule in eng.rules:
        cols = [read(k) for k in rule.reads]
        outcome = _per_distinct(rule.test, rule.reads, cols, eng.multi, n)
        problem = rule.problem
        if "{" in problem.message and not rule.names_values:
            problem = replace(problem, message=problem.message.format(working_age_min=low, working_age_max=high))
        if rule.names_values:  # the message names what the row answered: one wording per row
            for i in compress(range(n), outcome):
                shown = {k: _shown(col[i]) for k, col in zip(rule.reads, cols)}
                problems[i].append(replace(problem, message=rule.problem.message.format(
                    working_age_min=low, working_age_max=high, **shown)))
            continue
        for i in compress(range(n), outcome):
            problems[i].append(problem)
    return Block(n, columns, problems)


def _per_distinct(test: Callable[[Mapping[str, Any]], bool], reads: tuple[str, ...], cols: list[list],
                  multi: frozenset[str], n: int) -> list[bool]:
    """``test`` of every row, evaluated once per distinct tuple of ``reads``."""
    if not reads:
        return [test({})] * n
    if len(reads) == 1:  # most rules read one field: its column is the key
        (read,), (keys,) = reads, cols
        as_list = read in multi
        outcome = {v: bool(test({read: list(v) if as_list and v is not None else v})) for v in set(keys)}
    else:
        keys = list(zip(*cols))
        outcome = {}
        for key in set(keys):
            context = {k: (list(v) if k in multi and v is not None else v) for k, v in zip(reads, key)}
            outcome[key] = bool(test(context))
    if len(outcome) == 1:
        return [next(iter(outcome.values()))] * n
    return list(map(outcome.__getitem__, keys))


def _shown(value: Any) -> str:
    """A value as a rule message names it (50, not 50.0; several joined by 、)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return "、".join(map(str, value))
    return str(value)


def _ages(id_numbers: list, day: dt.date) -> list[int | None]:
    """The age on ``day`` of each (checked) ID number, once per birth date."""
    ages: dict[str, int] = {}
    out: list[int | None] = []
    for value in id_numbers:
        if not value:
            out.append(None)
            continue
        born = value[6:14]
        age = ages.get(born)
        if age is None:
            y, m, d = int(born[:4]), int(born[4:6]), int(born[6:])
            age = ages[born] = day.year - y - ((day.month, day.day) < (m, d))
        out.append(age)
    return out


def _key(value: Any) -> Any:
    """A hashable key telling apart what ``coerce`` tells apart (1, 1.0 and
    True are one key in a dict, three different answers to a text field)."""
    if type(value) is str or value is None or value is MISSING:
        return value
    if isinstance(value, (list, tuple)):
        return (list, tuple(value))
    return (type(value), value)


def _as_given(fld: Field, first: Mapping[Any, int]) -> dict[Any, Any]:
    """The distinct text values whose coerced value is known without calling
    ``coerce``, each to that value (exactly what ``coerce`` returns): a
    well-formed 18-digit ID number as it is (all checked at once), a code
    list's own name, a text within its length stripped."""
    texts = [k for k in first if type(k) is str]
    if fld.type == "id_number":
        return {k: k for k in well_formed_18(texts)}
    if fld.type == "code":
        names = fld.code_list.exact_names()
        return {k: names[k] for k in texts if k in names}
    if fld.type == "text":
        limit = fld.max_length
        stripped = zip(texts, map(str.strip, texts))
        if limit:
            return {k: s for k, s in stripped if s and len(s) <= limit}
        return {k: s for k, s in stripped if s}
    return {}


def _coerce_column(fld: Field, raw: list, problems: list[list[Problem]], refused: dict[str, set[int]]) -> list:
    """The column coerced, once per distinct value; refused values become None
    and a problem of their row."""
    from .questionnaire import CoerceError, Problem, coerce

    kinds = set(map(type, raw))
    if kinds <= {str, type(None), type(MISSING)}:
        keys = raw
    elif fld.type in ("int", "number") and not kinds & {list, tuple, bool}:
        keys = raw  # 1 and 1.0 are one answer to a number field
    else:
        keys = list(map(_key, raw))
    first = dict(zip(keys, range(len(keys))))  # each distinct key -> a row that has it
    outcome = _as_given(fld, first)
    bad = False
    for key, i in first.items():
        if key in outcome:
            continue
        value = raw[i]
        if value is MISSING:
            outcome[key] = MISSING
        elif value is None or value == "":
            outcome[key] = None
        else:
            try:
                outcome[key] = coerce(fld, value)
            except CoerceError as exc:
                outcome[key] = _Refused(exc.message, exc.kind)
                bad = True
    values = list(map(outcome.__getitem__, keys))
    if bad:
        rows = refused.setdefault(fld.key, set())
        for i, value in enumerate(values):
            if type(value) is _Refused:
                problems[i].append(Problem(fld.key, value.message, ERROR, value.kind))
                values[i] = None
                rows.add(i)
    return values
