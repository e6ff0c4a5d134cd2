"""Middleware demos, part 4: the site's own production middleware (M5)."""

from __future__ import annotations

import logging

from django import forms

from lab.registry import Prediction, demo
from sandbox import middleware
from sandbox.endpoints import middleware as endpoints
from sandbox.middleware import RequestIDLogFilter

from .middleware_kit import CATALOGUE, DEMO_API_TOKEN, exchange, middleware_setting

PROD_PATHS = [
    ("/sandbox/middleware/books/", "/sandbox/middleware/books/ (a page with SQL queries)"),
    ("/sandbox/middleware/api/books/", "/sandbox/middleware/api/books/ (API: token required)"),
    ("/sandbox/middleware/api/health/", "/sandbox/middleware/api/health/ (API: @public_api)"),
    ("/sandbox/middleware/stream/", "/sandbox/middleware/stream/ (a streaming response)"),
]
# The site's console format (config/settings.py LOGGING, "request"), minus the timestamp.
LOG_FORMAT = logging.Formatter("%(levelname)s %(name)s [%(request_id)s] %(message)s")
QUERY_COUNTS = ("0", "1", "2", "3 or more")


class ProductionForm(forms.Form):
    path = forms.ChoiceField(choices=PROD_PATHS, initial=PROD_PATHS[0][0], label="Request")
    request_id = forms.CharField(
        required=False,
        max_length=200,
        initial="class-demo-42",
        label="Incoming X-Request-ID (blank: none sent)",
        help_text="Try one with a space or over 64 characters: the middleware makes its own instead.",
    )
    send_token = forms.BooleanField(required=False, label=f"Send Authorization: Bearer {DEMO_API_TOKEN}")
    maintenance = forms.BooleanField(required=False, label="Switch maintenance mode on (for this run only)")


def _echoed(lab) -> str:
    facts = lab.get("request").facts
    return "Yes" if facts["request_id_received"] == facts["request_id_sent"] else "No"


def _query_count(lab) -> str:
    count = int(lab.get("request").facts["x_lab_queries"])
    return QUERY_COUNTS[min(count, 3)]


@demo(
    "middleware.production",
    title="The site's own middleware: request id, request log, Server-Timing, maintenance, API tokens",
    form=ProductionForm,
    reports=("headers", "sql"),
    shows=(
        middleware.RequestIDMiddleware,
        middleware.RequestLogMiddleware,
        middleware.ServerTimingMiddleware,
        middleware.ApiTokenMiddleware,
        middleware.MaintenanceModeMiddleware,
        endpoints.books,
    ),
    predictions=(
        Prediction(
            "Does the response carry the X-Request-ID you send, unchanged?",
            ("Yes", "No"),
            answer=_echoed,
            explain="RequestIDMiddleware keeps an incoming id only when it is a short plain token; anything else "
            "(a space, a newline, 65 characters, no id at all) gets a fresh one.",
            see="#request-ids",
        ),
        Prediction(
            "How many SQL queries does X-Lab-Queries report?",
            QUERY_COUNTS,
            answer=_query_count,
            explain="The execute wrapper counts every query the layers below and the view ran; a 401, a 503 or a "
            "stream that queries nothing reports 0.",
            see="#timing-and-the-query-count",
        ),
    ),
)
def production(lab, data):
    """Send a request through the site's own layers, with Django's session and auth between them."""
    names = ["RequestID", "RequestLog", "ServerTiming", "Session", "Common", "Auth", "ApiToken"]
    if data["maintenance"]:
        names.append("Maintenance")
    stack = [CATALOGUE[n] for n in names]
    headers = {}
    if data["request_id"]:
        headers["X-Request-ID"] = data["request_id"]
    if data["send_token"]:
        headers["Authorization"] = f"Bearer {DEMO_API_TOKEN}"
    with lab.section("Send one request through the site's layers", key="request", code=middleware_setting(stack)) as s:
        result = exchange(
            s,
            stack,
            data["path"],
            headers=headers,
            loggers=("sandbox.requests",),
            log_filters=(RequestIDLogFilter(),),
            log_format=LOG_FORMAT,
        )
        response = result.response
        s.fact("request_id_sent", data["request_id"] or "(none)", "X-Request-ID sent")
        s.fact("request_id_received", response.get("X-Request-ID", "(absent)"), "X-Request-ID received")
        s.fact("server_timing", response.get("Server-Timing", "(absent)"), "Server-Timing")
        s.fact("x_lab_queries", response.get("X-Lab-Queries", "(absent)"), "X-Lab-Queries")
        if response.status_code == 503:
            s.fact("retry_after", response.get("Retry-After"), "Retry-After")
        if response.streaming:
            s.fact("streaming_body", result.body.decode(), "Streaming body, read once by the client")
        s.fact("log_lines", len(result.logged("sandbox.requests")), "Request log lines")

    sent, received = s.facts["request_id_sent"], s.facts["request_id_received"]
    if received == sent:
        fate = "echoed"
    elif data["request_id"]:
        fate = "refused: a fresh id came back"
    else:
        fate = "none sent: a fresh id came back"
    level = s.log[0].split(" ", 1)[0] if s.log else "no"
    queries = s.facts["x_lab_queries"]
    lab.headline(
        f"{s.facts['final_response']}; X-Request-ID {fate}; X-Lab-Queries: {queries}; one log line at {level} level",
        focus=s,
    )
