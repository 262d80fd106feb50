"""The demo county: a realistic, synthetic Linqing register built from a seed.

``build_demo`` fills a database with villages under the real towns of
``resources/places.json``, households and members distributed as domain.md §9
describes (about three people a household, many elderly one- and two-person
households, 因病 and 因残 the commonest causes, 10–20 % of people disabled),
ID numbers that pass the check with both the old (372502) and the new (371581)
address code, partly done surveys, employment by route, cadres with a few
changes of cadre, visits, enterprises and openings in the workshop trades of
§9, recommendations, applications, measures and subsidies (so that every figure
of ``cadre-desk stats`` has something to count), and the sample policies.

Everything comes from one ``random.Random(seed)`` and the reference date
``as_of``: the same seed and date give the same rows, ids included (ids are
drawn from a second generator seeded from the seed and the number of households
already present, so a forced second demo never collides with the first). Word
lists are data in ``resources/demo.json``; nothing here needs Faker.

All rows go through ``Store.insert_many`` in one transaction (change log
included; members through the register's one write path): 300 households take
a fraction of a second, 10,000 a few seconds.

The package: ``vocabulary`` (the demo's fixed figures and word lists),
``draws`` (the random draws every part shares), ``villages``, ``enterprises``
(enterprises and their openings), ``families`` (who lives in each household),
``answers`` (each person's health, schooling, work and survey answers, each
household's income), ``support`` (cadres, pairings, visits, measures,
subsidies), ``job_offers`` (recommendations, applications, outcomes),
``work_register`` (监测户 and work spells, today's register) and ``builder``
(the order in which they run, and the writing).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from ..errors import CadreDeskError
from ..first_start import has_households, is_demo
from ..paths import resource_path
from ..storage import Store
from .vocabulary import DEFAULT_HOUSEHOLDS, DEFAULT_SEED, word_lists

__all__ = ["DEFAULT_HOUSEHOLDS", "DEFAULT_SEED", "DemoRefused", "DemoSummary", "build_demo", "check_can_build",
           "ensure_demo_county", "has_households", "is_demo", "word_lists"]


@dataclass(frozen=True)
class DemoSummary:
    households: int
    members: int
    villages: int
    cadres: int
    enterprises: int
    openings: int
    policies: int | None  # None: the policy loader or sample file is not available
    seconds: float


class DemoRefused(CadreDeskError):
    """The database already holds households; a demo is only added with --force."""


def check_can_build(store: Store, *, force: bool = False) -> None:
    """Refuse (with a Chinese message) to add a demo to a database with households, unless forced."""
    if force or not has_households(store, include_deleted=False):
        return
    if is_demo(store):
        raise DemoRefused("这个数据库里已经有演示数据。要另建一个演示县，请用 --db 指定一个新的数据库文件"
                          "（或加 --force 在现有数据中再添加一批）")
    raise DemoRefused("这个数据库里已经有真实的贫困户数据，不能生成演示数据，以免混在一起。"
                      "请用 --db 指定一个新的数据库文件；确需添加请加 --force")


def ensure_demo_county(store: Store, *, households: int = DEFAULT_HOUSEHOLDS, seed: int = DEFAULT_SEED,
                       as_of: dt.date | None = None) -> bool:
    """On first start: build the demo county when the database has never had a
    household (a county that deleted all its households does not get a demo).
    Returns True when it built one."""
    if has_households(store, include_deleted=True):
        return False
    build_demo(store, households=households, seed=seed, as_of=as_of)
    return True


def build_demo(store: Store, *, households: int = DEFAULT_HOUSEHOLDS, seed: int = DEFAULT_SEED,
               as_of: dt.date | None = None) -> DemoSummary:
    """Add a synthetic county of ``households`` households (see the module
    docstring) and mark the database as demo data. Deterministic for
    (seed, as_of, households) on a database without households."""
    from ..search import bulk_inserts
    from .builder import DemoBuilder

    if households < 1:
        raise CadreDeskError("演示户数至少为 1")
    if households > 200_000:
        raise CadreDeskError("演示户数最多 200000")
    started = time.perf_counter()
    as_of = as_of or dt.date.today()
    builder = DemoBuilder(store, households=households, seed=seed, as_of=as_of)
    # The new people are indexed for search in one pass at the end, not row by row.
    with store.transaction(), bulk_inserts(store.db):
        # The demo's answers use the 2020 names (建档立卡贫困户, 扶贫车间): the
        # 2020 terms, set first so that its work spells are written in them.
        from .. import terms

        terms.note_import(store, "2020")
        summary = builder.build()
        store.set_setting("is_demo", True)
        store.set_setting("demo", {"seed": seed, "households": households, "as_of": as_of.isoformat()})
    policies = _load_sample_policies(store)
    return DemoSummary(**summary, policies=policies, seconds=time.perf_counter() - started)


def _load_sample_policies(store: Store) -> int | None:
    """The sample policy compilation (None when its file is not shipped)."""
    from .. import policies

    if not resource_path(*policies.SAMPLE_FILE).exists():
        return None
    policies.load_sample_policies(store)
    return store.db.execute("SELECT count(*) FROM policies WHERE deleted = 0").fetchone()[0]
