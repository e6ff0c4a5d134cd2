"""Middleware demos, part 1: the onion and the concept page's CustomHeaderMiddleware (M1).

Each demo sends real requests through real middleware (lab.handler). A step's
code is the MIDDLEWARE setting it built and the request line it sent; the card
shows the middleware themselves (sandbox.example_middleware) and the view.
"""

from __future__ import annotations

import itertools
import logging
from functools import partial

from django import forms

from lab.handler import make_handler, view_runs
from lab.logs import capture_logs
from lab.registry import NoInputs, Prediction, demo
from sandbox import example_middleware
from sandbox.endpoints.middleware import hooks as hooks_view
from sandbox.teaching import middleware as concept_page

from .middleware_kit import draw_onion, exchange, joined, layers_in, middleware_setting

HOOKS_PATH = "/sandbox/middleware/hooks/"
ORDERS = [",".join(p) for p in itertools.permutations("ABC")]
PERMUTATIONS = tuple(", ".join(p) for p in itertools.permutations("ABC"))


class OnionForm(forms.Form):
    order = forms.ChoiceField(
        choices=[(o, f"MIDDLEWARE = [{o}]") for o in ORDERS], initial="A,B,C", label="Order of the three layers"
    )
    b_unused = forms.BooleanField(required=False, label="B raises MiddlewareNotUsed in __init__")
    b_answers = forms.BooleanField(required=False, label="B answers in __call__ without calling get_response")


def _init_order(lab) -> str:
    return joined(layers_in(lab.get("build").trace, "init"))


@demo(
    "middleware.onion",
    title="The onion: three logging middleware A, B, C",
    form=OnionForm,
    reports=("headers",),
    shows=(example_middleware.LoggingMiddleware, hooks_view),
    predictions=(
        Prediction(
            "In which order do the three __init__ methods run, for the order you chose?",
            PERMUTATIONS,
            answer=_init_order,
            explain="Django builds the chain from the innermost layer outwards, so the last entry of MIDDLEWARE "
            "is created first.",
            see="#how-django-builds-the-chain",
        ),
        Prediction(
            "How many __init__ calls does the second request cause?",
            ("0", "1", "3"),
            answer=lambda lab: str(lab.get("second_request").facts["init_calls"]),
            explain="A handler builds its chain once; every later request goes through the same instances.",
            see="#how-django-builds-the-chain",
        ),
    ),
)
def onion(lab, data):
    """Build a handler with A, B and C, then send two requests through it. Each layer logs what it sees."""
    names = data["order"].split(",")
    stack = [(n, _abc(n, off=data["b_unused"] and n == "B")) for n in names]
    path = HOOKS_PATH + ("?short_call=B" if data["b_answers"] else "")

    with lab.section("Build the handler (once per process)", key="build", code=middleware_setting(stack)) as build:
        # django.request: with DEBUG on, Django logs each MiddlewareNotUsed there.
        with capture_logs("django.request", level=logging.DEBUG) as records:
            handler = make_handler(stack)
        logged = [r.getMessage() for r in records]
        build.fact("django_request_log", "; ".join(logged) or "(nothing)", "django.request logged")

    with lab.section("First request", key="first_request") as first:
        result = exchange(first, stack, path, handler=handler, draw=False)
        # The build step's trace says which layer removed itself (MiddlewareNotUsed).
        draw_onion(first, names, build.trace + first.trace)
        first.fact("body", result.body.decode(), "Body")
        lines = result.logged("sandbox.onion")
        first.fact("resolver_match_in_call", _resolver_match(lines, ".before"), "resolver_match in __call__")
        first.fact("resolver_match_in_process_view", _resolver_match(lines, ".view"), "resolver_match in process_view")

    with lab.section("Second request, same handler", key="second_request") as second:
        result = exchange(second, stack, path, handler=handler, draw=False)
        draw_onion(second, names, build.trace + second.trace)
        inits = [line for line in result.logged("sandbox.onion") if line.endswith(".__init__")]
        second.fact("init_calls", len(inits), "__init__ calls during this request")

    lab.headline(_onion_headline(names, build, first), focus=first)


def _abc(name: str, off: bool):
    cls = getattr(example_middleware, name)
    return partial(cls, off=True) if off else cls


def _resolver_match(lines: list[str], phase: str) -> str:
    """What the outermost layer logged for `request.resolver_match` in that phase."""
    for line in lines:
        word, _, rest = line.partition(" ")
        if word.endswith(phase):
            return rest.removeprefix("resolver_match=")
    return "(not called)"


def _onion_headline(names: list[str], build, first) -> str:
    unused = [e.layer for e in build.trace if e.phase == "init" and e.note.startswith("MiddlewareNotUsed")]
    went_in = layers_in(first.trace, "in")
    came_out = layers_in(first.trace, "out")
    never = [n for n in names if n not in went_in and n not in unused]
    parts = []
    if unused:
        parts.append(f"{joined(unused)} removed itself (MiddlewareNotUsed)")
    if never:
        view = "the view" if not view_runs(first.trace, "hooks") else ""
        parts.append(f"{went_in[-1]} answered: {' and '.join(filter(None, [joined(never), view]))} never ran")
    parts.append(f"in {joined(went_in)}, out {joined(came_out)}")
    parts.append(f"__init__ ran {joined(layers_in(build.trace, 'init'))}, once for both requests")
    return "; ".join(parts)


CONCEPT_PAGE = "sandbox.teaching.middleware.CustomHeaderMiddleware"
CORRECTED = [
    ("The corrected class", "corrected_class", "sandbox.example_middleware.CustomHeaderMiddleware"),
    ("The same as a function factory", "function_factory", "sandbox.example_middleware.custom_header_middleware"),
]


@demo(
    "middleware.custom-header",
    title="The concept page's CustomHeaderMiddleware, corrected",
    form=NoInputs,
    reports=("headers",),
    shows=(
        concept_page.CustomHeaderMiddleware,
        example_middleware.CustomHeaderMiddleware,
        example_middleware.custom_header_middleware,
    ),
    predictions=(
        Prediction(
            "What happens when Django builds the chain with the concept page's class, as printed?",
            (
                "It works: every response gets the header",
                "TypeError, when the chain is built",
                "NameError, on the first request",
            ),
            answer=lambda lab: {
                "": "It works: every response gets the header",
                "TypeError": "TypeError, when the chain is built",
                "NameError": "NameError, on the first request",
            }.get(lab.get("concept_page").error_type, lab.get("concept_page").error_type),
            explain="`init` is an ordinary method: the class has only object.__init__, which takes no arguments, "
            "so CustomHeaderMiddleware(get_response) fails before any request.",
            see="#the-concept-pages-example-corrected",
        ),
    ),
)
def custom_header(lab, data):
    """Load the concept page's version as written, then the corrected class and function, and send requests."""
    with lab.section(
        "The concept page's version", key="concept_page", code=middleware_setting([CONCEPT_PAGE]), expect=TypeError
    ):
        make_handler([CONCEPT_PAGE])
    for label, key, path in CORRECTED:
        with lab.section(label, key=key, code=middleware_setting([path])) as s:
            result = exchange(s, [path], HOOKS_PATH)
            s.fact("x_custom_header", result.response.get("X-Custom-Header", "(absent)"), "X-Custom-Header")
    printed = lab.get("concept_page")
    header = lab.get("corrected_class").facts["x_custom_header"]
    lab.headline(
        f"As printed: {printed.error_type or 'no error'}; corrected, class and function both add "
        f"X-Custom-Header: {header}",
        focus=lab.get("corrected_class"),
    )
