"""Caching track, lesson 6: keeping a cache fresh, and many misses at once.

The bestsellers widget and its receiver live in sandbox/receivers/caching.py.
Two demos show when the receiver's on_commit eviction runs (never in a
rolled-back transaction; right after COMMIT otherwise) and what update() does
not evict. The stampede demo sends several threads at one cold key.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter

from django import forms
from django.core.cache import caches
from django.db import connections, transaction
from django.db.models import F

from lab.recorder import in_context
from lab.registry import demo
from lab.signals import receiver_name
from sandbox.models import Book, Publisher
from sandbox.receivers.caching import BESTSELLERS_KEY, WIDGET_CACHE, cached_bestsellers, evict_bestsellers

from .caching_backends import BackendForm, require_backend


@demo(
    "caching.invalidation",
    title="Invalidation in a transaction that is rolled back",
    description="Caches the bestsellers widget, saves a book (the receiver schedules an eviction on commit), "
    "then changes a price with update(), which sends no signal. Everything is rolled back afterwards.",
    reports=("cache", "signals", "sql"),
)
def invalidation(lab, data):
    cache = caches[WIDGET_CACHE]
    with lab.step("Cache the widget", code="cache.get_or_set('bestsellers', bestsellers, 300)") as step:
        cache.delete(BESTSELLERS_KEY)  # start cold
        top = cached_bestsellers()[0]
        step.fact("top book", top["title"])
        step.fact("cached price", top["price"])
    with lab.step("save() a book: post_save schedules the eviction", code="book.price += 1\nbook.save()") as step:
        book = Book.objects.get(pk=top["pk"])
        book.price += 1
        book.save()
        step.fact("still cached (on_commit waits for COMMIT)", cache.has_key(BESTSELLERS_KEY))
        step.note("This run is rolled back at the end, so the on_commit callback is discarded and never runs.")
    with lab.step(
        "update() sends no signal: the widget is now stale",
        code="Book.objects.filter(pk=pk).update(price=F('price') + 10)",
    ) as step:
        Book.objects.filter(pk=top["pk"]).update(price=F("price") + 10)
        step.fact("cached price", cached_bestsellers()[0]["price"])
        step.fact("database price", Book.objects.values_list("price", flat=True).get(pk=top["pk"]))
    with lab.step("Invalidate explicitly after update()", code="cache.delete('bestsellers')") as step:
        cache.delete(BESTSELLERS_KEY)
        step.fact("cached price", cached_bestsellers()[0]["price"])
        cache.delete(BESTSELLERS_KEY)


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
)
def invalidation_commit(lab, data):
    if data["receiver_off"]:
        lab.disabled_receivers.add(receiver_name(evict_bestsellers))
    cache = caches[WIDGET_CACHE]
    with lab.step("Create a book of your own", code="Book.objects.create(..., learner=learner)"):
        # Under a publisher of your own too: no canonical row ever gains a child,
        # so another learner's cascade or count never sees yours.
        publisher = Publisher.objects.create(name=f"Lab publisher {lab.learner}", learner=lab.learner)
        book = Book.objects.create(
            title=f"Lab book {lab.learner}",
            price=10,
            pages=1,
            rating=1,
            stock=0,
            publisher=publisher,
            learner=lab.learner,
        )
    try:
        with lab.step("Cache the widget", code="cache.get_or_set('bestsellers', bestsellers, 300)") as step:
            cached_bestsellers()
            step.fact("cached", cache.has_key(BESTSELLERS_KEY))
        with lab.step(
            "save() inside atomic(), then COMMIT",
            code="with transaction.atomic():\n    book.price = 12\n    book.save()\n# COMMIT: on_commit callbacks run",
        ) as step:
            with transaction.atomic():
                book.price = 12
                book.save()
                step.fact("cached inside the block", cache.has_key(BESTSELLERS_KEY))
            step.fact("cached after COMMIT", cache.has_key(BESTSELLERS_KEY))
        with lab.step(
            "update() after the widget is cached again",
            code="cached_bestsellers()\nBook.objects.filter(pk=book.pk).update(price=99)",
        ) as step:
            cached_bestsellers()
            Book.objects.filter(pk=book.pk, learner=lab.learner).update(price=99)
            step.fact("cached after update()", cache.has_key(BESTSELLERS_KEY))
    finally:
        with lab.step("Clean up: delete your book and the widget"):
            Publisher.objects.filter(learner=lab.learner, pk=publisher.pk).delete()  # cascades to the book
            cache.delete(BESTSELLERS_KEY)


# -- stampedes --------------------------------------------------------------------


def get_or_compute_with_lock(cache, key, compute, timeout=60, lock_timeout=10, wait=5.0):
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


class StampedeForm(BackendForm):
    threads = forms.IntegerField(label="Threads missing at once", min_value=2, max_value=16, initial=8)


@demo(
    "caching.stampede",
    title="A cache stampede, and an add() lock that stops it",
    form=StampedeForm,
    description="Starts several threads at the same moment on one cold key, first with get_or_set(), then with an "
    "add()-based lock, and counts how many times the expensive function ran.",
    commits=True,  # no model writes; threads need a cache outside the demo's transaction (db)
    reports=("cache",),
    time_limit=20,
)
def stampede(lab, data):
    alias, n = data["backend"], data["threads"]
    if not require_backend(lab, alias):
        return
    cache = caches[alias]
    runs: Counter = Counter()
    lock = threading.Lock()

    def expensive(variant):
        def compute():
            with lock:
                runs[variant] += 1
            time.sleep(0.1)  # stands for the bestsellers query; long enough for the misses to overlap
            return f"computed by {threading.current_thread().name}"

        return compute

    # Each thread makes its own cache object, as caches[alias] does (a memcached client is not thread-safe).
    variants = {
        "get_or_set": (
            "cache.get_or_set(key, expensive, 60)",
            lambda key: caches[alias].get_or_set(key, expensive("get_or_set"), 60),
        ),
        "add() lock": (
            "get_or_compute_with_lock(cache, key, expensive)",
            lambda key: get_or_compute_with_lock(caches[alias], key, expensive("add() lock")),
        ),
    }
    keys = []
    try:
        for variant, (code, call) in variants.items():
            key = f"stampede:{secrets.token_hex(4)}"  # a new, cold key per run
            keys += [key, f"{key}:lock"]
            with lab.step(f"{n} threads, {variant}", code=code) as step:
                failed = _all_at_once(n, call, key)
                step.fact("expensive() ran", runs[variant])
                step.fact("threads", n)
                if failed:  # e.g. SQLite refusing concurrent writers to the cache table
                    step.fact("threads that raised", len(failed))
                    step.note(f"A thread raised {type(failed[0]).__name__}: {failed[0]}")
    finally:
        with lab.step("Clean up: delete this run's keys"):
            cache.delete_many(keys)


def _all_at_once(n, func, *args) -> list[Exception]:
    """Run `func(*args)` in `n` threads released together by a barrier; return what the threads raised.

    Each thread records into this run. An exception in a thread would otherwise
    only reach the server's stderr; the report shows it instead.
    """
    barrier = threading.Barrier(n)
    failed: list[Exception] = []

    def worker():
        barrier.wait()
        try:
            func(*args)
        except Exception as exc:
            failed.append(exc)
        finally:
            connections.close_all()  # this thread's own database connections (db)

    threads = [threading.Thread(target=in_context(worker)) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return failed
