"""When to show django-debug-toolbar: local lab mode only (DEBUG on), never in tests of DEBUG=False."""

from django.conf import settings


def show_toolbar(request) -> bool:
    return bool(settings.DEBUG and settings.TOOLBAR_ENABLED)
