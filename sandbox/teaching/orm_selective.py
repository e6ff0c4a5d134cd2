"""Selective retrieval (ORM lesson 7's third use case): the same listing, fetched four ways."""

from __future__ import annotations

from django.db.models import QuerySet


def full_objects(books: QuerySet) -> list:
    return list(books)  # every column, a model instance per row


def only_title_and_price(books: QuerySet) -> list:
    return list(books.only("title", "price"))  # instances with the other fields deferred


def values_title_and_price(books: QuerySet) -> list[dict]:
    return list(books.values("title", "price"))  # plain dicts


def values_list_title_and_price(books: QuerySet) -> list[tuple]:
    return list(books.values_list("title", "price"))  # plain tuples
