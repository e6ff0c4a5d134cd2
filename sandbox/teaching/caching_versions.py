"""Caching, lesson 6: three ways to retire cached prices after a bulk write, compared.

delete() needs every key by name; incr_version() moves one value to the next
version (a delete that keeps a copy); a version number read from a counter
retires every key that uses it with one incr().
"""

from __future__ import annotations

import time

from django.core.cache import caches
from django.db.models import F

from ..models import Book

PRICE_CACHE = "locmem"
PRICES_VERSION_KEY = "prices:version"


def prices_version() -> int:
    """The version every price key is read and written with; created from the clock, like books:gen."""
    return caches[PRICE_CACHE].get_or_set(PRICES_VERSION_KEY, time.time_ns, None)


def cached_prices(pks: list[int]) -> dict[int, str]:
    """Each book's price, cache-aside under the current prices version."""
    cache, version = caches[PRICE_CACHE], prices_version()
    prices = {}
    for pk in pks:
        price = cache.get(f"price:{pk}", version=version)
        if price is None:
            price = str(Book.objects.values_list("price", flat=True).get(pk=pk))
            cache.set(f"price:{pk}", price, 300, version=version)
        prices[pk] = price
    return prices


def cut_prices(pks: list[int]) -> int:
    """A bulk write: one UPDATE, no signals, every cached price above is now stale."""
    return Book.objects.filter(pk__in=pks).update(price=F("price") - 1)


def forget_prices(pks: list[int]) -> None:
    """delete(): one key per book you can name. A key you forget stays stale."""
    caches[PRICE_CACHE].delete_many([f"price:{pk}" for pk in pks], version=prices_version())


def move_price(pk: int) -> int:
    """incr_version(): readers of the current version miss, but the old value is copied, not dropped."""
    return caches[PRICE_CACHE].incr_version(f"price:{pk}", version=prices_version())


def prices_changed() -> None:
    """One incr() of the counter: every price key, named or not, is read under a new version from now on."""
    try:
        caches[PRICE_CACHE].incr(PRICES_VERSION_KEY)
    except ValueError:  # the counter was evicted: the next read starts a new version anyway
        pass
