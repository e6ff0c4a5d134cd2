from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("demos/", include("sandbox.demos.urls")),
    path("lab/", include("sandbox.urls")),
    path("", include("lessons.urls")),
]

if settings.TOOLBAR_ENABLED:
    from debug_toolbar.toolbar import debug_toolbar_urls

    urlpatterns = debug_toolbar_urls() + urlpatterns
