"""The code lists of the register and the survey, loaded from ``resources/codes.json``.

Values are stored by their Chinese names. ``normalize`` accepts variant
spellings (aliases), full-width brackets and stray spaces, and returns the
current name or ``None`` when the value is not in the list.

A list may also carry ``legacy`` names: the 2020 register's spellings
(扶贫车间, 高中一年级, 大专及以上 ...). They are accepted and kept as given, so that
an imported 2020 value is exported as it came, and each has its current
equivalent (``current``) for figures and checks that reason about meaning.
``values_2020`` is the list as a county on the 2020 terms prints it
(``names(terms)``).
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
    legacy: dict[str, str | None] = field(default_factory=dict)
    values_2020: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict, compare=False)  # other keys of the list (e.g. risk's from_2020)

    @property
    def accepted(self) -> tuple[str, ...]:
        """Every stored name the list accepts: the current ones, then the legacy ones."""
        return self.values + tuple(v for v in self.legacy if v not in self.values)

    def current(self, value: str | None) -> str | None:
        """The current (2021+) name meaning ``value``: a legacy name becomes its
        equivalent (None when it has none), a current name stays."""
        if value is None:
            return None
        if value in self.legacy:
            return self.legacy[value]
        return value

    def normalize_current(self, raw: object) -> str | None:
        """``normalize`` then ``current``: for records that only hold current
        names (work spells). ``None`` for an unknown value or a legacy one
        without an equivalent."""
        return self.current(self.normalize(raw))

    def names(self, terms: str = "2021") -> tuple[str, ...]:
        """The list as printed under ``terms`` ("2020": ``values_2020`` when the
        list has one)."""
        return self.values_2020 if terms == "2020" and self.values_2020 else self.values

    def spelled(self, value: str | None, terms: str = "2021") -> str | None:
        """``value`` as it is spelled under ``terms``: a current name becomes its
        2020 name for a county on the 2020 terms, a legacy name its current one
        otherwise; names without a counterpart stay as they are."""
        if value is None:
            return None
        if terms == "2020" and self.values_2020:
            if value in self.values_2020:
                return value
            for old, new in self.legacy.items():
                if new == value and old in self.values_2020:
                    return old
            return value
        return self.current(value) or value

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
            cached.update({_canon(v): v for v in self.legacy})
            _LOOKUPS[self.key] = cached
        return cached


_LOOKUPS: dict[str, dict[str, str]] = {}


_KNOWN_KEYS = ("label", "values", "aliases", "legacy", "values_2020")


@lru_cache(maxsize=1)
def code_lists() -> dict[str, CodeList]:
    data = json.loads(resource_path("codes.json").read_text(encoding="utf-8"))
    return {
        key: CodeList(key, spec["label"], tuple(spec["values"]), dict(spec.get("aliases", {})),
                      dict(spec.get("legacy", {})), tuple(spec.get("values_2020", ())),
                      {k: v for k, v in spec.items() if k not in _KNOWN_KEYS})
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
