"""Django's cache backends, recorded.

Each class here is Django's own backend with `Recorded` mixed in first: every
call is passed to Django unchanged, and when a lab recorder is active the
operation, key, hit or miss and time are written to it. With no recorder
active the only cost is one ContextVar lookup per call.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache import caches
from django.core.cache.backends import db, filebased, locmem, memcached, redis
from django.db import connections

from .events import CacheOp
from .learners import current_learner
from .recorder import active

MISSING = object()


class Recorded:
    """Mixin: record each cache call in the active lab recorder."""

    def __repr__(self) -> str:
        """How a learner names this cache: a step's "called as" line reads `set_and_get(caches['redis'], ...)`."""
        return f"caches[{getattr(self, 'lab_alias', '?')!r}]"

    def _record(self, op: str, key: Any, call, hit_of=None, version=None, timeout: Any = ""):
        recorder = active()
        if recorder is None:
            return call()
        recorder.check_time()
        depth = recorder.cache_depth.get()
        token = recorder.cache_depth.set(depth + 1)
        started = time.perf_counter()
        try:
            result = call()
        finally:
            recorder.cache_depth.reset(token)
        ms = (time.perf_counter() - started) * 1000
        if isinstance(key, (list, tuple, dict, set)):
            shown = ", ".join(str(k) for k in key)
            full = ", ".join(self.make_key(k, version=version) for k in key)
        elif key is None:
            shown = full = ""
        else:
            shown, full = str(key), self.make_key(key, version=version)
        recorder.record_cache(
            CacheOp(
                alias=getattr(self, "lab_alias", "?"),
                backend=type(self).__name__,
                op=op,
                key=shown,
                full_key=full,
                hit=hit_of(result) if hit_of else None,
                ms=ms,
                result=_short(result),
                depth=depth,
                timeout=self.default_timeout if timeout is MISSING else timeout,
            )
        )
        return result

    def get(self, key, default=None, version=None):
        value = self._record(
            "get", key, lambda: super(Recorded, self).get(key, MISSING, version), lambda r: r is not MISSING, version
        )
        return default if value is MISSING else value

    def set(self, key, value, timeout=MISSING, version=None):
        kwargs = {} if timeout is MISSING else {"timeout": timeout}
        return self._record(
            "set", key, lambda: super(Recorded, self).set(key, value, version=version, **kwargs), None, version, timeout
        )

    def add(self, key, value, timeout=MISSING, version=None):
        kwargs = {} if timeout is MISSING else {"timeout": timeout}
        return self._record(
            "add", key, lambda: super(Recorded, self).add(key, value, version=version, **kwargs), None, version, timeout
        )

    def get_or_set(self, key, default, timeout=MISSING, version=None):
        kwargs = {} if timeout is MISSING else {"timeout": timeout}
        computed = []

        def on_miss():  # Django asks for the default only after a miss: that is how the report knows
            computed.append(True)
            return default() if callable(default) else default

        return self._record(
            "get_or_set",
            key,
            lambda: super(Recorded, self).get_or_set(key, on_miss, version=version, **kwargs),
            lambda _: not computed,
            version,
            timeout,
        )

    def get_many(self, keys, version=None):
        keys = list(keys)
        return self._record(
            "get_many",
            keys,
            lambda: super(Recorded, self).get_many(keys, version=version),
            lambda r: len(r) == len(keys),
            version,
        )

    def set_many(self, data, timeout=MISSING, version=None):
        kwargs = {} if timeout is MISSING else {"timeout": timeout}
        return self._record(
            "set_many",
            list(data),
            lambda: super(Recorded, self).set_many(data, version=version, **kwargs),
            None,
            version,
            timeout,
        )

    def delete(self, key, version=None):
        return self._record("delete", key, lambda: super(Recorded, self).delete(key, version=version), None, version)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        return self._record(
            "delete_many", keys, lambda: super(Recorded, self).delete_many(keys, version=version), None, version
        )

    def has_key(self, key, version=None):
        return self._record("has_key", key, lambda: super(Recorded, self).has_key(key, version=version), bool, version)

    def incr(self, key, delta=1, version=None):
        return self._record("incr", key, lambda: super(Recorded, self).incr(key, delta, version=version), None, version)

    def decr(self, key, delta=1, version=None):
        return self._record("decr", key, lambda: super(Recorded, self).decr(key, delta, version=version), None, version)

    def touch(self, key, timeout=MISSING, version=None):
        kwargs = {} if timeout is MISSING else {"timeout": timeout}
        return self._record(
            "touch", key, lambda: super(Recorded, self).touch(key, version=version, **kwargs), bool, version, timeout
        )

    def incr_version(self, key, delta=1, version=None):
        return self._record(
            "incr_version", key, lambda: super(Recorded, self).incr_version(key, delta, version), None, version
        )

    def clear(self):
        return self._record("clear", None, lambda: super(Recorded, self).clear())


def _short(value: Any, limit: int = 80) -> str:
    if value is MISSING:
        return "(miss)"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class LocMemCache(Recorded, locmem.LocMemCache):
    lab_alias = "locmem"


class DefaultLocMemCache(LocMemCache):
    """The exercises' `default` cache (`django.core.cache.cache`), recorded under that name: a learner's
    cache-aside code uses it, and its report counts those calls."""

    lab_alias = "default"


class FileBasedCache(Recorded, filebased.FileBasedCache):
    lab_alias = "file"


class DatabaseCache(Recorded, db.DatabaseCache):
    lab_alias = "db"


class RedisCache(Recorded, redis.RedisCache):
    lab_alias = "redis"


class PyMemcacheCache(Recorded, memcached.PyMemcacheCache):
    lab_alias = "memcached"


def learner_key(key: str, key_prefix: str, version: int) -> str:
    """KEY_FUNCTION of the caches learners experiment on: Django's key, inside the current learner's space.

    Two learners' runs at the same moment never read or delete each other's
    entries, and `cache.clear()` is the only call that reaches past them (the
    lessons say so). Outside any learner (a management command, a test) it is
    Django's own format, `<prefix>:<version>:<key>`.
    """
    learner = current_learner()
    base = f"{key_prefix}:{version}:{key}"
    return f"learner-{learner}:{base}" if learner else base


@contextmanager
def toolbar_paused() -> Iterator[bool]:
    """Time a backend, not django-debug-toolbar: yields True if there was a toolbar to pause.

    In local lab mode (DEBUG) the toolbar's SQL and cache panels record every
    call of the request with a stack trace, about a millisecond each: timed
    trials would show the toolbar (Redis "faster" than local memory), not the
    backend. Its own switches are per connection and per cache object, and both
    belong to this thread, so other requests are untouched.
    """
    saved: list[tuple[Any, str, Any]] = []
    for connection in connections.all(initialized_only=True):
        if getattr(connection, "_djdt_logger", None) is not None:
            saved.append((connection, "_djdt_logger", connection._djdt_logger))
    for cache in caches.all(initialized_only=True):
        if getattr(cache, "_djdt_panel", None) is not None:
            saved.append((cache, "_djdt_panel", cache._djdt_panel))
    for obj, name, _ in saved:
        setattr(obj, name, None)
    try:
        yield bool(saved)
    finally:
        for obj, name, value in saved:
            setattr(obj, name, value)
