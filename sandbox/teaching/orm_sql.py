"""Seeing the SQL (ORM lesson 1): what evaluates a queryset, what the result cache saves, indexes and plans."""

from __future__ import annotations

import pickle

from django.db import connection
from django.db.models import QuerySet

from ..models import Book

# -- Ways to evaluate a queryset: each sends its SQL the first time -----------------


def evaluate_with_list(qs: QuerySet) -> list:
    return list(qs)


def evaluate_by_iterating(qs: QuerySet) -> list:
    return [book for book in qs]


def evaluate_with_len(qs: QuerySet) -> int:
    return len(qs)


def evaluate_with_bool(qs: QuerySet) -> bool:
    return bool(qs)  # the same as `if qs:`


def evaluate_with_repr(qs: QuerySet) -> str:
    return repr(qs)  # what the shell prints: it fetches qs[:21], a sliced copy


def evaluate_with_step_slice(qs: QuerySet) -> list:
    return qs[::2]  # a slice with a step evaluates (a copy)


def evaluate_with_pickle(qs: QuerySet) -> bytes:
    return pickle.dumps(qs)  # a pickle carries the rows, not the description


# -- After evaluation -----------------------------------------------------------------


def count_books(qs: QuerySet) -> int:
    return qs.count()  # reads the result cache when qs was evaluated


def second_book_twice(qs: QuerySet) -> list[Book]:
    # On an unevaluated queryset each index is its own LIMIT 1 OFFSET 1 query.
    return [qs[1], qs[1]]


def second_book_twice_after_list(qs: QuerySet) -> list[Book]:
    list(qs)  # fills the result cache
    return [qs[1], qs[1]]


# -- Parameters and plans --------------------------------------------------------------


def books_titled(title: str) -> QuerySet:
    # The title travels to the database as a parameter, never inside the SQL text.
    return Book.objects.filter(title=title)


TITLE_INDEX = "lab_book_title_idx"


def add_title_index() -> None:
    """What a migration adding models.Index(fields=["title"], name=TITLE_INDEX) sends."""
    quote = connection.ops.quote_name  # identifiers can't be parameters: quote them
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX {quote(TITLE_INDEX)} ON {quote('sandbox_book')} ({quote('title')})")
