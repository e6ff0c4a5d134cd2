"""Middleware demos, part 5: sync, async and hybrid middleware under a real ASGI server (M6).

Each run starts uvicorn in a process of its own (demos.middleware_asgi) and
requests an async view through up to three stacks. Modes, adaptations and
thread names come from that server: the event loop on the main thread, sync
layers in the request's worker thread.
"""

from __future__ import annotations

import time

from django import forms

from lab.recorder import TraceEvent
from lab.registry import Prediction, demo
from lab.trace import short_name
from sandbox import example_middleware
from sandbox.endpoints import middleware as endpoints

from .middleware_asgi import HOST
from .middleware_kit import draw_onion, joined, middleware_setting, run_child, settings_code

HYBRID = "sandbox.example_middleware.hybrid_middleware"
SYNC_ONLY = "sandbox.example_middleware.sync_only"
MIXIN = "sandbox.example_middleware.MixinMiddleware"
ASYNC_PATH = "/sandbox/middleware/async/"
STACKS = {
    "hybrid": ("The hybrid alone", [HYBRID]),
    "sync_below": ("The hybrid above a sync-only middleware", [HYBRID, SYNC_ONLY]),
    "mixin_below": ("The hybrid above a MiddlewareMixin class", [HYBRID, MIXIN]),
}
MAIN = "On the main thread, where uvicorn runs the event loop"
WORKER = "On a worker thread"


class AsyncForm(forms.Form):
    sync_below = forms.BooleanField(
        required=False, initial=True, label="Also run with a sync-only middleware below the hybrid"
    )
    mixin_below = forms.BooleanField(required=False, initial=True, label="Also run with a MiddlewareMixin class below")
    debug = forms.BooleanField(
        required=False,
        initial=True,
        label="Serve with DEBUG = True (only that server process), so Django logs each adaptation",
    )


def _hybrid_above_sync(lab) -> str:
    try:
        return lab.get("sync_below").facts["hybrid_mode"]
    except KeyError:
        return "not run: tick the sync-only stack"


def _view_thread(lab) -> str:
    return MAIN if lab.get("hybrid").facts["view_thread"] == lab.get("server").facts["loop_thread"] else WORKER


@demo(
    "middleware.async",
    title="An async view behind a hybrid middleware, served by uvicorn",
    form=AsyncForm,
    # Starting a Python process with Django is about a second of CPU: on a busy classroom machine the
    # default limit would cut it short. Still bounded: the child is killed at this limit.
    time_limit=20,
    reports=("headers",),
    shows=(
        example_middleware.hybrid_middleware,
        example_middleware.sync_only,
        example_middleware.MixinMiddleware,
        endpoints.async_view,
    ),
    predictions=(
        Prediction(
            "Above a sync-only middleware, in which mode does the hybrid run?",
            ("async", "sync"),
            answer=_hybrid_above_sync,
            explain="Django builds the chain bottom-up: the sync-only layer gets a sync get_response, so the "
            "hybrid above it is handed a sync one too and picks its sync branch.",
            see="#watch-it-under-a-real-asgi-server",
        ),
        Prediction(
            "Under uvicorn, where does the async view run?",
            (MAIN, WORKER),
            answer=_view_thread,
            explain="An ASGI server runs the event loop on its main thread; async code stays there, and only sync "
            "code is sent to worker threads.",
            see="#watch-it-under-a-real-asgi-server",
        ),
    ),
)
def async_stack(lab, data):
    """Serve the stacks with uvicorn, in a process of its own, and request an async view through each."""
    chosen = [key for key in STACKS if key == "hybrid" or data[key]]
    server_settings = {"DEBUG": data["debug"], "ALLOWED_HOSTS": [HOST]}
    remaining = lab.deadline - time.perf_counter() if lab.deadline else 30
    with lab.section(
        "Start uvicorn in a process of its own", key="server", code=settings_code(server_settings)
    ) as server:
        child = run_child(
            lab,
            "demos.middleware_asgi",
            {
                "stacks": [STACKS[k][1] for k in chosen],
                "path": ASYNC_PATH,
                "settings": server_settings,
                "timeout": remaining,
            },
        )
        if child["error"]:
            server.error_type, _, server.error = child["error"].partition(": ")
        server.fact("server", child["server"], "Server")
        server.fact("loop_thread", child["loop_thread"], "Thread running the event loop")
        server.fact("requests", len(child["results"]), "Requests served")

    for key, result in zip(chosen, child["results"], strict=False):
        label, stack = STACKS[key]
        with lab.section(label, key=key, code=middleware_setting(stack, result["request_line"])) as s:
            s.trace.extend(TraceEvent(**event) for event in result["trace"])
            s.request_headers = dict(result["request_headers"])
            s.response_headers = dict(result["response_headers"])
            draw_onion(s, [short_name(path) for path in stack])
            _stack_facts(s, result, data["debug"])

    if child["results"]:
        lab.headline(_headline(lab, chosen), focus=lab.get(chosen[-1] if "sync_below" not in chosen else "sync_below"))


def _stack_facts(step, result, debug: bool) -> None:
    headers = step.response_headers
    step.fact("final_response", f"{result['status']} {result['reason']}", "Final response")
    step.fact("round_trip_ms", round(result["round_trip_ms"], 1), "Round trip over the socket (ms)")
    step.fact("hybrid_mode", headers.get("X-Hybrid-Mode", "(absent)"), "Hybrid ran in")
    step.fact("view_thread", result["body"].strip().rsplit(" ", 1)[-1], "The async view ran on")
    if "X-Sync-Only-Thread" in headers:
        step.fact("sync_only_thread", headers["X-Sync-Only-Thread"], "sync_only ran on")
    if "X-Mixin-Thread" in headers:
        step.fact("mixin_thread", headers["X-Mixin-Thread"], "Its process_response ran on")
    adapted = [f"{e.layer}: {e.note}" for e in step.trace if e.phase == "init" and "adapted" in e.note]
    step.fact("adaptations", "; ".join(adapted) or "none", "Adaptations Django made")
    if debug:
        logged = [line for line in result["log"] if "adapted" in line]
        step.fact("django_request_log", "; ".join(logged) or "(no adaptation logged)", "django.request DEBUG log")
    else:
        step.fact(
            "django_request_log", "(not logged: Django writes it only with DEBUG = True)", "django.request DEBUG log"
        )


def _headline(lab, chosen: list[str]) -> str:
    loop = lab.get("server").facts["loop_thread"]
    modes = [f"{lab.get(k).facts['hybrid_mode']} {STACKS[k][0].removeprefix('The hybrid ')}" for k in chosen]
    away = sorted(
        {lab.get(k).facts[f] for k in chosen for f in ("sync_only_thread", "mixin_thread") if f in lab.get(k).facts}
    )
    text = f"uvicorn ran the loop and the async view on {loop}; the hybrid ran {joined(modes)}"
    if away:
        text += f"; sync code hopped to {joined(away)}"
    return text
