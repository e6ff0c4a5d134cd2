"""Signals track, S2: the model lifecycle signals, what does not send them, and keeping related data current."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django import forms
from django.core import serializers
from django.db import connection
from django.db.models import Avg, Count
from django.utils import timezone

import sandbox
from lab.recorder import Recorder, Step
from lab.registry import demo
from sandbox.models import Book, CheapBook, Customer, Publisher, Review

from .signals import ReceiverSwitchesForm, apply_switches, events, receiver_logs, receivers_ran

FIXTURE = Path(sandbox.__file__).resolve().parent / "fixtures" / "signals_book.json"
SAVE_SIGNALS = ("pre_save", "post_save")


# A new book for publisher A (the run's transaction is rolled back afterwards).
NEW_BOOK = {"title": "  The   Signal  Path ", "price": Decimal("9.99"), "pages": 120, "rating": 3.0, "publisher_id": 1}


def sum_up(step: Step) -> None:
    step.fact("signals sent", [f"{e.name}({e.sender})" for e in events(step)])
    step.fact("receivers that ran", receivers_ran(step))


# -- the tracer -------------------------------------------------------------------------


class TracerForm(ReceiverSwitchesForm):
    action = forms.ChoiceField(
        choices=[
            ("lifecycle", "Create a book, save it, save one field, delete it"),
            ("shortcuts", "get_or_create() and update_or_create()"),
            ("delete-publisher", "Delete publisher A (cascades to books and reviews)"),
            ("queryset-delete", "Publisher.objects.filter(name='A').delete()"),
        ],
        initial="lifecycle",
    )
    field_order = ["action", "disabled_receivers"]


@demo(
    "signals.tracer",
    title="Signal tracer: every model signal, in order",
    form=TracerForm,
    description="Save and delete real sandbox rows and watch each signal, its sender and arguments, and the receivers.",
    reports=("signals", "sql"),
)
def tracer(lab: Recorder, data: dict[str, Any]) -> None:
    apply_switches(lab, data)
    action = data["action"]
    with receiver_logs(lab):
        if action == "lifecycle":
            with lab.step("Book.objects.create(...)", code="book = Book.objects.create(**NEW_BOOK)") as s:
                s.fact("title as typed (· is a space)", NEW_BOOK["title"].replace(" ", "·"))
                book = Book.objects.create(**NEW_BOOK)
                s.fact("stored title", Book.objects.values_list("title", flat=True).get(pk=book.pk).replace(" ", "·"))
                sum_up(s)
            with lab.step("Save it again", code="book.save()") as s:
                book.save()
                sum_up(s)
            with lab.step("Save one field", code='book.title = "Signals"\nbook.save(update_fields=["title"])') as s:
                book.title = "Signals"
                book.save(update_fields=["title"])
                sum_up(s)
            with lab.step("Delete it", code="book.delete()") as s:
                s.fact("book.delete() returned", book.delete())
                sum_up(s)
        elif action == "shortcuts":
            with lab.step(
                "get_or_create(): the create path", code='Book.objects.get_or_create(title="Fresh", ...)'
            ) as s:
                fields = {"price": Decimal("4.00"), "pages": 90, "rating": 2.0, "publisher_id": 2}
                book, created = Book.objects.get_or_create(title="Fresh", defaults=fields)
                s.fact("returned created", created)
                sum_up(s)
            with lab.step(
                "update_or_create(): the update path",
                code='Book.objects.update_or_create(title="A1", defaults={"stock": 99})',
            ) as s:
                book, created = Book.objects.update_or_create(title="A1", defaults={"stock": 99})
                s.fact("returned created", created)
                sum_up(s)
        elif action == "delete-publisher":
            with lab.step("Delete publisher A", code='Publisher.objects.get(name="A").delete()') as s:
                s.fact("delete() returned", Publisher.objects.get(name="A").delete())
                sum_up(s)
        else:
            with lab.step("Delete through a queryset", code='Publisher.objects.filter(name="A").delete()') as s:
                s.fact("delete() returned", Publisher.objects.filter(name="A").delete())
                sum_up(s)


# -- what does not fire ------------------------------------------------------------------


@demo(
    "signals.what-fires",
    title="What sends save signals, and what does not",
    description="Each way of writing rows, side by side: which send pre_save/post_save, and which run the Book receivers.",
    reports=("signals", "sql"),
)
def what_fires(lab: Recorder, data: dict[str, Any]) -> None:
    def count(step: Step) -> None:
        step.fact("save signals sent", len([e for e in events(step) if e.name in SAVE_SIGNALS]))
        step.fact("receivers that ran", receivers_ran(step))

    with lab.step("QuerySet.update()", code='Book.objects.filter(title="A1").update(stock=0)') as s:
        s.fact("rows updated", Book.objects.filter(title="A1").update(stock=0))
        count(s)
    with lab.step("bulk_create()", code="Book.objects.bulk_create([Book(**NEW_BOOK), Book(**NEW_BOOK)])") as s:
        s.fact("rows created", len(Book.objects.bulk_create([Book(**NEW_BOOK), Book(**NEW_BOOK)])))
        count(s)
    with lab.step("bulk_update()", code='Book.objects.bulk_update(books, ["price"])') as s:
        books = list(Book.objects.filter(publisher__name="B"))
        for book in books:
            book.price += 1
        s.fact("rows updated", Book.objects.bulk_update(books, ["price"]))
        count(s)
    with lab.step(
        "Raw SQL", code='cursor.execute("UPDATE sandbox_book SET stock = stock + 1 WHERE id = %s", [a1.pk])'
    ) as s:
        a1 = Book.objects.get(title="A1")
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {Book._meta.db_table} SET stock = stock + 1 WHERE id = %s", [a1.pk])  # noqa: S608 (table name from the model)
            s.fact("rows updated", cursor.rowcount)
        count(s)
    with lab.step(
        "Loading a fixture",
        code='for obj in serializers.deserialize("json", fixture):\n    obj.save()  # as loaddata does',
    ) as s:
        for obj in serializers.deserialize("json", FIXTURE.read_text()):
            obj.save()
        s.fact("raw in each save signal", [e.details.get("raw") for e in events(s) if e.name in SAVE_SIGNALS])
        count(s)
    with lab.step("Saving the CheapBook proxy", code="CheapBook.objects.create(**NEW_BOOK)") as s:
        CheapBook.objects.create(**NEW_BOOK)
        s.fact("sender of the save signals", sorted({e.sender for e in events(s) if e.name in SAVE_SIGNALS}))
        count(s)
    with lab.step(
        "The calls that do fire: create() and save()", code="book = Book.objects.create(**NEW_BOOK)\nbook.save()"
    ) as s:
        book = Book.objects.create(**NEW_BOOK)
        book.save()
        count(s)


# -- use case: related updates -------------------------------------------------------------


class ReviewStatsForm(ReceiverSwitchesForm):
    stars = forms.IntegerField(min_value=1, max_value=5, initial=1, help_text="Stars for the new review of A1.")
    field_order = ["stars", "disabled_receivers"]


def show_stats(step: Step, book_pk: int) -> None:
    """The stored (receiver-maintained) numbers beside the ones computed from the reviews."""
    stored = Book.objects.values("review_count", "review_average").get(pk=book_pk)
    live = Book.objects.annotate(n=Count("reviews"), avg=Avg("reviews__stars")).values("n", "avg").get(pk=book_pk)
    step.table(
        ["", "review_count", "review_average"],
        [
            ["stored on Book", stored["review_count"], stored["review_average"]],
            ["computed by annotate()", live["n"], live["avg"]],
        ],
    )
    step.fact("stored", (stored["review_count"], stored["review_average"]))
    step.fact("computed", (live["n"], live["avg"]))
    step.fact("stored matches computed", (stored["review_count"], stored["review_average"]) == (live["n"], live["avg"]))


@demo(
    "signals.review-stats",
    title="Related updates: keeping a book's review stats current",
    form=ReviewStatsForm,
    description="Add and delete a review of A1: receivers on Review keep review_count and review_average current.",
    reports=("signals", "sql"),
)
def review_stats(lab: Recorder, data: dict[str, Any]) -> None:
    apply_switches(lab, data)
    with lab.step("Before") as s:
        a1 = Book.objects.get(title="A1")
        reviewer = Customer.objects.get(name="cat", learner="")  # canonical: a learner's rows may share the name
        show_stats(s, a1.pk)
    with lab.step("Add a review", code="Review.objects.create(book=a1, stars=...)") as s:
        review = Review.objects.create(book=a1, customer=reviewer, stars=data["stars"], created=timezone.now())
        show_stats(s, a1.pk)
    with lab.step("Delete it", code="review.delete()") as s:
        review.delete()
        show_stats(s, a1.pk)
    with lab.step("bulk_create() two reviews", code="Review.objects.bulk_create([...])") as s:
        Review.objects.bulk_create(
            [Review(book=a1, customer=reviewer, stars=data["stars"], created=timezone.now()) for _ in range(2)]
        )
        show_stats(s, a1.pk)
        s.note("bulk_create() sends no post_save: the stored numbers are now stale until something recomputes them.")
