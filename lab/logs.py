"""Capturing log records for one run: a run sees its own records, nobody else's, and changes nobody's output.

with capture_logs("django.request") as records:
    send(stack, "/sandbox/middleware/boom/")
[r.getMessage() for r in records]
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from .recorder import active


class _RunHandler(logging.Handler):
    """Keeps the records emitted in this run's context only: other learners' requests log too."""

    def __init__(self, recorder: Any, records: list[logging.LogRecord], level: int, to_report: bool):
        super().__init__(level)
        self.recorder = recorder
        self.records = records
        self.to_report = to_report

    def emit(self, record: logging.LogRecord) -> None:
        if active() is self.recorder:
            self.records.append(record)
            if self.to_report and self.recorder is not None:
                self.recorder.record_log(f"log {record.name}: {record.getMessage()}")


class _Capture(logging.Filter):
    """One per logger while runs capture it below its usual level.

    The logger's level is lowered so that it creates the records a run wants;
    this filter then keeps everything below the usual level away from the
    logger's own handlers (and its parents'), handing it only to the capturing
    runs. Other requests' output is exactly what it would have been.
    """

    def __init__(self, logger: logging.Logger):
        super().__init__()
        self.logger = logger
        self.saved_level = logger.level
        self.usual = logger.getEffectiveLevel()
        self.handlers: list[_RunHandler] = []
        logger.addFilter(self)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= self.usual:
            return True  # the normal path; the runs' handlers are attached to the logger too
        for handler in tuple(self.handlers):  # a snapshot: runs come and go on other threads
            if record.levelno >= handler.level:
                handler.handle(record)
        return False

    def add(self, handler: _RunHandler) -> None:
        self.handlers.append(handler)
        self.logger.addHandler(handler)
        self.logger.setLevel(min(self.usual, *(h.level for h in self.handlers)))

    def remove(self, handler: _RunHandler) -> bool:
        """Detach a run; True when it was the last one and the logger is as it was."""
        self.handlers.remove(handler)
        self.logger.removeHandler(handler)
        if self.handlers:
            return False
        self.logger.removeFilter(self)
        self.logger.setLevel(self.saved_level)
        return True


_captures_lock = threading.Lock()
_captures: dict[str, _Capture] = {}


@contextmanager
def capture_logs(
    *names: str, level: int = logging.DEBUG, filters: Iterable[logging.Filter] = (), to_report: bool = False
) -> Iterator[list[logging.LogRecord]]:
    """Collect the records these loggers emit at `level` or above during the block, in this run only.

    Records below a logger's usual level reach this run and nowhere else, so a
    demo can show Django's DEBUG lines without adding to anyone's console.
    With `to_report`, each record is also a line in the log of the step running
    when it was emitted.
    """
    records: list[logging.LogRecord] = []
    handler = _RunHandler(active(), records, level, to_report)
    for f in filters:
        handler.addFilter(f)
    with _captures_lock:
        for name in names:
            if name not in _captures:
                _captures[name] = _Capture(logging.getLogger(name))
            _captures[name].add(handler)
    try:
        yield records
    finally:
        with _captures_lock:
            for name in names:
                if _captures[name].remove(handler):
                    del _captures[name]
