"""Password guessing on the admin's login: LAB_ADMIN_LOGIN_LIMIT failed logins per client address per 15 minutes.

Counted like the run limits, in the default cache (Redis in a classroom), falling back to this
process's memory when it fails (lab.limits.store).
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from .limits import client_address, store

LOGIN_WINDOW = 15 * 60


def limit_failed_logins(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wrap a login view: LAB_ADMIN_LOGIN_LIMIT failed logins per client address per 15 minutes.

    A failed login is a POST the view answers with its form again (200); past the limit every
    POST is a 429 without the password being checked, so guessing costs the guesser the window.
    """

    @functools.wraps(view)
    def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        now = time.time()
        window = int(now // LOGIN_WINDOW)
        key = f"lab:login-failures:{client_address(request)}:{window}"
        failures, _ = store.call("get", key, 0)
        if failures >= settings.LAB_ADMIN_LOGIN_LIMIT:
            response = HttpResponse(
                "Too many failed logins from your address. Try again later.\n",
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(max(1, math.ceil((window + 1) * LOGIN_WINDOW - now)))
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200:  # the form again: the password was wrong
            _, shared = store.call("add", key, 0, timeout=LOGIN_WINDOW)
            try:
                store.call("incr", key, shared=shared)
            except ValueError:  # expired in between: count this one afresh
                store.call("set", key, 1, timeout=LOGIN_WINDOW, shared=shared)
        return response

    return limited
