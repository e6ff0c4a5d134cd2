"""Subqueries (ORM lesson 4): the shapes that go wrong, Exists, and a filter() that drops the zeros."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery

from ..models import Book, Publisher, Review
from ..queries_orm import latest_review


def latest_stars_without_slice() -> QuerySet:
    # Forgot [:1]: the subquery may return several rows for one book.
    return Book.objects.annotate(latest_stars=Subquery(latest_review())).order_by("title")


def latest_review_two_columns() -> QuerySet:
    two = Review.objects.filter(book=OuterRef("pk")).values("stars", "created")[:1]
    return Book.objects.annotate(latest=Subquery(two)).order_by("title")


def count_outer_ref_queryset() -> int:
    return latest_review().count()  # run the inner queryset on its own


def books_with_reviews() -> QuerySet:
    return Book.objects.filter(Exists(Review.objects.filter(book=OuterRef("pk")))).order_by("title")


def publishers_with_cheap_books(under: Decimal = Decimal("10")) -> QuerySet:
    # The condition in WHERE removes every publisher without a cheap book: no row, not a 0.
    return Publisher.objects.filter(book__price__lt=under).annotate(cheap_books=Count("book")).order_by("name")
