"""Caching, lesson 6: writes that do and do not evict the bestsellers widget, and generation keys.

The widget and the receiver that evicts it after a commit live in
`sandbox/receivers/caching.py`. Signals fire only for `save()` and `delete()`:
`update()`, `bulk_*` and raw SQL must invalidate on their own, and a
generation key retires any number of cached lists with one `incr()`.
"""

from __future__ import annotations

import time
from decimal import Decimal

from django.core.cache import caches
from django.db import transaction
from django.db.models import F

from ..models import Book
from ..receivers.caching import BESTSELLERS_KEY, WIDGET_CACHE

LIST_CACHE = "locmem"
GENERATION_KEY = "books:gen"


def raise_price(book: Book, amount: Decimal) -> Decimal:
    """save(): post_save fires, and the widget's receiver schedules its eviction for after the commit."""
    book.price += amount
    book.save()
    return book.price


def reprice_with_update(pk: int, amount: Decimal) -> int:
    """update() is one UPDATE statement: no save(), so no signal and no receiver."""
    return Book.objects.filter(pk=pk).update(price=F("price") + amount)


def forget_bestsellers() -> None:
    """After a write that sends no signal, evict the widget yourself."""
    caches[WIDGET_CACHE].delete(BESTSELLERS_KEY)


def reprice_in_a_transaction(book: Book, price: Decimal) -> bool:
    """Save inside atomic(); return whether the widget was still cached just before COMMIT."""
    with transaction.atomic():
        book.price = price
        book.save()
        cached_before_commit = caches[WIDGET_CACHE].has_key(BESTSELLERS_KEY)
    # COMMIT happened here: the on_commit callbacks (the eviction) have run.
    return cached_before_commit


# -- generation keys -----------------------------------------------------------


def current_generation() -> int:
    """books:gen, created on first use from the clock, not from 1: if the counter is ever evicted,
    a new one must not reuse an old generation whose lists may still be cached."""
    return caches[LIST_CACHE].get_or_set(GENERATION_KEY, time.time_ns, None)


def book_list_key(page: int) -> str:
    return f"books:list:{current_generation()}:{page}"


def cached_book_list(page: int, per_page: int = 3) -> list[dict]:
    """One page of the catalogue, cached under the current generation."""
    start = (page - 1) * per_page
    return caches[LIST_CACHE].get_or_set(
        book_list_key(page),
        lambda: list(Book.objects.order_by("pk").values("pk", "title", "price")[start : start + per_page]),
        300,
    )


def discount_publisher(publisher_id: int, percent: int) -> int:
    """A bulk write: one UPDATE, no signals. Every cached list that shows these books is now stale."""
    return Book.objects.filter(publisher_id=publisher_id).update(price=F("price") * (100 - percent) / 100)


def books_changed() -> None:
    """Move every book list to a new generation: the old entries are never read again and expire on their own."""
    try:
        caches[LIST_CACHE].incr(GENERATION_KEY)  # atomic on Redis and Memcached
    except ValueError:  # the counter was evicted: the next read starts a new generation anyway
        pass
