"""Aggregation (ORM lesson 3): empty sets, conditional counts, what decides the GROUP BY, alias()."""

from __future__ import annotations

from django.db.models import Avg, Count, Max, Q, QuerySet, Sum

from ..models import Author, Book, Order, Review

# -- Empty sets -------------------------------------------------------------------------


def aggregate_nothing() -> dict:
    # No book costs more than 1000: every aggregate runs over an empty set.
    return Book.objects.filter(price__gt=1000).aggregate(
        total=Sum("price"), average=Avg("price"), n=Count("pk"), total_or_zero=Sum("price", default=0)
    )


def count_with_a_default() -> Count:
    return Count("pk", default=0)  # COUNT over no rows is already 0, so Django refuses a default


def average_review_date() -> dict:
    return Review.objects.aggregate(average_date=Avg("created"))


def latest_review_date() -> dict:
    return Review.objects.aggregate(latest=Max("created"))


# -- Conditional aggregation ----------------------------------------------------------------


def count_high_and_low(threshold: float = 4) -> dict:
    # Two counts in one pass: each aggregate counts only the rows its filter= matches.
    return Book.objects.aggregate(
        high=Count("pk", filter=Q(rating__gte=threshold)),
        low=Count("pk", filter=Q(rating__lt=threshold)),
    )


# -- GROUP BY ---------------------------------------------------------------------------------


def books_per_publisher(ordering: tuple[str, ...] = ("publisher__name",)) -> QuerySet:
    # values() BEFORE annotate() sets the GROUP BY; every ordering field joins it too.
    return Book.objects.values("publisher__name").annotate(n=Count("pk")).order_by(*ordering)


def book_counts_then_values() -> QuerySet:
    # values() AFTER annotate() only picks the columns: still one group (and one row) per book.
    return Book.objects.annotate(n=Count("pk")).values("publisher__name", "n").order_by("publisher__name")


def books_per_author_age() -> QuerySet:
    # Author's Meta.ordering = ["name"] is not applied to a GROUP BY query.
    return Author.objects.values("age").annotate(books=Count("book"))


# -- alias() --------------------------------------------------------------------------------


def order_ids_with_many_items(min_items: int = 10) -> QuerySet:
    # alias() when the count is only needed for the filter: the same HAVING, one column less to send back.
    return Order.objects.alias(total_items=Count("items")).filter(total_items__gt=min_items)
