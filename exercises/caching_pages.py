"""Caching, lessons 3, 4 and 7: whole pages and HTTP caching, checked through the test Client.

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


def _visit(attempt, user):
    cookies = session_cookie(user)
    client = attempt.client()
    client.cookies.load(cookies)
    return attempt.queries(lambda: client.get("/greeting/"))


def _page_for(user):
    from django.test import Client

    client = Client()
    client.cookies.load(session_cookie(user))
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
    with served, seconds:
        _visit(attempt, "alice")
        _, sql = _visit(attempt, "alice")
    if sql:
        raise Fail(
            f"Alice's second request ran {queries(len(sql))}: no page was served from the cache. Both "
            "UpdateCacheMiddleware and FetchFromCacheMiddleware must be in MIDDLEWARE."
        )


@site.check("Bob gets his own page, never Alice's")
def site_per_user(attempt):
    served, seconds = _site(attempt)
    with served, seconds:
        _visit(attempt, "alice")
        response, _ = _visit(attempt, "bob")
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
    with served, seconds:
        for key, user in (("alice", "alice"), ("alice_again", "alice"), ("bob", "bob")):
            step = lab.step(f"GET /greeting/ as {user}", partial(_page_for, user), key=key)
            step.fact("body", step.result.content.decode(), "body")
    lab.headline(
        f"Bob got {lab.get('bob').facts['body']!r}; Alice's second request ran "
        f"{queries(len(lab.get('alice_again').queries))}"
    )


# -- lesson 7: conditional GET ----------------------------------------------------------------

BOOK_HEAD = """from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import condition

from sandbox.models import Book

"""
BOOK_VIEW = """def book_page(request, pk):
    book = get_object_or_404(Book, pk=pk)
    return HttpResponse(f"{book.title}: {book.price}")
"""
BOOK_ETAG = '''def book_etag(request, pk):
    """Changes whenever the book is saved (Book.updated is auto_now)."""
    updated = Book.objects.filter(pk=pk).values_list("updated", flat=True).first()
    return updated.isoformat() if updated else None


'''
conditional = exercise(
    "caching.conditional-get",
    title="A 304 for a browser that already has the page",
    lesson="caching/07-http-caching",
    prompt=(
        "`book_page(request, pk)` shows a book. Give it an **ETag** with `@condition(etag_func=...)` that "
        "changes whenever the book is saved (`Book.updated` is set on every save), so a browser that sends "
        "`If-None-Match` gets **304 Not Modified** without the page being built, and a new page once the "
        "book has changed."
    ),
    starter=BOOK_HEAD + "\n" + BOOK_VIEW,
    solution=BOOK_HEAD + "\n" + BOOK_ETAG + "@condition(etag_func=book_etag)\n" + BOOK_VIEW,
    hints=(
        "`condition(etag_func=f)` calls `f(request, pk)` before the view; a match with If-None-Match ends "
        "the request with 304.",
        "The ETag must change when the book does: build it from `Book.updated`.",
        'Read only that one column: `Book.objects.filter(pk=pk).values_list("updated", flat=True).first()`.',
    ),
    mistakes={
        BOOK_HEAD + '\n@condition(etag_func=lambda request, pk: "v1")\n' + BOOK_VIEW: "still answered 304",
    },
)


def _book_get(attempt, pk, etag=None):
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    return attempt.queries(lambda: attempt.client().get(f"/book/{pk}/", **headers))


def _routes(attempt):
    return {"book/<int:pk>/": attempt.learner.book_page}


@conditional.check("200 with the book and an ETag")
def conditional_etag(attempt):
    book = Book.objects.order_by("pk").first()
    with serving(_routes(attempt)):
        response, _ = _book_get(attempt, book.pk)
    if response.status_code != 200 or book.title not in response.content.decode():
        raise Fail(f"GET /book/{book.pk}/ answered {response.status_code} without the book's title.")
    if not response.get("ETag"):
        raise Fail("The response has no ETag header: @condition(etag_func=...) adds it.")


@conditional.check("A matching If-None-Match gets 304, built with at most one query")
def conditional_304(attempt):
    book = Book.objects.order_by("pk").first()
    with serving(_routes(attempt)):
        first, _ = _book_get(attempt, book.pk)
        again, sql = _book_get(attempt, book.pk, first.get("ETag"))
    if again.status_code != 304:
        raise Fail(
            f"The browser sent If-None-Match: {first.get('ETag')} and got {again.status_code}, not 304: "
            "the ETag must come from condition(etag_func=...), which compares it before the view runs."
        )
    if len(sql) > 1:
        raise Fail(f"The 304 took {queries(len(sql))}: the ETag needs one small query, not the whole page.")


@conditional.check("After the book changes, the old ETag gets the new page")
def conditional_changed(attempt):
    book = Book.objects.order_by("pk").first()
    with serving(_routes(attempt)):
        first, _ = _book_get(attempt, book.pk)
        book.price += 1
        book.save()
        after, _ = _book_get(attempt, book.pk, first.get("ETag"))
    if after.status_code != 200 or str(book.price) not in after.content.decode():
        raise Fail(
            f"After the price changed, your view still answered {after.status_code} to the old ETag: the browser "
            "keeps showing the old price. Build the ETag from Book.updated, which every save() changes."
        )


def _fetch(pk, etag=None):
    from django.test import Client

    return Client().get(f"/book/{pk}/", **({"HTTP_IF_NONE_MATCH": etag} if etag else {}))


@conditional.run
def conditional_show(lab, attempt):
    pk = Book.objects.order_by("pk").values_list("pk", flat=True).first()
    with serving(_routes(attempt)):
        first = lab.step(f"GET /book/{pk}/", partial(_fetch, pk), key="first")
        first.fact("status", first.result.status_code, "status")
        etag = first.result.get("ETag")
        first.fact("etag", etag, "ETag")
        again = lab.step(f"GET /book/{pk}/ with If-None-Match", partial(_fetch, pk, etag), key="again")
        again.fact("status", again.result.status_code, "status")
    lab.headline(f"{first.result.status_code}, then {again.result.status_code} with If-None-Match", focus=again)
