"""The county's terms: the printed names of the 2020 register (建档立卡贫困户,
扶贫车间, 扶贫公益性岗位, 就业扶贫政策汇编) or of the register since 2021 (脱贫人口
and 监测对象, 帮扶车间, 乡村公益性岗位, 就业帮扶政策汇编), shared/domain.md §11.

The county setting ``terms`` is ``"2021"`` or ``"2020"``. A new county reads
``"2021"``; importing a 2020 roster into a county whose terms nobody chose
sets ``"2020"`` (``note_import``), so a county that keeps its 2020 register
keeps its words. ``cadre-desk setting set terms 2021`` chooses explicitly.
The names themselves are data (``resources/terms.json``); code lists print
their values through ``spelled``/``names`` (codes.json ``values_2020``).
"""

from __future__ import annotations

import json
from functools import lru_cache

from .codes import code_list
from .errors import CadreDeskError
from .paths import resource_path
from .storage import Store

SETTING = "terms"
TERMS = ("2021", "2020")
DEFAULT = "2021"
# Set once somebody (or an import) decided the terms; an import never
# overrides a choice.
_CHOSEN = "terms_chosen_by"


class InvalidTerms(CadreDeskError):
    """A terms value that is neither 2021 nor 2020."""


@lru_cache(maxsize=1)
def _names() -> dict[str, dict[str, str]]:
    data = json.loads(resource_path("terms.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def keys() -> tuple[str, ...]:
    return tuple(_names()[DEFAULT])


def current(store: Store) -> str:
    """The county's terms: "2021" (default) or "2020"."""
    value = str(store.get_setting(SETTING) or DEFAULT)
    return value if value in TERMS else DEFAULT


def check(value: object) -> str:
    text = str(value or "").strip().removesuffix("年")
    if text not in TERMS:
        raise InvalidTerms(f"用语应为 2021（脱贫人口、监测对象、帮扶车间）或 2020（建档立卡贫困户、扶贫车间），现为“{value}”")
    return text


def set_terms(store: Store, value: object, *, by: str = "user") -> str:
    """Choose the county's terms explicitly (a user, or ``by`` naming who)."""
    terms = check(value)
    with store.transaction():
        store.set_setting(SETTING, terms)
        store.set_setting(_CHOSEN, by)
    return terms


def note_import(store: Store, terms: str) -> bool:
    """An import of a register of ``terms`` ("2020": a 2020 roster; "2021": a
    national-system export): sets the county's terms when nobody chose them
    yet. Returns True when the setting changed."""
    terms = check(terms)
    if store.get_setting(_CHOSEN):
        return False
    before = current(store)
    with store.transaction():
        store.set_setting(SETTING, terms)
        store.set_setting(_CHOSEN, f"import:{terms}")
    return before != terms


def term(store: Store, key: str, terms: str | None = None) -> str:
    """A printed name of the county's terms (``resources/terms.json``):
    compilation_title, handbook_title, workshop, workshop_long,
    public_welfare_post, labour_export, people, able_people, households, household_kind, period."""
    names = _names()[terms or current(store)]
    if key not in names:
        raise KeyError(f"unknown term {key!r}; known: {', '.join(names)}")
    return names[key]


def spelled(store: Store, codes: str, value: str | None, terms: str | None = None) -> str | None:
    """A code value as the county prints it (扶贫车间 under 2020, 帮扶车间 under 2021)."""
    return code_list(codes).spelled(value, terms or current(store))


def names(store: Store, codes: str, terms: str | None = None) -> tuple[str, ...]:
    """A code list as the county prints it (e.g. the 就业渠道 of the figures)."""
    return code_list(codes).names(terms or current(store))
