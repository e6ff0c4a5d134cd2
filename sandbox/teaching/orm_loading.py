"""Loading related data (ORM lesson 6): each function reads the same books; only how it loads them differs.

Every function takes the base queryset `books` and returns plain rows, so the
queries a loop causes (a lazy foreign key, a deferred field) happen inside it.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from ..models import Author


def publisher_names(books: QuerySet) -> list[tuple]:
    return [(b.title, b.publisher.name) for b in books]  # one query per book for its publisher: N+1


def publisher_names_select_related(books: QuerySet) -> list[tuple]:
    return [(b.title, b.publisher.name) for b in books.select_related("publisher")]  # one JOIN


def publisher_names_prefetched(books: QuerySet) -> list[tuple]:
    return [(b.title, b.publisher.name) for b in books.prefetch_related("publisher")]  # books, then IN (...)


def author_names(books: QuerySet) -> list[tuple]:
    return [(b.title, [a.name for a in b.authors.all()]) for b in books]


def author_names_prefetched(books: QuerySet) -> list[tuple]:
    return [(b.title, [a.name for a in b.authors.all()]) for b in books.prefetch_related("authors")]


def older_author_names_filtered(books: QuerySet) -> list[tuple]:
    # .filter() on the manager is a new query: it ignores the prefetched authors.
    return [(b.title, [a.name for a in b.authors.filter(age__gt=45)]) for b in books.prefetch_related("authors")]


def older_author_names_prefetched(books: QuerySet) -> list[tuple]:
    older = Prefetch("authors", queryset=Author.objects.filter(age__gt=45), to_attr="older")
    return [(b.title, [a.name for a in b.older]) for b in books.prefetch_related(older)]


def prices_after_only_title(books: QuerySet) -> list[tuple]:
    # price was deferred: reading it costs one query per book.
    return [(b.title, b.price) for b in books.only("title")]


def publisher_names_as_values(books: QuerySet) -> list[tuple]:
    return [(row["title"], row["publisher__name"]) for row in books.values("title", "publisher__name")]


def with_authors(books: QuerySet) -> QuerySet:
    return books.prefetch_related("authors")  # lazy: nothing runs yet


def author_names_streamed(books: QuerySet, chunk_size: int | None) -> list[tuple]:
    # iterator() streams rows without caching them; after prefetch_related() it prefetches chunk by chunk.
    return [(b.title, [a.name for a in b.authors.all()]) for b in books.iterator(chunk_size=chunk_size)]
