"""Receivers a demo connects or switches off for one run only.

A demo that shows a mistake (a receiver that emails before the commit, one that
saves its own instance) connects it to a real, shared signal. `for_this_run`
makes sure only that run ever reaches it: other learners' runs and ordinary
requests, in other contexts, pass straight by, and their reports never list it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.dispatch import Signal

from .recorder import active
from .signals import callable_name, receiver_name


class RunawayRecursion(RecursionError):
    """A receiver connected with `for_this_run(max_depth=...)` called itself deeper than that."""


@contextmanager
def for_this_run(signal: Signal, func: Callable[..., Any], *, sender: Any = None, max_depth: int = 0) -> Iterator[None]:
    """Connect `func` to `signal` for the block, for the active run only.

    Other learners' runs (other contexts) and ordinary requests never reach it,
    although the signal is shared. With `max_depth`, a receiver that re-sends
    its own signal (`instance.save()` in `post_save`) is stopped with
    RunawayRecursion at that depth instead of running until Python's
    RecursionError.
    """
    recorder = active()
    if recorder is None:
        raise RuntimeError("for_this_run() connects a receiver for the active run; no run is active.")
    depth = 0

    @functools.wraps(func)
    def receiver(sender: Any, **kwargs: Any) -> Any:
        nonlocal depth
        if active() is not recorder:
            return None
        if max_depth and depth >= max_depth:
            raise RunawayRecursion(
                f"{callable_name(func)} was running {depth} deep, each time called from its own save(): "
                "the lab stopped it (unchecked, it runs until Python raises RecursionError)"
            )
        depth += 1
        try:
            return func(sender, **kwargs)
        finally:
            depth -= 1

    receiver.lab_run = recorder  # type: ignore[attr-defined]
    uid = f"lab.run.{id(recorder)}.{receiver_name(func)}"
    signal.connect(receiver, sender=sender, weak=False, dispatch_uid=uid)
    try:
        yield
    finally:
        signal.disconnect(sender=sender, dispatch_uid=uid)


@contextmanager
def switched_off(*names: str) -> Iterator[None]:
    """Switch receivers off (by dotted name) in the active run, for the block only."""
    recorder = active()
    added = {name for name in names if recorder is not None and name not in recorder.disabled_receivers}
    if recorder is not None:
        recorder.disabled_receivers.update(added)
    try:
        yield
    finally:
        if recorder is not None:
            recorder.disabled_receivers.difference_update(added)
