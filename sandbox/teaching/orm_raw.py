"""Raw SQL (ORM lesson 7): raw(), a cursor, RawSQL, and the injection that string formatting allows."""

from __future__ import annotations

from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import DecimalField, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.query import RawQuerySet

from ..models import Book


def books_from_price(min_price: Decimal) -> RawQuerySet:
    return Book.objects.raw("SELECT id, title, price FROM sandbox_book WHERE price >= %s ORDER BY title", [min_price])


def raw_without_primary_key() -> list[Book]:
    return list(Book.objects.raw("SELECT title FROM sandbox_book"))  # no primary key selected


def dict_rows(cursor) -> list[dict]:
    """cursor.fetchall() as dicts, keyed by column name (the Django docs' `dictfetchall`)."""
    columns = [col[0] for col in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def books_per_publisher_from(min_price: Decimal) -> list[dict]:
    with connection.cursor() as cursor:
        # A dict of params with %(name)s placeholders: Django converts them for every backend, SQLite included.
        cursor.execute(
            "SELECT p.name, COUNT(*) AS books FROM sandbox_book b JOIN sandbox_publisher p ON p.id = b.publisher_id"
            " WHERE b.price >= %(min_price)s GROUP BY p.name ORDER BY p.name",
            {"min_price": min_price},
        )
        return dict_rows(cursor)


def books_with_vat(min_price: Decimal) -> QuerySet:
    vat = RawSQL("price * %s", [Decimal("1.2")], output_field=DecimalField())  # RawSQL requires params
    return Book.objects.annotate(with_vat=vat).filter(price__gte=min_price).order_by("title")


# -- Injection: the same title, two ways ----------------------------------------------------


def find_books_unsafe(title: str, using: str = DEFAULT_DB_ALIAS) -> RawQuerySet:
    # NEVER do this: a quote in `title` ends the SQL string, and the rest of `title` becomes SQL.
    return Book.objects.raw("SELECT * FROM sandbox_book WHERE title = '%s'" % title, using=using)  # noqa: UP031, S608


def find_books(title: str, using: str = DEFAULT_DB_ALIAS) -> RawQuerySet:
    # The title travels as a parameter: the database compares it as one value, whatever it contains.
    return Book.objects.raw("SELECT * FROM sandbox_book WHERE title = %s", [title], using=using)
