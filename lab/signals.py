"""Recording signals from the outside: which were sent, which receivers ran, and switching receivers off.

The bookshop's receivers are plain functions that know nothing of the lab.
`trace_receivers("sandbox")` wraps every receiver from that package where it is
connected, so a run records each call (and a learner can switch one off for
their own runs) while `/// source` and `inspect` still show the receiver's own
code (the wrapper sets `__wrapped__`).

Django offers no public API to list or replace a signal's receivers, so this
is the one module that reads `Signal.receivers`, a private structure whose
shape changed in Django 6.1 (a sender reference was added). `_RECEIVER` is the
index of the receiver in an entry in every version the course supports;
lab/tests/test_signals_private.py pins each entry's shape per Django version,
so an upgrade that changes it fails loudly there.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.db.models import signals as model_signals
from django.dispatch import Signal

from .events import SignalEvent
from .recorder import active

_RECEIVER = 1  # (lookup_key, receiver, [sender_ref,] is_async): the receiver is second in 5.2 and 6.x

MODEL_SIGNALS: dict[str, Signal] = {
    "pre_save": model_signals.pre_save,
    "post_save": model_signals.post_save,
    "pre_delete": model_signals.pre_delete,
    "post_delete": model_signals.post_delete,
    "m2m_changed": model_signals.m2m_changed,
}
DETAIL_KEYS = ("created", "raw", "update_fields", "action", "pk_set", "reverse", "model", "origin", "using")

_traced: weakref.WeakSet[Signal] = weakref.WeakSet()  # every signal whose sends are recorded (a demo's own go away)
_packages: set[str] = set()  # receivers defined in these packages are wrapped
_lock = threading.Lock()


@dataclass(frozen=True)
class Connected:
    """One connected receiver, as a learner would describe it."""

    dispatch_uid: str | None
    receiver: Callable[..., Any] | None  # None once a weakly referenced receiver was collected

    @property
    def name(self) -> str:
        return receiver_name(self.receiver)


def receiver_name(func: Any) -> str:
    """The dotted name of a receiver (the original function's, when the lab wrapped it)."""
    if isinstance(func, weakref.ReferenceType):
        func = func()
    if func is None:
        return "(collected)"
    func = getattr(func, "__wrapped__", func)
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


def connected(signal: Signal) -> list[Connected]:
    """The receivers connected to `signal`, in the order they run (sync ones; async ones after)."""
    found = []
    for entry in list(signal.receivers):
        ref = entry[_RECEIVER]
        func = ref() if isinstance(ref, weakref.ReferenceType) else ref
        key = entry[0][0]
        found.append(Connected(key if isinstance(key, str) else None, func))
    return found


# -- sends ----------------------------------------------------------------------------


def describe(value: Any) -> Any:
    """A short, stable text for a signal argument (classes by name, querysets by model)."""
    if isinstance(value, type):
        return value.__name__
    if hasattr(value, "model") and hasattr(value, "query"):  # a QuerySet
        return f"<QuerySet of {value.model.__name__}>"
    if hasattr(value, "_meta") and hasattr(value, "pk"):  # a model instance
        return f"<{type(value).__name__}: {value}>"
    return value


def trace_signal(signal: Signal, name: str) -> None:
    """Record every send of `signal` in the active run; the tracer runs before any other receiver."""

    def tracer(sender: Any, **kwargs: Any) -> None:
        recorder = active()
        if recorder is None:
            return
        details = {key: describe(kwargs[key]) for key in DETAIL_KEYS if key in kwargs}
        if "instance" in kwargs:
            details["instance"] = describe(kwargs["instance"])
        recorder.record_signal(SignalEvent(kind="signal", name=name, sender=describe(sender), details=details))

    tracer.__qualname__ = f"lab tracer for {name}"
    uid = f"lab.tracer.{name}"
    signal.connect(tracer, weak=False, dispatch_uid=uid)
    with signal.lock:  # first in line, so a send is logged before the receivers it causes
        entries = list(signal.receivers)
        mine = [e for e in entries if e[0][0] == uid]
        signal.receivers = mine + [e for e in entries if e[0][0] != uid]
        signal.sender_receivers_cache.clear()
    _traced.add(signal)
    wrap_receivers()


# -- receivers ------------------------------------------------------------------------


def trace_receivers(package: str) -> None:
    """Wrap every receiver defined in `package` (now, and on every later call of `wrap_receivers`)."""
    _packages.add(package)
    wrap_receivers()


def wrap_receivers() -> None:
    """Wrap receivers of the traced packages connected since the last call (idempotent and cheap)."""
    if not _packages:
        return
    with _lock:
        for signal in list(_traced):
            with signal.lock:
                changed = False
                entries = list(signal.receivers)
                for i, entry in enumerate(entries):
                    ref = entry[_RECEIVER]
                    func = ref() if isinstance(ref, weakref.ReferenceType) else ref
                    if func is None or hasattr(func, "lab_name") or not _in_packages(func):
                        continue
                    entries[i] = (*entry[:_RECEIVER], traced(func), *entry[_RECEIVER + 1 :])
                    changed = True
                if changed:
                    signal.receivers = entries
                    signal.sender_receivers_cache.clear()


def _in_packages(func: Callable[..., Any]) -> bool:
    module = getattr(func, "__module__", "") or ""
    return any(module == p or module.startswith(p + ".") for p in _packages)


def traced(func: Callable[..., Any]) -> Callable[..., Any]:
    """`func`, recording each run in the active recorder; a learner can switch it off by its dotted name.

    Async receivers get an async wrapper: the dispatcher tells sync from async
    with `iscoroutinefunction`, so a sync wrapper would never await them.
    """
    label = receiver_name(func)

    def begin(sender: Any) -> SignalEvent | None:
        recorder = active()
        if not recorder.receiver_enabled(label):
            recorder.record_signal(SignalEvent(kind="skipped", name=label, sender=describe(sender)))
            return None
        event = SignalEvent(kind="receiver", name=label, sender=describe(sender))
        recorder.record_signal(event)
        return event

    if iscoroutinefunction(func):

        @functools.wraps(func)
        async def wrapper(sender: Any, **kwargs: Any) -> Any:
            if active() is None:
                return await func(sender, **kwargs)
            event = begin(sender)
            if event is None:
                return None
            event.details["async"] = True
            try:
                return await func(sender, **kwargs)
            except Exception as exc:
                event.error = f"{type(exc).__name__}: {exc}"
                raise

    else:

        @functools.wraps(func)
        def wrapper(sender: Any, **kwargs: Any) -> Any:
            if active() is None:
                return func(sender, **kwargs)
            event = begin(sender)
            if event is None:
                return None
            try:
                return func(sender, **kwargs)
            except Exception as exc:
                event.error = f"{type(exc).__name__}: {exc}"
                raise

    wrapper.lab_name = label  # type: ignore[attr-defined]
    return wrapper


def traced_names(prefix: str = "") -> list[str]:
    """Dotted names of the wrapped receivers connected right now (optionally under `prefix`)."""
    names = {
        c.name
        for signal in list(_traced)
        for c in connected(signal)
        if hasattr(c.receiver, "lab_name") and c.name.startswith(prefix)
    }
    return sorted(names)


def trace_model_signals() -> None:
    for name, signal in MODEL_SIGNALS.items():
        trace_signal(signal, name)
