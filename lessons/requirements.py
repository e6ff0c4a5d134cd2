"""Whether this server meets a lesson's `requires` (a Django version or a backend)."""

from __future__ import annotations

import operator

import django
from django.conf import settings
from django.db import connection

from .frontmatter import REQUIRES_RE

_OPS = {">=": operator.ge, "<=": operator.le, "==": operator.eq, ">": operator.gt, "<": operator.lt}
_BACKENDS = {"redis": "redis", "memcached": "memcached"}


def status(requires: str) -> tuple[bool, str]:
    """(met, what this server has) for a requirement such as 'django>=6.1' or 'redis'."""
    match = REQUIRES_RE.match(requires.strip())
    if not match:
        return False, "an unreadable requirement"
    name = match["name"]
    if name == "django":
        if not match["op"]:
            return True, f"Django {django.get_version()}"
        wanted = tuple(int(p) for p in match["version"].split("."))
        have = django.VERSION[: len(wanted)]
        return _OPS[match["op"]](have, wanted), f"it runs Django {django.get_version()}"
    if name in _BACKENDS:
        configured = _BACKENDS[name] in settings.CACHES
        return configured, f"{name} is {'configured' if configured else 'not configured'}"
    if name in {"postgresql", "postgres", "sqlite"}:
        wanted = "postgresql" if name.startswith("postgres") else name
        return connection.vendor == wanted, f"its database is {connection.vendor}"
    return False, f"'{name}' is not something this site knows how to check"
