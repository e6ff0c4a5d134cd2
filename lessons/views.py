"""Course pages: thin views over the in-memory catalogue and the cached lesson HTML.

A page is rendered once per content version and kept in the `lessons` cache;
a request costs a cache read and one str.replace for the learner's CSRF
token. URL segments are checked by the catalogue (slug regex, then lookup)
before anything else happens; an unknown name is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from types import SimpleNamespace

import django
from django.conf import settings
from django.core.cache import caches
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from lab.cards import CSRF_MARKER, render_card, report_marker
from lab.registry import Demo

from . import markdown, requirements
from .catalogue import Catalogue, Lesson, Track, get_catalogue
from .problems import where

# A read-through copy of pages already in the `lessons` cache, so a view skips
# even the cache's unpickling. Keys carry the catalogue digest: new content
# means new keys. `clear_lessons` empties it together with the cache.
_pages: dict[str, bytes] = {}
MAX_PAGES = 1000
CSRF_MARKER_BYTES = CSRF_MARKER.encode()


def forget_pages() -> None:
    _pages.clear()


def _page(key: str, template: str, context: Callable[[], dict]) -> bytes:
    """The page's UTF-8 HTML (with the CSRF marker in it), rendered once per content version.

    With DEBUG on, the shell is rendered each time so template edits show at
    once; the lesson bodies inside stay cached by content hash either way.
    """
    if settings.DEBUG:
        return render_to_string(template, context()).encode()
    key = f"page:{django.get_version()}:{key}"
    page = _pages.get(key)
    if page is None:
        cache = caches["lessons"]
        page = cache.get(key)
        if page is None:
            page = render_to_string(template, context()).encode()
            cache.set(key, page, None)
        if len(_pages) >= MAX_PAGES:
            _pages.clear()
        _pages[key] = page
    return page


def _shell(catalogue: Catalogue, **context) -> dict:
    """What base.html needs, given explicitly: cached pages are rendered without a request."""
    return {
        "lab_catalogue": catalogue,
        "lab_django_version": django.get_version(),
        "csrf_marker": CSRF_MARKER,
        "live_reload": getattr(settings, "LAB_LIVE_RELOAD", False) and settings.DEBUG,
        **context,
    }


def _respond(request: HttpRequest, page: bytes, status: int = 200) -> HttpResponse:
    return HttpResponse(_with_token(request, page), status=status)


def _with_token(request: HttpRequest, page: bytes) -> bytes:
    return page.replace(CSRF_MARKER_BYTES, csrf_token(request))


def csrf_token(request: HttpRequest) -> bytes:
    """`get_token(request)`, with the masked token reused per CSRF secret.

    Masking draws 64 random characters (about a third of a lesson view's
    time). The mask defends against BREACH, which needs attacker-chosen text
    reflected in the same compressed response; lesson pages reflect nothing,
    so one masked token per learner is as safe and far cheaper.
    """
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:  # a first visit: Django makes the secret and sets the cookie
        return get_token(request).encode()
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # as get_token does: keep the cookie, vary on it
    return _masked_token(secret)


@lru_cache(maxsize=4096)
def _masked_token(secret: str) -> bytes:
    return get_token(SimpleNamespace(META={"CSRF_COOKIE": secret})).encode()


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    catalogue = get_catalogue()
    html = _page(f"home:{catalogue.digest}", "home.html", lambda: _shell(catalogue, current_path="/"))
    return _respond(request, html)


def problem_rows(found) -> list[dict]:
    """(path, Problem) pairs as the problems panel lists them: file:line, what is wrong, the fix."""
    return [
        {"where": where(path, p.line), "message": p.message, "hint": p.hint, "id": p.id, "error": p.is_error}
        for path, p in found
    ]


def track_context(catalogue: Catalogue, found: Track, *, offline: bool = False) -> dict:
    intro = markdown.rendered(found.intro, lesson_path=found.name, offline=offline) if found.intro.strip() else None
    return _shell(
        catalogue,
        track=found,
        track_number=catalogue.tracks.index(found) + 1,
        intro=mark_safe(intro.html) if intro else "",  # noqa: S308 (sanitised by the pipeline)
        current_track=found.name,
        current_path=found.url,
        problems=problem_rows(found.problems) if catalogue.preview else [],
        offline=offline,
    )


@require_GET
def track(request: HttpRequest, track: str) -> HttpResponse:
    catalogue = get_catalogue()
    found = catalogue.track(track)
    if found is None:
        raise Http404("No such track.")
    page = _page(
        f"track:{catalogue.digest}:{found.name}", "lessons/track.html", lambda: track_context(catalogue, found)
    )
    return _respond(request, page)


def lesson_context(catalogue: Catalogue, lesson: Lesson, *, offline: bool = False) -> dict:
    found = catalogue.track(lesson.track)
    body = markdown.rendered(lesson.body, lesson_path=lesson.key, trusted=lesson.trusted_html, offline=offline)
    met, detail = requirements.status(lesson.requires) if lesson.requires else (True, "")
    return _shell(
        catalogue,
        track=found,
        lesson=lesson,
        position=found.lessons.index(lesson) + 1,
        body=mark_safe(body.html),  # noqa: S308 (sanitised by the pipeline)
        toc=body.toc,
        previous=catalogue.previous(lesson),
        next=catalogue.next(lesson),
        requirement_met=met,
        requirement_detail=detail,
        current_track=lesson.track,
        current_lesson=lesson.key,
        current_path=lesson.url,
        problems=problem_rows((lesson.path, p) for p in lesson.problems) if catalogue.preview else [],
        offline=offline,
    )


def _lesson_page(catalogue: Catalogue, lesson: Lesson) -> bytes:
    return _page(
        f"lesson:{catalogue.digest}:{lesson.key}", "lessons/lesson.html", lambda: lesson_context(catalogue, lesson)
    )


@require_GET
def lesson(request: HttpRequest, track: str, slug: str) -> HttpResponse:
    catalogue = get_catalogue()
    found = catalogue.lesson(track, slug)
    if found is None:
        raise Http404("No such lesson.")
    return _respond(request, _lesson_page(catalogue, found))


def lesson_with_report(
    request: HttpRequest, lesson_path: str, demo: Demo, report_html: str, status: int = 200
) -> HttpResponse:
    """A no-JavaScript demo run: the lesson page again, with this card's report filled in.

    `lesson_path` ("track/slug") comes from the form, so it is only looked up
    in the catalogue. If it names no lesson that shows this demo, the card and
    its report are shown on a small page of their own.
    """
    catalogue = get_catalogue()
    marker = report_marker(demo)
    found = catalogue.by_path(lesson_path)
    # The token goes into the site's own HTML first, then the report: the report echoes what the
    # learner typed, and nothing in it is the page's business to rewrite.
    if found is not None:
        page = _lesson_page(catalogue, found)
        if marker.encode() in page:
            page = _with_token(request, page)
            return HttpResponse(page.replace(marker.encode(), report_html.encode(), 1), status=status)
    html = render_to_string(
        "lessons/report_only.html",
        _shell(catalogue, demo=demo, card=mark_safe(render_card(demo, found.key if found else ""))),  # noqa: S308
        request=request,
    )
    page = _with_token(request, html.encode())
    return HttpResponse(page.replace(marker.encode(), report_html.encode(), 1), status=status)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 404 page (handler404), cached like a lesson page: a flood of bad URLs costs what lessons cost."""
    catalogue = get_catalogue()
    return _respond(request, _page(f"404:{catalogue.digest}", "404.html", lambda: _shell(catalogue)), status=404)


# practice (issue 13 item 12): the About page, cached like every course page.
@require_GET
def about(request: HttpRequest) -> HttpResponse:
    from . import about as about_page

    catalogue = get_catalogue()

    def context() -> dict:
        found = about_page.context(catalogue)
        found["intro"] = mark_safe(found["intro"])  # noqa: S308 (sanitised by the pipeline)
        found["concept_html"] = mark_safe(found["concept_html"])  # noqa: S308 (sanitised by the pipeline)
        return _shell(catalogue, current_path="/about/", **found)

    return _respond(request, _page(f"about:{catalogue.digest}", "lessons/about.html", context))


# practice (issue 13 item 11): search, a plain GET form (works without JavaScript). Not cached: results differ per query.
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    from . import search as lesson_search

    catalogue = get_catalogue()
    query = request.GET.get("q", "")
    context = _shell(catalogue, current_path="/search/", query=query[: lesson_search.MAX_QUERY * 5])
    if "q" in request.GET:  # a bad query is answered with a message on the page, like any other search
        try:
            context["results"] = lesson_search.search(query)
        except lesson_search.BadQuery as exc:
            context["error"] = str(exc)
    return _respond(request, render_to_string("lessons/search.html", context).encode())
