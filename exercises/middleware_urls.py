"""The tiny site the middleware exercises send requests to (their checks set ROOT_URLCONF to this module).

Each view shows one thing a check needs: a plain page, a view with kwargs, a failing view, the request
id the layers put on the request. `VIEW_CALLS` records each view call, so a check can tell whether the
view ran. `through()` sends one GET with Django's test Client through a given MIDDLEWARE list.
"""

from __future__ import annotations

import time

from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

VIEW_CALLS: list[str] = []
URLCONF = "exercises.middleware_urls"


def hello(request: HttpRequest) -> HttpResponse:
    VIEW_CALLS.append("hello")
    return HttpResponse("hello", content_type="text/plain")


def slow(request: HttpRequest) -> HttpResponse:
    VIEW_CALLS.append("slow")
    time.sleep(0.02)  # 20 ms: long enough that a timing layer must cover the view to see it
    return HttpResponse("slow", content_type="text/plain")


def book_detail(request: HttpRequest, pk: int) -> HttpResponse:
    VIEW_CALLS.append("book_detail")
    return HttpResponse(f"book {pk}", content_type="text/plain")


def boom(request: HttpRequest) -> HttpResponse:
    VIEW_CALLS.append("boom")
    raise ValueError("the view failed")


def request_id(request: HttpRequest) -> HttpResponse:
    VIEW_CALLS.append("request_id")
    return HttpResponse(getattr(request, "id", "(no request.id)"), content_type="text/plain")


class InnerLayer:
    """A layer to put below the learner's: it records the requests that reach it."""

    seen: list[str] = []

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        InnerLayer.seen.append(request.path)
        return self.get_response(request)


urlpatterns = [
    path("hello/", hello),
    path("slow/", slow),
    path("books/<int:pk>/", book_detail),
    path("boom/", boom),
    path("api/boom/", boom),
    path("request-id/", request_id),
]


def through(stack: list[str], url: str, *, headers: dict | None = None, raise_request_exception: bool = True):
    """One GET of `url` through `stack` (a MIDDLEWARE list) with a fresh test Client; the view calls start empty."""
    VIEW_CALLS.clear()
    InnerLayer.seen.clear()
    with override_settings(MIDDLEWARE=stack, ROOT_URLCONF=URLCONF, ALLOWED_HOSTS=["testserver"]):
        return Client(raise_request_exception=raise_request_exception).get(url, headers=headers or {})
