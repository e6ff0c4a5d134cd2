"""A committing demo's rows are private to its run: temporary tables that shadow the bookshop's.

PostgreSQL and SQLite both look an unqualified table name up in the connection's temporary schema
first. So before a `commits=True` demo runs, the lab makes, on the run's own database connection,
a temporary copy of every table of the apps in LAB_PRIVATE_APPS (canonical rows included), and
drops the copies afterwards. The demo's COMMITs are real (on_commit callbacks run), but they land
in tables no other connection can see: another learner's query cannot read them whatever it asks,
and if the worker dies mid-run the copies vanish with its connection. Isolation by construction,
not by a `learner` filter that every query would have to remember.

Two differences from the real tables, both invisible to the lessons: PostgreSQL's copies have no
foreign-key constraints (LIKE does not copy them; Django's on_delete does the cascading), and the
copies' id sequences continue from the canonical rows' highest id.

Django's defaults keep this sound: it neither prepares statements on PostgreSQL (a prepared plan
would keep pointing at the real table) nor keeps SQLite statements that a schema change would not
re-prepare. `lab.checks` refuses a PostgreSQL configuration that prepares statements.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from django.apps import apps
from django.conf import settings
from django.db import connection as default_connection

from .recorder import paused

logger = logging.getLogger("lab.private")


def private_tables() -> list[str]:
    """The tables a committing demo gets a private copy of: every table of LAB_PRIVATE_APPS, M2M ones too."""
    tables: list[str] = []
    for label in settings.LAB_PRIVATE_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            meta = model._meta
            if meta.managed and not meta.proxy and meta.db_table not in tables:
                tables.append(meta.db_table)
    return tables


@contextmanager
def private_copies(connection=default_connection) -> Iterator[list[str]]:
    """Shadow the private tables with temporary copies on `connection` for the block."""
    tables = private_tables()
    with paused():  # the lab's bookkeeping: not the lesson's SQL, and no deadline
        try:
            _create(connection, tables)
        except Exception:
            _drop_or_close(connection, tables)
            raise
    try:
        yield tables
    finally:
        with paused():
            _drop_or_close(connection, tables)


def _create(connection, tables: list[str]) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Resolve the real tables before any copy exists: afterwards the names mean the copies.
            real = {}
            for table in tables:
                cursor.execute(
                    "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(%s)",
                    [quote(table)],
                )
                real[table] = cursor.fetchone()[0]
            for table in tables:
                cursor.execute(f"CREATE TEMPORARY TABLE {quote(table)} (LIKE {real[table]} INCLUDING ALL)")
                # Generated columns (GeneratedField) are computed again by the copy: never inserted.
                cursor.execute(
                    "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
                    "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''",
                    [real[table]],
                )
                (columns,) = cursor.fetchone()
                cursor.execute(f"INSERT INTO pg_temp.{quote(table)} ({columns}) SELECT {columns} FROM {real[table]}")
                cursor.execute(
                    "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attidentity <> ''",
                    [f"pg_temp.{quote(table)}"],
                )
                for (column,) in cursor.fetchall():
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX({quote(column)}), 0) + 1, false) "
                        f"FROM pg_temp.{quote(table)}",
                        [f"pg_temp.{quote(table)}", column],
                    )
        elif connection.vendor == "sqlite":
            # Foreign keys off while copying (outside a transaction, so no write lock on the real
            # database): parents and children are copied in any order. They are on again for the demo.
            # Every table before any row: a row's foreign key names its parent table in temp, which
            # must exist even where the check itself is deferred (inside a test's transaction).
            with connection.constraint_checks_disabled():
                for table in tables:
                    cursor.execute("SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = %s", [table])
                    (create,) = cursor.fetchone()
                    cursor.execute(create.replace("CREATE TABLE", "CREATE TEMPORARY TABLE", 1))
                    cursor.execute(
                        "SELECT sql FROM main.sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                        [table],
                    )
                    for (index,) in cursor.fetchall():
                        cursor.execute(index)  # an unqualified index goes with its table, into temp
                for table in tables:
                    cursor.execute(f"INSERT INTO temp.{quote(table)} SELECT * FROM main.{quote(table)}")
        else:
            raise NotImplementedError(
                f"Private tables for committing demos need PostgreSQL or SQLite, not {connection.vendor}."
            )


def _drop_or_close(connection, tables: list[str]) -> None:
    """Drop the copies; if that fails, close the connection, which drops them too."""
    schema = "pg_temp" if connection.vendor == "postgresql" else "temp"
    quote = connection.ops.quote_name
    try:
        # SQLite's DROP TABLE deletes the rows first and checks foreign keys doing so: off, as for the copy.
        checks_off = connection.constraint_checks_disabled() if connection.vendor == "sqlite" else nullcontext()
        with checks_off, connection.cursor() as cursor:
            for table in reversed(tables):
                cursor.execute(f"DROP TABLE IF EXISTS {schema}.{quote(table)}")
    except Exception:
        if connection.in_atomic_block:  # a test's transaction: its rollback removes them
            raise
        logger.warning("Could not drop a run's private tables; closing its connection instead.", exc_info=True)
        connection.close()
