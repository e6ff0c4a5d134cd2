"""Caching track, lessons 3 and 4: whole pages in the cache, per view and site-wide.

Every request here is a real request through real middleware (`send`), with a
real session cookie for each visitor. Each run adds `?run=<random>` to its
URLs: another query string is another page, so every run starts cold.
"""

from __future__ import annotations

import secrets
from importlib import import_module

from django.conf import settings
from django.middleware.cache import FetchFromCacheMiddleware, UpdateCacheMiddleware

from lab.handler import make_handler, send, view_runs
from lab.registry import demo
from sandbox.endpoints.caching import PAGE_ALIAS

SESSION = "django.contrib.sessions.middleware.SessionMiddleware"
SHOWN_HEADERS = ("Cache-Control", "Expires", "Age", "Vary", "Set-Cookie")


def visitor(user: str) -> dict[str, str]:
    """The cookie jar of a browser whose session belongs to `user`."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["user"] = user
    store.save()
    return {settings.SESSION_COOKIE_NAME: store.session_key}


def body(response) -> str:
    if response.streaming:
        return "(streaming)"
    return response.content.decode()


def show(step, response) -> None:
    """Put a response's caching headers and body in the report."""
    step.response_headers = {k: v for k, v in response.items() if k in SHOWN_HEADERS or k == "Content-Type"}
    if response.cookies:
        step.response_headers["Set-Cookie"] = "; ".join(response.cookies)


def pages_stored(step, since: int) -> int:
    """How many responses were written to the cache since cache op number `since` of this step."""
    return sum(1 for op in step.cache_ops[since:] if op.op == "set" and ".cache_page." in op.key)


@demo(
    "caching.per-view",
    title="cache_page: hits, a second visitor, and what is never stored",
    description="Requests cache_page views through SessionMiddleware with two visitors' cookie jars, "
    "then tries every kind of response UpdateCacheMiddleware refuses to store.",
    reports=("cache", "headers"),
)
def per_view(lab, data):
    run = secrets.token_hex(4)
    alice, bob = visitor("alice"), visitor("bob")
    if True:  # TODO(step API)
        with lab.step(
            "First GET: a miss, the view runs, the page is stored", code="@cache_page(60)\ndef stamp(request)"
        ):
            server = make_handler([SESSION])  # built once for every request below, as in a server process
            first = send([SESSION], f"/sandbox/caching/stamp/?run={run}", handler=server)
            show(lab.step_now, first)
            lab.fact("body", body(first))
            lab.fact("view runs so far", view_runs(lab.trace, "stamp"))
        with lab.step("Second GET: a hit, with an Age header"):
            second = send([SESSION], f"/sandbox/caching/stamp/?run={run}", handler=server)
            show(lab.step_now, second)
            lab.fact("body", body(second))
            lab.fact("same body", body(second) == body(first))
            lab.fact("Age", second.get("Age"))
            lab.fact("view runs so far", view_runs(lab.trace, "stamp"))

        for label, url, code in [
            ("Alice, then Bob: cache_page without vary_on_cookie", "who", "@cache_page(60)\ndef hello(request)"),
            (
                "Alice, then Bob: cache_page above vary_on_cookie",
                "who-vary",
                "@cache_page(60)\n@vary_on_cookie\ndef hello(request)",
            ),
        ]:
            with lab.step(label, code=code) as step:
                seen_by_alice = body(
                    send([SESSION], f"/sandbox/caching/{url}/?run={run}", cookies=alice, handler=server)
                )
                response = send([SESSION], f"/sandbox/caching/{url}/?run={run}", cookies=bob, handler=server)
                show(step, response)
                step.fact("Alice sees", seen_by_alice)
                step.fact("Bob sees", body(response))
                step.fact("Bob got Alice's page", body(response) == seen_by_alice)

        with lab.step("What cache_page never stores: each request sent twice") as step:
            rows = []
            cases = [
                ("GET, 200", "GET", "plain", {}),
                ("GET with Authorization", "GET", "plain", {"Authorization": "Bearer x"}),
                ("POST", "POST", "plain", {}),
                ("GET, 404", "GET", "404", {}),
                ("GET, Cache-Control: Private", "GET", "private", {}),
                ("GET, sets a cookie, Vary: Cookie", "GET", "cookie", {}),
                ("GET, form with {% csrf_token %}", "GET", "csrf-form", {}),
                ("GET, Vary: *", "GET", "vary-star", {}),
                ("GET, Cache-Control: max-age=0", "GET", "max-age-0", {}),
                ("GET, streaming response", "GET", "streaming", {}),
            ]
            for label, method, case, headers in cases:
                url = f"/sandbox/caching/never/{case}/?run={run}-{len(rows)}"
                since, before = len(step.cache_ops), len(step.trace)
                for _ in range(2):
                    response = send([SESSION], url, method, headers=headers, handler=server)
                stored = pages_stored(step, since) > 0
                rows.append(
                    [
                        label,
                        "yes" if stored else "no",
                        sum(1 for e in step.trace[before:] if e.phase == "ran"),
                        response.status_code,
                        response.get("Cache-Control", ""),
                        response.get("Vary", ""),
                    ]
                )
            step.table(["request", "stored", "view runs (2 requests)", "status", "Cache-Control", "Vary"], rows)
            # 20 requests' traces and cache calls would bury the table; the steps above show one of each in full.
            step.note(f"{len(step.cache_ops)} cache calls and 20 onion traces are summed up in this table.")
            step.cache_ops.clear()
            step.trace.clear()


def configured(middleware_class, timeout: int = 60):
    """A middleware factory with the demo's cache alias (settings stay untouched)."""

    def factory(get_response):
        layer = middleware_class(get_response)
        layer.cache_alias = PAGE_ALIAS
        layer.cache_timeout = timeout  # read by UpdateCacheMiddleware only
        return layer

    return factory


@demo(
    "caching.site-wide",
    title="Site-wide caching: the middleware order decides who sees what",
    description="Alice, Alice again and Bob request the same page through UpdateCache, Session and FetchFromCache "
    "middleware, in the documented order and with SessionMiddleware above UpdateCacheMiddleware.",
    reports=("cache", "headers"),
)
def site_wide(lab, data):
    run = secrets.token_hex(4)
    update = ("django.middleware.cache.UpdateCacheMiddleware", configured(UpdateCacheMiddleware))
    fetch = ("django.middleware.cache.FetchFromCacheMiddleware", configured(FetchFromCacheMiddleware))
    orders = {
        "right": ("Right order: Update first, Fetch last", [update, SESSION, fetch]),
        "wrong": ("Wrong order: SessionMiddleware above UpdateCacheMiddleware", [SESSION, update, fetch]),
    }
    alice, bob = visitor("alice"), visitor("bob")
    if True:  # TODO(step API)
        for name, (label, stack) in orders.items():
            url = f"/sandbox/caching/hello/?run={run}-{name}"
            code = "MIDDLEWARE = [\n" + "".join(f"    {(s if isinstance(s, str) else s[0])!r},\n" for s in stack) + "]"
            with lab.step(label, code=code) as step:
                server = make_handler(stack)  # the stack is built once, as in a server process
                first = body(send(stack, url, cookies=alice, handler=server))
                again = send(stack, url, cookies=alice, handler=server)
                response = send(stack, url, cookies=bob, handler=server)
                show(step, response)
                step.fact("Alice sees", first)
                step.fact("Alice again: Age", again.get("Age"))
                step.fact("Bob sees", body(response))
                step.fact("Bob got Alice's page", body(response) == first)
                step.fact("view runs (3 requests)", view_runs(step.trace, "hello"))
        with lab.step(
            "Right order, a response with Cache-Control: max-age=0",
            code="response['Cache-Control'] = 'max-age=0'",
        ) as step:
            stack = orders["right"][1]
            server = make_handler(stack)
            for _ in range(2):
                response = send(stack, f"/sandbox/caching/max-age-0/?run={run}", handler=server)
            show(step, response)
            step.fact("stored", pages_stored(step, 0) > 0)
            step.fact("view runs (2 requests)", view_runs(step.trace, "never_max_age_0"))
