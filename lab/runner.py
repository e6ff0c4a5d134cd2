"""Running a demo: one recorder, a time limit, and a transaction that is rolled back (or private tables)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import translation

from .private import private_copies
from .recorder import DemoTimeout, Recorder, active, format_exception_line, recording
from .registry import Demo

logger = logging.getLogger("lab.demos")


class Rollback(Exception):
    """Raised at the end of a run to undo every write the demo made."""


def run_demo(demo: Demo, data: dict[str, Any], learner: str = "", options: dict[str, Any] | None = None) -> Recorder:
    """Run `demo` with its form's cleaned `data` and return what the lab recorded.

    Canonical data never changes: unless the demo declares `commits=True`, it
    runs inside `atomic()` and the transaction is rolled back afterwards. A
    committing demo commits for real, into private copies of the bookshop's
    tables that only its own connection sees (lab.private).
    """
    time_limit = demo.time_limit or settings.LAB_RUN_TIME_LIMIT
    recorder = Recorder(learner=learner, time_limit=time_limit, options=options)
    # A demo may switch the thread's language (a request through LocaleMiddleware activates it and nothing
    # switches it back): the next run in this thread, another learner's, must not get French messages.
    with recording(recorder), translation.override(translation.get_language()):
        try:
            if demo.commits:
                with private_copies(), database_time_limit(recorder):
                    demo.func(recorder, data)
            else:
                _run_rolled_back(demo, recorder, data)
        except DemoTimeout as exc:
            recorder.error = str(exc)
        except OperationalError as exc:
            if not recorder.deadline or time.perf_counter() < recorder.deadline:
                raise
            recorder.error = f"The demo ran past its time limit and the database stopped its query ({exc})."
        except Exception as exc:  # a bug in a demo: show it in the card, log the traceback
            logger.exception("Demo %s failed", demo.slug)
            recorder.error = f"The demo failed unexpectedly: {format_exception_line(exc)}"
    return recorder


@contextmanager
def database_time_limit(recorder: Recorder) -> Iterator[None]:
    """Let the database itself stop a query that outlives the run's time limit.

    The recorder checks its deadline before every statement and cache call; a
    single long query needs the database's help. SQLite calls a progress
    handler every N virtual-machine steps (returning non-zero interrupts the
    query); PostgreSQL gets `SET LOCAL statement_timeout` inside the run's
    transaction (see _run_rolled_back).
    """
    if connection.vendor != "sqlite" or recorder.deadline is None:
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    deadline = recorder.deadline

    def past_deadline() -> int:
        # Only the demo's own queries: a committed demo's clean-up (run under `paused()`
        # in its `finally`) must finish even when the time limit is what stopped it.
        return int(active() is recorder and time.perf_counter() > deadline)

    raw.set_progress_handler(past_deadline, 20_000)
    try:
        yield
    finally:
        raw.set_progress_handler(None, 0)


def _run_rolled_back(demo: Demo, recorder: Recorder, data: dict[str, Any]) -> None:
    # BEGIN and ROLLBACK happen outside every step: they are the lab's bookkeeping, not the demo's SQL.
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql" and recorder.deadline is not None:
                remaining_ms = max(1, int((recorder.deadline - time.perf_counter()) * 1000))
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL statement_timeout = %s", [remaining_ms])
            # Removed again before the rollback, which must never be interrupted.
            with database_time_limit(recorder):
                demo.func(recorder, data)
            raise Rollback
    except Rollback:
        pass
