"""Running a demo: one recorder, a time limit, and a transaction that is rolled back."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction

from ..lab.recorder import DemoTimeout, Recorder, format_exception_line, recording
from .registry import Demo

logger = logging.getLogger("lab.demos")


class Rollback(Exception):
    """Raised at the end of a run to undo every write the demo made."""


def run_demo(demo: Demo, data: dict[str, Any], learner: str = "", options: dict[str, Any] | None = None) -> Recorder:
    """Run `demo` with its form's cleaned `data` and return what the lab recorded.

    Canonical data never changes: unless the demo declares `commits=True`, it
    runs inside `atomic()` and the transaction is rolled back afterwards.
    """
    time_limit = demo.time_limit or settings.LAB_RUN_TIME_LIMIT
    recorder = Recorder(learner=learner, time_limit=time_limit, options=options)
    with recording(recorder):
        try:
            if demo.commits:
                demo.func(recorder, data)
            else:
                _run_rolled_back(demo, recorder, data)
        except DemoTimeout as exc:
            recorder.error = str(exc)
        except Exception as exc:  # a bug in a demo: show it in the card, log the traceback
            logger.exception("Demo %s failed", demo.slug)
            recorder.error = f"The demo failed unexpectedly: {format_exception_line(exc)}"
    return recorder


def _run_rolled_back(demo: Demo, recorder: Recorder, data: dict[str, Any]) -> None:
    # BEGIN and ROLLBACK are the lab's bookkeeping, not the demo's SQL: don't record them.
    recorder.capture_sql = False
    try:
        with transaction.atomic():
            recorder.capture_sql = True
            try:
                demo.func(recorder, data)
            finally:
                recorder.capture_sql = False
            raise Rollback
    except Rollback:
        pass
    finally:
        recorder.capture_sql = True
