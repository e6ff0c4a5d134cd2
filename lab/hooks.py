"""The hooks that feed the recorder: an SQL execute wrapper, signal tracers, request exceptions.

They are installed once (LabConfig.ready) and do nothing unless a recorder
is active in the current context.
"""

from __future__ import annotations

import time
from typing import Any

from django.db.backends.signals import connection_created

from . import oncommit, signals
from .events import Query
from .recorder import active


def sql_wrapper(execute, sql, params, many, context):
    """A `connection.execute_wrapper`: times every statement, raw SQL included."""
    recorder = active()
    if recorder is None:
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
    signals.trace_model_signals()
    oncommit.trace_on_commit()
    from django.core.signals import got_request_exception

    from .handler import record_request_exception

    got_request_exception.connect(record_request_exception, dispatch_uid="sandbox.onion.request_exception")
