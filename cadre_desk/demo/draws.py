"""The random draws the demo's parts share: one ``random.Random(seed)`` for
everything, a second one for row ids, and the helpers that draw people's
names, ID numbers, birth dates, phones and days."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict

from .. import register
from ..idnumber import check_character
from ..storage import Store
from .vocabulary import NEIGHBOUR_CODES, NEW_CODE, OLD_CODE, word_lists


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    out, d = [], dt.date(start.year, start.month, 1)
    if d < start:
        d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    while d <= end:
        out.append(d)
        d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out



def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(day.year + y, m + 1, d)
        except ValueError:
            continue
    raise AssertionError(day)



class Draws:
    """What every part of the builder draws from (see the module docstring)."""

    def __init__(self, store: Store, *, households: int, seed: int, as_of: dt.date):
        self.store = store
        self.n = households
        self.as_of = as_of
        self.latest_birth = min(as_of, dt.date.today())
        self.rng = random.Random(f"cadre-desk-demo:{seed}")
        existing = store.db.execute("SELECT count(*) FROM households").fetchone()[0]
        self._id_rng = random.Random(f"cadre-desk-demo-ids:{seed}:{existing}")
        self.words = word_lists()
        self.q = store.questionnaire
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.member_rows: list[register.MemberRow] = []
        self.ids_taken = {r[0] for r in store.db.execute("SELECT id_number FROM members WHERE deleted = 0")}
        self.numbers_taken = {r[0] for r in store.db.execute("SELECT number FROM households WHERE deleted = 0")}
        self._surnames = [s for s, _ in self.words["surnames"]]
        self._surname_w = [w for _, w in self.words["surnames"]]

    # ------------------------------------------------ small helpers
    def new_id(self) -> str:
        return uuid.UUID(int=self._id_rng.getrandbits(128), version=4).hex

    def add(self, table: str, row: dict) -> str:
        row_id = self.new_id()
        self.rows[table].append({"id": row_id, **row})
        return row_id

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, weights: dict[str, float]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        span = (end - start).days
        return start + dt.timedelta(days=self.rng.randint(0, max(0, span)))

    def days_ago(self, low: int, high: int) -> dt.date:
        return self.as_of - dt.timedelta(days=self.rng.randint(low, high))

    def phone(self) -> str:
        return self.rng.choice(("13", "15", "18", "17")) + "".join(str(self.rng.randrange(10)) for _ in range(9))

    def surname(self) -> str:
        return self.rng.choices(self._surnames, weights=self._surname_w)[0]

    def name(self, surname: str, sex: str, born: dt.date) -> str:
        young = born.year >= 1985
        key = f"given_{'male' if sex == '男' else 'female'}_{'young' if young else 'old'}"
        return surname + self.rng.choice(self.words[key])

    def id_number(self, born: dt.date, sex: str, *, married_in: bool = False) -> str:
        if married_in and self.chance(0.15):
            area = self.rng.choice(NEIGHBOUR_CODES)
        elif born.year < 1990:
            area = OLD_CODE if self.chance(0.55) else NEW_CODE
        elif born.year < 1998:
            area = OLD_CODE if self.chance(0.3) else NEW_CODE
        else:
            area = NEW_CODE
        while True:
            seq = self.rng.randrange(500) * 2 + (1 if sex == "男" else 0)
            body = f"{area}{born:%Y%m%d}{seq:03d}"
            value = body + check_character(body)
            if value not in self.ids_taken:
                self.ids_taken.add(value)
                return value

    def birth_date(self, age: int) -> dt.date:
        """A birth date that makes someone exactly ``age`` on ``as_of`` (never after today)."""
        latest = _years_before(self.latest_birth, max(0, age))
        return latest - dt.timedelta(days=self.rng.randint(0, 364))
