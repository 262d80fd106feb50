"""Work spells (务工, shared/domain.md §11): a member's employment month by
month, any number of spells per person, each with its place resolved to a
county (``gazetteer``), its channel, employer, pay and subsidy.

``save_spells`` is the one write path (the national-export import, the
commands, the window, an offer that starts or ends): every row is coerced,
its place resolved, and it is upserted by (member, start month) — the same
person and start month is the same spell, so importing twice changes
nothing. Problems come back per row (nothing raises for a bad row):

- errors (the row is not written): no such member, a month that is no month,
  an end before the start, a channel not in the code list, a number out of
  range;
- warnings (written, to be looked at): spells of one person that overlap
  (both rows named), a monthly income under 400 元, no county for a spell
  (place empty, unknown, ambiguous — asking for the province — or only a city
  or province), 帮扶车间 or 乡村公益性岗位 outside the home county, a start
  after this month or before the person was 16, the same spell twice in one
  import.

The answers' types, code list, ranges and lengths are data
(``resources/spells.json``, ``spell_part``): the core coerces with them and
the window's spell dialog is built from them.

``employment_status_on`` is 就业状态 on a date: the spells decide for a person
who has any (a spell covering the month: 已就业), the member's own answer
otherwise (2020 data). After a write, a member whose stored 就业状态 no longer
matches the spells for this month gets it updated through
``register.save_members`` (so the seed figures, read from the answer, follow).
"""

from __future__ import annotations

from .checks import spell_warnings
from .read import find_spell, get_spell, home_county, scope_sql, spells_of, working_on
from .rows import (COLUMNS, EMPLOYED, IN_COUNTY_CHANNELS, KEEP, MIN_INCOME, TABLE, UNEMPLOYED, SpellError,
                   SpellResult, SpellRow, spell_fields)
from .status import employment_status_on, follow_employment
from .values import spell_part
from .write import check_spells, delete_spell, end_spell, save_spell, save_spells

__all__ = ["COLUMNS", "EMPLOYED", "IN_COUNTY_CHANNELS", "KEEP", "MIN_INCOME", "TABLE", "UNEMPLOYED", "SpellError",
           "SpellResult", "SpellRow", "check_spells", "delete_spell", "employment_status_on", "end_spell",
           "find_spell", "follow_employment", "get_spell", "home_county", "save_spell", "save_spells", "scope_sql",
           "spell_fields", "spell_part", "spell_warnings", "spells_of", "working_on"]
