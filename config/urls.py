from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("demos/", include("lab.urls")),
    path("sandbox/", include("sandbox.urls")),
    path("", include("lessons.urls")),
]

if settings.LAB_LIVE_RELOAD:  # local mode only (config/settings.py)
    urlpatterns.insert(0, path("__reload__/", include("django_browser_reload.urls")))

if settings.TOOLBAR_ENABLED:
    from debug_toolbar.panels.sql import views as sql_views
    from debug_toolbar.toolbar import debug_toolbar_urls

    from lessons.toolbar import rolled_back

    toolbar_urls = debug_toolbar_urls()  # empty when DEBUG is off at run time
    if toolbar_urls:
        # Before the toolbar's own routes: the SQL panel's re-run buttons never keep a write.
        toolbar_urls = [
            path(f"__debug__/{name}/", rolled_back(getattr(sql_views, name)))
            for name in ("sql_select", "sql_explain", "sql_profile")
        ] + toolbar_urls
    urlpatterns = toolbar_urls + urlpatterns
