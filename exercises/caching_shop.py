"""The code the testing exercise (caching.test-a-cache) tests: the shop's book count, cached.

A module of its own so the learner's tests call it as `shop.book_count()`, and the checks can swap in
broken versions of it to see whether those tests notice.
"""

from django.core.cache import caches

from sandbox.models import Book

CATALOGUE = "catalogue"


def book_count():
    """The number of books, cached for five minutes in the `catalogue` cache."""
    return caches[CATALOGUE].get_or_set("book-count", Book.objects.count, 300)
