"""Shared by the middleware demos: the catalogue of real middleware, sending one request, reading its trace.

Every demo sends a real request through a real stack (lab.handler) and
reports what the layers did. A step's code is generated from the values the
step uses: the stack as a `MIDDLEWARE` setting, the request as its request
line. The sequence of a request is its trace, drawn once as the onion
(lab.onion); facts hold what a sentence of the lesson states.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from lab.handler import LabHandler, StackItem, body_of, send
from lab.logs import capture_logs
from lab.onion import ONION_CAPTION, onion_svg
from lab.recorder import Recorder, Step, TraceEvent
from lab.trace import response_headers, short_name
from sandbox.middleware import ApiTokenMiddleware, MaintenanceModeMiddleware

DEMO_API_TOKEN = "lab-demo-token"
ROOT = Path(__file__).resolve().parents[1]

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
ABC = ["sandbox.example_middleware.A", "sandbox.example_middleware.B", "sandbox.example_middleware.C"]


# Local tools (DEBUG on only) that would render into the page: not part of the site's own stack.
LOCAL_TOOLS = ("debug_toolbar.", "django_browser_reload.")


# Read once, when the demos load: lab.testrun runs tests in-process whose override_settings(MIDDLEWARE=...)
# changes settings for the whole process for a moment, and a learner's run at that moment must still get this.
_SITE_MIDDLEWARE = tuple(settings.MIDDLEWARE)


def site_stack() -> list[str]:
    """The site's own MIDDLEWARE (as configured at start-up), minus the local tools (the debug toolbar, live reload)."""
    return [path for path in _SITE_MIDDLEWARE if not path.startswith(LOCAL_TOOLS)]


def middleware_setting(stack: list[StackItem], *extra: str) -> str:
    """The stack as a `MIDDLEWARE = [...]` setting, one dotted path a line, for a step's code; `extra` lines follow."""
    lines = []
    for item in stack:
        if isinstance(item, str):
            lines.append(f"    {item!r},\n")
        else:  # built with partial(): the real class, given arguments for this run only
            func = getattr(item[1], "func", item[1])
            given = ", ".join(f"{k}={v!r}" for k, v in getattr(item[1], "keywords", {}).items())
            note = f"  # built with {given} for this run" if given else ""
            lines.append(f"    '{func.__module__}.{func.__qualname__}',{note}\n")
    return "\n".join(["MIDDLEWARE = [\n" + "".join(lines) + "]", *extra])


def setting_lines(values: dict[str, Any]) -> list[str]:
    """Settings as they would be written in settings.py, from the values a run really uses."""
    return [f"{name} = {value!r}" for name, value in values.items()]


def settings_code(values: dict[str, Any]) -> str:
    return "\n".join(setting_lines(values))


def request_line(request: HttpRequest) -> str:
    """The request as it was sent, `# GET /path?query`, under the setting in a step's code (its headers are listed apart)."""
    return request_text(request.method or "GET", request.get_full_path())


def request_text(method: str, full_path: str) -> str:
    return f"# {method} {full_path}"


def layer_name(item: StackItem) -> str:
    return short_name(item) if isinstance(item, str) else item[0]


@dataclass
class Exchange:
    """One request through one stack, and what the report needs from it."""

    response: HttpResponseBase
    body: bytes
    records: list[logging.LogRecord] = field(default_factory=list)

    def logged(self, logger: str) -> list[str]:
        return [r.getMessage() for r in self.records if r.name == logger]


def exchange(
    step: Step,
    stack: list[StackItem],
    path: str,
    *,
    headers: dict[str, str] | None = None,
    handler: LabHandler | None = None,
    loggers: tuple[str, ...] = ("sandbox.onion",),
    log_filters: tuple[logging.Filter, ...] = (),
    log_format: logging.Formatter | None = None,
    draw: bool = True,
) -> Exchange:
    """Send one GET through `stack`; put the request line, headers, onion, status and any error onto `step`.

    Log records are captured for facts; with `log_format` they are also the
    step's log lines (the production demo's request log is the lesson there).
    """
    with capture_logs(*loggers, level=logging.DEBUG, filters=log_filters) as records:
        response = send(stack, path, headers=headers, handler=handler)
        body = body_of(response)  # a streaming body is produced only now, still inside the layers' context
    request = response.lab_request
    step.code = "\n\n".join(filter(None, [step.code, request_line(request)]))
    step.request_headers = {k: v for k, v in request.headers.items() if v}
    step.response_headers = response_headers(response)
    if log_format:
        for record in records:
            step.note(log_format.format(record))
    error = handler_exception(step.trace)
    if error and not step.error:
        # The error is the lesson's point: show Django's own message, not just a 500.
        step.error_type, _, step.error = error.partition(": ")
    if draw:
        draw_onion(step, [layer_name(i) for i in stack])
    step.fact("final_response", f"{response.status_code} {response.reason_phrase}", "Final response")
    return Exchange(response, body, list(records))


def draw_onion(step: Step, names: list[str], trace: list[TraceEvent] | None = None) -> None:
    step.figure(ONION_CAPTION, onion_svg(names, step.trace if trace is None else trace), kind="onion")


def handler_exception(trace: list[TraceEvent]) -> str:
    """The exception Django converted to a response (from got_request_exception), if any."""
    for event in trace:
        if event.layer == "handler" and event.phase == "exception":
            return event.note
    return ""


def statuses(trace: list[TraceEvent]) -> dict[str, int | None]:
    """The status each layer saw on its way out, by layer name, innermost first."""
    return {e.layer: e.status for e in trace if e.phase == "out" and e.layer != "view"}


def summary(data: dict[str, Any]) -> str:
    """`a=1, b=2`: a compact fact line."""
    return ", ".join(f"{k}={v}" for k, v in data.items())


PHASE_WORDS = {
    "in": "before",
    "out": "after",
    "process_view": "view",
    "process_exception": "exception",
    "process_template_response": "template_response",
}


def sequence(trace: list[TraceEvent]) -> list[str]:
    """A request's trace in the A/B/C log's words: `A.before, A.view, C.after` … (the handler's own events left out).

    The example middleware log the same words themselves; a test checks that
    the two agree, so reports and tests can read the trace alone.
    """
    return [
        f"{e.layer}.{PHASE_WORDS[e.phase]}"
        for e in trace
        if e.phase in PHASE_WORDS and e.layer not in {"view", "handler"}
    ]


def layers_in(trace: list[TraceEvent], phase: str) -> list[str]:
    """The layers that ran `phase` ("in", "out", "process_view", …), in the order they ran."""
    return [e.layer for e in trace if e.phase == phase and e.layer not in {"view", "handler"}]


def joined(names: list[str]) -> str:
    return ", ".join(names) or "none"


# -- child processes: a setting or a server that must not touch the site's own process ---------------------

# A hosted classroom runs every learner's demos in a few worker processes: a child is a Python process of
# ~70 MB and most of a second of CPU, so each worker runs at most this many at once; the rest wait their turn.
CHILD_SLOTS = threading.BoundedSemaphore(2)


def run_child(lab: Recorder, module: str, payload: dict[str, Any], *, limit: float = 30) -> dict[str, Any]:
    """Run `python -m module` with `payload` as JSON on stdin; return the JSON it prints last.

    The child gets what is left of this run's time limit (at most `limit`
    seconds) and is killed past it; the run then stops as any other would.
    """
    remaining = lab.deadline - time.perf_counter() if lab.deadline else limit
    if not CHILD_SLOTS.acquire(timeout=max(0.01, min(limit, remaining))):
        lab.check_time()
        raise subprocess.TimeoutExpired(module, remaining)
    try:
        remaining = lab.deadline - time.perf_counter() if lab.deadline else limit
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings")}
        try:
            done = subprocess.run(
                [sys.executable, "-m", module],
                cwd=ROOT,
                env=env,
                input=json.dumps(payload),
                capture_output=True,
                text=True,
                timeout=max(0.01, min(limit, remaining)),
                check=True,
            )
        except subprocess.TimeoutExpired:
            lab.check_time()
            raise
    finally:
        CHILD_SLOTS.release()
    return json.loads(done.stdout.strip().splitlines()[-1])
