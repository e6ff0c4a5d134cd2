"""A throwaway database for the injection demo: the one place where SQL a learner typed is run.

The injection lesson must let a learner's text become SQL (that is the lesson), so
the statement runs where there is nothing else to reach. This is safe by
construction, not by filtering the input:

- The database is SQLite **in memory**, private to one connection, created for the
  run and gone when it ends. It holds one table, `sandbox_book`, with the rows the
  lesson shows (the canonical books' id, title, price, rating and stock): no auth
  tables, no other learner's rows, no sessions, no files.
- It is SQLite whatever the site runs on, so PostgreSQL's file and admin functions
  (`pg_read_file`, `pg_ls_dir`, `pg_terminate_backend`) do not exist there, and the
  site's own database role (a superuser or not) is never used.
- SQLite itself is fenced: no `ATTACH` (SQLITE_LIMIT_ATTACHED is 0, so no other
  database file can be opened), no extensions (Python leaves `load_extension` off),
  and Django's Python SQL functions are not registered (`REGEXP` runs Python's `re`,
  which a crafted pattern can keep busy for minutes, out of reach of any time limit).
- Once the rows are in, an authorizer allows reading and nothing else, values are
  capped at 1,000 bytes and the connection gets a budget of SQLite VM steps, so no
  statement can write, run long or build a large result.

Django's own sqlite3 backend runs the statements, so the lab records them like any
other SQL (their alias is `lesson_books`, their vendor sqlite).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper
from django.db.utils import ConnectionHandler

from lab.recorder import paused

ALIAS = "lesson_books"
MAX_VALUE_BYTES = 1_000  # the longest string or blob any expression may build
VM_STEP_BUDGET = 200_000  # SQLite virtual-machine steps for the whole run (five rows need a few hundred)
CHECK_EVERY = 1_000  # steps between two calls of the progress handler
COLUMNS = ("id", "title")
SCHEMA = 'CREATE TABLE "sandbox_book" ("id" integer NOT NULL PRIMARY KEY, "title" varchar(200) NOT NULL)'
READING = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
LIMITS = {
    sqlite3.SQLITE_LIMIT_ATTACHED: 0,
    sqlite3.SQLITE_LIMIT_LENGTH: MAX_VALUE_BYTES,
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: 10_000,
    sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: 100,
    sqlite3.SQLITE_LIMIT_COMPOUND_SELECT: 10,
}


class ScratchDatabaseWrapper(SQLiteDatabaseWrapper):
    """Django's SQLite backend on a fenced, in-memory connection."""

    def get_new_connection(self, conn_params: dict[str, Any]) -> sqlite3.Connection:
        # Not super(): that registers Django's Python SQL functions (REGEXP among them) and PRAGMAs.
        conn = self.Database.connect(**conn_params)
        for limit, value in LIMITS.items():
            conn.setlimit(limit, value)
        return conn

    def close(self) -> None:
        # Django's SQLite backend keeps in-memory databases open on close(); this one is meant to disappear.
        BaseDatabaseWrapper.close(self)


def only_reading(action: int, *args: Any) -> int:
    """SQLite authorizer: SELECTs may read and call functions; anything else is refused."""
    return sqlite3.SQLITE_OK if action in READING else sqlite3.SQLITE_DENY


def step_budget(total: int = VM_STEP_BUDGET) -> Any:
    """A progress handler that interrupts the statement once the run has used up its VM steps."""
    left = [total // CHECK_EVERY]

    def handler() -> int:
        left[0] -= 1
        return int(left[0] < 0)  # non-zero interrupts the statement ("interrupted")

    return handler


@contextmanager
def lesson_books(rows: Sequence[Sequence[Any]]) -> Iterator[str]:
    """A fresh in-memory database holding only `rows` in `sandbox_book`; yields its alias for `using=`.

    The alias is registered for this thread only (Django's connections are
    thread-local), so no other request can reach it, and it is removed again.
    """
    in_memory = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
    # A handler of its own fills in Django's defaults for the settings dict (it insists on a "default" entry).
    settings = ConnectionHandler({DEFAULT_DB_ALIAS: dict(in_memory), ALIAS: in_memory}).settings[ALIAS]
    database = ScratchDatabaseWrapper(settings, ALIAS)
    connections[ALIAS] = database
    try:
        with paused(), database.cursor() as cursor:  # the lab's set-up, not the lesson's SQL
            cursor.execute(SCHEMA)
            cursor.executemany("INSERT INTO sandbox_book (id, title) VALUES (%s, %s)", rows)
        database.connection.set_authorizer(only_reading)
        database.connection.set_progress_handler(step_budget(), CHECK_EVERY)
        yield ALIAS
    finally:
        del connections[ALIAS]
        database.close()


def tables_in(alias: str) -> list[str]:
    """Every table the scratch database holds (read unrecorded, for a fact)."""
    with paused(), connections[alias].cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        return [name for (name,) in cursor.fetchall()]
