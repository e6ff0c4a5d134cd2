"""The hooks that feed the recorder: an SQL execute wrapper and a signal tracer.

Both are installed once (SandboxConfig.ready) and do nothing unless a recorder
is active in the current context.
"""

from __future__ import annotations

import time
from typing import Any

from django.db.backends.signals import connection_created
from django.db.models import signals as model_signals
from django.dispatch import Signal

from .recorder import Query, SignalEvent, active


def sql_wrapper(execute, sql, params, many, context):
    """A `connection.execute_wrapper`: times every statement, raw SQL included."""
    recorder = active()
    if recorder is None or not recorder.capture_sql:
        return execute(sql, params, many, context)
    recorder.check_time()
    connection = context["connection"]
    started = time.perf_counter()
    error = ""
    try:
        return execute(sql, params, many, context)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        ms = (time.perf_counter() - started) * 1000
        try:
            display = connection.ops.last_executed_query(context["cursor"], sql, params) if not many else sql
        except Exception:  # display only; never let it hide the real result
            display = sql
        recorder.record_query(
            Query(
                sql=sql,
                params=params,
                display=str(display),
                alias=connection.alias,
                vendor=connection.vendor,
                ms=ms,
                many=many,
                error=error,
            )
        )


def install_sql_wrapper(sender: Any, connection: Any, **kwargs: Any) -> None:
    if sql_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(sql_wrapper)


def install() -> None:
    connection_created.connect(install_sql_wrapper, dispatch_uid="lab.sql_wrapper")
    # Connections opened before ready() (management commands) get it too.
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        install_sql_wrapper(None, conn)
    for name, signal in TRACED_SIGNALS.items():
        trace_signal(signal, name)
    from django.core.signals import got_request_exception

    from .onion import record_request_exception

    got_request_exception.connect(record_request_exception, dispatch_uid="lab.onion.request_exception")


# -- signals ------------------------------------------------------------------

TRACED_SIGNALS: dict[str, Signal] = {
    "pre_save": model_signals.pre_save,
    "post_save": model_signals.post_save,
    "pre_delete": model_signals.pre_delete,
    "post_delete": model_signals.post_delete,
    "m2m_changed": model_signals.m2m_changed,
}
DETAIL_KEYS = ("created", "raw", "update_fields", "action", "pk_set", "reverse", "model", "origin", "using")


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
    """Connect a tracer that records every send of `signal` (connected first, so it logs first)."""

    def tracer(sender: Any, **kwargs: Any) -> None:
        recorder = active()
        if recorder is None:
            return
        details = {key: describe(kwargs[key]) for key in DETAIL_KEYS if key in kwargs}
        if "instance" in kwargs:
            details["instance"] = describe(kwargs["instance"])
        recorder.record_signal(SignalEvent(kind="signal", name=name, sender=describe(sender), details=details))

    tracer.__qualname__ = f"lab tracer for {name}"
    signal.connect(tracer, weak=False, dispatch_uid=f"lab.tracer.{name}")


def traced_receiver(func):
    """Record each run of a receiver in the active recorder, and let a learner switch it off.

    The name a learner toggles is the receiver's dotted path. `inspect.getsource`
    follows `__wrapped__`, so `/// source` still shows the receiver's own code.
    Async receivers get an async wrapper: the dispatcher tells sync from async
    with `iscoroutinefunction`, so a sync wrapper would never await them.
    """
    import functools

    from asgiref.sync import iscoroutinefunction

    label = f"{func.__module__}.{func.__qualname__}"

    def begin(sender: Any) -> SignalEvent | None:
        """Record the run; None when the learner switched this receiver off."""
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
