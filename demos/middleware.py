"""Middleware demos, part 1: the onion (M1), the site's headers and the stack composer (M4).

Each demo sends real requests through real middleware (lab.handler) and
reports the trace, the log lines the layers wrote and the headers.
"""

from __future__ import annotations

import itertools
import logging
import re
from functools import partial

from django import forms

from lab.handler import make_handler
from lab.logs import capture_logs
from lab.registry import NoInputs, demo
from sandbox import example_middleware

from .middleware_kit import (
    CATALOGUE,
    DEMO_API_TOKEN,
    STARTPROJECT_DEFAULT,
    exchange,
    middleware_setting,
    onion_svg,
    site_stack,
)

ABC = "sandbox.example_middleware."
ORDERS = [",".join(p) for p in itertools.permutations("ABC")]


class OnionForm(forms.Form):
    order = forms.ChoiceField(
        choices=[(o, f"MIDDLEWARE = [{o}]") for o in ORDERS], initial="A,B,C", label="Order of the three layers"
    )
    b_unused = forms.BooleanField(required=False, label="B raises MiddlewareNotUsed in __init__")
    b_answers = forms.BooleanField(required=False, label="B answers in __call__ without calling get_response")


@demo(
    "middleware.onion",
    title="The onion: three logging middleware A, B, C",
    form=OnionForm,
    reports=("headers",),
)
def onion(lab, data):
    """Build a handler with A, B and C, then send two requests through it. Each layer logs what it sees."""
    names = data["order"].split(",")
    stack = [(n, _abc(n, off=data["b_unused"] and n == "B")) for n in names]
    query = "?short_call=B" if data["b_answers"] else ""

    with lab.step("Build the handler (once per process)", code=middleware_setting([ABC + n for n in names])) as build:
        # django.request: with DEBUG on, Django logs each MiddlewareNotUsed there.
        with capture_logs("sandbox.onion", "django.request", level=logging.DEBUG) as records:
            handler = make_handler(stack)
        for r in records:
            build.note(r.getMessage())
        inits = [r.getMessage().split(".")[0] for r in records if r.name == "sandbox.onion"]
        build.fact("__init__ order", ", ".join(inits))

    with lab.step("First request", code=f"GET /sandbox/middleware/hooks/{query}") as s:
        first = exchange(s, stack, "/sandbox/middleware/hooks/" + query, handler=handler, draw=False)
        # The build step's trace says which layer removed itself (MiddlewareNotUsed).
        s.figure("The onion this request went through", onion_svg(names, build.trace + s.trace))
        s.fact("Sequence", ", ".join(first.sequence))
        s.fact("Body", first.body.decode())

    with lab.step("Second request, same handler", code=f"GET /sandbox/middleware/hooks/{query}") as s:
        second = exchange(s, stack, "/sandbox/middleware/hooks/" + query, handler=handler, draw=False)
        s.fact("__init__ calls during this request", sum(".__init__" in line for line in second.log))


def _abc(name: str, off: bool):
    cls = getattr(example_middleware, name)
    return partial(cls, off=True) if off else cls


CONCEPT_PAGE_CODE = """\
# The concept page's class, as printed:
class CustomHeaderMiddleware:
    def init(self, getresponse):
        self.getresponse = get_response

# Django builds the chain with CustomHeaderMiddleware(get_response):
MIDDLEWARE = ["CustomHeaderMiddleware"]\
"""


@demo(
    "middleware.custom-header",
    title="The concept page's CustomHeaderMiddleware, corrected",
    form=NoInputs,
    reports=("headers",),
)
def custom_header(lab, data):
    """Load the concept page's version as written, then the corrected class and function, and send requests."""

    class CustomHeaderMiddleware:  # the concept page's code, as printed
        def init(self, getresponse):
            self.getresponse = get_response  # noqa: F821 (the page's typo, kept on purpose)

    with lab.step("The concept page's version", code=CONCEPT_PAGE_CODE, expect=TypeError):
        make_handler([("CustomHeaderMiddleware", CustomHeaderMiddleware)])

    for label, path in [
        ("The corrected class", "sandbox.example_middleware.CustomHeaderMiddleware"),
        ("The same as a function factory", "sandbox.example_middleware.custom_header_middleware"),
    ]:
        with lab.step(f"{label}: GET /sandbox/middleware/hooks/", code=f"MIDDLEWARE = [{path!r}]") as s:
            result = exchange(s, [path], "/sandbox/middleware/hooks/")
            s.fact("X-Custom-Header", result.response.get("X-Custom-Header", "(absent)"))


class HeadersForm(forms.Form):
    gzip = forms.BooleanField(required=False, initial=True, label="Add GZipMiddleware (below WhiteNoise)")
    conditional_get = forms.BooleanField(
        required=False, initial=True, label="Add ConditionalGetMiddleware (below GZip)"
    )
    accept_encoding = forms.BooleanField(required=False, initial=True, label="Send Accept-Encoding: gzip")
    touch_session = forms.BooleanField(required=False, initial=True, label="The view writes to the session")
    revalidate = forms.BooleanField(
        required=False, initial=True, label="Send a second request with If-None-Match: <the ETag>"
    )


@demo(
    "middleware.headers",
    title="Header inspector: the site's own middleware, layer by layer",
    form=HeadersForm,
    reports=("headers", "sql"),
)
def headers(lab, data):
    """Send a real request through this site's MIDDLEWARE to a bookshop page and see which layer set which header."""
    stack = site_stack()
    below = stack.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1
    extra = []
    if data["gzip"]:
        extra.append("django.middleware.gzip.GZipMiddleware")
    if data["conditional_get"]:
        extra.append("django.middleware.http.ConditionalGetMiddleware")
    stack[below:below] = extra
    request_headers = {"Accept-Encoding": "gzip, deflate"} if data["accept_encoding"] else {}
    path = "/sandbox/middleware/books/" + ("?touch_session=1" if data["touch_session"] else "")

    with lab.step(f"GET {path}", code=middleware_setting(stack)) as s:
        first = exchange(s, stack, path, headers=request_headers)
        s.fact("Body bytes sent", len(first.body))
        for name in ("Content-Length", "Content-Encoding", "ETag", "Vary", "X-Frame-Options", "X-Request-ID"):
            s.fact(name, first.response.get(name, "(absent)"))
        s.fact("Server-Timing", first.response.get("Server-Timing", "(absent)"))
        s.fact("X-Lab-Queries", first.response.get("X-Lab-Queries", "(absent)"))

    etag = first.response.get("ETag")
    if data["revalidate"] and etag:
        with lab.step("Again, with If-None-Match", code=f"GET {path}\nIf-None-Match: {etag}") as s:
            again = exchange(s, stack, path, headers={**request_headers, "If-None-Match": etag}, draw=False)
            s.fact("Body bytes sent", len(again.body))


NAME_RE = re.compile(r"^[A-Za-z]+$")
MAX_LAYERS = 16
PATHS = [
    ("/sandbox/middleware/books/", "/sandbox/middleware/books/ (a bookshop page)"),
    ("/sandbox/middleware/hooks/", "/sandbox/middleware/hooks/ (a tiny view)"),
    ("/sandbox/middleware/boom/", "/sandbox/middleware/boom/ (the view raises)"),
    ("/sandbox/middleware/open/", "/sandbox/middleware/open/ (@login_not_required)"),
    ("/sandbox/middleware/api/books/", "/sandbox/middleware/api/books/ (needs an API token)"),
    ("/sandbox/middleware/api/health/", "/sandbox/middleware/api/health/ (@public_api)"),
    ("/sandbox/middleware/stream/", "/sandbox/middleware/stream/ (a streaming response)"),
    ("/sandbox/middleware/no-such-page/", "/sandbox/middleware/no-such-page/ (no URL matches)"),
]


class ComposeForm(forms.Form):
    order = forms.CharField(
        initial=",".join(STARTPROJECT_DEFAULT),
        max_length=400,
        label="MIDDLEWARE, outermost first (comma-separated names)",
        help_text="Names: " + ", ".join(CATALOGUE),
    )
    path = forms.ChoiceField(choices=PATHS, initial=PATHS[0][0], label="Request")
    accept_encoding = forms.BooleanField(required=False, initial=True, label="Send Accept-Encoding: gzip (browsers do)")
    send_token = forms.BooleanField(required=False, label=f"Send Authorization: Bearer {DEMO_API_TOKEN}")

    def clean_order(self) -> list[str]:
        names = [n.strip() for n in self.cleaned_data["order"].replace("\n", ",").split(",") if n.strip()]
        if not names:
            raise forms.ValidationError("List at least one middleware.")
        if len(names) > MAX_LAYERS:
            raise forms.ValidationError(f"At most {MAX_LAYERS} layers, please; you listed {len(names)}.")
        unknown = [n for n in names if not NAME_RE.match(n) or n not in CATALOGUE]
        if unknown:
            raise forms.ValidationError(
                f"Unknown middleware: {', '.join(unknown[:5])}. Choose from: {', '.join(CATALOGUE)}."
            )
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise forms.ValidationError(f"Each middleware may appear once; repeated: {', '.join(repeated)}.")
        return names


@demo(
    "middleware.compose",
    title="Onion composer: build a stack from real middleware",
    form=ComposeForm,
    reports=("headers",),
)
def compose(lab, data):
    """Switch real middleware on and off, reorder them, and send one request through the stack you built."""
    stack = [CATALOGUE[name] for name in data["order"]]
    request_headers = {"Accept-Encoding": "gzip, deflate"} if data["accept_encoding"] else {}
    if data["send_token"]:
        request_headers["Authorization"] = f"Bearer {DEMO_API_TOKEN}"
    with lab.step(f"GET {data['path']}", code=middleware_setting(stack)) as s:
        result = exchange(s, stack, data["path"], headers=request_headers)
        if result.response.get("Content-Encoding"):
            s.fact("Body", f"{len(result.body)} bytes, {result.response['Content-Encoding']}-encoded")
        else:
            s.fact("Body (first 200 characters)", result.body.decode("utf-8", "replace")[:200])
