"""Caching track, lesson 4: the site-wide cache middleware, its order, and views that opt out.

The stacks are built like Django builds MIDDLEWARE, from real middleware
classes; the cache middleware gets its alias and timeout from the demo (the
MIDDLEWARE and CACHE_MIDDLEWARE_* settings shown are what those values mean),
so the site's own settings never change.
"""

from __future__ import annotations

import secrets

from django.middleware.cache import FetchFromCacheMiddleware, UpdateCacheMiddleware

from lab.handler import make_handler, view_runs
from lab.registry import Prediction, demo
from sandbox.endpoints.caching import (
    PAGE_ALIAS,
    PAGE_TIMEOUT,
    hello,
    never_max_age_0,
    prices,
    prices_for_30s,
    prices_for_30s_too_late,
    prices_never_cached,
    prices_never_cached_too_late,
    prices_page,
    prices_page_for_30s,
    prices_page_never_cached,
)

from .caching_kit import (
    SESSION,
    answer_of,
    body,
    fact_of,
    middleware_code,
    pages_stored,
    send_in,
    show,
    views_code,
    visitor,
)

SITE_SECONDS = 600  # the site-wide cache's CACHE_MIDDLEWARE_SECONDS in the opt-out demo


def configured(middleware_class, timeout: int = PAGE_TIMEOUT):
    """A middleware factory with the demo's cache alias and timeout (settings stay untouched)."""

    def factory(get_response):
        layer = middleware_class(get_response)
        layer.cache_alias = PAGE_ALIAS
        layer.cache_timeout = timeout  # read by UpdateCacheMiddleware only
        return layer

    return factory


def cache_stack(timeout: int = PAGE_TIMEOUT) -> tuple:
    update = ("django.middleware.cache.UpdateCacheMiddleware", configured(UpdateCacheMiddleware, timeout))
    fetch = ("django.middleware.cache.FetchFromCacheMiddleware", configured(FetchFromCacheMiddleware, timeout))
    return update, fetch


def settings_code(stack, timeout: int = PAGE_TIMEOUT) -> str:
    return middleware_code(stack, CACHE_MIDDLEWARE_ALIAS=PAGE_ALIAS, CACHE_MIDDLEWARE_SECONDS=timeout)


@demo(
    "caching.site-wide",
    title="Site-wide caching: the middleware order decides who sees what",
    description="Alice, Alice again and Bob request the same page through UpdateCache, Session and FetchFromCache "
    "middleware, in the documented order and with SessionMiddleware above UpdateCacheMiddleware.",
    reports=("cache", "headers"),
    shows=(hello, never_max_age_0),
    predictions=(
        Prediction(
            "SessionMiddleware sits above UpdateCacheMiddleware. Alice's page is cached; whose page does Bob get?",
            ("Alice's", "his own"),
            answer=answer_of("wrong_order", "bob_got_alices_page", lambda leaked: "Alice's" if leaked else "his own"),
            explain="UpdateCacheMiddleware stores the page on the way out before SessionMiddleware adds "
            "Vary: Cookie, so the key ignores the cookie.",
            see="#why-first-and-last",
        ),
    ),
)
def site_wide(lab, data):
    run = secrets.token_hex(4)
    update, fetch = cache_stack()
    orders = {
        "right_order": ("Right order: Update first, Fetch last", [update, SESSION, fetch]),
        "wrong_order": ("Wrong order: SessionMiddleware above UpdateCacheMiddleware", [SESSION, update, fetch]),
    }
    alice, bob = visitor("alice"), visitor("bob")
    for key, (label, stack) in orders.items():
        url = f"/sandbox/caching/hello/?run={run}-{key}"
        with lab.section(label, key=key, code=settings_code(stack)) as step:
            server = make_handler(stack)  # the stack is built once, as in a server process
            first = body(send_in(step, stack, url, cookies=alice, handler=server, who="Alice"))
            again = send_in(step, stack, url, cookies=alice, handler=server, who="Alice again")
            response = send_in(step, stack, url, cookies=bob, handler=server, who="Bob")
            show(step, response)
            step.fact("alice_sees", first, "Alice sees")
            step.fact("alice_again_age", again.get("Age"), "Alice again: Age")
            step.fact("bob_sees", body(response), "Bob sees")
            step.fact("bob_got_alices_page", body(response) == first, "Bob got Alice's page")
            step.fact("view_runs", view_runs(step.trace, "hello"), "hello() ran, 3 requests")
    stack = orders["right_order"][1]
    with lab.section(
        "Right order, a response with Cache-Control: max-age=0",
        key="max_age_0",
        code=settings_code(stack) + "\n" + views_code(never_max_age_0),
    ) as step:
        server = make_handler(stack)
        for _ in range(2):
            response = send_in(step, stack, f"/sandbox/caching/max-age-0/?run={run}", handler=server)
        show(step, response)
        step.fact("stored", bool(pages_stored(step.cache_ops)), "stored")
        step.fact("view_runs", view_runs(step.trace, "never_max_age_0"), "never_max_age_0() ran, 2 requests")

    def whose(facts) -> str:
        return "Alice's page" if facts["bob_got_alices_page"] else "his own page"

    wrong = lab.get("wrong_order")
    lab.headline(
        f"Wrong order: Bob got {whose(wrong.facts)}; right order: {whose(lab.get('right_order').facts)}",
        focus=wrong,
    )


# -- opting out ------------------------------------------------------------------------

OPT_OUT_VIEWS = {  # fact prefix: (URL under /sandbox/caching/prices/, site-wide view, cache_page view)
    "plain": ("", prices, prices_page),
    "max_age_30": ("30s/", prices_for_30s, prices_page_for_30s),
    "never_cache": ("never/", prices_never_cached, prices_page_never_cached),
}
ABOVE_VIEWS = {  # the same decorators written above cache_page: (URL under /sandbox/caching/prices/page/, view)
    "max_age_30_above": ("30s-above/", prices_for_30s_too_late),
    "never_cache_above": ("never-above/", prices_never_cached_too_late),
}


def _twice(step, stack, server, url: str, view, name: str) -> list:
    """Send `url` twice; record in `step` whether the page was stored, for how long, and how often the view ran."""
    since, before = len(step.cache_ops), len(step.trace)
    for _ in range(2):
        response = send_in(step, stack, url, handler=server)
    stored = pages_stored(step.cache_ops[since:])
    stored_for = step.fact(f"{name}_stored_for", stored[0].timeout if stored else None, f"{view.__name__}: stored for")
    runs = step.fact(f"{name}_runs", view_runs(step.trace[before:], view.__name__), f"{view.__name__}: view runs")
    control = step.fact(f"{name}_cache_control", response.get("Cache-Control", ""), f"{view.__name__}: Cache-Control")
    return [view.__name__, control, f"{stored_for} s" if stored else "not stored", runs]


def _stored_text(seconds) -> str:
    return "not at all" if seconds is None else f"{seconds} s"


@demo(
    "caching.opt-out",
    title="never_cache and cache_control(max_age=...) against the page caches",
    description="Requests three views twice through the site-wide cache middleware, then three views that cache "
    "themselves with cache_page(60): plain, with cache_control(max_age=30), with never_cache.",
    reports=("cache",),
    shows=(
        prices,
        prices_for_30s,
        prices_never_cached,
        prices_page,
        prices_page_for_30s,
        prices_page_never_cached,
        prices_for_30s_too_late,
        prices_never_cached_too_late,
    ),
    predictions=(
        Prediction(
            "@cache_page(60) above @cache_control(max_age=30): how long does the server's cache keep the page?",
            ("30 s", "60 s", "not at all"),
            answer=lambda lab: _stored_text(fact_of("cache_page", "max_age_30_stored_for")(lab)) if lab.steps else "",
            explain="cache_page passes its own timeout, which wins over the response's max-age; browsers are "
            "still told the smaller max-age.",
            see="#choosing-per-view",
        ),
    ),
)
def opt_out(lab, data):
    run = secrets.token_hex(4)
    columns = ["view", "Cache-Control sent", "server cache", "view runs (2 requests)"]
    stack = list(cache_stack(SITE_SECONDS))
    with lab.section(
        f"Site-wide cache, CACHE_MIDDLEWARE_SECONDS = {SITE_SECONDS}",
        key="site_wide",
        code=settings_code(stack, SITE_SECONDS),
    ) as step:
        server = make_handler(stack)
        rows = [
            _twice(step, stack, server, f"/sandbox/caching/prices/{url}?run={run}", view, name)
            for name, (url, view, _) in OPT_OUT_VIEWS.items()
        ]
        step.table(columns, rows)
        step.trace.clear()  # six onion traces, summed up in the table
    with lab.section(
        f"cache_page({PAGE_TIMEOUT}) on the view",
        key="cache_page",
        code=views_code(*(view for _, _, view in OPT_OUT_VIEWS.values())),
    ) as step:
        server = make_handler([])
        rows = [
            _twice(step, [], server, f"/sandbox/caching/prices/page/{url}?run={run}", view, name)
            for name, (url, _, view) in OPT_OUT_VIEWS.items()
        ]
        step.table(columns, rows)
        step.trace.clear()
    with lab.section(
        f"The same decorators above cache_page({PAGE_TIMEOUT})",
        key="above_cache_page",
        code=views_code(*(view for _, view in ABOVE_VIEWS.values())),
    ) as step:
        server = make_handler([])
        rows = [
            _twice(step, [], server, f"/sandbox/caching/prices/page/{url}?run={run}", view, name)
            for name, (url, view) in ABOVE_VIEWS.items()
        ]
        step.table(columns, rows)
        step.trace.clear()
    site, page = lab.get("site_wide").facts, lab.get("cache_page").facts
    never = (site["never_cache_stored_for"], page["never_cache_stored_for"])
    lab.headline(
        f"cache_control(max_age=30): stored {_stored_text(site['max_age_30_stored_for'])} site-wide, "
        f"{_stored_text(page['max_age_30_stored_for'])} under cache_page({PAGE_TIMEOUT}); never_cache: "
        + ("never stored" if never == (None, None) else f"stored {_stored_text(never[0])} / {_stored_text(never[1])}"),
        focus=lab.get("cache_page"),
    )
