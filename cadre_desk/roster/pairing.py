"""Whether an import needs the clerk's pairing start date (issue 11 §2).

A household's pairing with its 帮扶责任人 starts on the roster's 帮扶时间 (or
结对时间 …) when the file has that column; without it the importer uses the
date the clerk gives (``paired_since``), else the day of the import. The
window asks for that date only when it matters: a member list (a 2020 roster
or a 监测对象信息 list) that names cadres but has no start-date column. This
module decides; the window only asks, the command line takes
``--paired-since``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import CadreDeskError
from ..storage import Store
from .columns import CADRE, PAIRED_SINCE


def pairing_date_needed(store: Store, paths: Sequence[str | Path]) -> bool:
    """True when one of ``paths`` has a member sheet with a 帮扶责任人 column
    and no 帮扶时间 column. A file that cannot be read counts as not needing
    it: the import itself then reports what is wrong with the file."""
    from .national import MEMBER_KINDS, Vocabulary, survey_file

    vocab = Vocabulary(store)
    for path in paths:
        try:
            workbook, sheets = survey_file(Path(path), vocab, "")
        except CadreDeskError:
            continue
        try:
            for sheet in sheets:
                if sheet.kind not in MEMBER_KINDS:
                    continue
                keys = {vocab.key(cell, spells=False) for cell in sheet.header_cells}
                if CADRE in keys and PAIRED_SINCE not in keys:
                    return True
        finally:
            workbook.close()
    return False
