"""A demo and a named query that only the lesson engine's tests (and screenshots) register."""

from django import forms
from django.db.models import Count

from lab.registry import demo
from sandbox.models import Book, Publisher
from sandbox.queries import named_query


class CountForm(forms.Form):
    min_price = forms.DecimalField(label="Minimum price", initial=0, min_value=0, max_digits=6, decimal_places=2)
    with_publisher = forms.BooleanField(label="select_related('publisher')", required=False, initial=True)


@demo("lessonstest.count-books", title="Count the books over a price", form=CountForm, reports=("sql",))
def count_books(lab, data):
    """Counts books above a price, then reads each book's publisher."""
    with lab.step("count", code="Book.objects.filter(price__gte=min_price).count()") as s:
        s.fact("books", Book.objects.filter(price__gte=data["min_price"]).count())
    with lab.step("publishers", code="[b.publisher.name for b in books]") as s:
        books = Book.objects.filter(price__gte=data["min_price"])
        if data["with_publisher"]:
            books = books.select_related("publisher")
        s.table(["title", "publisher"], [(b.title, b.publisher.name) for b in books])


@named_query("lessonstest.books-per-publisher")
def books_per_publisher():
    return Publisher.objects.annotate(n=Count("book")).filter(n__gt=1)


def take_out() -> tuple:
    """Unregister both again, so that only tests that ask for them (lessons/tests) see them."""
    from lab import registry
    from sandbox import queries

    return registry._registry.pop("lessonstest.count-books"), queries._queries.pop("lessonstest.books-per-publisher")


DEMO, QUERY = take_out()
