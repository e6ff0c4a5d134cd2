"""The site's own middleware, used by every page and taught in the Middleware track (M5).

Each is a plain class with `__init__(get_response)` and `__call__`; per-request
state lives on the request, never on `self` (one instance serves every thread).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections
from django.http import HttpRequest, HttpResponse

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
logger = logging.getLogger("lab.requests")

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIDMiddleware:
    """Accept a sane incoming X-Request-ID or make one; echo it back and put it into log records."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request.id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[REQUEST_ID_HEADER] = request.id
        return response


class RequestIDLogFilter(logging.Filter):
    """Adds `request_id` to every log record, so a log line can be traced to its request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class QueryCounter:
    """Counts queries and their time on every connection, via execute_wrapper."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


class ServerTimingMiddleware:
    """Adds `Server-Timing` (total and SQL time) and `X-Lab-Queries` (query count), and logs one line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = QueryCounter()
        started = time.perf_counter()
        wrappers = [conn.execute_wrapper(counter) for conn in connections.all(initialized_only=True)]
        for w in wrappers:
            w.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for w in reversed(wrappers):
                w.__exit__(None, None, None)
        total_ms = (time.perf_counter() - started) * 1000
        response["Server-Timing"] = (
            f'app;dur={total_ms:.1f};desc="view and inner middleware", sql;dur={counter.seconds * 1000:.1f};desc="{counter.count} queries"'
        )
        response["X-Lab-Queries"] = str(counter.count)
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "%s %s %s %.1fms queries=%d",
                request.method,
                request.path,
                response.status_code,
                total_ms,
                counter.count,
            )
        return response


class MaintenanceModeMiddleware:
    """With LAB_MAINTENANCE_MODE on, answer every request with 503 and Retry-After.

    When the switch is off the middleware removes itself from the stack for the
    life of the process (MiddlewareNotUsed), so it costs nothing.
    """

    retry_after = 120

    def __init__(self, get_response):
        if not settings.LAB_MAINTENANCE_MODE:
            raise MiddlewareNotUsed("Maintenance mode is off.")
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponse(
            "Django Lab is down for maintenance. Please try again in a few minutes.\n",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(self.retry_after)
        return response
