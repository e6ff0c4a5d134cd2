"""Window functions (ORM lesson 5): ranks, running totals, top-N per group, frames, and the filter Django refuses."""

from __future__ import annotations

from django.db.models import (
    Avg,
    Count,
    F,
    Q,
    QuerySet,
    RowRange,
    Sum,
    ValueRange,
    Window,
    WindowFrameExclusion,
)
from django.db.models.functions import Rank, RowNumber

from ..models import Book, Order, Publisher
from ..queries import named_query


@named_query("orm.price-rank")
def price_rank_within_publisher() -> QuerySet:
    return Book.objects.annotate(
        price_rank=Window(Rank(), partition_by=F("publisher"), order_by=F("price").desc())
    ).order_by("publisher__name", "price_rank")


@named_query("orm.running-total")
def running_total_of_price() -> QuerySet:
    return Book.objects.annotate(
        running_total=Window(Sum("price"), order_by=[F("price").asc(), F("pk").asc()])
    ).order_by("price", "pk")


def total_price_of_books() -> dict:
    return Book.objects.aggregate(total=Sum("price"))  # the running total's last row, in one row


@named_query("orm.frame-ties")
def running_count_by_rating() -> QuerySet:
    # Ordered by rating alone, the default frame (RANGE ... CURRENT ROW) takes in every book tied with this one;
    # a ROWS frame, with pk to break the ties, stops at this row.
    return Book.objects.annotate(
        range_frame=Window(Count("pk"), order_by=F("rating").asc()),
        rows_frame=Window(Count("pk"), order_by=[F("rating").asc(), F("pk").asc()], frame=RowRange(end=0)),
    ).order_by("rating", "pk")


@named_query("orm.top-per-publisher")
def top_book_per_publisher() -> QuerySet:
    # Filtering on a window makes Django wrap the query in a subquery (SQL has no QUALIFY).
    return (
        Book.objects.annotate(
            rk=Window(RowNumber(), partition_by=F("publisher"), order_by=[F("rating").desc(), F("title").asc()])
        )
        .filter(rk=1)
        .order_by("title")
    )


# -- Frames --------------------------------------------------------------------------------

BY_DATE = [F("created").asc(), F("pk").asc()]  # pk breaks ties, so the row order is deterministic


@named_query("orm.moving-average")
def moving_average_of_orders() -> QuerySet:
    return Order.objects.annotate(
        # ROWS BETWEEN 6 PRECEDING AND CURRENT ROW: this order and up to six before it.
        moving_avg=Window(Avg("total_price"), order_by=BY_DATE, frame=RowRange(start=-6, end=0)),
        # The same frame without this order itself (Django 5.1+): what it is compared with.
        others_avg=Window(
            Avg("total_price"),
            order_by=BY_DATE,
            frame=RowRange(start=-6, end=0, exclusion=WindowFrameExclusion.CURRENT_ROW),
        ),
    ).order_by("created", "pk")


@named_query("orm.frames")
def orders_around_each_order() -> QuerySet:
    # Since Django 5.1, a RowRange may end before the current row or start after it.
    return Order.objects.annotate(
        previous_3=Window(Sum("total_price"), order_by=BY_DATE, frame=RowRange(start=-3, end=-1)),
        next_2=Window(Count("pk"), order_by=BY_DATE, frame=RowRange(start=1, end=2)),
    ).order_by("created", "pk")


def orders_with_similar_totals(within: int = 10) -> QuerySet:
    # ValueRange counts by the ordering value: every order whose total is within `within` of this one's.
    return Order.objects.annotate(
        similar=Window(Count("pk"), order_by=F("total_price").asc(), frame=ValueRange(start=-within, end=within))
    ).order_by("total_price", "pk")


# -- Filtering on a window in an aggregating query --------------------------------------------


def publishers_ranked_by_books() -> QuerySet:
    return Publisher.objects.annotate(
        num_books=Count("book"),
        rank=Window(Rank(), order_by=F("num_books").desc()),
    ).order_by("name")


def top_or_small_publishers() -> QuerySet:
    # window OR aggregate: both conditions can be checked after grouping, so Django filters the wrapped query.
    return publishers_ranked_by_books().filter(Q(rank=1) | Q(num_books__lt=2))


def top_publishers_or_named(name: str = "C") -> QuerySet:
    # window OR a plain column: the column belongs in WHERE (before grouping), the window after it.
    return publishers_ranked_by_books().filter(Q(rank=1) | Q(name=name))
