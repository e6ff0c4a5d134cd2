"""The caching track's backends: which this site can use right now, why not, and how to start one.

Every caching demo with a backend choice asks `availability()` first, so an
unavailable backend gives a clear report, never an error. A dead server must
not hang a learner's page: each check gives up after REACH_TIMEOUT.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection

from .recorder import paused

BACKENDS = {
    "locmem": "Local memory",
    "file": "File system",
    "db": "Database",
    "redis": "Redis",
    "memcached": "Memcached",
}
HOW_TO_START = {
    # `make run` (manage.py runlab) starts a private server for each installed binary.
    "redis": "install redis-server (sudo apt-get install redis-server memcached) and run make run again: it starts "
    "a private server; or set REDIS_URL to a running one (see the Backends lesson)",
    "memcached": "install memcached (sudo apt-get install redis-server memcached) and run make run again: it starts "
    "a private server; or set MEMCACHED_LOCATION to a running one (see the Backends lesson)",
    "db": "run `python manage.py createcachetable`",
    "file": "make the LAB_VAR_DIR folder writable",
}
REACH_TIMEOUT = 0.3  # seconds: a dead server must not hang a learner's page


@dataclass(frozen=True)
class BackendStatus:
    alias: str
    label: str
    available: bool
    why: str = ""
    how: str = ""


def _reachable(host: str, port: int) -> str:
    """ "" if a TCP connection opens within REACH_TIMEOUT, else the reason it did not."""
    try:
        with socket.create_connection((host, port), timeout=REACH_TIMEOUT):
            return ""
    except OSError as exc:
        return f"{host}:{port} is not reachable ({exc.strerror or exc})"


def _check(alias: str) -> str:
    """Why `alias` can't be used now, or "" when it can."""
    config = settings.CACHES.get(alias)
    if config is None:
        env = {"redis": "REDIS_URL", "memcached": "MEMCACHED_LOCATION"}.get(alias, "CACHES")
        return f"{env} is not set"
    location = config.get("LOCATION", "")
    if alias == "redis":
        url = urlsplit(location if isinstance(location, str) else location[0])
        if url.scheme == "unix":
            return "" if os.path.exists(url.path) else f"no Redis socket at {url.path}"
        return _reachable(url.hostname or "127.0.0.1", url.port or 6379)
    if alias == "memcached":
        first = location if isinstance(location, str) else location[0]
        if first.startswith("unix:"):
            return "" if os.path.exists(first[5:]) else f"no Memcached socket at {first[5:]}"
        host, _, port = first.rpartition(":")
        return _reachable(host or "127.0.0.1", int(port or 11211))
    if alias == "db":
        with paused():  # bookkeeping, not the demo's SQL
            tables = connection.introspection.table_names()
        return "" if location in tables else f"the table {location!r} does not exist"
    if alias == "file":
        folder = Path(location)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return f"cannot create {folder}: {exc.strerror}"
        return "" if os.access(folder, os.W_OK) else f"{folder} is not writable"
    return ""


def _how(alias: str) -> str:
    """How to make `alias` usable: start the server it is configured for, or configure one."""
    config = settings.CACHES.get(alias)
    if config is None or alias not in ("redis", "memcached"):
        return HOW_TO_START.get(alias, "")
    command = {"redis": "redis-server", "memcached": "memcached"}[alias]
    return f"start {command} at its configured LOCATION ({config['LOCATION']}) (see the Backends lesson)"


def availability() -> dict[str, BackendStatus]:
    """Every lab backend, available or not, with why not and how to fix it."""
    statuses = {}
    for alias, label in BACKENDS.items():
        why = _check(alias)
        statuses[alias] = BackendStatus(alias, label, not why, why, _how(alias) if why else "")
    return statuses


def backend_choices() -> list[tuple[str, str]]:
    return [(s.alias, s.label if s.available else f"{s.label} (unavailable: {s.why})") for s in availability().values()]
