"""Caching, lesson 8: write the tests. The checks run them against the right code and against broken versions."""

from contextlib import contextmanager
from functools import partial

from django.core.cache import caches

from lab.exercises import Fail, exercise
from sandbox.models import Book

from . import caching_shop
from .caching_kit import run_testcases

HEAD = """from django.conf import settings
from django.core.cache import caches
from django.test import TestCase, override_settings

from exercises import caching_shop as shop  # shop.book_count() caches in caches["catalogue"]

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "my-tests"}


@override_settings(CACHES={**settings.CACHES, "catalogue": LOCMEM})
class BookCountTests(TestCase):
"""
SETUP = """    def setUp(self):
        caches["catalogue"].clear()

"""
TEST = """    def test_a_miss_then_a_hit(self):
        with self.assertNumQueries(1):
            first = shop.book_count()
        with self.assertNumQueries(0):
            self.assertEqual(shop.book_count(), first)
"""
ex = exercise(
    "caching.test-a-cache",
    title="A test that catches a broken cache",
    lesson="caching/08-testing-caches",
    prompt=(
        "`shop.book_count()` returns the number of books, cached in the `catalogue` alias. Write "
        "`BookCountTests` so that it **passes** against this code and **fails** against code that caches "
        "nothing, or that sends two queries on a miss. Each test must start with an empty cache, so your tests "
        "pass however often they run. The checks run your tests (unittest, in your browser), then swap "
        "`shop.book_count` for broken versions and run them again: call it as `shop.book_count()`."
    ),
    starter=HEAD
    + """    def test_it_counts_the_books(self):
        self.assertEqual(shop.book_count(), shop.book_count())
""",
    solution=HEAD + SETUP + TEST,
    hints=(
        "A cache hit is a call that runs no query: `with self.assertNumQueries(0):`.",
        "Pin the miss too: the first call must run exactly one query, `assertNumQueries(1)`.",
        'A local-memory store outlives every test: `caches["catalogue"].clear()` in `setUp`.',
    ),
    mistakes={
        HEAD + TEST: "passed once and failed the next time",
        HEAD
        + SETUP
        + """    def test_a_hit(self):
        shop.book_count()
        with self.assertNumQueries(0):
            shop.book_count()
""": "sends two queries on a miss",
    },
)


@contextmanager
def book_count_is(fn):
    real = caching_shop.book_count
    caching_shop.book_count = fn
    try:
        yield
    finally:
        caching_shop.book_count = real


def uncached():
    return Book.objects.count()


def two_queries_on_a_miss():
    cache = caches[caching_shop.CATALOGUE]
    count = cache.get("book-count")
    if count is None:
        Book.objects.exists()  # a wasted query
        count = Book.objects.count()
        cache.set("book-count", count, 300)
    return count


def empty_their_stores(module):
    """Empty the local-memory stores the learner's test classes install: an earlier attempt may have filled them."""
    from django.core.cache.backends import locmem

    for value in vars(module).values():
        for config in ((getattr(value, "_overridden_settings", None) or {}).get("CACHES") or {}).values():
            if config.get("BACKEND", "").endswith("LocMemCache"):
                locmem._caches.get(config.get("LOCATION", ""), {}).clear()
                locmem._expire_info.get(config.get("LOCATION", ""), {}).clear()


def _run(attempt, fresh=True):
    if fresh:
        empty_their_stores(attempt.learner)
    ran, failed = run_testcases(attempt.learner)
    if not ran:
        raise Fail("No test ran: define a TestCase class with test_... methods.")
    return failed


@ex.check("Your tests pass against the right code, run after run")
def passes(attempt):
    failed = _run(attempt)
    if failed:
        raise Fail("Your tests fail against the right code: " + "; ".join(failed))
    again = _run(attempt, fresh=False)
    if again:
        raise Fail(
            "Your tests passed once and failed the next time: " + "; ".join(again) + ". The cache kept the first "
            'run\'s entry: empty it before every test with caches["catalogue"].clear() in setUp.'
        )


@ex.check("They fail when book_count() caches nothing")
def catches_no_cache(attempt):
    with book_count_is(uncached):
        failed = _run(attempt)
    if not failed:
        raise Fail(
            "Your tests pass against a book_count() that caches nothing: pin the hit, a second call that runs "
            "no query, with assertNumQueries(0)."
        )


@ex.check("They fail when a miss sends two queries")
def catches_two_queries(attempt):
    with book_count_is(two_queries_on_a_miss):
        failed = _run(attempt)
    if not failed:
        raise Fail(
            "Your tests pass against a book_count() that sends two queries on a miss: pin the miss too, with "
            "assertNumQueries(1) around the first call."
        )


@ex.run
def show(lab, attempt):
    empty_their_stores(attempt.learner)
    step = lab.step("Run your tests", partial(run_testcases, attempt.learner), key="right")
    step.fact("ran", step.result[0], "tests run")
    step.fact("failed", step.result[1], "failed")
    with book_count_is(uncached):
        broken = lab.step(
            "Run them against a book_count() that caches nothing", lambda: run_testcases(attempt.learner), key="broken"
        )
    broken.fact("failed", broken.result[1], "failed")
    lab.headline(
        f"Right code: {len(step.result[1])} of {step.result[0]} failed; "
        f"no cache: {len(broken.result[1])} of {broken.result[0]} failed"
    )
