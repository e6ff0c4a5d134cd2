"""Caching, lessons 3 and 4: whole pages cached per view and site-wide, checked through the test Client.

Each check routes the learner's view (or the exercise's own view) with `serving()`, behind exactly the
middleware the exercise is about, on an empty local-memory cache.
"""

from functools import partial
from importlib import import_module

from django.conf import settings
from django.http import HttpResponse
from django.test.utils import override_settings

from lab.exercises import Fail, exercise
from sandbox.models import Book

from .caching_kit import queries, serving

# -- lesson 3: cache_page with the right Vary -------------------------------------------

PRICE_BODY = """    currency = request.COOKIES.get("currency", "EUR")
    if currency not in RATES:
        currency = "EUR"
    book = Book.objects.order_by("price").first()
    return HttpResponse(f"Cheapest: {book.title}, {book.price * RATES[currency]:.2f} {currency}")
"""
PRICE_HEAD = """from decimal import Decimal

from django.http import HttpResponse
from django.views.decorators.cache import cache_page
from django.views.decorators.vary import vary_on_cookie

from sandbox.models import Book

RATES = {"EUR": Decimal("1"), "USD": Decimal("1.10")}

"""
vary = exercise(
    "caching.vary-on-cookie",
    title="cache_page with the right Vary",
    lesson="caching/03-per-view",
    prompt=(
        "`cheapest(request)` shows the cheapest book's price in the currency the visitor chose (the "
        "`currency` cookie: EUR or USD), with one query. Cache it for **60 seconds** with `cache_page`, so "
        "that a repeated request runs no query, and so that a visitor who chose USD **never** gets the EUR "
        "page that was cached first."
    ),
    starter=PRICE_HEAD + "\ndef cheapest(request):\n" + PRICE_BODY,
    solution=PRICE_HEAD + "\n@cache_page(60)\n@vary_on_cookie\ndef cheapest(request):\n" + PRICE_BODY,
    hints=(
        "`@cache_page(60)` above the view caches its responses for 60 seconds.",
        "The page depends on a cookie, so its cache key must too: `@vary_on_cookie`.",
        "Decorators apply bottom-up: `vary_on_cookie` must sit **below** `cache_page`, so the response "
        "already says `Vary: Cookie` when `cache_page` stores it.",
    ),
    mistakes={
        PRICE_HEAD + "\n@vary_on_cookie\n@cache_page(60)\ndef cheapest(request):\n" + PRICE_BODY: "got the EUR page",
        PRICE_HEAD + "\n@cache_page(60)\ndef cheapest(request):\n" + PRICE_BODY: "got the EUR page",
    },
)


def _in(currency):
    from django.test import Client

    client = Client()
    client.cookies["currency"] = currency
    return client.get("/cheapest/")


def _get(attempt, currency: str):
    return attempt.queries(partial(_in, currency))


@vary.check("A repeated request runs no query, and the page is cached for 60 s")
def vary_hit(attempt):
    with serving({"cheapest/": attempt.learner.cheapest}):
        _get(attempt, "EUR")
        response, sql = _get(attempt, "EUR")
    if sql:
        raise Fail(f"The second EUR request ran {queries(len(sql))}: the page was not cached. @cache_page(60)?")
    if "max-age=60" not in response.get("Cache-Control", ""):
        raise Fail(f"Cache-Control is {response.get('Cache-Control')!r}: cache_page(60) says max-age=60.")


@vary.check("A visitor who chose USD gets the USD page")
def vary_usd(attempt):
    with serving({"cheapest/": attempt.learner.cheapest}):
        euros, _ = _get(attempt, "EUR")
        dollars, _ = _get(attempt, "USD")
    if not dollars.content.decode().endswith("USD"):
        raise Fail(
            f"The USD visitor got the EUR page ({dollars.content.decode()!r}). The cache key must vary on the "
            "cookie: @vary_on_cookie below @cache_page, so the response says Vary: Cookie before it is stored."
        )
    if "cookie" not in euros.get("Vary", "").lower():
        raise Fail(f"The response's Vary is {euros.get('Vary')!r}: browsers and proxies need Cookie too.")


@vary.run
def vary_show(lab, attempt):
    with serving({"cheapest/": attempt.learner.cheapest}):
        for key, currency in (("eur", "EUR"), ("eur_again", "EUR"), ("usd", "USD")):
            step = lab.step(f"GET /cheapest/ (currency={currency})", partial(_in, currency), key=key)
            step.fact("body", step.result.content.decode(), "body")
            step.response_headers = {k: v for k, v in step.result.items() if k in ("Cache-Control", "Vary")}
    lab.headline(f"The USD visitor got: {lab.get('usd').facts['body']!r}")


# -- lesson 4: the site-wide cache's order ------------------------------------------------


def greeting(request):
    """The page the site-wide exercise caches: it depends on the session's user."""
    books = Book.objects.count()
    return HttpResponse(f"hello {request.session.get('user', 'anonymous')}, {books} books")


def session_cookie(user: str) -> dict[str, str]:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["user"] = user
    store.save()
    return {settings.SESSION_COOKIE_NAME: store.session_key}


def session_cookies(*users: str) -> dict[str, dict[str, str]]:
    """One session cookie per user, made once: a signed-cookie session's value carries a timestamp, so two cookies
    made for the same user a second apart differ, and Vary: Cookie would make them two cache entries."""
    return {user: session_cookie(user) for user in users}


MIDDLEWARE_TEMPLATE = """MIDDLEWARE = [
{}]
CACHE_MIDDLEWARE_SECONDS = 60
"""
UPDATE, FETCH = "django.middleware.cache.UpdateCacheMiddleware", "django.middleware.cache.FetchFromCacheMiddleware"
SESSION, COMMON = "django.contrib.sessions.middleware.SessionMiddleware", "django.middleware.common.CommonMiddleware"


def _middleware(*paths: str) -> str:
    return MIDDLEWARE_TEMPLATE.format("".join(f'    "{p}",\n' for p in paths))


site = exercise(
    "caching.site-wide-order",
    title="The site-wide cache, in the right order",
    lesson="caching/04-site-wide",
    prompt=(
        "Cache every page of this site for 60 seconds with the site-wide cache middleware: add "
        f"`{UPDATE}` and `{FETCH}` to `MIDDLEWARE`. The page greets the session's user, so Alice and Bob "
        "must each get their own page, and a repeated request must run no query."
    ),
    starter=_middleware(SESSION, COMMON),
    solution=_middleware(UPDATE, SESSION, COMMON, FETCH),
    hints=(
        "Two middleware classes make the site-wide cache: one stores responses, one serves them.",
        "SessionMiddleware adds `Vary: Cookie` on the way out; the middleware that stores the page must see it.",
        "Update first (it runs last on the way out), Fetch last (it runs last on the way in).",
    ),
    mistakes={
        _middleware(SESSION, UPDATE, COMMON, FETCH): "Bob got Alice's page",
        _middleware(FETCH, SESSION, COMMON, UPDATE): "Bob got Alice's page",
    },
)


def _visit(attempt, cookies):
    client = attempt.client()
    client.cookies.load(cookies)
    return attempt.queries(lambda: client.get("/greeting/"))


def _page_for(cookies):
    from django.test import Client

    client = Client()
    client.cookies.load(cookies)
    return client.get("/greeting/")


def _site(attempt):
    stack = getattr(attempt.learner, "MIDDLEWARE", None)
    if not isinstance(stack, list | tuple):
        raise Fail("Define MIDDLEWARE as a list of dotted paths, like the starter does.")
    seconds = getattr(attempt.learner, "CACHE_MIDDLEWARE_SECONDS", 600)
    return serving({"greeting/": greeting}, middleware=stack), override_settings(CACHE_MIDDLEWARE_SECONDS=seconds)


@site.check("Alice's second request is a hit: no query")
def site_hit(attempt):
    served, seconds = _site(attempt)
    cookies = session_cookies("alice")
    with served, seconds:
        _visit(attempt, cookies["alice"])
        _, sql = _visit(attempt, cookies["alice"])
    if sql:
        raise Fail(
            f"Alice's second request ran {queries(len(sql))}: no page was served from the cache. Both "
            "UpdateCacheMiddleware and FetchFromCacheMiddleware must be in MIDDLEWARE."
        )


@site.check("Bob gets his own page, never Alice's")
def site_per_user(attempt):
    served, seconds = _site(attempt)
    cookies = session_cookies("alice", "bob")
    with served, seconds:
        _visit(attempt, cookies["alice"])
        response, _ = _visit(attempt, cookies["bob"])
    body = response.content.decode()
    if not body.startswith("hello bob"):
        raise Fail(
            f"Bob got Alice's page ({body!r}). SessionMiddleware adds Vary: Cookie on the way out; the layer "
            "that stores the page must run after it on the way out: UpdateCacheMiddleware first in the list, "
            "FetchFromCacheMiddleware last."
        )


@site.run
def site_show(lab, attempt):
    served, seconds = _site(attempt)
    cookies = session_cookies("alice", "bob")
    with served, seconds:
        for key, user in (("alice", "alice"), ("alice_again", "alice"), ("bob", "bob")):
            step = lab.step(f"GET /greeting/ as {user}", partial(_page_for, cookies[user]), key=key)
            step.fact("body", step.result.content.decode(), "body")
    lab.headline(
        f"Bob got {lab.get('bob').facts['body']!r}; Alice's second request ran "
        f"{queries(len(lab.get('alice_again').queries))}"
    )
