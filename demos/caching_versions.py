"""Caching track, lesson 6: delete(), incr_version() and a version counter, side by side on the same prices."""

from __future__ import annotations

from functools import partial

from django.core.cache import caches

from lab.recorder import paused
from lab.registry import Prediction, demo
from sandbox.models import Book
from sandbox.teaching.caching_versions import (
    PRICE_CACHE,
    PRICES_VERSION_KEY,
    cached_prices,
    cut_prices,
    forget_prices,
    move_price,
    prices_changed,
    prices_version,
)

from .caching_kit import answer_of


def _stale(step, pks) -> list[int]:
    """The books whose price the step returned differs from the database's."""
    with paused():
        fresh = {pk: str(price) for pk, price in Book.objects.filter(pk__in=pks).values_list("pk", "price")}
    return step.fact("stale", [pk for pk in pks if step.result[pk] != fresh[pk]], "books shown with an old price")


@demo(
    "caching.version-keys",
    title="delete(), incr_version() or a version counter: retiring cached prices",
    description="Caches three prices, cuts them with one update() (no signal), then retires the cached values "
    "three ways and reads them back. Rolled back afterwards.",
    reports=("cache", "sql"),
    predictions=(
        Prediction(
            "After one incr() of prices:version, how many of the three prices does the next read fetch from "
            "the database?",
            ("0", "1", "3"),
            answer=answer_of("after_counter", "queries", str),
            explain="Every price key is read under the counter's value: a new version is a new key for all of "
            "them, named or not.",
            see="#deleting-moving-or-renumbering",
        ),
    ),
)
def version_keys(lab, data):
    pks = list(Book.objects.order_by("pk").values_list("pk", flat=True)[:3])
    lab.step("Cache three prices", partial(cached_prices, pks), key="cache_prices")
    lab.step("A bulk price cut with update(): no signal", partial(cut_prices, pks), key="cut")
    lab.step("delete() the two keys you remembered", partial(forget_prices, pks[:2]), key="delete")
    step = lab.step("Read the three prices", partial(cached_prices, pks), key="after_delete")
    step.fact("queries", len(step.queries), "queries")
    _stale(step, pks)
    step = lab.step("incr_version() on the forgotten key", partial(move_price, pks[2]), key="incr_version")
    with paused():
        cache, version = caches[PRICE_CACHE], prices_version()
        step.fact("current", cache.get(f"price:{pks[2]}", version=version), "value under the current version")
        step.fact("moved", cache.get(f"price:{pks[2]}", version=step.result), "value under the version it returned")
        cache.delete(f"price:{pks[2]}", version=step.result)
    step = lab.step("Read the three prices", partial(cached_prices, pks), key="after_incr_version")
    step.fact("queries", len(step.queries), "queries")
    _stale(step, pks)
    step = lab.step("prices_changed(): one incr() of prices:version", prices_changed, key="counter")
    step.fact("ops", [op.op for op in step.cache_ops], "cache calls made")
    step = lab.step("Read the three prices", partial(cached_prices, pks), key="after_counter")
    step.fact("queries", len(step.queries), "queries")
    _stale(step, pks)
    with paused():  # the prices are rolled back: leave no entry behind
        cache = caches[PRICE_CACHE]
        cache.delete_many([f"price:{pk}" for pk in pks], version=prices_version())
        cache.delete(PRICES_VERSION_KEY)
    forgotten = lab.get("after_delete").facts["stale"]
    lab.headline(
        f"delete() of 2 named keys left {len(forgotten)} of 3 prices stale; one incr() of the version re-read "
        f"{step.facts['queries']} of 3",
        focus=step,
    )
