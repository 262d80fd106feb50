"""Values between the core and storage, once each way (the model is Vorta's
field types: each questionnaire field type knows how it is stored).

The core works with str, int, float, bool, list[str] or None; SQLite stores
several-values answers as JSON arrays and yes/no answers as 0/1. Everything
that writes questionnaire values (the register's one write path, the roster
import's bulk rows) uses ``to_storage`` or the encoders built from it;
everything that reads them (the register, the history, conflicts, exports)
uses ``from_storage``, which also reads a value back from the change log
(a TEXT column, so numbers and 0/1 may come back as text).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .questionnaire import Field, Part

_to_json = json.JSONEncoder(ensure_ascii=False).encode
_FALSE_TEXT = ("0", "0.0", "False", "false")


def to_storage(fld: Field, value: Any) -> Any:
    """The value as stored in SQLite: lists as JSON arrays, bools as 0/1."""
    if value is None:
        return None
    if fld.type == "multi":
        return _to_json(list(value))
    if fld.type == "bool":
        return int(bool(value))
    return value


def from_storage(fld: Field | None, stored: Any) -> Any:
    """A stored (or logged) value as the core works with it."""
    if stored is None or stored == "":
        return None
    if fld is None:
        return stored
    if fld.type == "multi":
        return json.loads(stored) if isinstance(stored, str) else list(stored)
    if fld.type == "bool":
        return str(stored).strip() not in _FALSE_TEXT if isinstance(stored, str) else bool(stored)
    if fld.type in ("int", "number") and isinstance(stored, str):
        try:
            number = float(stored)
        except ValueError:
            return stored
        return int(number) if number.is_integer() else number
    return stored


def encode_column(fld: Field, values: list) -> list:
    """``to_storage`` of a column of values, once per distinct value."""
    if fld.type not in ("multi", "bool"):
        return values
    if fld.type == "bool":
        return [None if v is None else int(bool(v)) for v in values]
    keys = [None if v is None else tuple(v) for v in values]
    stored = {key: (None if key is None else _to_json(list(key))) for key in set(keys)}
    return list(map(stored.__getitem__, keys))


def row_encoder(part: Part) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """``to_storage`` of a whole row of ``part``: every field of the part (None
    when not answered) plus any other keys as they are."""
    keys = [f.key for f in part.fields]
    fields = [(f.key, f) for f in part.fields if f.type in ("multi", "bool")]

    def encode(values: Mapping[str, Any]) -> dict[str, Any]:
        row = dict.fromkeys(keys)
        row.update(values)
        for key, fld in fields:
            row[key] = to_storage(fld, row[key])
        return row
    return encode
