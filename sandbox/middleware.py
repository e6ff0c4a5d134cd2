"""The site's own middleware, used by every page and taught in the Middleware track (M5).

Each is a plain class with `__init__(get_response)` and `__call__`. One
instance serves every request on every thread, so per-request state lives on
the request (or in a context variable), never on `self`.

In settings.MIDDLEWARE they sit in this order, outermost first:

    RequestIDMiddleware      gives the request an id; every log line below carries it
    RequestLogMiddleware     one structured log line per request
    ServerTimingMiddleware   Server-Timing and X-Lab-Queries headers
    SecurityPolicyMiddleware Content-Security-Policy and Permissions-Policy headers
    ...Django's own...
    MaintenanceModeMiddleware  innermost: when on, nothing below it runs
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse

GetResponse = Callable[[HttpRequest], HttpResponseBase]

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
logger = logging.getLogger("sandbox.requests")

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id ends up in our logs and headers: accept only short, plain tokens.
# Used with fullmatch: `$` would also match before a trailing newline.
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestIDMiddleware:
    """Accept a sane incoming X-Request-ID or make one; echo it back and put it into log records."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        # META, not request.headers: that would build a dict of every header on every request.
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.id = incoming if _VALID_ID.fullmatch(incoming) else secrets.token_hex(16)
        # A ContextVar, not self: it is per request, also across threads and async tasks.
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


@dataclass
class Timing:
    """What ServerTimingMiddleware measured for one request (kept on `request.timing`)."""

    total_ms: float = 0.0
    sql_ms: float = 0.0
    queries: int = 0

    def __call__(self, execute, sql, params, many, context):
        # An execute wrapper (connection.execute_wrapper): sees every query, also with DEBUG off.
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries += 1
            self.sql_ms += (time.perf_counter() - started) * 1000


class ServerTimingMiddleware:
    """Adds `Server-Timing` (time in the layers below, and SQL time) and `X-Lab-Queries` (the query count).

    Browsers show Server-Timing in their network panel. For a streaming response
    the time covers building the response, not sending its body.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request.timing = timing = Timing()
        started = time.perf_counter()
        # The site has one database. With several, enter one wrapper per alias (contextlib.ExitStack).
        with connection.execute_wrapper(timing):
            response = self.get_response(request)
        timing.total_ms = (time.perf_counter() - started) * 1000
        response["Server-Timing"] = (
            f'app;dur={timing.total_ms:.1f};desc="inner layers and view", '
            f'sql;dur={timing.sql_ms:.1f};desc="{timing.queries} queries"'
        )
        response["X-Lab-Queries"] = str(timing.queries)
        return response


class SecurityPolicyMiddleware:
    """Adds `Content-Security-Policy` and `Permissions-Policy` to every response that has none of its own.

    The policies are plain strings from settings (LAB_CSP, LAB_PERMISSIONS_POLICY),
    built once: a header per response costs a dict write. A view that needs a
    different policy sets the header itself and this layer leaves it alone.
    With both settings empty the layer removes itself.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.headers = {
            name: value
            for name, value in (
                ("Content-Security-Policy", settings.LAB_CSP),
                ("Permissions-Policy", settings.LAB_PERMISSIONS_POLICY),
            )
            if value
        }
        if not self.headers:
            raise MiddlewareNotUsed("No security policies are configured.")
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        for name, value in self.headers.items():
            response.headers.setdefault(name, value)
        return response


LOG_LINE = "method=%s path=%s status=%s duration_ms=%s queries=%s"


class RequestLogMiddleware:
    """One structured log line per request: method, path, status, time, queries (and the request id, via the filter).

    A request that needs attention (an error status, or slower than `slow_ms`)
    logs at INFO; a healthy one at DEBUG. At the site's usual level, INFO, a
    healthy request then costs no log record at all (bench/middleware.py
    measures what a record per request would cost). Set
    LAB_REQUEST_LOG_LEVEL=DEBUG to log every request.

    The fields also travel on the record as `http`, so a JSON formatter can emit them as they are.
    """

    slow_ms = 500

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        timing = getattr(request, "timing", None) or Timing()
        attention = response.status_code >= 400 or timing.total_ms >= self.slow_ms
        level = logging.INFO if attention else logging.DEBUG
        if logger.isEnabledFor(level):  # otherwise skip building the record entirely
            fields = {
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(timing.total_ms, 1),
                "queries": timing.queries,
            }
            # %-style arguments: logging formats the message only if a handler emits it.
            logger.log(level, LOG_LINE, *fields.values(), extra={"http": fields})
        return response


class MaintenanceModeMiddleware:
    """With LAB_MAINTENANCE_MODE on, answer every request with 503 and Retry-After.

    When the switch is off the middleware removes itself from the stack for the
    life of the process (MiddlewareNotUsed), so it costs nothing per request.
    Demos build a switched-on copy with `partial(MaintenanceModeMiddleware, enabled=True)`.
    """

    retry_after = 120  # seconds; clients and crawlers wait this long before retrying

    def __init__(self, get_response: GetResponse, *, enabled: bool | None = None) -> None:
        if not (settings.LAB_MAINTENANCE_MODE if enabled is None else enabled):
            raise MiddlewareNotUsed("Maintenance mode is off.")
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = HttpResponse(
            "Django Lab is down for maintenance. Please try again in a few minutes.\n",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(self.retry_after)
        return response


def public_api(view_func: Callable) -> Callable:
    """Mark an API view as open to anonymous clients (like Django's @login_not_required)."""
    view_func.public_api = True
    return view_func


class ApiTokenMiddleware:
    """Require `Authorization: Bearer <token>` on API views, unless the view is marked @public_api.

    It decides in `process_view`, because only there is the view known: the
    decorator flag lives on the view function. Tokens come from LAB_API_TOKENS;
    with none configured the middleware removes itself.
    """

    prefix = "/sandbox/middleware/api/"

    def __init__(self, get_response: GetResponse, *, tokens: list[str] | None = None) -> None:
        self.tokens = [t.encode() for t in (tokens if tokens is not None else settings.LAB_API_TOKENS)]
        if not self.tokens:
            raise MiddlewareNotUsed("No API tokens are configured.")
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)  # the decision is made in process_view, once the view is known

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict
    ) -> HttpResponseBase | None:
        if not request.path.startswith(self.prefix) or getattr(view_func, "public_api", False):
            return None
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        # compare_digest takes the same time wherever the strings differ: no timing oracle.
        if scheme.lower() == "bearer" and any(hmac.compare_digest(token.encode(), t) for t in self.tokens):
            request.api_client = token[:4] + "…"
            return None
        response = JsonResponse({"error": "A valid API token is required."}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="lab"'
        return response
