"""Caching track, lesson 7: conditional requests, and the headers a downstream cache reads.

Two ways to answer "has it changed?" with a 304: ConditionalGetMiddleware
(an ETag from the body, so the view must run to make the body) and
condition() (asks a cheap function first, so a 304 skips the view).
"""

from __future__ import annotations

from lab.handler import send, view_runs
from lab.registry import demo

CONDITIONAL_GET = "django.middleware.http.ConditionalGetMiddleware"
SHOWN = ("Cache-Control", "ETag", "Last-Modified", "Vary", "Expires", "Content-Length", "Content-Type")


def record(step, response, request_headers=None) -> None:
    step.request_headers = dict(request_headers or {})
    step.response_headers = {k: v for k, v in response.items() if k in SHOWN}
    step.fact("status", response.status_code)
    step.fact("body bytes", len(response.content))


@demo(
    "caching.conditional",
    title="Conditional GET: ETag, Last-Modified and 304 Not Modified",
    description="Asks for book 1 twice through ConditionalGetMiddleware and twice from a view decorated with "
    "condition(), the second time with the validator from the first response, and counts view runs.",
    reports=("headers", "sql"),
)
def conditional(lab, data):
    if True:  # TODO(step API)
        with lab.step(
            "ConditionalGetMiddleware: first GET", code=f"send([{CONDITIONAL_GET!r}], '/sandbox/caching/book/1/')"
        ):
            first = send([CONDITIONAL_GET], "/sandbox/caching/book/1/")
            record(lab.step_now, first)
        etag = first.get("ETag", "")
        with lab.step("ConditionalGetMiddleware: If-None-Match with that ETag") as step:
            headers = {"If-None-Match": etag}
            second = send([CONDITIONAL_GET], "/sandbox/caching/book/1/", headers=headers)
            record(step, second, headers)
            step.fact("view runs (2 requests)", view_runs(lab.trace, "book_detail"))
        with lab.step("ConditionalGetMiddleware: If-None-Match with an old ETag") as step:
            headers = {"If-None-Match": '"not-the-current-one"'}
            record(step, send([CONDITIONAL_GET], "/sandbox/caching/book/1/", headers=headers), headers)

        with lab.step(
            "condition(): first GET",
            code="@cache_control(max_age=60, public=True)\n@condition(last_modified_func=book_updated)\n"
            "def book_conditional(request, pk)",
        ):
            first = send([], "/sandbox/caching/book/1/conditional/")
            record(lab.step_now, first)
        last_modified = first.get("Last-Modified", "")
        with lab.step("condition(): If-Modified-Since with that date") as step:
            headers = {"If-Modified-Since": last_modified}
            second = send([], "/sandbox/caching/book/1/conditional/", headers=headers)
            record(step, second, headers)
            step.fact("view runs (2 requests)", view_runs(lab.trace, "book_conditional"))
        with lab.step("condition(): a POST with If-Unmodified-Since in the past") as step:
            headers = {"If-Unmodified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
            record(step, send([], "/sandbox/caching/book/1/conditional/", "POST", headers=headers), headers)
            step.fact("view runs (3 requests)", view_runs(lab.trace, "book_conditional"))
