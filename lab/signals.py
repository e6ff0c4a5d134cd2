"""Recording signals from the outside: each send, each receiver it ran, each on_commit callback, in causal order.

The bookshop's receivers are plain functions that know nothing of the lab.
`trace_signal(signal, name)` records a signal's sends and the receivers each
send runs, without changing which receivers are connected or how long they
live: a traced signal's send methods record the send first, and each receiver
is wrapped for that one call only (so weak references stay weak, and Django's
`has_listeners()` and fast deletes behave exactly as in a project without
the lab). A learner can switch a receiver off for their own runs by its
dotted name.

Causal order: each event records the event that caused it (`parent`), read
from a ContextVar that a send sets while its receivers run and a receiver
sets while it runs. ContextVars follow `sync_to_async` threads and asyncio
tasks, so under `asend()` an async receiver still nests under its send, and a
receiver's own sends nest under it (the recorder files events by parent).

Private parts of Django read here, each pinned per version by
lab/tests/test_signals_private.py so an upgrade that changes them fails there:
`Signal._live_receivers(sender)` returns `(sync_receivers, async_receivers)`
(5.0+), and `connected()` reads `Signal.receivers` entries, whose receiver is
second in 5.2 and 6.x (6.1 added a sender reference after it).

One module, past the usual 300 lines: the wrapping of send methods, receivers and on_commit callbacks
shares one causal-order bookkeeping, and Django's version differences in it are easiest to review together.
"""

from __future__ import annotations

import contextvars
import functools
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import signals as model_signals
from django.dispatch import Signal

from .events import SignalEvent
from .recorder import active

_RECEIVER = 1  # (lookup_key, receiver, [sender_ref,] is_async): the receiver is second in 5.2 and 6.x
SEND_METHODS = ("send", "send_robust", "asend", "asend_robust")

MODEL_SIGNALS: dict[str, Signal] = {
    "pre_save": model_signals.pre_save,
    "post_save": model_signals.post_save,
    "pre_delete": model_signals.pre_delete,
    "post_delete": model_signals.post_delete,
    "m2m_changed": model_signals.m2m_changed,
}
DETAIL_KEYS = ("created", "raw", "update_fields", "action", "pk_set", "reverse", "model", "origin", "using")

_names: weakref.WeakKeyDictionary[Signal, str] = weakref.WeakKeyDictionary()  # traced signals (a demo's own go away)
_packages: set[str] = set()  # receivers defined here are the learner's on/off switches
_lock = threading.Lock()
# The id of the event whose code is running now (a send, a receiver, a callback); 0 for none.
_cause: contextvars.ContextVar[int] = contextvars.ContextVar("lab_signal_cause", default=0)


def current_cause() -> int:
    """The id of the event whose code is running now: anything recorded now was caused by it."""
    return _cause.get()


@contextmanager
def caused_by(event: SignalEvent) -> Iterator[None]:
    """What is recorded in the block was caused by `event` (a callback running, say)."""
    token = _cause.set(event.id)
    try:
        yield
    finally:
        _cause.reset(token)


@dataclass(frozen=True)
class Connected:
    """One connected receiver, as a learner would describe it."""

    dispatch_uid: str | None
    receiver: Callable[..., Any] | None  # None once a weakly referenced receiver was collected

    @property
    def name(self) -> str:
        return receiver_name(self.receiver)


def receiver_name(func: Any) -> str:
    """The dotted name of a receiver (the original function's, when something wrapped it)."""
    if isinstance(func, weakref.ReferenceType):
        func = func()
    if func is None:
        return "(collected)"
    func = getattr(func, "__wrapped__", func)
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


def callable_name(func: Any) -> str:
    """A short name for an on_commit callback: `send_welcome_email` (also for a partial of it), `LocMemCache.delete`."""
    while isinstance(func, functools.partial) or hasattr(func, "__wrapped__"):  # partials, and wrappers such as
        func = func.func if isinstance(func, functools.partial) else func.__wrapped__  # the toolbar's cache panel
    owner = getattr(func, "__self__", None)
    if owner is not None and not isinstance(owner, type(functools)):  # a bound method, not a module's function
        return f"{type(owner).__name__}.{getattr(func, '__name__', '?')}"
    name = getattr(func, "__qualname__", type(func).__name__)
    return name.rsplit("<locals>.", 1)[-1]


def connected(signal: Signal) -> list[Connected]:
    """The receivers connected to `signal`, in the order they were connected (sync ones run in this order)."""
    found = []
    for entry in list(signal.receivers):
        ref = entry[_RECEIVER]
        func = ref() if isinstance(ref, weakref.ReferenceType) else ref
        key = entry[0][0]
        found.append(Connected(key if isinstance(key, str) else None, func))
    return found


def describe(value: Any) -> Any:
    """A short, stable text for a signal argument (classes by name, querysets by model)."""
    if isinstance(value, type):
        return value.__name__
    if hasattr(value, "model") and hasattr(value, "query"):  # a QuerySet
        return f"<QuerySet of {value.model.__name__}>"
    if hasattr(value, "_meta") and hasattr(value, "pk"):  # a model instance
        return f"<{type(value).__name__}: {value}>"
    return value


# -- sends ----------------------------------------------------------------------------


def trace_signal(signal: Signal, name: str) -> Signal:
    """Record every send of `signal` in the active run, and every receiver each send runs. Returns `signal`."""
    with _lock:
        if signal in _names:
            return signal
        _names[signal] = name
        for method in SEND_METHODS:
            setattr(signal, method, _traced_send(signal, method, name))
        signal._live_receivers = _traced_live_receivers(signal)  # type: ignore[method-assign]
    return signal


def _send_event(name: str, method: str, sender: Any, named: dict[str, Any]) -> SignalEvent:
    details = {key: describe(named[key]) for key in DETAIL_KEYS if key in named}
    if "instance" in named:
        details["instance"] = describe(named["instance"])
    if method != "send":
        details["via"] = f"{method}()"
    return SignalEvent(kind="signal", name=name, sender=describe(sender), details=details, parent=_cause.get())


def _originals(responses: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """send() returns (receiver, response) pairs: give back the receivers that were connected, not our wrappers."""
    return [(getattr(r, "lab_original", r), value) for r, value in responses]


def _traced_send(signal: Signal, method: str, name: str) -> Callable[..., Any]:
    original = getattr(signal, method)  # the class's method, bound to this signal

    if method.startswith("a"):

        async def asend(sender: Any, **named: Any) -> Any:
            recorder = active()
            if recorder is None:
                return await original(sender, **named)
            event = _send_event(name, method, sender, named)
            recorder.record_signal(event)
            token = _cause.set(event.id)
            try:
                return _originals(await original(sender, **named))
            finally:
                _cause.reset(token)

        return asend

    def send(sender: Any, **named: Any) -> Any:
        recorder = active()
        if recorder is None:
            return original(sender, **named)
        event = _send_event(name, method, sender, named)
        recorder.record_signal(event)
        token = _cause.set(event.id)
        try:
            return _originals(original(sender, **named))
        finally:
            _cause.reset(token)

    return send


def _traced_live_receivers(signal: Signal) -> Callable[[Any], tuple[list[Any], list[Any]]]:
    live = type(signal)._live_receivers

    def live_receivers(sender: Any) -> tuple[list[Any], list[Any]]:
        sync_receivers, async_receivers = live(signal, sender)
        if active() is None:
            return sync_receivers, async_receivers
        return [_for_this_call(r) for r in sync_receivers], [_for_this_call(r) for r in async_receivers]

    return live_receivers


def _for_this_call(func: Callable[..., Any]) -> Callable[..., Any]:
    if hasattr(func, "lab_name"):  # already traced (a demo's own `traced` receiver)
        return func
    owner = getattr(func, "lab_run", None)
    if owner is not None and owner is not active():  # another run's receiver: it does nothing here, record nothing
        return func
    wrapper = traced(func)
    wrapper.lab_original = func  # type: ignore[attr-defined]
    return wrapper


# -- receivers ------------------------------------------------------------------------


def traced(func: Callable[..., Any]) -> Callable[..., Any]:
    """`func`, recording each run in the active recorder; a learner can switch it off by its dotted name.

    Receivers of traced signals are wrapped like this for each send; call it
    yourself only for a receiver of a signal the lab does not trace. Async
    receivers get an async wrapper: the dispatcher tells sync from async with
    `iscoroutinefunction`, so a sync wrapper would never await them.
    """
    label = receiver_name(func)

    def begin(sender: Any) -> SignalEvent | None:
        recorder = active()
        if not recorder.receiver_enabled(label):
            recorder.record_signal(
                SignalEvent(kind="skipped", name=label, sender=describe(sender), parent=_cause.get())
            )
            return None
        event = SignalEvent(kind="receiver", name=label, sender=describe(sender), parent=_cause.get())
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
            token = _cause.set(event.id)
            try:
                return await func(sender, **kwargs)
            except Exception as exc:
                event.error = f"{type(exc).__name__}: {exc}"
                raise
            finally:
                _cause.reset(token)

    else:

        @functools.wraps(func)
        def wrapper(sender: Any, **kwargs: Any) -> Any:
            if active() is None:
                return func(sender, **kwargs)
            event = begin(sender)
            if event is None:
                return None
            # Whether it ran inside a transaction (on the database the signal names): the transactions lesson's point.
            event.details["in_atomic_block"] = connections[kwargs.get("using") or DEFAULT_DB_ALIAS].in_atomic_block
            token = _cause.set(event.id)
            try:
                return func(sender, **kwargs)
            except Exception as exc:
                event.error = f"{type(exc).__name__}: {exc}"
                raise
            finally:
                _cause.reset(token)

    wrapper.lab_name = label  # type: ignore[attr-defined]
    return wrapper


def trace_receivers(package: str) -> None:
    """Receivers defined in `package` are the ones a learner can switch off (see `traced_names`)."""
    _packages.add(package)


def _in_packages(func: Callable[..., Any]) -> bool:
    module = getattr(getattr(func, "__wrapped__", func), "__module__", "") or ""
    return any(module == p or module.startswith(p + ".") for p in _packages)


def traced_names(prefix: str = "") -> list[str]:
    """Dotted names of the switchable receivers connected to traced signals right now (optionally under `prefix`)."""
    names = {
        c.name
        for signal in list(_names.keys())
        for c in connected(signal)
        if c.receiver is not None and _in_packages(c.receiver) and c.name.startswith(prefix)
    }
    return sorted(names)


def trace_model_signals() -> None:
    for name, signal in MODEL_SIGNALS.items():
        trace_signal(signal, name)
