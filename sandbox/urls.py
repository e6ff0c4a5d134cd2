"""Sandbox endpoints that demos send real requests to (the /sandbox/ prefix), one module per track."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("ping/", views.ping, name="lab-ping"),
    path("middleware/", include("sandbox.endpoints.middleware")),
    path("signals/", include("sandbox.endpoints.signals")),
    path("orm/", include("sandbox.endpoints.orm")),
    path("caching/", include("sandbox.endpoints.caching")),
    path("capstone/", include("sandbox.endpoints.capstone")),
]
