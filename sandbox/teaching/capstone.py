"""The capstone: the slow bookshop page, and its fixes one at a time. Plain Django.

Each `rows_*` function returns the same rows (one per book: title, publisher,
authors, number of reviews, average stars); they differ only in how much
work a request does. `sandbox.endpoints.capstone` serves them as a page and
`BookshopPageBudgetTests` pins the fixed page's query count.
"""

from __future__ import annotations

from django.core.cache import caches
from django.db.models import Avg, Count
from django.test import TestCase, override_settings
from django.utils import timezone

from ..models import Book, Review

PAGE_CACHE = "locmem"
PAGE_KEY = "capstone:bookshop-page"
PAGE_TIMEOUT = 300  # seconds: the longest a page may be stale when nobody forgets it


def _row(book, authors, stars_count, stars_average) -> dict:
    return {
        "title": book.title,
        "publisher": book.publisher.name,
        "authors": ", ".join(author.name for author in authors),
        "reviews": stars_count,
        "average": None if stars_average is None else round(stars_average, 2),
    }


def rows_slow() -> list[dict]:
    """As first written: per book, one query for its publisher, one for its authors, one for its reviews."""
    rows = []
    for book in Book.objects.order_by("title"):
        stars = [review.stars for review in book.reviews.all()]  # the average, recomputed in Python
        average = sum(stars) / len(stars) if stars else None
        rows.append(_row(book, book.authors.all(), len(stars), average))
    return rows


def rows_loaded() -> list[dict]:
    """Fix 1: the publisher joined in, the authors and reviews prefetched: 3 queries, whatever the number of books."""
    books = Book.objects.select_related("publisher").prefetch_related("authors", "reviews").order_by("title")
    rows = []
    for book in books:
        stars = [review.stars for review in book.reviews.all()]  # still every review row, to count and average
        average = sum(stars) / len(stars) if stars else None
        rows.append(_row(book, book.authors.all(), len(stars), average))
    return rows


def rows_annotated() -> list[dict]:
    """Fix 2: the database counts and averages each book's reviews in the books' own query."""
    books = (
        Book.objects.select_related("publisher")
        .prefetch_related("authors")
        .annotate(stars_count=Count("reviews"), stars_average=Avg("reviews__stars"))
        .order_by("title")
    )
    return [_row(book, book.authors.all(), book.stars_count, book.stars_average) for book in books]


def rows_cached() -> list[dict]:
    """Fix 3: the finished rows from the cache; only a miss runs rows_annotated()."""
    return caches[PAGE_CACHE].get_or_set(PAGE_KEY, rows_annotated, PAGE_TIMEOUT)


def forget_page() -> None:
    caches[PAGE_CACHE].delete(PAGE_KEY)


def add_review(book_id: int, customer_id: int, stars: int) -> Review:
    """A write that changes the page, and nothing else: the cached rows stay as they were."""
    return Review.objects.create(book_id=book_id, customer_id=customer_id, stars=stars, created=timezone.now())


def add_review_and_forget_page(book_id: int, customer_id: int, stars: int) -> Review:
    """Fix 4: the code that changes what the page shows forgets the cached page."""
    review = Review.objects.create(book_id=book_id, customer_id=customer_id, stars=stars, created=timezone.now())
    forget_page()
    return review


@override_settings(MIDDLEWARE=["sandbox.middleware.ServerTimingMiddleware"])
class BookshopPageBudgetTests(TestCase):
    """The page's query budget, pinned: a change that brings back an N+1 fails here, not in production."""

    fixes = "cache"

    def setUp(self):
        forget_page()  # every test starts from a cold cache

    def test_a_first_visit_stays_within_two_queries(self):
        with self.assertNumQueries(2):  # the books with publishers and review numbers; their authors
            response = self.client.get("/sandbox/capstone/books/", {"fixes": self.fixes})
        self.assertEqual(response["X-Lab-Queries"], "2")

    def test_a_second_visit_runs_no_query(self):
        self.client.get("/sandbox/capstone/books/", {"fixes": self.fixes})
        with self.assertNumQueries(0):
            self.client.get("/sandbox/capstone/books/", {"fixes": self.fixes})
