"""Tiny sandbox views; each exists to show one behaviour."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    """The trivial view: the benchmark's baseline."""
    return HttpResponse("pong", content_type="text/plain")
