"""The code lists of the register and the survey, loaded from ``resources/codes.json``.

Values are stored by their Chinese names. ``normalize`` accepts older or variant
spellings (aliases), full-width brackets and stray spaces, and returns the
current name or ``None`` when the value is not in the list.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

from .paths import resource_path

_SPACES = re.compile(r"\s+")


def _canon(text: str) -> str:
    return _SPACES.sub("", text).replace("（", "(").replace("）", ")")


@dataclass(frozen=True)
class CodeList:
    key: str
    label: str
    values: tuple[str, ...]
    aliases: dict[str, str] = field(default_factory=dict)

    def normalize(self, raw: object) -> str | None:
        if raw is None:
            return None
        lookup = self._lookup()
        if type(raw) is str:
            hit = lookup.get(raw)  # most cells hold the exact name: skip the clean-up
            if hit is not None:
                return hit
        return lookup.get(_canon(str(raw)))

    def exact_names(self) -> dict[str, str]:
        """Spelling -> current name for the spellings ``normalize`` accepts as
        they are (names and aliases without spaces or full-width brackets): a
        hit here is what ``normalize`` returns for that string."""
        return self._lookup()

    def _lookup(self) -> dict[str, str]:
        # Built lazily once per list; frozen dataclass, so cache on the class dict.
        cached = _LOOKUPS.get(self.key)
        if cached is None:
            cached = {_canon(v): v for v in self.values}
            cached.update({_canon(a): v for a, v in self.aliases.items()})
            _LOOKUPS[self.key] = cached
        return cached


_LOOKUPS: dict[str, dict[str, str]] = {}


@lru_cache(maxsize=1)
def code_lists() -> dict[str, CodeList]:
    data = json.loads(resource_path("codes.json").read_text(encoding="utf-8"))
    return {
        key: CodeList(key, spec["label"], tuple(spec["values"]), dict(spec.get("aliases", {})))
        for key, spec in data.items()
        if not key.startswith("_")
    }


def code_list(key: str) -> CodeList:
    return code_lists()[key]


MULTI_SEPARATORS = re.compile(r"[、,，;；/]")


def split_multi(raw: object) -> list[str]:
    """Split a cell holding several values (separated by 、 , ， ; or /)."""
    if raw is None:
        return []
    return [part.strip() for part in MULTI_SEPARATORS.split(str(raw)) if part.strip()]
