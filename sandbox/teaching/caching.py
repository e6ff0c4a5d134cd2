"""Caching, lessons 1 and 2: the low-level cache API, one small experiment per function.

Every function takes the cache it works on (`caches["redis"]`, `caches["db"]`,
...), so the same code runs on each backend and the results can be compared.
An experiment returns what it observed, keyed by the expression that gave it,
as you would see it typing the calls into `manage.py shell`.
"""

from __future__ import annotations

import warnings
from typing import Any

from django.core.cache.backends.base import BaseCache, CacheKeyWarning
from django.core.cache.backends.db import DatabaseCache
from django.db import transaction

MISSING = object()  # a sentinel: no cached value can be this object


def set_and_get(cache: BaseCache, key: str, value: Any, timeout: int = 60) -> Any:
    cache.set(key, value, timeout)
    return cache.get(key)


def set_for_zero_seconds(cache: BaseCache, key: str, value: Any) -> None:
    """timeout=0 means "expire at once": what the backend does with the entry differs."""
    cache.set(key, value, timeout=0)


def read(cache: BaseCache, key: str) -> Any:
    return cache.get(key)


def read_before_createcachetable() -> Any:
    """A DatabaseCache whose table was never created fails on first use, with the database's own error."""
    cache = DatabaseCache("lab_missing_table", {})
    with transaction.atomic():  # a savepoint: on PostgreSQL a failed query spoils the rest of a transaction
        return cache.get("k")


def key_for(cache: BaseCache, key: str) -> str:
    """The key the backend really stores: KEY_FUNCTION(key, KEY_PREFIX, VERSION)."""
    return cache.make_key(key)


def concept_page_example(cache: BaseCache) -> Any:
    cache.set("my_key", "my_value", timeout=60)  # keep it for 60 seconds
    value = cache.get("my_key")  # "my_value", or None once it has expired
    return value


def none_or_miss(cache: BaseCache) -> dict[str, Any]:
    """A cached None and a miss both read as None; only a sentinel default tells them apart."""
    cache.set("nothing", None)
    return {
        "get('nothing')": cache.get("nothing"),
        "get('missing')": cache.get("missing"),
        "get('nothing', MISSING) is MISSING": cache.get("nothing", MISSING) is MISSING,
        "get('missing', MISSING) is MISSING": cache.get("missing", MISSING) is MISSING,
    }


def add_twice(cache: BaseCache) -> dict[str, Any]:
    """add() stores only when the key is absent, and says whether it did."""
    return {
        "add('once', 1)": cache.add("once", 1),
        "add('once', 2)": cache.add("once", 2),
        "get('once')": cache.get("once"),
    }


def get_or_set_twice(cache: BaseCache) -> dict[str, Any]:
    """get_or_set() calls `compute` only on a miss."""
    calls = []

    def compute():
        calls.append(1)
        return "computed"

    return {
        "first get_or_set()": cache.get_or_set("lazy", compute, 60),
        "second get_or_set()": cache.get_or_set("lazy", compute, 60),
        "compute() ran": len(calls),
    }


def keep_forever(cache: BaseCache) -> dict[str, Any]:
    """timeout=None never expires; touch() gives an existing key a new timeout."""
    cache.set("forever", "v", None)
    return {
        "get('forever')": cache.get("forever"),
        "touch('forever', 120)": cache.touch("forever", 120),
        "touch('missing', 120)": cache.touch("missing", 120),
    }


def many_at_once(cache: BaseCache) -> dict[str, Any]:
    """set_many() returns the keys it failed to store; get_many() leaves misses out."""
    return {
        "set_many({'a': 1, 'b': 2})": cache.set_many({"a": 1, "b": 2}),
        "get_many(['a', 'b', 'missing'])": cache.get_many(["a", "b", "missing"]),
    }


def count_up_and_down(cache: BaseCache) -> dict[str, Any]:
    cache.set("counter", 1)
    return {"incr('counter')": cache.incr("counter"), "decr('counter', 5)": cache.decr("counter", 5)}


def incr_missing(cache: BaseCache) -> int:
    """incr() on a key that does not exist raises ValueError: create counters with add(key, 0) first."""
    return cache.incr("missing")


def delete_twice(cache: BaseCache) -> dict[str, Any]:
    return {"first delete('a')": cache.delete("a"), "second delete('a')": cache.delete("a")}


def versions(cache: BaseCache) -> dict[str, Any]:
    """version= is part of the key; incr_version() moves a value to the next version."""
    cache.set("ver", "v2 value", version=2)
    return {
        "get('ver')": cache.get("ver"),
        "get('ver', version=2)": cache.get("ver", version=2),
        "incr_version('ver', version=2)": cache.incr_version("ver", version=2),
        "get('ver', version=2) after": cache.get("ver", version=2),
        "get('ver', version=3) after": cache.get("ver", version=3),
    }


def set_and_catch_key_warnings(cache: BaseCache, key: str) -> list[str]:
    """Set `key` and return the CacheKeyWarnings Django gave (the memcached backends raise instead)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CacheKeyWarning)
        cache.set(key, 1)
    return [str(w.message) for w in caught if issubclass(w.category, CacheKeyWarning)]


def count_up(cache: BaseCache, key: str, times: int) -> None:
    """incr() `times` times: atomic on Redis and Memcached, read-add-write on the file and database backends."""
    for _ in range(times):
        cache.incr(key)


def forget(cache: BaseCache, keys: list[str]) -> None:
    """Delete your own keys. Never clear(): it empties the whole backend, everyone's keys included."""
    cache.delete_many(keys)
