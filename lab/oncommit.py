"""Recording `transaction.on_commit()`: each registration ("deferred") and each callback that runs ("on_commit").

Django has no hook for either, so `trace_on_commit()` wraps
`BaseDatabaseWrapper.on_commit` (what `transaction.on_commit` calls) once, at
start-up. Outside a lab run it calls straight through. In a run it records the
registration under whatever caused it (the receiver that registered it) and
wraps the callback so that its run is recorded too, at COMMIT.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from .events import SignalEvent
from .recorder import active
from .signals import callable_name, caused_by, current_cause


class _Callback:
    """An on_commit callback that records when it runs.

    It passes every attribute through to the callback it wraps, so Django sees
    the same `__qualname__` (or, for a functools.partial, the same lack of one)
    and a test that captured it can still read `.func`.
    """

    def __init__(self, func: Callable[[], Any], deferred: SignalEvent):
        self.__wrapped__ = func
        self.deferred = deferred

    def __call__(self) -> Any:
        recorder = active()
        if recorder is None:
            return self.__wrapped__()
        # It runs at COMMIT, caused by whatever is committing (usually nothing a lab records):
        # listing it under its registration would put it before the save that led to the commit.
        event = SignalEvent(kind="on_commit", name=self.deferred.name, parent=current_cause())
        recorder.record_signal(event)
        try:
            with caused_by(event):
                return self.__wrapped__()
        except Exception as exc:
            event.error = f"{type(exc).__name__}: {exc}"
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__wrapped__, name)


def trace_on_commit() -> None:
    """Record each `transaction.on_commit()` registration ("deferred") and each callback that runs ("on_commit")."""
    original = BaseDatabaseWrapper.on_commit
    if getattr(original, "lab_traced", False):
        return

    @functools.wraps(original)
    def on_commit(self: BaseDatabaseWrapper, func: Callable[[], Any], robust: bool = False) -> None:
        recorder = active()
        if recorder is None or not callable(func):
            return original(self, func, robust)
        details = {"robust": True} if robust else {}
        if not self.in_atomic_block:
            details["autocommit"] = "runs now"
        deferred = SignalEvent(kind="deferred", name=callable_name(func), details=details, parent=current_cause())
        recorder.record_signal(deferred)
        return original(self, _Callback(func, deferred), robust)

    on_commit.lab_traced = True  # type: ignore[attr-defined]
    BaseDatabaseWrapper.on_commit = on_commit  # type: ignore[method-assign]
