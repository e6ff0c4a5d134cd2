"""New in Django 5.x (ORM lesson 9): db_default, GeneratedField, create_defaults, values() order,
refresh_from_db(from_queryset=), and the async aiterator() / aprefetch_related_objects().

CartLine (sandbox/models.py) has the new field options: `qty` has `db_default=1`, `added` has
`db_default=Now()`, and `total` is a `GeneratedField` the database computes as price × qty.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, QuerySet, aprefetch_related_objects

from ..models import Book, CartLine
from ..queries import named_query

# -- db_default --------------------------------------------------------------------------


def unsaved_line() -> CartLine:
    return CartLine(title="A1", price=Decimal("10.00"))  # qty not given: the database will fill it in


def saved_line() -> CartLine:
    return CartLine.objects.create(title="A1", price=Decimal("10.00"))  # the INSERT leaves qty to the database


# -- GeneratedField ----------------------------------------------------------------------


def line_of_three() -> CartLine:
    return CartLine.objects.create(title="B1", price=Decimal("10.00"), qty=3)  # total comes back from the INSERT


def change_quantity(line: CartLine, qty: int) -> CartLine:
    line.qty = qty
    line.save()  # the database recomputes total; the instance does not know it yet
    return line


def reload(line: CartLine) -> CartLine:
    line.refresh_from_db()
    return line


# -- update_or_create(create_defaults=) --------------------------------------------------


def add_to_cart(title: str) -> tuple[CartLine, bool]:
    # defaults: what an update writes; create_defaults: what a new row starts with (Django 5.0).
    return CartLine.objects.update_or_create(
        title=title,
        defaults={"price": Decimal("2.00")},
        create_defaults={"price": Decimal("3.00"), "qty": 2},
    )


# -- values() column order ---------------------------------------------------------------


@named_query("orm.values-order")
def authors_then_title() -> QuerySet:
    # Django 5.2: the SELECT lists the columns in the order written here, annotations included.
    return Book.objects.annotate(n_authors=Count("authors")).values_list("n_authors", "title").order_by("title")


# -- refresh_from_db(from_queryset=) -----------------------------------------------------


def refresh_then_read_publisher(book: Book) -> str:
    book.refresh_from_db()
    return book.publisher.name  # not loaded by the refresh: one more query


def refresh_with_publisher(book: Book) -> str:
    book.refresh_from_db(from_queryset=Book.objects.select_related("publisher"))  # Django 5.1
    return book.publisher.name  # already loaded by the refresh


# -- async -------------------------------------------------------------------------------


async def titles_and_authors_async() -> list[tuple[str, list[str]]]:
    # Django 5.0: aiterator() honours prefetch_related() (chunk_size is then required).
    books = Book.objects.prefetch_related("authors").order_by("title")
    return [(b.title, [a.name for a in b.authors.all()]) async for b in books.aiterator(chunk_size=100)]


async def prefetch_authors_async(titles: list[str]) -> list[tuple[str, list[str]]]:
    books = [b async for b in Book.objects.filter(title__in=titles).order_by("title")]
    await aprefetch_related_objects(books, "authors")  # Django 5.0: one query for every book's authors
    return [(b.title, [a.name for a in b.authors.all()]) for b in books]
