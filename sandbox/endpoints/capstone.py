"""The capstone's page (mounted under /sandbox/capstone/): the bookshop, slow or fixed.

`?fixes=` picks how the rows are built (sandbox.teaching.capstone): `none`
(the default, the slow page), `loading`, `annotate` or `cache`. Open it
locally with the debug toolbar to see its SQL panel.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from ..teaching.capstone import rows_annotated, rows_cached, rows_loaded, rows_slow

ROWS = {"none": rows_slow, "loading": rows_loaded, "annotate": rows_annotated, "cache": rows_cached}


@require_GET
def bookshop(request: HttpRequest) -> HttpResponse:
    fixes = request.GET.get("fixes", "none")
    if fixes not in ROWS:
        fixes = "none"
    return render(request, "capstone/bookshop.html", {"rows": ROWS[fixes](), "fixes": fixes, "choices": list(ROWS)})


urlpatterns = [path("books/", bookshop, name="capstone-books")]
