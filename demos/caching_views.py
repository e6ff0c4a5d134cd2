"""Caching track, lesson 3: whole pages cached per view with cache_page, and a cached form's CSRF token.

Every request is a real request through real middleware (`send`), with a real
session cookie for each visitor. Each run adds `?run=<random>` to its URLs:
another query string is another page, so every run starts cold.
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings

from lab.handler import make_handler, view_runs
from lab.logs import capture_logs
from lab.registry import Prediction, demo
from sandbox.endpoints.caching import (
    hello,
    hello_by_language,
    hello_cached,
    hello_per_user,
    order_form,
    order_form_per_cookie,
    order_form_protected,
    stamp,
)

from .caching_kit import (
    SESSION,
    answer_of,
    body,
    middleware_code,
    pages_stored,
    send_in,
    show,
    views_code,
    visitor,
    yes_no,
)

CSRF = "django.middleware.csrf.CsrfViewMiddleware"
NEVER_STORED = [  # (row label, method, URL under /sandbox/caching/never/, request headers)
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


@demo(
    "caching.per-view",
    title="cache_page: hits, a second visitor, and what is never stored",
    description="Requests cache_page views through SessionMiddleware with two visitors' cookie jars, "
    "then tries every kind of response UpdateCacheMiddleware refuses to store.",
    reports=("cache", "headers"),
    shows=(stamp, hello, hello_cached, hello_per_user),
    predictions=(
        Prediction(
            "The second GET of the cache_page view: does the view run again?",
            ("yes", "no"),
            answer=answer_of("second_get", "view_runs", lambda runs: yes_no(runs > 1)),
            explain="The first response was stored; the second is served from the cache, with an Age header.",
            see="#a-miss-then-a-hit",
        ),
        Prediction(
            "Bob, with his own session cookie, asks for the page Alice cached without vary_on_cookie. "
            "Whose greeting does he get?",
            ("Alice's", "his own"),
            answer=answer_of("no_vary", "bob_got_alices_page", lambda leaked: "Alice's" if leaked else "his own"),
            explain="cache_page stores the response before SessionMiddleware adds Vary: Cookie, so the key "
            "ignores the cookie.",
            see="#the-big-trap-pages-that-depend-on-a-cookie",
        ),
    ),
)
def per_view(lab, data):
    run = secrets.token_hex(4)
    alice, bob = visitor("alice"), visitor("bob")
    server = make_handler([SESSION])  # built once for every request below, as in a server process
    path = f"/sandbox/caching/stamp/?run={run}"
    with lab.section(
        "First GET: a miss, the view runs, the page is stored", key="first_get", code=views_code(stamp)
    ) as first:
        response = send_in(first, [SESSION], path, handler=server)
        show(first, response)
        first.fact("body", body(response), "body")
        first.fact("view_runs", view_runs(first.trace, "stamp"), "stamp() ran")
    with lab.section("Second GET: a hit, with an Age header", key="second_get", code=views_code(stamp)) as second:
        response = send_in(second, [SESSION], path, handler=server)
        show(second, response)
        second.fact("body", body(response), "body")
        second.fact("same_body", body(response) == first.facts["body"], "same body as the first GET")
        second.fact("age", response.get("Age"), "Age")
        second.fact("view_runs", view_runs(lab.trace, "stamp"), "stamp() ran, both GETs")

    for key, label, view, url in [
        ("no_vary", "Alice, then Bob: cache_page without vary_on_cookie", hello_cached, "who"),
        ("vary_on_cookie", "Alice, then Bob: cache_page above vary_on_cookie", hello_per_user, "who-vary"),
    ]:
        with lab.section(label, key=key, code=views_code(view)) as step:
            page = f"/sandbox/caching/{url}/?run={run}"
            seen_by_alice = body(send_in(step, [SESSION], page, cookies=alice, handler=server, who="Alice's cookie"))
            response = send_in(step, [SESSION], page, cookies=bob, handler=server, who="Bob's cookie")
            show(step, response)
            step.fact("alice_sees", seen_by_alice, "Alice sees")
            step.fact("bob_sees", body(response), "Bob sees")
            step.fact("bob_got_alices_page", body(response) == seen_by_alice, "Bob got Alice's page")
            step.fact("view_runs", view_runs(step.trace, view.__name__), f"{view.__name__}() ran, 2 requests")

    with lab.section(
        "English, then French: vary_on_headers('Accept-Language') without LocaleMiddleware",
        key="accept_language",
        code=views_code(hello_by_language),
    ) as step:
        page = f"/sandbox/caching/who-language/?run={run}"
        english = send_in(step, [SESSION], page, headers={"Accept-Language": "en"}, handler=server)
        french = send_in(step, [SESSION], page, headers={"Accept-Language": "fr"}, handler=server)
        show(step, french)
        step.fact("use_i18n", settings.USE_I18N, "USE_I18N")
        step.fact("vary", french.get("Vary"), "the page's Vary")
        step.fact("french_sees", body(french), "the French visitor sees")
        step.fact("french_got_english", body(french) == body(english), "the French visitor got the English page")
    with lab.section("What cache_page never stores: each request sent twice", key="never_stored") as step:
        rows = []
        for label, method, case, headers in NEVER_STORED:
            url = f"/sandbox/caching/never/{case}/?run={run}-{len(rows)}"
            since, before = len(step.cache_ops), len(step.trace)
            for _ in range(2):
                response = send_in(step, [SESSION], url, method=method, headers=headers, handler=server)
            stored = pages_stored(step.cache_ops[since:])
            rows.append(
                [
                    label,
                    "yes" if stored else "no",
                    stored[0].timeout if stored else "",
                    sum(1 for e in step.trace[before:] if e.phase == "ran"),
                    response.status_code,
                    response.get("Cache-Control", ""),
                    response.get("Vary", ""),
                ]
            )
        step.table(
            ["request", "stored", "stored for (s)", "view runs (2 requests)", "status", "Cache-Control", "Vary"], rows
        )
        # 20 requests' traces and cache calls would bury the table; the steps above show one of each in full.
        step.call = f"each row's request twice: {2 * len(rows)} requests, summed up in the table"
        step.cache_ops.clear()
        step.trace.clear()
    hit = second.facts["age"] is not None and second.facts["view_runs"] == 1
    lab.headline(
        f"2nd GET: {'a hit, the view did not run' if hit else 'a miss, the view ran again'} "
        f"(Age: {second.facts['age']}, stamp() ran {second.facts['view_runs']}× for 2 requests)",
        focus=second,
    )


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else ""


@demo(
    "caching.csrf-form",
    title="A cached form page: the next visitor's POST gets 403",
    description="Alice and then Bob open a form cached with cache_page but without csrf_protect, behind "
    "CsrfViewMiddleware; then each sends it back. Then two fixes, with a third visitor who has a session cookie: "
    "csrf_protect under cache_page, and vary_on_cookie alone.",
    reports=("cache", "headers"),
    shows=(order_form, order_form_protected, order_form_per_cookie),
    predictions=(
        Prediction(
            "Bob's browser was served Alice's cached form, token included. What status does his POST get?",
            ("200", "403"),
            answer=answer_of("bob_post", "status"),
            explain="The view never ran for Bob, so CsrfViewMiddleware set no CSRF cookie for him: the check "
            "fails before the view.",
            see="#csrf-and-cached-forms",
        ),
    ),
)
def csrf_form(lab, data):
    path = f"/sandbox/caching/order-form/?run={secrets.token_hex(4)}"
    server = make_handler([CSRF])
    code = middleware_code([CSRF]) + "\n" + views_code(order_form)
    cookie = settings.CSRF_COOKIE_NAME
    with lab.section("Alice opens the form: a miss, the view runs", key="alice_get", code=code) as step:
        response = send_in(step, [CSRF], path, handler=server, who="Alice, no cookies yet")
        show(step, response)
        alice_cookie = response.cookies[cookie].value if cookie in response.cookies else ""
        alice_token = _csrf_token(body(response))
        step.fact("view_runs", view_runs(step.trace, "order_form"), "order_form() ran")
        step.fact("sets_cookie", bool(alice_cookie), "the response sets Alice's CSRF cookie")
        step.fact("stored", bool(pages_stored(step.cache_ops)), "page stored")
    with lab.section("Bob opens the form: a hit, Alice's page", key="bob_get", code=code) as step:
        response = send_in(step, [CSRF], path, handler=server, who="Bob, no cookies")
        show(step, response)
        bob_token = _csrf_token(body(response))
        step.fact("view_runs", view_runs(step.trace, "order_form"), "order_form() ran")
        step.fact("sets_cookie", cookie in response.cookies, "the response sets Bob's CSRF cookie")
        step.fact("alices_token", bob_token == alice_token, "the form holds Alice's token")
    with lab.section("Bob sends the form back", key="bob_post", code=code) as step:
        with capture_logs("django.security.csrf", to_report=True) as records:
            response = send_in(
                step, [CSRF], path, method="POST", headers={"X-CSRFToken": bob_token}, handler=server, who="Bob"
            )
        step.fact("status", response.status_code, "status")
        # Django logs "Forbidden (%s): %s" with the reason first.
        step.fact(
            "reason", str(records[0].args[0]) if records and records[0].args else "", "why (django.security.csrf)"
        )
        step.fact("view_runs", view_runs(step.trace, "order_form"), "order_form() ran")
    with lab.section("Alice sends the form back", key="alice_post", code=code) as step:
        response = send_in(
            step,
            [CSRF],
            path,
            method="POST",
            headers={"X-CSRFToken": alice_token},
            cookies={cookie: alice_cookie},
            handler=server,
            who="Alice, with her CSRF cookie",
        )
        step.fact("status", response.status_code, "status")
    for key, label, view, url in FIXES:
        _fix(lab, key, label, view, f"/sandbox/caching/order-form/{url}/?run={secrets.token_hex(4)}")
    bob = lab.get("bob_post").facts
    lab.headline(
        f"Bob's POST: {bob['status']}" + (f" Forbidden ({bob['reason']})" if bob["reason"] else ""),
        focus=lab.get("bob_post"),
    )


FIXES = [  # (step key, label, view, URL under /sandbox/caching/order-form/)
    ("fix_csrf_protect", "The fix: csrf_protect under cache_page", order_form_protected, "protected"),
    ("fix_vary_on_cookie", "A half fix: vary_on_cookie alone", order_form_per_cookie, "per-cookie"),
]


def _open_and_send(step, server, view, path: str, who: str, cookies: dict[str, str]) -> tuple:
    """One visitor opens the form with `cookies`, then posts it back with the token and cookies they now hold."""
    name, ran_before = settings.CSRF_COOKIE_NAME, view_runs(step.trace, view.__name__)
    page = send_in(step, [CSRF], path, cookies=cookies, handler=server, who=who)
    page.view_ran = view_runs(step.trace, view.__name__) > ran_before
    held = {**cookies, **({name: page.cookies[name].value} if name in page.cookies else {})}
    token = _csrf_token(body(page))
    sent = send_in(
        step, [CSRF], path, method="POST", headers={"X-CSRFToken": token}, cookies=held, handler=server, who=who
    )
    return page, token, sent.status_code


def _fix(lab, key: str, label: str, view, path: str) -> None:
    """Alice, then Bob (no cookies either), then Carol (a session cookie) open the form and send it back."""
    server = make_handler([CSRF])
    with lab.section(label, key=key, code=middleware_code([CSRF]) + "\n" + views_code(view)) as step:
        _, alice_token, alice = _open_and_send(step, server, view, path, "Alice, no cookies", {})
        page, bob_token, bob = _open_and_send(step, server, view, path, "Bob, no cookies", {})
        show(step, page)
        carols, _, carol = _open_and_send(step, server, view, path, "Carol, a session cookie", visitor("carol"))
        step.fact("stored", bool(pages_stored(step.cache_ops)), "a page was stored")
        step.fact("bob_view_ran", page.view_ran, "the view ran for Bob's GET")
        step.fact("carol_view_ran", carols.view_ran, "the view ran for Carol's GET")
        step.fact("bob_sets_cookie", settings.CSRF_COOKIE_NAME in page.cookies, "Bob's GET sets his CSRF cookie")
        step.fact("bob_alices_token", bob_token == alice_token, "Bob's form holds Alice's token")
        step.fact("statuses", {"alice": alice, "bob": bob, "carol": carol}, "POST status per visitor")
