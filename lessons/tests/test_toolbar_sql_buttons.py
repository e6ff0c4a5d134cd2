"""The debug toolbar's Sel/Expl buttons re-run recorded SQL; in the lab they never keep a write."""

import importlib

from django.http import HttpResponse
from django.urls import clear_url_caches

from lessons.toolbar import rolled_back
from sandbox.models import Book


def test_a_write_made_by_a_wrapped_toolbar_view_is_rolled_back(seeded):
    def rerun_update(request):
        Book.objects.filter(title="A1").update(stock=11)  # what Sel does for a recorded UPDATE
        return HttpResponse(str(Book.objects.get(title="A1").stock))

    response = rolled_back(rerun_update)(None)
    assert response.content == b"11"  # the view saw its own write...
    assert Book.objects.get(title="A1").stock == 10  # ...and it was not kept


def test_the_sql_panels_rerun_urls_route_to_the_rolled_back_views(settings):
    from debug_toolbar.panels.sql import views as sql_views

    import config.urls

    settings.DEBUG = True
    try:
        urls = importlib.reload(config.urls)
        routes = {str(p.pattern): p.callback for p in urls.urlpatterns if hasattr(p, "callback")}
        for name in ("sql_select", "sql_explain", "sql_profile"):
            assert routes[f"__debug__/{name}/"].__wrapped__ is getattr(sql_views, name)
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()
