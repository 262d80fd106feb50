"""What the household page shows, computed from the register: the income
summary, the household's assistance measures, and its members' ages (the
figures themselves are defined once, in ``domain``).

Kept out of the widgets so that the printed handbook and reports use the same
figures.
"""

from __future__ import annotations

from .domain import IncomeSummary, income_summary, member_age, yuan  # noqa: F401  (the household page's figures)
from .storage import Store

def measures_of(store: Store, household_id: str) -> list[dict]:
    """Assistance measures of the household and of its members, oldest first,
    with the member's name (empty for household-level measures)."""
    return store.rows(
        "SELECT ms.*, m.name AS member_name FROM measures ms LEFT JOIN members m ON m.id = ms.member_id "
        "WHERE ms.deleted = 0 AND (ms.household_id = ? OR m.household_id = ?) "
        "ORDER BY ms.start_date IS NULL, ms.start_date, ms.created_at", [household_id, household_id])
