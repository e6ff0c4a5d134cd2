from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic.base import RedirectView

from lab.logins import limit_failed_logins

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page links: the logo, not a 404 on every first visit.
    path("favicon.ico", RedirectView.as_view(url=static("img/logo.svg"), permanent=True)),
    path("demos/", include("lab.urls")),
    path("sandbox/", include("sandbox.urls")),
    path("runtime/", include("lab.runtime.urls")),  # the exercise runtime (Pyodide, zips), immutable
    path("", include("lessons.urls")),
]
# Off in a classroom unless LAB_ADMIN=1; then failed logins are limited per client address.
if settings.LAB_ADMIN:
    urlpatterns[:0] = [
        path("admin/login/", limit_failed_logins(admin.site.login), name="admin-login"),
        path("admin/", admin.site.urls),
    ]
# Error pages as cheap as lesson pages: rendered once per content version (a flood of bad URLs is no lever).
handler404 = "lessons.views.page_not_found"

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
