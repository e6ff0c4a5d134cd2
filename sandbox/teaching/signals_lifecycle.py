"""Model lifecycle signals (lesson S2): the calls that send pre_save/post_save and pre/post_delete, and the ones that don't."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core import serializers
from django.db import connection

from ..models import Book, CheapBook, Publisher

# A new book for publisher A. The untidy title is on purpose: a pre_save receiver tidies it.
NEW_BOOK = {"title": "  The   Signal  Path ", "price": Decimal("9.99"), "pages": 120, "rating": 3.0, "publisher_id": 1}
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "signals_book.json"


# -- what sends them ------------------------------------------------------------------


def create_book(**fields: Any) -> Book:
    return Book.objects.create(**fields)  # INSERT: post_save gets created=True


def rename_book(book: Book, title: str) -> Book:
    book.title = title
    book.save(update_fields=["title"])  # receivers get update_fields=frozenset({"title"})
    return book


def delete_book(book: Book) -> tuple[int, dict[str, int]]:
    return book.delete()


def get_or_create_book(title: str, **defaults: Any) -> tuple[Book, bool]:
    return Book.objects.get_or_create(title=title, defaults=defaults)


def update_or_create_book(title: str, **defaults: Any) -> tuple[Book, bool]:
    # On the update path this saves with update_fields = every key in
    # `defaults`, changed or not, plus each field whose pre_save() sets
    # a value (auto_now, FileField): see QuerySet.update_or_create.
    return Book.objects.update_or_create(title=title, defaults=defaults)


def delete_publisher(name: str) -> tuple[int, dict[str, int]]:
    return Publisher.objects.get(name=name).delete()  # cascades to its books and their reviews


def delete_publishers_named(name: str) -> tuple[int, dict[str, int]]:
    return Publisher.objects.filter(name=name).delete()


# -- what does not --------------------------------------------------------------------


def set_stock(title: str, stock: int) -> int:
    return Book.objects.filter(title=title).update(stock=stock)  # one UPDATE, no save()


def bulk_create_books(count: int, **fields: Any) -> list[Book]:
    return Book.objects.bulk_create([Book(**fields) for _ in range(count)])


def raise_prices(publisher_name: str) -> int:
    books = list(Book.objects.filter(publisher__name=publisher_name))
    for book in books:
        book.price += 1
    return Book.objects.bulk_update(books, ["price"])


def restock_with_sql(book_pk: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE sandbox_book SET stock = stock + 1 WHERE id = %s", [book_pk])
        return cursor.rowcount


def load_fixture(path: Path = FIXTURE) -> int:
    # What loaddata does: save() each deserialized object, which sends the
    # save signals with raw=True.
    objects = list(serializers.deserialize("json", path.read_text()))
    for obj in objects:
        obj.save()
    return len(objects)


def create_cheap_book(**fields: Any) -> CheapBook:
    return CheapBook.objects.create(**fields)  # sender=CheapBook: receivers for Book do not run


def create_and_save(**fields: Any) -> Book:
    book = Book.objects.create(**fields)
    book.save()
    return book
