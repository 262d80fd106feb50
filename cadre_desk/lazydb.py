"""A database handle that starts at once: sqlite-utils only when it is needed.

Importing sqlite-utils costs a command 0.3–0.4 s of start-up (it imports
numpy, click, dateutil and pluggy, and scans the installed plugins), which is
ten times the work of a ``cadre-desk search``. Almost everything the program
does with its database goes through the raw connection, ``execute`` and
``atomic``; those are here, with sqlite-utils' own semantics, on a
connection opened in autocommit mode (``isolation_level=None``, see
``storage.connect``). Anything else (``db["table"]``: create, add_column,
insert through sqlite-utils, …) builds the real ``sqlite_utils.Database`` on
the same connection the first time it is asked for and hands over to it.

``Migrations`` records the schema steps like sqlite-utils' ``Migrations``
(same ``_sqlite_migrations`` table, same names) and reads which are applied
with one query; sqlite-utils runs only the steps that are still pending.
"""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any


class Database:
    """``sqlite_utils.Database`` on ``conn``, built on first use beyond the raw basics."""

    def __init__(self, conn: sqlite3.Connection, *, recursive_triggers: bool = True):
        self.conn = conn
        self._real = None
        if recursive_triggers:
            # What sqlite_utils.Database(conn) does on construction.
            conn.execute("PRAGMA recursive_triggers=on;")

    # -------------------------------------------------- the basics, no sqlite-utils
    def execute(self, sql: str, parameters: Sequence | dict[str, Any] | None = None) -> sqlite3.Cursor:
        if parameters is not None:
            return self.conn.execute(sql, parameters)
        return self.conn.execute(sql)

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:
        """A transaction; nested blocks are savepoints (as in sqlite-utils)."""
        conn = self.conn
        if conn.in_transaction:
            savepoint = f"sqlite_utils_{uuid.uuid4().hex}"
            conn.execute(f"SAVEPOINT {savepoint};")
            try:
                yield self
            except BaseException:
                # An error such as RAISE(ROLLBACK) can end the whole transaction,
                # savepoints included: cleaning up would mask the original error.
                if conn.in_transaction:
                    conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint};")
                    conn.execute(f"RELEASE SAVEPOINT {savepoint};")
                raise
            else:
                conn.execute(f"RELEASE SAVEPOINT {savepoint};")
        else:
            conn.execute("BEGIN")
            try:
                yield self
            except BaseException:
                self.rollback()
                raise
            else:
                try:
                    conn.execute("COMMIT")
                except BaseException:
                    self.rollback()
                    raise

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def table_names(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]

    def columns_of(self, table: str) -> list[str]:
        """Column names of ``table`` (sqlite-utils' ``db[table].columns_dict`` keys, in order)."""
        return [r[1] for r in self.conn.execute(f"PRAGMA table_info([{table}])")]

    # -------------------------------------------------- everything else: sqlite-utils
    @property
    def real(self):
        """The ``sqlite_utils.Database`` on this connection (imported on first use)."""
        if self._real is None:
            from sqlite_utils import Database as SqliteUtilsDatabase

            # recursive_triggers was set above; the PRAGMA is not repeated.
            self._real = SqliteUtilsDatabase(self.conn, recursive_triggers=False)
        return self._real

    def __getitem__(self, table_name: str):
        return self.real[table_name]

    def __getattr__(self, name: str):
        # Only reached for attributes not defined here (table(), query(), tables, …).
        if name.startswith("__") or name in ("_real", "conn"):
            raise AttributeError(name)
        return getattr(self.real, name)


@dataclass
class _Migration:
    name: str
    fn: Callable
    transactional: bool = True


class Migrations:
    """Named schema steps, applied in definition order and recorded by name in
    ``_sqlite_migrations`` (the table and the decorator of sqlite-utils' ``Migrations``)."""

    table = "_sqlite_migrations"

    def __init__(self, name: str):
        self.name = name
        self._migrations: list[_Migration] = []

    def __call__(self, *, name: str | None = None, transactional: bool = True):
        def inner(fn):
            step = name or fn.__name__
            if any(m.name == step for m in self._migrations):
                raise ValueError(f"Migration '{step}' is already registered in set '{self.name}'")
            self._migrations.append(_Migration(step, fn, transactional))
            return fn
        return inner

    def names(self) -> list[str]:
        return [m.name for m in self._migrations]

    def pending(self, db) -> list[str]:
        """Names of the steps not applied to ``db`` yet (read-only, one query)."""
        conn = db.conn
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                            [self.table]).fetchone():
            return self.names()
        done = {r[0] for r in conn.execute(f"SELECT name FROM {self.table} WHERE migration_set = ?", [self.name])}
        return [n for n in self.names() if n not in done]

    def apply(self, db) -> None:
        """Apply the pending steps, each in its own transaction with its record."""
        if not self.pending(db):
            return
        from sqlite_utils import Migrations as SqliteUtilsMigrations

        real = SqliteUtilsMigrations(self.name)
        for m in self._migrations:
            real(name=m.name, transactional=m.transactional)(m.fn)
        real.apply(db)
