"""m2m_changed (lesson S3): each call on a many-to-many manager, and the order a ModelForm writes in.

The functions work on a book's authors and on a store's stock alike: `m2m_of`
picks the manager (`book.authors` or `store.books`), and each function makes
the one call its name says.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models

from ..models import Book


def m2m_of(owner: models.Model):
    return owner.authors if isinstance(owner, Book) else owner.books


def add_links(owner: models.Model, *objs: models.Model) -> None:
    m2m_of(owner).add(*objs)


def set_links(owner: models.Model, objs: list[models.Model]) -> None:
    m2m_of(owner).set(objs)  # removes what goes, then adds what comes


def remove_links(owner: models.Model, *objs: models.Model) -> None:
    m2m_of(owner).remove(*objs)


def remove_from_other_side(obj: models.Model, owner: models.Model) -> None:
    # author.book_set.remove(book), or book.store_set.remove(store):
    # the same link, removed through the reverse manager.
    reverse = obj.book_set if isinstance(owner, Book) else obj.store_set
    reverse.remove(owner)


def add_then_clear(owner: models.Model, *objs: models.Model) -> None:
    links = m2m_of(owner)
    links.add(*objs)
    links.clear()


def bulk_link(owner: models.Model, obj: models.Model) -> list[models.Model]:
    # One row in the through table (e.g. Book.authors.through(book=..., author=...)),
    # written directly: the pattern Django's docs suggest for many links at once.
    links = m2m_of(owner)
    through = links.through
    row = through(**{links.source_field_name: owner, links.target_field_name: obj})
    return through.objects.bulk_create([row])


# -- a ModelForm ------------------------------------------------------------------------


class BookForm(forms.ModelForm):
    class Meta:
        model = Book
        fields = ["title", "price", "pages", "rating", "publisher", "authors"]


def save_book_form(data: dict[str, Any]) -> Book:
    form = BookForm(data)
    if not form.is_valid():
        raise ValueError(form.errors.as_text())
    return form.save()


def save_book_without_authors(data: dict[str, Any]) -> tuple[BookForm, Book]:
    # What form.save() does first (BaseModelForm.save): save the instance,
    # which sends post_save, before any author is linked.
    form = BookForm(data)
    if not form.is_valid():
        raise ValueError(form.errors.as_text())
    book = form.save(commit=False)
    book.save()
    return form, book


def save_authors(form: BookForm) -> None:
    form.save_m2m()  # ...and then the authors: m2m_changed pre_add/post_add
