"""A small rule language, written as JSON, for relevance, consistency and
policy eligibility rules.

A rule is a dict. Combinators: ``{"all": [...]}``, ``{"any": [...]}``,
``{"not": rule}``, ``{"exactly_one": [...]}``. A test names a ``field`` of the
context and one operator:

- ``eq`` / ``ne``: equal / not equal (for a several-values field: the only value)
- ``in`` / ``not_in``: one of a list (``null`` and ``""`` both mean empty)
- ``contains`` / ``contains_any``: a several-values field holds the value / any of them
- ``eq_set``: a several-values field holds exactly these values
- ``empty``: ``true`` when nothing is given, ``false`` when something is
- ``gte`` / ``gt`` / ``lte`` / ``lt``: numeric comparison (empty never matches)
- ``sum_lte``: the sum of the listed fields is at most the field's value

Field names may carry a prefix (``household.attribute``) when the context is
flat. Unknown operators raise ``ValueError`` when the rule is checked by
``check_rule``, so that a bad definition fails on load, not in front of a cadre.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_OPERATORS = {
    "eq", "ne", "in", "not_in", "contains", "contains_any", "eq_set", "empty",
    "gte", "gt", "lte", "lt", "sum_lte",
}
_COMBINATORS = {"all", "any", "not", "exactly_one"}


def is_empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, (list, tuple, set)) and not value)


def _as_list(value: Any) -> list:
    if is_empty(value):
        return []
    if isinstance(value, (list, tuple, set)):
        return list(value)
    return [value]


def _number(value: Any) -> float | None:
    if is_empty(value) or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def evaluate(rule: Mapping | None, context: Mapping[str, Any]) -> bool:
    """True when ``rule`` holds for ``context``; an absent rule always holds."""
    if not rule:
        return True
    if "all" in rule:
        return all(evaluate(r, context) for r in rule["all"])
    if "any" in rule:
        return any(evaluate(r, context) for r in rule["any"])
    if "not" in rule:
        return not evaluate(rule["not"], context)
    if "exactly_one" in rule:
        return sum(1 for r in rule["exactly_one"] if evaluate(r, context)) == 1
    value = context.get(rule["field"])
    for op in _OPERATORS:
        if op in rule:
            return _test(op, rule[op], value, context)
    raise ValueError(f"rule has no operator: {rule!r}")


def _test(op: str, arg: Any, value: Any, context: Mapping[str, Any]) -> bool:
    if op == "empty":
        return is_empty(value) == bool(arg)
    if op in ("eq", "ne"):
        values = _as_list(value)
        single = values[0] if len(values) == 1 else (None if not values else values)
        return (single == arg) == (op == "eq")
    if op in ("in", "not_in"):
        wanted = [None if is_empty(a) else a for a in arg]
        values = _as_list(value) or [None]
        hit = any(v in wanted for v in values)
        return hit == (op == "in")
    if op == "contains":
        return arg in _as_list(value)
    if op == "contains_any":
        return any(a in _as_list(value) for a in arg)
    if op == "eq_set":
        return set(_as_list(value)) == set(arg)
    if op == "sum_lte":
        limit = _number(value)
        total = sum(_number(context.get(f)) or 0 for f in arg)
        return limit is None or total <= limit + 1e-9
    number = _number(value)
    if number is None:
        return False
    return {"gte": number >= arg, "gt": number > arg, "lte": number <= arg, "lt": number < arg}[op]


def fields_of(rule: Mapping | None) -> set[str]:
    """Every field a rule reads (used to know which fields drive relevance)."""
    if not rule:
        return set()
    found: set[str] = set()
    for key in ("all", "any", "exactly_one"):
        for sub in rule.get(key, ()):
            found |= fields_of(sub)
    if "not" in rule:
        found |= fields_of(rule["not"])
    if "field" in rule:
        found.add(rule["field"])
    if "sum_lte" in rule:
        found.update(rule["sum_lte"])
    return found


def check_rule(rule: Mapping | None, where: str) -> None:
    """Raise ``ValueError`` naming ``where`` if the rule is malformed."""
    if not rule:
        return
    if not isinstance(rule, Mapping):
        raise ValueError(f"{where}: a rule must be an object, got {rule!r}")
    combinators = _COMBINATORS & rule.keys()
    if combinators:
        (key,) = combinators
        subs = [rule["not"]] if key == "not" else rule[key]
        for i, sub in enumerate(subs):
            check_rule(sub, f"{where}.{key}[{i}]")
        return
    if "field" not in rule:
        raise ValueError(f"{where}: a test needs a 'field': {rule!r}")
    ops = _OPERATORS & rule.keys()
    if len(ops) != 1:
        raise ValueError(f"{where}: a test needs exactly one operator of {sorted(_OPERATORS)}: {rule!r}")
