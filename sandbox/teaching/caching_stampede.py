"""Caching, lesson 6: many misses at once (a stampede), and an add() lock that lets one caller compute."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import BaseCache


def expensive_report() -> str:
    """Stands for an expensive query: slow enough for concurrent misses to overlap."""
    time.sleep(0.1)
    return f"computed by {threading.current_thread().name}"


def report_with_get_or_set(cache: BaseCache, key: str, compute: Callable[[], Any]) -> Any:
    """get_or_set() is get, compute, add, get: every caller that misses computes."""
    return cache.get_or_set(key, compute, 60)


def get_or_compute_with_lock(
    cache: BaseCache, key: str, compute: Callable[[], Any], timeout: int = 60, lock_timeout: int = 10, wait: float = 5.0
) -> Any:
    """Like get_or_set, but only one caller computes; the others wait for its value.

    add() stores only if the key is absent. Local memory (a lock), Redis (SET NX),
    Memcached (its add command) and the database (a unique key) make that atomic,
    so exactly one caller gets the lock. FileBasedCache checks, then writes: on it,
    more than one caller can win. The lock expires on its own if its holder dies.
    """
    value = cache.get(key)
    if value is not None:
        return value
    if cache.add(f"{key}:lock", 1, lock_timeout):
        try:
            value = compute()
            cache.set(key, value, timeout)
            return value
        finally:
            cache.delete(f"{key}:lock")
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        time.sleep(0.01)
        value = cache.get(key)
        if value is not None:
            return value
    return compute()  # the lock holder is too slow: compute rather than fail
