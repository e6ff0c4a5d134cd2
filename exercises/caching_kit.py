"""What the caching exercises' checks share: a cache that counts its calls, and views served by the test client.

Shipped to the learner's browser with the exercises (Django, SQLite, local memory only), so it imports
nothing but Django. The checks run the learner's code on `caches["default"]` (the local-memory cache the
browser has), never on the lab's recorded aliases, which exist only on the server.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.test.utils import override_settings
from django.urls import path

COUNTED = ("get", "set", "add", "delete", "get_many", "set_many", "delete_many", "incr", "decr", "get_or_set")


class CountingCache(LocMemCache):
    """Local memory that counts each call a caller makes (the calls Django makes inside one call are not counted).

    On Redis or Memcached each counted call is one network round trip.
    """

    calls: list[str] = []  # shared by every instance: override_settings builds a fresh one per thread and test

    def __getattribute__(self, name):
        attribute = super().__getattribute__(name)
        if name in COUNTED:
            calls = CountingCache.calls

            def counted(*args, **kwargs):
                depth = CountingCache._depth
                CountingCache._depth += 1
                try:
                    if depth == 0:
                        calls.append(name)
                    return attribute(*args, **kwargs)
                finally:
                    CountingCache._depth -= 1

            return counted
        return attribute

    _depth = 0


@contextmanager
def counting_cache() -> Iterator[list[str]]:
    """The default cache, empty, counting calls: yields the list of calls made so far."""
    config = {**settings.CACHES, "default": {"BACKEND": f"{__name__}.CountingCache", "LOCATION": "exercise-counting"}}
    with override_settings(CACHES=config):
        caches["default"].clear()
        CountingCache.calls = []
        try:
            yield CountingCache.calls
        finally:
            caches["default"].clear()


@contextmanager
def a_fresh_cache(**options) -> Iterator[None]:
    """The default cache replaced by an empty local-memory one (with OPTIONS/TIMEOUT/KEY_PREFIX as given), whose
    calls the report records."""
    default = {"BACKEND": "lab.caches.DefaultLocMemCache", "LOCATION": "exercise", **options}
    config = {**settings.CACHES, "default": default}  # the site's other aliases stay: its receivers use them
    with override_settings(CACHES=config):
        caches["default"].clear()
        try:
            yield
        finally:
            caches["default"].clear()


@contextmanager
def serving(views: dict[str, Callable], middleware: list[str] | tuple[str, ...] = ()) -> Iterator[None]:
    """Route each "path/" to its view, behind exactly `middleware`, for the test Client."""
    urls = types.ModuleType("exercise_urls")
    urls.urlpatterns = [path(route, view) for route, view in views.items()]
    with override_settings(ROOT_URLCONF=urls, MIDDLEWARE=list(middleware)), a_fresh_cache():
        yield


def queries(count: int) -> str:
    return f"{count} query" if count == 1 else f"{count} queries"


def run_testcases(module) -> tuple[int, list[str]]:
    """Run every TestCase class defined in `module` (unittest, in-process): how many ran, and what failed.

    TestCase.tearDownClass closes the database connections: in the browser (an SQLite file, inside the attempt's
    transaction) that ended the attempt ("Cannot operate on a closed database"), so they are kept open meanwhile.
    """
    import unittest

    from django.test import SimpleTestCase

    from lab.testrun import connections_kept_open

    suite = unittest.TestSuite()
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, SimpleTestCase) and value.__module__ == module.__name__:
            suite.addTests(unittest.defaultTestLoader.loadTestsFromTestCase(value))
    result = unittest.TestResult()
    with connections_kept_open():
        suite.run(result)
    failed = [f"{getattr(test, '_testMethodName', test)}: {_exception_line(err)}" for test, err in result.failures]
    failed += [f"{getattr(test, '_testMethodName', test)}: {_exception_line(err)}" for test, err in result.errors]
    return result.testsRun, failed


def _exception_line(formatted: str) -> str:
    """The exception's own line in a formatted traceback ("AssertionError: 0 != 1 : 0 queries executed...")."""
    lines = [line for line in formatted.splitlines() if re.match(r"^[\w.]+(Error|Exception)\b", line)]
    return lines[-1] if lines else formatted.strip().splitlines()[-1]
