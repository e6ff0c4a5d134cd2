"""A demo and a named query that only the lesson engine's tests (and screenshots) register."""

from functools import partial

from django import forms
from django.db.models import Count

from sandbox.models import Book, Publisher


class CountForm(forms.Form):
    min_price = forms.DecimalField(label="Minimum price", initial=0, min_value=0, max_digits=6, decimal_places=2)
    with_publisher = forms.BooleanField(label="select_related('publisher')", required=False, initial=True)


DEMO_OPTIONS = {"title": "Count the books over a price", "form": CountForm, "reports": ("sql",)}


def count_books(lab, data):
    """Counts books above a price, then reads each book's publisher."""
    count = lab.step("count", partial(books_over, data["min_price"]))
    count.fact("books", count.result)
    names = lab.step("publishers", partial(publisher_names, data["min_price"], data["with_publisher"]))
    names.table(["title", "publisher"], names.result)


def books_over(min_price):
    return Book.objects.filter(price__gte=min_price).count()


def publisher_names(min_price, with_publisher):
    books = Book.objects.filter(price__gte=min_price)
    if with_publisher:
        books = books.select_related("publisher")
    return [(b.title, b.publisher.name) for b in books]


def books_per_publisher():
    return Publisher.objects.annotate(n=Count("book")).filter(n__gt=1)
