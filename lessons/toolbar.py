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


def rolled_back(view):
    """Run a toolbar view inside transactions that are always rolled back.

    The SQL panel's Sel and Expl buttons re-run a recorded statement outside
    the demo's own rolled-back transaction; for an UPDATE that would change
    the canonical bookshop for real. Here they still show their results, and
    nothing they run is kept.
    """
    import functools
    from contextlib import ExitStack

    from django.db import connections, transaction

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(transaction.atomic(using=alias))
            try:
                return view(request, *args, **kwargs)
            finally:
                for alias in connections:
                    transaction.set_rollback(True, using=alias)

    return wrapper
