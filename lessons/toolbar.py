"""When to show django-debug-toolbar: local lab mode only (DEBUG on, its URLs routed), never otherwise."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse


def show_toolbar(request) -> bool:
    if not (settings.DEBUG and settings.TOOLBAR_ENABLED):
        return False
    try:
        # Its URLs are only routed when DEBUG was on at start-up (config.urls).
        reverse("djdt:render_panel")
    except NoReverseMatch:
        return False
    return True
