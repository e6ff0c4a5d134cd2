"""What the Signals track's exercises share: only the learner's receivers connected, while a check runs.

An attempt imports the learner's code (module `learner`) and then the reference
solution (module `reference`); both connect their receivers as they import.
The bookshop connects its own at start-up (a review-count receiver, a welcome
email...), which do exactly what several exercises ask the learner to write.
A check that saved a review with all of them connected would pass for any
learner. So each check and each Run works inside `learner_receivers_only()`:
for the block, the given signals have the learner's receivers and nothing
else; afterwards every list is put back as it was (order included), which
also disconnects whatever the learner's code connected during the block.

`Signal.receivers` is a list of tuples whose first item is the lookup key and
whose second is the receiver (or a weak reference to it), in Django 5.2 and
6.x alike (lab/tests/test_signals_private.py pins that on both).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import Signal

MODEL_SIGNALS = (pre_save, post_save, pre_delete, post_delete, m2m_changed)
LEARNER = "learner"


def receiver_of(entry: tuple[Any, ...]) -> Any:
    ref = entry[1]
    return ref() if isinstance(ref, weakref.ReferenceType) else ref


def is_learners(entry: tuple[Any, ...]) -> bool:
    func = receiver_of(entry)
    return getattr(func, "__module__", None) == LEARNER


def learner_receivers(signal: Signal) -> list[Any]:
    """The learner's receivers connected to `signal` now."""
    return [receiver_of(entry) for entry in signal.receivers if is_learners(entry)]


@contextmanager
def learner_receivers_only(*signals: Signal) -> Iterator[None]:
    """For the block, `signals` (the model signals by default) run the learner's receivers and no others."""
    signals = signals or MODEL_SIGNALS
    saved = {}
    for signal in signals:
        with signal.lock:
            saved[signal] = signal.receivers
            signal.receivers = [entry for entry in saved[signal] if is_learners(entry)]
            signal.sender_receivers_cache.clear()
    try:
        yield
    finally:
        for signal, receivers in saved.items():
            with signal.lock:
                signal.receivers = receivers
                signal.sender_receivers_cache.clear()
