"""F(), Q() and expressions (ORM lesson 2): race-free updates, conditions as values, typed arithmetic."""

from __future__ import annotations

import functools
import operator

from django.db.models import (
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Greatest, Upper
from django.db.models.lookups import GreaterThan

from ..models import Book, Order

# -- The lost update --------------------------------------------------------------------


def restock_in_python(book_id: int, tabs: int) -> None:
    """Restock +1 from several browser tabs: every tab reads the book before any tab saves.

    One thread plays the interleaving two real requests can produce.
    """
    copies = [Book.objects.get(pk=book_id) for _ in range(tabs)]  # each tab reads the row into Python
    for book in copies:
        book.stock = book.stock + 1  # adds 1 to the value *this tab* read
        book.save(update_fields=["stock"])  # and writes back whatever Python computed


def restock_with_f(book_id: int, tabs: int) -> list[int]:
    """The same restocks with F(): the database adds 1 to whatever the row holds when each UPDATE runs."""
    return [Book.objects.filter(pk=book_id).update(stock=F("stock") + 1) for _ in range(tabs)]


def restock_publisher(name: str) -> int:
    return Book.objects.filter(publisher__name=name).update(stock=F("stock") + 1)  # rows matched


def rewrite_publisher_stock(name: str) -> int:
    return Book.objects.filter(publisher__name=name).update(stock=F("stock"))  # changes nothing, still matches


def add_stock_with_f(title: str, amount: int) -> Book:
    book = Book.objects.get(title=title)
    book.stock = F("stock") + amount
    book.save()
    return book  # before Django 6.0, book.stock still holds the expression


def save_again(book: Book) -> None:
    book.save()


# -- Case/When in an UPDATE -----------------------------------------------------------------


def restock_sold_out(to: int = 5) -> int:
    # The same value for every row: filter() picks the rows, so only they are rewritten.
    return Book.objects.filter(stock=0).update(stock=to)


def top_up_low_stock(below: int = 5) -> int:
    # Different values for different rows, in one UPDATE: Case/When picks each row's new value.
    return Book.objects.filter(stock__lt=below).update(
        stock=Case(
            When(stock__lt=3, then=F("stock") + 10),
            default=F("stock") + 5,
        )
    )


# -- Q objects built from choices ---------------------------------------------------------

CONDITIONS = {
    "well_rated": Q(rating__gte=4),
    "cheap": Q(price__lt=10),
    "from_a": Q(publisher__name="A"),
}
CONNECTORS = {"and": operator.and_, "or": operator.or_, "xor": operator.xor}


def combined_condition(chosen: list[str], connector: str = "or", negate: bool = False) -> Q:
    """A search form's ticked conditions, joined with &, | or ^. Q() on its own matches every book."""
    condition = functools.reduce(CONNECTORS[connector], [CONDITIONS[name] for name in chosen], Q())
    return ~condition if negate else condition


def books_matching(chosen: list[str], connector: str = "or", negate: bool = False) -> QuerySet:
    return Book.objects.filter(combined_condition(chosen, connector, negate)).order_by("title")


# -- Types -------------------------------------------------------------------------------------


def scores_without_output_field() -> QuerySet:
    # price is a DecimalField and rating a FloatField: Django will not guess the product's type.
    return Book.objects.annotate(score=F("price") * F("rating")).order_by("title")


def scores_with_expression_wrapper() -> QuerySet:
    # Tells Django how to read the result; the SQL is unchanged.
    return Book.objects.annotate(score=ExpressionWrapper(F("price") * F("rating"), output_field=FloatField())).order_by(
        "title"
    )


def scores_with_cast() -> QuerySet:
    # Changes the SQL: the database converts price before multiplying.
    return Book.objects.annotate(score=Cast("price", FloatField()) * F("rating")).order_by("title")


# -- The rest of the toolbox -----------------------------------------------------------------


def books_with_computed_columns() -> QuerySet:
    return Book.objects.annotate(
        label=Concat(Upper("title"), Value(" from "), "publisher__name"),
        stars=Coalesce("review_average", Value(0.0)),  # NULL (no reviews) becomes 0.0
        bigger=Greatest("pages", "stock"),
        initial=F("title")[:1],  # slicing an F(): Django 5.1+
    ).order_by("title")


def books_by_review_average() -> QuerySet:
    return Book.objects.order_by(F("review_average").desc(), "title")  # where NULLs go is up to the database


def books_by_review_average_nulls_last() -> QuerySet:
    return Book.objects.order_by(F("review_average").desc(nulls_last=True), "title")


def orders_with_discount_flag() -> QuerySet:
    # A lookup is an expression: annotate it as a boolean per row.
    return Order.objects.annotate(got_discount=GreaterThan(F("total_price"), F("discounted_price"))).order_by("pk")
