"""Middleware demos, part 2: the site's own stack, header by header, and stacks a learner composes (M4).

Both send one real request through real middleware and show which layer set
which header on the way out. The composer's stack comes from a fixed
catalogue of names (middleware_kit.CATALOGUE), edited with a stack editor.
"""

from __future__ import annotations

import re

from django import forms

from lab.registry import Prediction, demo
from sandbox import example_middleware, middleware
from sandbox.endpoints import middleware as endpoints

from .middleware_kit import CATALOGUE, DEMO_API_TOKEN, STARTPROJECT_DEFAULT, exchange, middleware_setting, site_stack
from .middleware_stack_editor import StackEditor

HEADERS_SHOWN = {
    "content_length": "Content-Length",
    "content_encoding": "Content-Encoding",
    "etag": "ETag",
    "vary": "Vary",
    "x_frame_options": "X-Frame-Options",
    "x_request_id": "X-Request-ID",
    "server_timing": "Server-Timing",
    "x_lab_queries": "X-Lab-Queries",
}


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


def vary_cookie_by(step) -> str:
    """The layer whose way out put Cookie into Vary (added the header, or changed it to name Cookie)."""
    for e in step.trace:
        if e.phase != "out" or e.layer == "view":
            continue
        if "Cookie" in e.added.get("Vary", "") or (
            "Vary" in e.changed and "Cookie" in e.changed["Vary"][1] and "Cookie" not in e.changed["Vary"][0]
        ):
            return e.layer
    return "No layer adds it"


def _revalidated(lab) -> str:
    try:
        again = lab.get("revalidate")
    except KeyError:
        return "There is no second request"
    if again.facts["final_response"].startswith("304") and again.facts["body_bytes"] == 0:
        return "304 Not Modified, with an empty body"
    return "200 OK, with the page again"


@demo(
    "middleware.headers",
    title="Header inspector: the site's own middleware, layer by layer",
    form=HeadersForm,
    reports=("headers", "sql"),
    shows=(endpoints.books, middleware.ServerTimingMiddleware),
    predictions=(
        Prediction(
            "Which layer adds Vary: Cookie to the page?",
            ("SessionMiddleware", "CommonMiddleware", "AuthenticationMiddleware", "No layer adds it"),
            answer=lambda lab: vary_cookie_by(lab.get("get_page")),
            explain="The session middleware adds Vary: Cookie on the way out when the view read or wrote the "
            "session: the page then depends on the cookie.",
            see="#this-sites-stack-layer-by-layer",
        ),
        Prediction(
            "What does the second request, sent with If-None-Match: <the ETag>, get back?",
            ("200 OK, with the page again", "304 Not Modified, with an empty body", "There is no second request"),
            answer=_revalidated,
            explain="ConditionalGetMiddleware compares If-None-Match with the ETag it computed and answers 304 "
            "without a body; the view still ran.",
            see="#this-sites-stack-layer-by-layer",
        ),
    ),
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

    with lab.section("Request a bookshop page", key="get_page", code=middleware_setting(stack)) as s:
        first = exchange(s, stack, path, headers=request_headers)
        s.fact("body_bytes", len(first.body), "Body bytes sent")
        for key, name in HEADERS_SHOWN.items():
            s.fact(key, first.response.get(name, "(absent)"), name)
    focus = s

    etag = first.response.get("ETag")
    if data["revalidate"] and etag:
        with lab.section("Again, with If-None-Match", key="revalidate") as again:
            second = exchange(again, stack, path, headers={**request_headers, "If-None-Match": etag})
            again.fact("body_bytes", len(second.body), "Body bytes sent")

    changed = [e for e in focus.trace if e.phase == "out" and e.layer != "view" and (e.added or e.changed)]
    layers = len([e for e in focus.trace if e.phase == "in" and e.layer != "view"])
    names = {name for e in changed for name in [*e.added, *e.changed]}
    text = f"{len(names)} headers set or changed on the way out, by {len(changed)} of the {layers} layers"
    if data["revalidate"] and etag:
        text += f"; If-None-Match got {lab.get('revalidate').facts['final_response']}"
    lab.headline(text, focus=focus)


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
STATUSES = ("200", "302", "401", "404", "500", "503")


class ComposeForm(forms.Form):
    order = forms.CharField(
        initial=",".join(STARTPROJECT_DEFAULT),
        max_length=400,
        label="MIDDLEWARE, outermost first",
        help_text="Names, comma-separated: " + ", ".join(CATALOGUE),
        widget=StackEditor(choices=list(CATALOGUE), max_items=MAX_LAYERS),
        error_messages={"required": "List at least one middleware."},
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
    shows=(example_middleware.WhoAmIMiddleware, middleware.MaintenanceModeMiddleware, middleware.ApiTokenMiddleware),
    predictions=(
        Prediction(
            "Which status does your stack answer with?",
            STATUSES,
            answer=lambda lab: lab.get("request").facts["final_response"].split()[0],
            explain="Each misorder has its own symptom: a missing request attribute is a 500, LoginRequired "
            "redirects (302), ApiToken refuses (401), maintenance answers 503.",
            see="#compose-your-own-stack",
        ),
    ),
)
def compose(lab, data):
    """Switch real middleware on and off, reorder them, and send one request through the stack you built."""
    stack = [CATALOGUE[name] for name in data["order"]]
    request_headers = {"Accept-Encoding": "gzip, deflate"} if data["accept_encoding"] else {}
    if data["send_token"]:
        request_headers["Authorization"] = f"Bearer {DEMO_API_TOKEN}"
    with lab.section("Send the request through your stack", key="request", code=middleware_setting(stack)) as s:
        result = exchange(s, stack, data["path"], headers=request_headers)
        if result.response.get("Content-Encoding"):
            s.fact("body", f"{len(result.body)} bytes, {result.response['Content-Encoding']}-encoded", "Body")
        else:
            s.fact("body", result.body.decode("utf-8", "replace")[:200], "Body (first 200 characters)")
    answered = s.facts["final_response"]
    text = f"{answered} through {len(stack)} layer{'s' if len(stack) != 1 else ''}"
    if s.error_type:
        text += f": {s.error_type.rsplit('.', 1)[-1]}"
    lab.headline(text, focus=s)
