"""Shared by the middleware demos: the catalogue of real middleware, sending one request, drawing the onion.

Every demo sends a real request through a real stack (lab.handler) and
reports what the layers did: the lab trace, the log lines they wrote, the
headers, and an SVG onion drawn from the same trace.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.http import HttpResponseBase
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from lab.handler import LabHandler, StackItem, body_of, send
from lab.logs import capture_logs
from lab.recorder import Step, TraceEvent
from lab.trace import response_headers, short_name
from sandbox.middleware import ApiTokenMiddleware, MaintenanceModeMiddleware

DEMO_API_TOKEN = "lab-demo-token"

# Learners compose stacks from this whitelist only: a name maps to a real middleware.
CATALOGUE: dict[str, StackItem] = {
    "Security": "django.middleware.security.SecurityMiddleware",
    "Session": "django.contrib.sessions.middleware.SessionMiddleware",
    "Common": "django.middleware.common.CommonMiddleware",
    "Csrf": "django.middleware.csrf.CsrfViewMiddleware",
    "Auth": "django.contrib.auth.middleware.AuthenticationMiddleware",
    "Messages": "django.contrib.messages.middleware.MessageMiddleware",
    "XFrame": "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "GZip": "django.middleware.gzip.GZipMiddleware",
    "ConditionalGet": "django.middleware.http.ConditionalGetMiddleware",
    "LoginRequired": "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "A": "sandbox.example_middleware.A",
    "B": "sandbox.example_middleware.B",
    "C": "sandbox.example_middleware.C",
    "CustomHeader": "sandbox.example_middleware.CustomHeaderMiddleware",
    "WhoAmI": "sandbox.example_middleware.WhoAmIMiddleware",
    "RequestID": "sandbox.middleware.RequestIDMiddleware",
    "RequestLog": "sandbox.middleware.RequestLogMiddleware",
    "ServerTiming": "sandbox.middleware.ServerTimingMiddleware",
    # Switched on for the run only; on the site they follow settings.
    "Maintenance": ("MaintenanceModeMiddleware", partial(MaintenanceModeMiddleware, enabled=True)),
    "ApiToken": ("ApiTokenMiddleware", partial(ApiTokenMiddleware, tokens=[DEMO_API_TOKEN])),
}

STARTPROJECT_DEFAULT = ["Security", "Session", "Common", "Csrf", "Auth", "Messages", "XFrame"]

# Loggers whose records a run shows: the A/B/C layers and the site's request log.
LOGGERS = ("sandbox.onion", "sandbox.requests")


# Local tools (DEBUG on only) that would render into the page: not part of the site's own stack.
LOCAL_TOOLS = ("debug_toolbar.", "django_browser_reload.")


def site_stack() -> list[str]:
    """The site's own MIDDLEWARE, minus the local tools (the debug toolbar, live reload)."""
    return [path for path in settings.MIDDLEWARE if not path.startswith(LOCAL_TOOLS)]


def middleware_setting(stack: list[StackItem]) -> str:
    """The stack as a `MIDDLEWARE = [...]` setting, one dotted path a line, for a step's code."""
    lines = []
    for item in stack:
        if isinstance(item, str):
            lines.append(f"    {item!r},\n")
        else:  # a catalogue entry built with partial(): the real class, switched on for the run
            func = getattr(item[1], "func", item[1])
            lines.append(f"    '{func.__module__}.{func.__qualname__}',  # switched on for this run\n")
    return "MIDDLEWARE = [\n" + "".join(lines) + "]"


def layer_name(item: StackItem) -> str:
    return short_name(item) if isinstance(item, str) else item[0]


@dataclass
class Exchange:
    """One request through one stack, and what the report needs from it."""

    response: HttpResponseBase
    body: bytes
    log: list[str] = field(default_factory=list)
    records: list[logging.LogRecord] = field(default_factory=list)

    @property
    def sequence(self) -> list[str]:
        """The A/B/C log lines' first words, without __init__: `A.before`, `A.view`, `C.after` …"""
        words = [r.getMessage().split()[0] for r in self.records if r.name == "sandbox.onion"]
        return [w for w in words if not w.endswith(".__init__")]


def exchange(
    step: Step,
    stack: list[StackItem],
    path: str,
    *,
    headers: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
    handler: LabHandler | None = None,
    loggers: tuple[str, ...] = LOGGERS,
    log_filters: tuple[logging.Filter, ...] = (),
    log_format: logging.Formatter | None = None,
    draw: bool = True,
) -> Exchange:
    """Send one GET through `stack` and put the headers, log lines, onion and any error onto `step`."""
    with capture_logs(*loggers, level=logging.DEBUG, filters=log_filters) as records:
        response = send(stack, path, headers=headers, cookies=cookies, handler=handler)
        body = body_of(response)  # a streaming body is produced only now, still inside the layers' context
    step.request_headers = {k: v for k, v in response.lab_request.headers.items() if v}
    step.response_headers = response_headers(response)
    lines = [log_format.format(r) if log_format else r.getMessage() for r in records]
    result = Exchange(response, body, lines, list(records))
    for line in result.log:
        step.note(line)
    error = handler_exception(step.trace)
    if error and not step.error:
        # The error is the lesson's point: show Django's own message, not just a 500.
        step.error_type, _, step.error = error.partition(": ")
    if draw:
        step.figure("The onion this request went through", onion_svg([layer_name(i) for i in stack], step.trace))
    step.fact("Final response", f"{response.status_code} {response.reason_phrase}")
    return result


def handler_exception(trace: list[TraceEvent]) -> str:
    """The exception Django converted to a response (from got_request_exception), if any."""
    for event in trace:
        if event.layer == "handler" and event.phase == "exception":
            return event.note
    return ""


def statuses(trace: list[TraceEvent]) -> dict[str, int | None]:
    """The status each layer saw on its way out, by layer name."""
    return {e.layer: e.status for e in trace if e.phase == "out" and e.layer != "view"}


# -- the onion, drawn as SVG -----------------------------------------------------

RING_GAP_X = 14
BAND = 22
WIDTH = 640


def onion_svg(names: list[str], trace: list[TraceEvent]) -> SafeString:
    """Nested rings, outermost first: what each layer saw going in and coming out.

    Drawn from the run's trace; a layer the request never entered is dashed,
    one that removed itself (MiddlewareNotUsed) is listed below the drawing.
    """
    unused = {e.layer for e in trace if e.phase == "init" and e.note.startswith("MiddlewareNotUsed")}
    entered = {e.layer for e in trace if e.phase == "in"}
    outs = {e.layer: e for e in trace if e.phase == "out"}
    view_skipped = any(e.phase == "process_view" and e.status for e in trace)
    layers = [n for n in names if n not in unused]
    rings = []
    for depth, name in enumerate(layers):
        x = depth * RING_GAP_X
        y = depth * BAND
        out = outs.get(name)
        rings.append(
            {
                "name": name,
                "x": x,
                "y": y,
                "w": WIDTH - 2 * x,
                "entered": name in entered,
                "out": _fit(_out_label(out), WIDTH - 2 * x),
                "status": out.status if out else None,
            }
        )
    depth = len(layers)
    core_h = 2 * BAND
    height = 2 * depth * BAND + core_h
    for ring in rings:
        ring["h"] = height - 2 * ring["y"]
        ring["text_y"] = ring["y"] + 15
        ring["out_y"] = ring["y"] + ring["h"] - 7
    view = outs.get("view")
    core = {
        "x": depth * RING_GAP_X,
        "y": depth * BAND,
        "w": WIDTH - 2 * depth * RING_GAP_X,
        "h": core_h,
        "entered": "view" in entered,
        "label": _fit(_core_label(view, "view" in entered, view_skipped), WIDTH - 2 * depth * RING_GAP_X),
    }
    return render_to_string(
        "lab/onion.html",
        {"rings": rings, "core": core, "width": WIDTH, "height": height, "unused": sorted(unused & set(names))},
    )


def _out_label(out: TraceEvent | None) -> str:
    if out is None:
        return "never saw a response"
    parts = [f"← {out.status}"]
    parts += [f"+{k}" for k in out.added]
    parts += [f"~{k}" for k in out.changed]
    parts += [f"−{k}" for k in out.removed]
    return " ".join(parts)


def _fit(label: str, width: int) -> str:
    """Shorten a label to the ring's width (12px monospace is about 7.3px a character)."""
    room = max(8, int((width - 20) / 7.3))
    return label if len(label) <= room else label[: room - 1] + "…"


def _core_label(view: TraceEvent | None, entered: bool, skipped: bool) -> str:
    if not entered:
        return "not reached: a layer above answered"
    if skipped:
        return f"URL resolved; process_view answered, the view was skipped → {view.status if view else '?'}"
    return f"URL resolution, process_view, the view → {view.status if view else 'raised'}"


def summary(data: dict[str, Any]) -> str:
    """`a=1, b=2`: a compact fact line."""
    return ", ".join(f"{k}={v}" for k, v in data.items())
