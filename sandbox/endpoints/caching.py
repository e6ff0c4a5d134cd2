"""Sandbox endpoints for the caching track (mounted under /lab/caching/).

Real views that the caching demos send requests to, one behaviour each. Two lab
details, both for isolation between learners, not for teaching:

- Page-cache keys get the learner's id as their `key_prefix` (`learner_prefix`),
  so one learner's cached page is never served to another. That is why
  `cache_page` is applied when the request arrives (`per_learner`) rather than
  with `@cache_page` at import time: the prefix is only known then.
- Views count their own runs in `view_calls` (a ContextVar a demo sets), so a
  report can say whether a response came from the view or from the cache.
"""

from __future__ import annotations

import secrets
from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.db.models import Count, F, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.cache import cache_control, cache_page
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import condition
from django.views.decorators.vary import vary_on_cookie

from ..lab.learners import SESSION_KEY
from ..lab.recorder import active
from ..models import Book, OrderItem

PAGE_ALIAS = "lab-locmem"  # where the per-view demos store pages
PAGE_TIMEOUT = 60

view_calls: ContextVar[Counter | None] = ContextVar("caching_view_calls", default=None)


def ran(name: str) -> None:
    """Count one run of a view body (a cache hit never gets here)."""
    counter = view_calls.get()
    if counter is not None:
        counter[name] += 1


@contextmanager
def counting_views():
    """Count view runs during the block: `with counting_views() as calls: ...; calls["stamp"]`."""
    counter: Counter = Counter()
    token = view_calls.set(counter)
    try:
        yield counter
    finally:
        view_calls.reset(token)


def learner_prefix(request: HttpRequest) -> str:
    """The page-cache key prefix for whoever is asking: the demo's learner, or the browser session's."""
    recorder = active()
    if recorder is not None and recorder.learner:
        return f"lab.{recorder.learner}"
    session = getattr(request, "session", None)
    learner = session.get(SESSION_KEY) if session is not None else None
    return f"lab.{learner or 'anonymous'}"


def per_learner(view, timeout: int = PAGE_TIMEOUT, alias: str = PAGE_ALIAS):
    """`cache_page(timeout, cache=alias)(view)`, with this learner's key prefix."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        cached_view = cache_page(timeout, cache=alias, key_prefix=learner_prefix(request))(view)
        return cached_view(request, *args, **kwargs)

    return wrapper


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
    ran("report")
    return render(request, "caching/report.html", {"report": sales_report(), "backend": request.GET.get("backend")})


def report(request: HttpRequest) -> HttpResponse:
    """The report, uncached, or with `?cached=1&backend=<alias>` through `cache_page` on that backend."""
    from ..demos.caching_backends import availability  # the demos own the list of lab backends

    if request.GET.get("cached") != "1":
        return report_page(request)
    backend = request.GET.get("backend", PAGE_ALIAS)
    status = availability().get(backend)
    if status is None or not status.available:
        why = f"{status.why}. To use it, {status.how}" if status else "there is no such lab backend"
        shown = backend if len(backend) <= 40 else backend[:40] + "…"  # never echo a huge parameter back
        return HttpResponseBadRequest(f"Cache backend {shown!r} is not available: {why}.", content_type="text/plain")
    canonical = f"cached=1&backend={backend}"
    if request.META.get("QUERY_STRING") != canonical:
        # The page's cache key is its full URL: every extra parameter, repeat or spelling would store another
        # copy, a way to fill the classroom's shared Redis. One spelling per backend is cached.
        return HttpResponseBadRequest(f"Use exactly ?{canonical}", content_type="text/plain")
    return cache_page(300, cache=backend, key_prefix=learner_prefix(request))(report_page)(request)


# -- per-view caching ------------------------------------------------------------


def stamp(request: HttpRequest) -> HttpResponse:
    """A page that is different every time it is generated."""
    ran("stamp")
    return HttpResponse(f"generated {secrets.token_hex(4)}", content_type="text/plain")


def hello(request: HttpRequest) -> HttpResponse:
    """Says hello to the session's user: a page that depends on a cookie."""
    ran("hello")
    user = request.session.get("user", "anonymous")
    return HttpResponse(f"hello {user} ({secrets.token_hex(4)})", content_type="text/plain")


# Responses UpdateCacheMiddleware refuses to store, one tiny view per rule.
def _text(name: str) -> HttpResponse:
    ran(name)
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
    ran("streaming")
    return StreamingHttpResponse(iter(["streamed ", secrets.token_hex(4)]), content_type="text/plain")


def never_not_found(request):
    ran("404")
    return HttpResponse("no such page", status=404, content_type="text/plain")


def plain(request):
    return _text("plain")


@csrf_protect
def form_with_token(request):
    """A form with {% csrf_token %}: the token sets the CSRF cookie, and csrf_protect varies on Cookie."""
    ran("csrf-form")
    return render(request, "caching/form.html")


# -- HTTP caching: conditional requests --------------------------------------------


def book_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A book page with a stable body, so ConditionalGetMiddleware can give it an ETag."""
    ran("book")
    book = get_object_or_404(Book, pk=pk)
    return HttpResponse(f"{book.title}: {book.price}", content_type="text/plain")


def book_updated(request: HttpRequest, pk: int):
    """condition() calls this first; a matching If-Modified-Since ends the request here."""
    return Book.objects.filter(pk=pk).values_list("updated", flat=True).first()


# cache_control sits above condition(), so a 304 carries Cache-Control too.
@cache_control(max_age=60, public=True)
@condition(last_modified_func=book_updated)
def book_conditional(request: HttpRequest, pk: int) -> HttpResponse:
    ran("book-conditional")
    book = get_object_or_404(Book, pk=pk)
    return HttpResponse(f"{book.title}: {book.price}", content_type="text/plain")


urlpatterns = [
    path("report/", report, name="caching-report"),
    path("stamp/", per_learner(stamp), name="caching-stamp"),
    path("who/", per_learner(hello), name="caching-who"),
    path("who-vary/", per_learner(vary_on_cookie(hello)), name="caching-who-vary"),
    # Uncached views: the site-wide demo caches them in middleware.
    path("hello/", hello, name="caching-hello"),
    path("max-age-0/", never_max_age_0),
    path("never/plain/", per_learner(plain)),
    path("never/private/", per_learner(never_private)),
    path("never/cookie/", per_learner(never_sets_cookie)),
    path("never/vary-star/", per_learner(never_vary_star)),
    path("never/max-age-0/", per_learner(never_max_age_0)),
    path("never/streaming/", per_learner(never_streaming)),
    path("never/404/", per_learner(never_not_found)),
    path("never/csrf-form/", per_learner(form_with_token)),
    path("book/<int:pk>/", book_detail, name="caching-book"),
    path("book/<int:pk>/conditional/", book_conditional, name="caching-book-conditional"),
]
