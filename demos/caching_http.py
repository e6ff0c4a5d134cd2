"""Caching track, lesson 7: conditional requests, and the headers a downstream cache reads.

Two ways to answer "has it changed?" with a 304: ConditionalGetMiddleware
(an ETag from the body, so the view must run to make the body) and
condition() (asks a cheap function first, so a 304 skips the view).
"""

from __future__ import annotations

from lab.handler import make_handler, view_runs
from lab.registry import Prediction, demo
from sandbox.endpoints.caching import book_conditional, book_detail, book_updated

from .caching_kit import answer_of, middleware_code, send_in, views_code, yes_no

CONDITIONAL_GET = "django.middleware.http.ConditionalGetMiddleware"
SHOWN = ("Cache-Control", "ETag", "Last-Modified", "Vary", "Expires", "Content-Length", "Content-Type")
DETAIL, CONDITIONAL = "/sandbox/caching/book/1/", "/sandbox/caching/book/1/conditional/"


def _ask(lab, label: str, key: str, stack, path: str, view, code: str, method: str = "GET", headers=None):
    """One request as a report step: the headers sent and received, the status, the body size, the view's runs."""
    with lab.section(label, key=key, code=code) as step:
        response = send_in(step, stack, path, method=method, headers=headers, handler=make_handler(stack))
        step.request_headers = dict(headers or {})
        step.response_headers = {k: v for k, v in response.items() if k in SHOWN}
        step.fact("status", response.status_code, "status")
        step.fact("body_bytes", len(response.content), "body bytes")
        step.fact("view_ran", view_runs(step.trace, view.__name__), f"{view.__name__}() ran")
    return step, response


@demo(
    "caching.conditional",
    title="Conditional GET: ETag, Last-Modified and 304 Not Modified",
    description="Asks for book 1 twice through ConditionalGetMiddleware and twice from a view decorated with "
    "condition(), the second time with the validator from the first response, and counts view runs.",
    reports=("headers", "sql"),
    shows=(book_detail, book_conditional, book_updated),
    predictions=(
        Prediction(
            "ConditionalGetMiddleware answers the If-None-Match request with a 304. Did the view run for it?",
            ("yes", "no"),
            answer=answer_of("etag_match", "view_ran", yes_no),
            explain="The middleware computes the ETag from the body, so the view must run to make the body.",
            see="#two-ways-to-answer-304",
        ),
        Prediction(
            "A POST to the condition() view with If-Unmodified-Since in 2001: what status?",
            ("200", "304", "412"),
            answer=answer_of("unmodified_since", "status"),
            explain="The book changed after that date, so an unsafe method is refused: 412 Precondition Failed.",
            see="#demo-conditional-get-both-ways",
        ),
    ),
)
def conditional(lab, data):
    middleware = middleware_code([CONDITIONAL_GET]) + "\n" + views_code(book_detail)
    condition = views_code(book_conditional, book_updated)
    stack = [CONDITIONAL_GET]
    _, first = _ask(lab, "ConditionalGetMiddleware: first GET", "etag_first", stack, DETAIL, book_detail, middleware)
    etag = first.get("ETag", "")
    match, _ = _ask(
        lab,
        "ConditionalGetMiddleware: If-None-Match with that ETag",
        "etag_match",
        stack,
        DETAIL,
        book_detail,
        middleware,
        headers={"If-None-Match": etag},
    )
    _ask(
        lab,
        "ConditionalGetMiddleware: If-None-Match with an old ETag",
        "etag_old",
        stack,
        DETAIL,
        book_detail,
        middleware,
        headers={"If-None-Match": '"not-the-current-one"'},
    )
    _, first = _ask(lab, "condition(): first GET", "condition_first", [], CONDITIONAL, book_conditional, condition)
    since, _ = _ask(
        lab,
        "condition(): If-Modified-Since with that date",
        "modified_since",
        [],
        CONDITIONAL,
        book_conditional,
        condition,
        headers={"If-Modified-Since": first.get("Last-Modified", "")},
    )
    _ask(
        lab,
        "condition(): a POST with If-Unmodified-Since in the past",
        "unmodified_since",
        [],
        CONDITIONAL,
        book_conditional,
        condition,
        method="POST",
        headers={"If-Unmodified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"},
    )
    lab.headline(
        f"If-None-Match → {match.facts['status']}, and the view ran {match.facts['view_ran']}× "
        f"(ConditionalGetMiddleware); If-Modified-Since → {since.facts['status']}, and it ran "
        f"{since.facts['view_ran']}× (condition())",
        focus=since,
    )
