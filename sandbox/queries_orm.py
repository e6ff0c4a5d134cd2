"""Named querysets for the Advanced ORM track.

A lesson shows one with `/// sql | orm.<slug>` (compiled for the database in
use); the demos call the very same functions, so the SQL in the prose is the
SQL the Run button sends. Each function returns an unevaluated QuerySet.
Lesson 5's window querysets live in sandbox/teaching/orm_windows.py, beside
the frames and the window filter that Django refuses.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Rank, TruncMonth

from .models import Book, Order, OrderItem, Publisher, Review, Store
from .queries import named_query

# -- O1 and the concept page ---------------------------------------------------


@named_query("orm.lazy")
def well_rated_books() -> QuerySet:
    return Book.objects.filter(rating__gte=4).order_by("title")


@named_query("orm.concept-total-items")
def orders_with_many_items(min_items: int = 10) -> QuerySet:
    # The concept page lost the underscores (`totalitems`) and curled the quotes (`‘items’`, a SyntaxError).
    return Order.objects.annotate(total_items=Count("items")).filter(total_items__gt=min_items)


@named_query("orm.concept-discounted")
def discounted_orders() -> QuerySet:
    # `total_price__gt`: field name, two underscores, lookup. F() reads the other column in SQL.
    return Order.objects.filter(total_price__gt=F("discounted_price"))


# -- O2: expressions -------------------------------------------------------------


@named_query("orm.price-band")
def books_with_price_band(premium_from: Decimal = Decimal("15")) -> QuerySet:
    return Book.objects.annotate(
        band=Case(
            When(price__gte=premium_from, then=Value("premium")),
            When(price__lt=8, then=Value("budget")),
            default=Value("standard"),
        )
    ).order_by("price")


@named_query("orm.same-row-filter")
def publishers_same_row() -> QuerySet:
    # One filter() call: the SAME book must be well rated and cheap.
    return Publisher.objects.filter(book__rating__gte=4, book__price__lt=8).order_by("name")


@named_query("orm.chained-filter")
def publishers_chained() -> QuerySet:
    # Two calls: each condition gets its own join, so different books may satisfy them.
    return Publisher.objects.filter(book__rating__gte=4).filter(book__price__lt=8).order_by("name")


# -- O3: aggregation -----------------------------------------------------------


@named_query("orm.annotate-then-filter")
def annotate_then_filter(distinct: bool = True) -> QuerySet:
    # The filter after annotate() adds a second join to book, so without distinct=True each book is counted twice.
    return (
        Publisher.objects.annotate(num_books=Count("book", distinct=distinct))
        .filter(book__rating__gt=3)
        .order_by("name")
    )


@named_query("orm.filter-then-annotate")
def filter_then_annotate() -> QuerySet:
    return Publisher.objects.filter(book__rating__gt=3).annotate(num_books=Count("book")).order_by("name")


@named_query("orm.join-inflation")
def authors_and_stores() -> QuerySet:
    # Two multi-valued joins in one query: every author row meets every store row.
    return Book.objects.annotate(na=Count("authors"), ns=Count("store")).order_by("title")


@named_query("orm.join-inflation-distinct")
def authors_and_stores_distinct() -> QuerySet:
    return Book.objects.annotate(na=Count("authors", distinct=True), ns=Count("store", distinct=True)).order_by("title")


@named_query("orm.stars-inflated")
def stars_and_stores_inflated() -> QuerySet:
    # distinct=True could fix the Count, but not the Sum: equal star values would be dropped.
    return Book.objects.annotate(stars=Sum("reviews__stars"), ns=Count("store")).order_by("title")


def stars_per_book() -> Subquery:
    """Total stars of the outer book, computed in its own query so no other join can multiply it."""
    return Subquery(
        Review.objects.filter(book=OuterRef("pk"))
        .order_by()  # default ordering would leak into the GROUP BY
        .values("book")
        .annotate(total=Sum("stars"))
        .values("total")
    )


@named_query("orm.stars-subquery")
def stars_and_stores() -> QuerySet:
    return Book.objects.annotate(stars=stars_per_book(), ns=Count("store")).order_by("title")


# -- O4: subqueries ------------------------------------------------------------


def latest_review(column: str = "stars") -> QuerySet:
    return Review.objects.filter(book=OuterRef("pk")).order_by("-created").values(column)


@named_query("orm.latest-review")
def books_with_latest_review() -> QuerySet:
    return Book.objects.annotate(latest_stars=Subquery(latest_review()[:1])).order_by("title")


@named_query("orm.without-reviews")
def books_without_reviews() -> QuerySet:
    return Book.objects.filter(~Exists(Review.objects.filter(book=OuterRef("pk")))).order_by("title")


@named_query("orm.cheap-books")
def publishers_by_cheap_books(under: Decimal = Decimal("10")) -> QuerySet:
    # The condition goes into the JOIN's ON clause, so publishers with none still appear (with 0).
    return (
        Publisher.objects.annotate(cheap=FilteredRelation("book", condition=Q(book__price__lt=under)))
        .annotate(cheap_books=Count("cheap"))
        .order_by("name")
    )


# -- O6: loading related data --------------------------------------------------


@named_query("orm.select-related")
def books_with_publisher() -> QuerySet:
    return Book.objects.select_related("publisher").order_by("pk")


@named_query("orm.prefetch-authors")
def books_with_authors() -> QuerySet:
    return Book.objects.prefetch_related("authors").order_by("pk")


# -- Use case (a): the sales report ----------------------------------------------

LINE_TOTAL = F("qty") * F("unit_price")


@named_query("orm.revenue-by-month")
def revenue_per_publisher_per_month(year: int | None = None) -> QuerySet:
    # values() BEFORE annotate() sets the GROUP BY; the window ranks publishers within each month.
    items = OrderItem.objects.exclude(order__status=Order.Status.CANCELLED)
    if year is not None:
        items = items.filter(order__created__year=year)
    return (
        items.annotate(month=TruncMonth("order__created"))
        .values("month", publisher=F("book__publisher__name"))
        .annotate(units=Sum("qty"), revenue=Sum(LINE_TOTAL, output_field=DecimalField(max_digits=12, decimal_places=2)))
        # A separate annotate() so the window refers to the aggregate (a window can't go in GROUP BY).
        .annotate(rank_in_month=Window(Rank(), partition_by=F("month"), order_by=F("revenue").desc()))
        .order_by("month", "rank_in_month", "publisher")
    )


def units_sold() -> Coalesce:
    """Units of the outer book sold in orders that were not cancelled (0 if none)."""
    per_book = (
        OrderItem.objects.filter(book=OuterRef("pk"))
        .exclude(order__status=Order.Status.CANCELLED)
        .order_by()
        .values("book")
        .annotate(units=Sum("qty"))
        .values("units")
    )
    return Coalesce(Subquery(per_book), 0)


@named_query("orm.best-seller-per-store")
def best_seller_per_store() -> QuerySet:
    best = Book.objects.filter(store=OuterRef("pk")).annotate(units=units_sold()).order_by("-units", "title")
    return Store.objects.annotate(
        best_seller=Subquery(best.values("title")[:1]),
        units=Subquery(best.values("units")[:1]),
    ).order_by("name")


# -- Use case (b): the catalogue search ------------------------------------------

SORTS = {  # the only orderings a learner may ask for: label -> order_by() arguments
    "title": ("title",),
    "price": ("price", "title"),
    "-price": ("-price", "title"),
    "-rating": ("-rating", "title"),
    "-stock": ("-stock", "title"),
}


@named_query("orm.catalogue-search")
def catalogue(
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    min_rating: float | None = None,
    author: int | None = None,
    in_stock: bool = False,
    sort: str = "title",
) -> QuerySet:
    """Each filter the learner fills in narrows the queryset; empty fields add nothing."""
    filters = Q()
    if min_price is not None:
        filters &= Q(price__gte=min_price)
    if max_price is not None:
        filters &= Q(price__lte=max_price)
    if min_rating is not None:
        filters &= Q(rating__gte=min_rating)
    if author is not None:
        filters &= Q(authors=author)
    if in_stock:
        filters &= Q(stock__gt=0)
    return Book.objects.filter(filters).select_related("publisher").order_by(*SORTS[sort])
