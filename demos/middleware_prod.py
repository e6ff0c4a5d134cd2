"""Middleware demos, part 3: the site's production middleware (M5) and sync/async stacks (M6)."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from django import forms
from django.conf import settings

from lab.handler import asend, body_of
from lab.logs import capture_logs
from lab.registry import demo
from lab.trace import response_headers
from sandbox.middleware import RequestIDLogFilter

from .middleware_kit import CATALOGUE, DEMO_API_TOKEN, exchange, middleware_setting, onion_svg

PROD_PATHS = [
    ("/sandbox/middleware/books/", "/sandbox/middleware/books/ (a page with SQL queries)"),
    ("/sandbox/middleware/api/books/", "/sandbox/middleware/api/books/ (API: token required)"),
    ("/sandbox/middleware/api/health/", "/sandbox/middleware/api/health/ (API: @public_api)"),
    ("/sandbox/middleware/stream/", "/sandbox/middleware/stream/ (a streaming response)"),
]
# The site's console format (config/settings.py LOGGING, "request"), minus the timestamp.
LOG_FORMAT = logging.Formatter("%(levelname)s %(name)s [%(request_id)s] %(message)s")


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


@demo(
    "middleware.production",
    title="The site's own middleware: request id, request log, Server-Timing, maintenance, API tokens",
    form=ProductionForm,
    reports=("headers", "sql"),
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
    with lab.step(f"GET {data['path']}", code=middleware_setting(stack)) as s:
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
        s.fact("X-Request-ID sent", data["request_id"] or "(none)")
        s.fact("X-Request-ID received", response.get("X-Request-ID", "(absent)"))
        s.fact("Server-Timing", response.get("Server-Timing", "(absent)"))
        s.fact("X-Lab-Queries", response.get("X-Lab-Queries", "(absent)"))
        if response.status_code == 503:
            s.fact("Retry-After", response.get("Retry-After"))
        if response.streaming:
            s.fact("Streaming body, read once by the client", result.body.decode())
        s.fact("Request log lines", len([r for r in result.records if r.name == "sandbox.requests"]))


HYBRID = "sandbox.example_middleware.hybrid_middleware"
SYNC_ONLY = "sandbox.example_middleware.sync_only"
MIXIN = "sandbox.example_middleware.MixinMiddleware"


class AsyncForm(forms.Form):
    sync_below = forms.BooleanField(
        required=False, initial=True, label="Also run with a sync-only middleware below the hybrid"
    )
    mixin_below = forms.BooleanField(required=False, initial=True, label="Also run with a MiddlewareMixin class below")


@demo(
    "middleware.async",
    title="An async view behind a hybrid middleware, served by Django's async handler",
    form=AsyncForm,
    reports=("headers",),
)
def async_stack(lab, data):
    """Each run builds an async handler (as under ASGI) and requests an async view."""
    stacks = [("Hybrid alone", [HYBRID])]
    if data["sync_below"]:
        stacks.append(("Hybrid, then a sync-only middleware", [HYBRID, SYNC_ONLY]))
    if data["mixin_below"]:
        stacks.append(("Hybrid, then a MiddlewareMixin class", [HYBRID, MIXIN]))
    for label, stack in stacks:
        with lab.step(
            label, code="# served with get_response_async, like ASGIHandler\n" + middleware_setting(stack)
        ) as s:
            with capture_logs("django.request", level=logging.DEBUG) as records:
                response = async_to_sync(asend)(stack, "/sandbox/middleware/async/")
            s.request_headers = {k: v for k, v in response.lab_request.headers.items() if v}
            s.response_headers = response_headers(response)
            s.figure("The onion this request went through", onion_svg([p.rsplit(".", 1)[-1] for p in stack], s.trace))
            s.fact("Hybrid ran in", response["X-Hybrid-Mode"])
            s.fact("The view says", body_of(response).decode().strip())
            adapted = [r.getMessage() for r in records if "adapted" in r.getMessage()]
            s.fact("Adaptations the lab's handler made", _adaptations(s.trace))
            if settings.DEBUG:
                s.fact("Django's django.request DEBUG log", "; ".join(adapted) or "(no adaptation logged)")
            else:
                s.fact(
                    "Django's django.request DEBUG log",
                    "(not logged: Django writes it only when settings.DEBUG is True, and DEBUG is off here)",
                )


def _adaptations(trace) -> str:
    notes = [f"{e.layer}: {e.note}" for e in trace if e.phase == "init" and "adapted" in e.note]
    return "; ".join(notes) or "none"
