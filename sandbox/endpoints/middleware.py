"""Sandbox endpoints for the middleware track (mounted under /sandbox/middleware/).

Each view exists to show one behaviour of the layers around it; the demos send
real requests to them through a real middleware stack (lab.handler).
"""

from __future__ import annotations

import asyncio
import threading

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import path

from ..middleware import public_api
from ..models import Book


def books(request: HttpRequest) -> HttpResponse:
    """A real page with a few queries and a body big enough to gzip; ?touch_session=1 writes the session."""
    visits = 0
    if request.GET.get("touch_session"):
        visits = request.session["visits"] = request.session.get("visits", 0) + 1
    catalogue = Book.objects.select_related("publisher").order_by("pk")
    return render(request, "middleware/books.html", {"books": catalogue, "visits": visits})


def hooks(request: HttpRequest) -> HttpResponse:
    return HttpResponse("The view ran.\n", content_type="text/plain")


def boom(request: HttpRequest) -> HttpResponse:
    """Fails on purpose, for the hooks and errors demos. Visited directly, it shows the site's 500 page."""
    raise RuntimeError("the view failed")


def touched(request: HttpRequest) -> TemplateResponse:
    """Rendered after every process_template_response hook has edited `touched`."""
    return TemplateResponse(request, "middleware/touched.html", {"touched": []}, content_type="text/plain")


async def async_view(request: HttpRequest) -> HttpResponse:
    asyncio.get_running_loop()  # raises outside an event loop: this view really runs async
    return HttpResponse(f"async view ran in an event loop on thread {threading.current_thread().name}\n")


def stream(request: HttpRequest) -> StreamingHttpResponse:
    """A streaming body: middleware must not read `.content` (there is none)."""
    return StreamingHttpResponse((f"chunk {i}\n" for i in range(5)), content_type="text/plain")


@login_not_required
def open_page(request: HttpRequest) -> HttpResponse:
    """Exempt from LoginRequiredMiddleware (Django 5.1+)."""
    return HttpResponse("Anyone may see this page.\n", content_type="text/plain")


def api_books(request: HttpRequest) -> JsonResponse:
    rows = list(Book.objects.order_by("pk").values("id", "title", "price"))
    return JsonResponse({"client": getattr(request, "api_client", None), "books": rows})


@public_api
def api_health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("books/", books, name="mw-books"),
    path("hooks/", hooks, name="mw-hooks"),
    path("boom/", boom, name="mw-boom"),
    path("tr/", touched, name="mw-tr"),
    path("async/", async_view, name="mw-async"),
    path("stream/", stream, name="mw-stream"),
    path("open/", open_page, name="mw-open"),
    path("api/books/", api_books, name="mw-api-books"),
    path("api/health/", api_health, name="mw-api-health"),
]
