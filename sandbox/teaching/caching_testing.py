"""Testing cached code (caching lesson 8): real Django tests, the kind a project keeps in tests/test_caching.py.

They are TestCases like any other: `manage.py test` would run them if this
module were named test_*.py. The lesson runs each class in-process and shows
the outcome.

The code under test reads its cache through the alias `catalogue`. Each test
class installs that alias with `override_settings(CACHES=...)`, keeping the
site's other aliases as they are: replacing the whole setting would take the
sessions' and the rate limits' caches away from everything else that runs
while the tests do.
"""

from __future__ import annotations

from uuid import uuid4

from django.conf import settings
from django.core.cache import caches
from django.test import TestCase, override_settings

from ..models import Book, Publisher

CATALOGUE = "catalogue"
LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "catalogue-tests"}
DUMMY = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}


def book_count() -> int:
    """The code under test: the number of books, cached for five minutes."""
    return caches[CATALOGUE].get_or_set("book-count", Book.objects.count, 300)


def with_catalogue(config: dict) -> override_settings:
    """CACHES as the site has it, plus the `catalogue` alias the tests choose."""
    return override_settings(CACHES={**settings.CACHES, CATALOGUE: config})


@with_catalogue(LOCMEM)
class BookCountTests(TestCase):
    def setUp(self):
        # A local-memory store outlives override_settings and every test: empty it before each one.
        caches[CATALOGUE].clear()

    def test_the_second_call_runs_no_query(self):
        with self.assertNumQueries(1):
            first = book_count()
        with self.assertNumQueries(0):  # a hit
            self.assertEqual(book_count(), first)

    def test_a_new_book_shows_once_the_count_is_forgotten(self):
        before = book_count()
        Book.objects.create(title="New", price=1, pages=1, rating=3, stock=1, publisher=Publisher.objects.first())
        self.assertEqual(book_count(), before)  # still cached: stale, as expected
        caches[CATALOGUE].delete("book-count")
        self.assertEqual(book_count(), before + 1)


@with_catalogue(LOCMEM)
class BookCountTestsWithoutClear(TestCase):
    """The store emptied once for the class, not before each test: the second test finds the first one's entry."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()  # installs the class's override_settings
        caches[CATALOGUE].clear()

    def test_1_fills_the_cache(self):
        with self.assertNumQueries(1):
            book_count()

    def test_2_expects_a_miss(self):
        with self.assertNumQueries(1):  # fails: the count from test_1 is still cached
            book_count()


@with_catalogue(DUMMY)
class BookCountTestsWithoutACache(TestCase):
    """DummyCache stores nothing: every call takes the code path of a miss."""

    def test_every_call_queries(self):
        for _ in range(2):
            with self.assertNumQueries(1):
                book_count()


class CachedPageTests(TestCase):
    """cache_page through the test Client and the site's whole middleware stack."""

    def test_the_second_response_comes_from_the_cache(self):
        url = f"/sandbox/caching/stamp/?test={uuid4().hex}"  # a page no earlier test (or run) cached
        first = self.client.get(url)
        second = self.client.get(url)
        self.assertEqual(first["Cache-Control"], "max-age=60")
        self.assertIn("Expires", first)
        self.assertNotIn("Age", first)
        self.assertIn("Age", second)  # only a response served from the cache has an Age
        self.assertEqual(second.content, first.content)
