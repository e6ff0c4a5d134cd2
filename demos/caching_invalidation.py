"""Caching track, lesson 6: keeping a cache fresh.

The bestsellers widget and its receiver live in sandbox/receivers/caching.py.
Two demos show when the receiver's on_commit eviction runs (never in a
rolled-back transaction; right after COMMIT otherwise) and what update() does
not evict; a third retires cached lists with a generation key.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from django import forms
from django.core.cache import caches

from lab.recorder import paused
from lab.registry import Prediction, demo
from lab.signals import receiver_name
from sandbox.models import Book, Publisher
from sandbox.receivers.caching import BESTSELLERS_KEY, WIDGET_CACHE, cached_bestsellers, evict_bestsellers
from sandbox.teaching.caching_invalidation import (
    LIST_CACHE,
    book_list_key,
    books_changed,
    cached_book_list,
    discount_publisher,
    forget_bestsellers,
    raise_price,
    reprice_in_a_transaction,
    reprice_with_update,
)

from .caching_kit import answer_of, yes_no


def _is_cached(key: str = BESTSELLERS_KEY, alias: str = WIDGET_CACHE) -> bool:
    with paused():  # an observation, not the lesson's cache call
        return caches[alias].has_key(key)


def _read_widget(lab, label: str, key: str, pk: int):
    """cached_bestsellers() as a step; its facts: the book's price in the widget, and in the database."""
    step = lab.step(label, cached_bestsellers, key=key)
    step.fact("cached_price", next(row["price"] for row in step.result if row["pk"] == pk), "price in the widget")
    with paused():
        step.fact("database_price", Book.objects.values_list("price", flat=True).get(pk=pk), "price in the database")
    return step


@demo(
    "caching.invalidation",
    title="Invalidation in a transaction that is rolled back",
    description="Caches the bestsellers widget, saves a book (the receiver schedules an eviction on commit), "
    "then changes a price with update(), which sends no signal. Everything is rolled back afterwards.",
    reports=("cache", "signals", "sql"),
    predictions=(
        Prediction(
            "After book.save() in this run (a transaction that is rolled back), is the widget still cached?",
            ("yes", "no"),
            answer=answer_of("raise_price", "still_cached", yes_no),
            explain="The receiver asks on_commit to evict; the run never commits, so the eviction never runs.",
            see="#demo-a-rolled-back-run",
        ),
    ),
)
def invalidation(lab, data):
    lab.step("Start cold: forget the widget", forget_bestsellers, key="start_cold")
    step = lab.step("Cache the widget", cached_bestsellers, key="cache_widget")
    top = step.result[0]
    step.fact("top_book", top["title"], "top book")
    step.fact("cached_price", top["price"], "its price in the widget")
    book = Book.objects.get(pk=top["pk"])
    step = lab.step("save() a book: post_save schedules the eviction", partial(raise_price, book, Decimal(1)))
    step.fact("still_cached", _is_cached(), "still cached (on_commit waits for COMMIT)")
    lab.step("update() sends no signal", partial(reprice_with_update, top["pk"], Decimal(10)), key="update")
    stale = _read_widget(lab, "Read the widget after update()", "after_update", top["pk"])
    lab.step("Invalidate explicitly after update()", forget_bestsellers, key="forget")
    fresh = _read_widget(lab, "Read the widget again", "after_forget", top["pk"])
    with paused():
        caches[WIDGET_CACHE].delete(BESTSELLERS_KEY)  # this run's prices are rolled back: don't leave them cached
    lab.headline(
        f"After update() the widget still said {stale.facts['cached_price']} while the database said "
        f"{stale.facts['database_price']}; after delete(): {fresh.facts['cached_price']}",
        focus=stale,
    )


class CommitForm(forms.Form):
    receiver_off = forms.BooleanField(
        required=False, label="Switch the evict_bestsellers receiver off for this run", initial=False
    )


@demo(
    "caching.invalidation-commit",
    form=CommitForm,
    title="Invalidation after a real COMMIT",
    description="Saves a book of your own inside atomic(): the widget stays cached until the block commits, then "
    "the receiver's on_commit callback evicts it. Your book is deleted at the end.",
    commits=True,
    reports=("cache", "signals", "sql"),
    predictions=(
        Prediction(
            "Right after the atomic() block commits, is the widget still cached?",
            ("yes", "no"),
            answer=answer_of("commit", "cached_after_commit", yes_no),
            explain="With the receiver on, its on_commit callback deletes the key at COMMIT; switched off, "
            "nothing evicts it.",
            see="#demo-a-real-commit",
        ),
    ),
)
def invalidation_commit(lab, data):
    if data["receiver_off"]:
        lab.disabled_receivers.add(receiver_name(evict_bestsellers))
    # Set-up, not the lesson: a publisher and a book of this learner's own, so no canonical row ever
    # gains a child and another learner's cascade or count never sees them.
    publisher = Publisher.objects.create(name=f"Lab publisher {lab.learner}", learner=lab.learner)
    book = Book.objects.create(
        title=f"Lab book {lab.learner}", price=10, pages=1, rating=1, stock=0, publisher=publisher, learner=lab.learner
    )
    try:
        step = lab.step("Cache the widget", cached_bestsellers, key="cache_widget")
        step.fact("cached", _is_cached(), "cached")
        step = lab.step(
            "save() inside atomic(), then COMMIT", partial(reprice_in_a_transaction, book, Decimal(12)), key="commit"
        )
        step.fact("cached_inside", step.result, "cached inside the block, before COMMIT")
        step.fact("cached_after_commit", _is_cached(), "cached after COMMIT")
        lab.step("Cache the widget again", cached_bestsellers, key="cache_again")
        step = lab.step("update() your book", partial(reprice_with_update, book.pk, Decimal(87)), key="update")
        step.fact("cached_after_update", _is_cached(), "cached after update()")
    finally:
        with paused():  # clean-up, unrecorded, and never stopped by the run's time limit
            Publisher.objects.filter(learner=lab.learner, pk=publisher.pk).delete()  # cascades to the book
            caches[WIDGET_CACHE].delete(BESTSELLERS_KEY)
    commit = lab.get("commit").facts
    lab.headline(
        f"Inside atomic(): cached {yes_no(commit['cached_inside'])}; right after COMMIT: cached "
        f"{yes_no(commit['cached_after_commit'])}; after update(): cached {yes_no(step.facts['cached_after_update'])}",
        focus=lab.get("commit"),
    )


# -- generation keys --------------------------------------------------------------------


@demo(
    "caching.generations",
    title="Generation keys: one incr() retires every cached list",
    description="Caches two pages of the catalogue under books:gen, discounts a publisher with update() (no "
    "signal: the lists are stale), then bumps the generation and reads page 1 again. Rolled back afterwards.",
    reports=("cache", "sql"),
    predictions=(
        Prediction(
            "After books_changed() bumps books:gen, does reading page 1 run a query?",
            ("yes", "no"),
            answer=answer_of("page_1_new", "queries", yes_no),
            explain="The page's key contains the generation: a new generation is a new key, so the read misses.",
            see="#many-keys-at-once-versions-and-generations",
        ),
    ),
)
def generations(lab, data):
    pages = {}
    for page in (1, 2):
        step = lab.step(
            f"Page {page}: cached under the current generation", partial(cached_book_list, page), key=f"page_{page}"
        )
        with paused():
            step.fact("key", book_list_key(page), "key")
        pages[page] = step
    first = pages[1].result[0]
    with paused():
        publisher = Book.objects.values_list("publisher_id", flat=True).get(pk=first["pk"])
    step = lab.step(
        "A bulk discount with update(): no signal", partial(discount_publisher, publisher, 10), key="discount"
    )
    step.fact("rows", step.result, "rows updated")
    stale = lab.step("Page 1 again: still the old prices", partial(cached_book_list, 1), key="page_1_stale")
    stale.fact("price", stale.result[0]["price"], "first book's price")
    lab.step("books_changed(): incr('books:gen')", books_changed, key="books_changed")
    step = lab.step("Page 1 after the bump: a new key, a miss", partial(cached_book_list, 1), key="page_1_new")
    step.fact("price", step.result[0]["price"], "first book's price")
    step.fact("queries", len(step.queries), "queries")
    with paused():
        step.fact("key", book_list_key(1), "key")
        old_keys = [pages[page].facts["key"] for page in pages]
        step.fact("old_keys_left", sum(caches[LIST_CACHE].has_key(key) for key in old_keys), "old entries left")
        caches[LIST_CACHE].delete_many([*old_keys, step.facts["key"]])  # the discount is rolled back
    lab.headline(
        f"One incr() moved page 1 to a new key: {len(step.queries)} "
        f"quer{'y' if len(step.queries) == 1 else 'ies'}, price {first['price']} → {step.facts['price']}",
        focus=step,
    )
