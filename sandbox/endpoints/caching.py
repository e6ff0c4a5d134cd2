"""Sandbox endpoints for the caching track (mounted under /sandbox/caching/).

Real views that the caching demos send requests to, one behaviour each. The
page caches they use keep each learner's pages apart by themselves: the
cache's KEY_FUNCTION (see settings.CACHES) puts every key in the current
learner's space, so these views use `cache_page` exactly as a site would.
"""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.db.models import Count, F, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.cache import cache_control, cache_page, never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import condition
from django.views.decorators.vary import vary_on_cookie, vary_on_headers

from ..models import Book, OrderItem

PAGE_ALIAS = "locmem"  # where the per-view demos store pages
PAGE_TIMEOUT = 60
REPORT_BACKENDS = ("locmem", "file", "db", "redis", "memcached")  # the timing lab's choices

logger = logging.getLogger(__name__)


# -- the timing lab's expensive page -------------------------------------------


def sales_report() -> dict:
    """Revenue per publisher and the ten best-selling books, computed from every order item."""
    revenue = F("qty") * F("unit_price")
    return {
        "rows": OrderItem.objects.count(),
        "publishers": list(
            OrderItem.objects.values(publisher=F("book__publisher__name"))
            .annotate(revenue=Sum(revenue), units=Sum("qty"), lines=Count("id"))
            .order_by("-revenue")
        ),
        "top_books": list(
            OrderItem.objects.values("book_id", title=F("book__title"))
            .annotate(units=Sum("qty"), revenue=Sum(revenue))
            .order_by("-units", "book_id")[:10]
        ),
    }


def report_page(request: HttpRequest) -> HttpResponse:
    return render(request, "caching/report.html", {"report": sales_report(), "backend": request.GET.get("backend")})


def report(request: HttpRequest) -> HttpResponse:
    """The report, uncached, or with `?cached=1&backend=<alias>` through `cache_page` on that backend."""
    if request.GET.get("cached") != "1":
        return report_page(request)
    backend = request.GET.get("backend", PAGE_ALIAS)
    if backend not in REPORT_BACKENDS:
        shown = backend if len(backend) <= 40 else backend[:40] + "…"  # never echo a huge parameter back
        return HttpResponseBadRequest(
            f"There is no cache backend {shown!r}; choose one of {', '.join(REPORT_BACKENDS)}.",
            content_type="text/plain",
        )
    if backend not in settings.CACHES:
        hint = {"redis": "REDIS_URL", "memcached": "MEMCACHED_LOCATION"}.get(backend, "CACHES")
        return HttpResponseBadRequest(
            f"The {backend!r} cache is not configured: set {hint} (the Backends lesson shows how).",
            content_type="text/plain",
        )
    canonical = f"cached=1&backend={backend}"
    if request.META.get("QUERY_STRING") != canonical:
        # The page's cache key is its full URL: every extra parameter, repeat or spelling would store another
        # copy, a way to fill the classroom's shared Redis. One spelling per backend is cached.
        return HttpResponseBadRequest(f"Use exactly ?{canonical}", content_type="text/plain")
    try:
        return cache_page(300, cache=backend)(report_page)(request)
    except Exception:  # a cache server that is down must not take the page down with it
        logger.warning("The %s cache failed; serving the report uncached", backend, exc_info=True)
        return report_page(request)


# -- per-view caching ------------------------------------------------------------


@cache_page(PAGE_TIMEOUT, cache=PAGE_ALIAS)
def stamp(request: HttpRequest) -> HttpResponse:
    """A page that is different every time it is generated."""
    return HttpResponse(f"generated {secrets.token_hex(4)}", content_type="text/plain")


def hello(request: HttpRequest) -> HttpResponse:
    """Says hello to the session's user: a page that depends on a cookie."""
    user = request.session.get("user", "anonymous")
    return HttpResponse(f"hello {user} ({secrets.token_hex(4)})", content_type="text/plain")


@cache_page(PAGE_TIMEOUT, cache=PAGE_ALIAS)
def hello_cached(request: HttpRequest) -> HttpResponse:
    """The greeting, cached without saying that it depends on the session cookie."""
    return hello(request)


@cache_page(PAGE_TIMEOUT, cache=PAGE_ALIAS)
@vary_on_cookie  # below cache_page: the response says "Vary: Cookie" before cache_page learns its key
def hello_per_user(request: HttpRequest) -> HttpResponse:
    return hello(request)


@cache_page(PAGE_TIMEOUT, cache=PAGE_ALIAS)
@vary_on_headers("Accept-Language")  # below cache_page, as it should be, and still not enough: see the docstring
def hello_by_language(request: HttpRequest) -> HttpResponse:
    """Greets in the Accept-Language header's language, read by hand, with no LocaleMiddleware.

    With USE_I18N on, the page cache leaves Accept-Language out of the key (the active language is in the
    key instead, and only LocaleMiddleware sets it from that header), so every language shares one page.
    """
    language = request.headers.get("Accept-Language", "en")[:2]
    greeting = {"fr": "bonjour", "de": "hallo"}.get(language, "hello")
    return HttpResponse(f"{greeting} ({secrets.token_hex(4)})", content_type="text/plain")


@cache_page(PAGE_TIMEOUT, cache=PAGE_ALIAS)  # no csrf_protect: the page is stored with one visitor's token
def order_form(request: HttpRequest) -> HttpResponse:
    """A form with {% csrf_token %}, behind CsrfViewMiddleware."""
    return render(request, "caching/form.html")


@cache_page(PAGE_TIMEOUT, cache=PAGE_ALIAS)
@csrf_protect  # below cache_page: the cookie is set and Vary: Cookie added before cache_page sees the response
def order_form_protected(request: HttpRequest) -> HttpResponse:
    """The documented fix: csrf_protect under cache_page, so the page is never stored."""
    return render(request, "caching/form.html")


@cache_page(PAGE_TIMEOUT, cache=PAGE_ALIAS)
@vary_on_cookie  # one page per Cookie header, but every visitor without cookies shares the same one
def order_form_per_cookie(request: HttpRequest) -> HttpResponse:
    """vary_on_cookie alone: a half fix."""
    return render(request, "caching/form.html")


# Responses UpdateCacheMiddleware refuses to store, one tiny view per rule.
def _text(name: str) -> HttpResponse:
    return HttpResponse(f"{name} {secrets.token_hex(4)}", content_type="text/plain")


def never_private(request):
    response = _text("private")
    response["Cache-Control"] = "Private"  # any letter case
    return response


def never_sets_cookie(request):
    response = _text("cookie")
    response.set_cookie("theme", "dark")
    response["Vary"] = "Cookie"
    return response


def never_vary_star(request):
    response = _text("vary-star")
    response["Vary"] = "*"
    return response


def never_max_age_0(request):
    response = _text("max-age-0")
    response["Cache-Control"] = "max-age=0"
    return response


def never_streaming(request):
    return StreamingHttpResponse(iter(["streamed ", secrets.token_hex(4)]), content_type="text/plain")


def never_not_found(request):
    return HttpResponse("no such page", status=404, content_type="text/plain")


def plain(request):
    return _text("plain")


# Opting views out of a page cache, or shortening their stay. The site-wide demo caches the
# first three in middleware (CACHE_MIDDLEWARE_SECONDS); the last three cache themselves.
def prices(request):
    return _text("prices")


@cache_control(max_age=30)
def prices_for_30s(request):
    return _text("prices")


@never_cache
def prices_never_cached(request):
    return _text("prices")


@cache_page(PAGE_TIMEOUT, cache=PAGE_ALIAS)
def prices_page(request):
    return _text("prices")


@cache_page(PAGE_TIMEOUT, cache=PAGE_ALIAS)
@cache_control(max_age=30)
def prices_page_for_30s(request):
    return _text("prices")


@cache_page(PAGE_TIMEOUT, cache=PAGE_ALIAS)
@never_cache
def prices_page_never_cached(request):
    return _text("prices")


# The same two decorators *above* cache_page: they edit the response after it was stored,
# so they change what browsers are told and nothing about what the server keeps.
@never_cache
@cache_page(PAGE_TIMEOUT, cache=PAGE_ALIAS)
def prices_never_cached_too_late(request):
    return _text("prices")


@cache_control(max_age=30)
@cache_page(PAGE_TIMEOUT, cache=PAGE_ALIAS)
def prices_for_30s_too_late(request):
    return _text("prices")


@csrf_protect
def form_with_token(request):
    """A form with {% csrf_token %}: the token sets the CSRF cookie, and csrf_protect varies on Cookie."""
    return render(request, "caching/form.html")


# -- HTTP caching: conditional requests --------------------------------------------


def book_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A book page with a stable body, so ConditionalGetMiddleware can give it an ETag."""
    book = get_object_or_404(Book, pk=pk)
    return HttpResponse(f"{book.title}: {book.price}", content_type="text/plain")


def book_updated(request: HttpRequest, pk: int):
    """condition() calls this first; a matching If-Modified-Since ends the request here."""
    return Book.objects.filter(pk=pk).values_list("updated", flat=True).first()


# cache_control sits above condition(), so a 304 carries Cache-Control too.
@cache_control(max_age=60, public=True)
@condition(last_modified_func=book_updated)
def book_conditional(request: HttpRequest, pk: int) -> HttpResponse:
    book = get_object_or_404(Book, pk=pk)
    return HttpResponse(f"{book.title}: {book.price}", content_type="text/plain")


urlpatterns = [
    path("report/", report, name="caching-report"),
    path("stamp/", stamp, name="caching-stamp"),
    path("who/", hello_cached, name="caching-who"),
    path("who-vary/", hello_per_user, name="caching-who-vary"),
    path("who-language/", hello_by_language),
    path("order-form/", order_form, name="caching-order-form"),
    path("order-form/protected/", order_form_protected),
    path("order-form/per-cookie/", order_form_per_cookie),
    # Uncached views: the site-wide demo caches them in middleware.
    path("hello/", hello, name="caching-hello"),
    path("max-age-0/", never_max_age_0),
    path("prices/", prices),
    path("prices/30s/", prices_for_30s),
    path("prices/never/", prices_never_cached),
    path("prices/page/", prices_page),
    path("prices/page/30s/", prices_page_for_30s),
    path("prices/page/never/", prices_page_never_cached),
    path("prices/page/30s-above/", prices_for_30s_too_late),
    path("prices/page/never-above/", prices_never_cached_too_late),
    path("never/plain/", cache_page(PAGE_TIMEOUT, cache=PAGE_ALIAS)(plain)),
    path("never/private/", cache_page(PAGE_TIMEOUT, cache=PAGE_ALIAS)(never_private)),
    path("never/cookie/", cache_page(PAGE_TIMEOUT, cache=PAGE_ALIAS)(never_sets_cookie)),
    path("never/vary-star/", cache_page(PAGE_TIMEOUT, cache=PAGE_ALIAS)(never_vary_star)),
    path("never/max-age-0/", cache_page(PAGE_TIMEOUT, cache=PAGE_ALIAS)(never_max_age_0)),
    path("never/streaming/", cache_page(PAGE_TIMEOUT, cache=PAGE_ALIAS)(never_streaming)),
    path("never/404/", cache_page(PAGE_TIMEOUT, cache=PAGE_ALIAS)(never_not_found)),
    path("never/csrf-form/", cache_page(PAGE_TIMEOUT, cache=PAGE_ALIAS)(form_with_token)),
    path("book/<int:pk>/", book_detail, name="caching-book"),
    path("book/<int:pk>/conditional/", book_conditional, name="caching-book-conditional"),
]
