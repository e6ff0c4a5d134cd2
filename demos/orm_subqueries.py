"""ORM lesson 4: Subquery, OuterRef, Exists and FilteredRelation, and the shapes that go wrong."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import FieldError
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Subquery

from lab.registry import demo
from sandbox.models import Book, Publisher, Review
from sandbox.queries_orm import (
    books_with_latest_review,
    books_without_reviews,
    latest_review,
    publishers_by_cheap_books,
)

from .orm_lab import LabForm, code_of, compare, expect_db_error, run_query

SHAPES = {
    "no-slice": "Subquery(latest_review())  # forgot [:1]",
    "two-columns": 'Subquery(Review.objects.filter(book=OuterRef("pk")).values("stars", "created")[:1])',
    "evaluate": "latest_review().count()  # run the inner queryset on its own",
}


class LatestReviewForm(LabForm):
    mistake = forms.ChoiceField(
        choices=[("none", "Only the correct shape")] + [(k, v) for k, v in SHAPES.items()],
        initial="no-slice",
        label="Also try a wrong shape",
    )


@demo(
    "orm.latest-review",
    title="Each book's latest review, with Subquery and OuterRef",
    form=LatestReviewForm,
    description="A subquery used as a value must return one column and at most one row. Try the wrong shapes and see what this database does.",
    reports=("sql",),
)
def latest_review_demo(lab, data):
    run_query(
        lab,
        "One column, one row",
        code_of(latest_review) + "\n\n" + code_of(books_with_latest_review),
        books_with_latest_review,
        columns=["title", "latest_stars"],
        explain=data["explain"],
    )
    mistake = data["mistake"]
    if mistake == "no-slice":
        with lab.step("Forgot [:1]", code=SHAPES[mistake]) as s:
            rows = expect_db_error(
                s,
                lambda: list(
                    Book.objects.annotate(latest_stars=Subquery(latest_review()))
                    .order_by("title")
                    .values_list("title", "latest_stars")
                ),
            )
            s.fact("database", connection.vendor)
            s.fact("raised", bool(s.error))
            if rows is not None:
                s.table(["title", "latest_stars"], rows)
                s.note("No error: this database silently used the first row the subquery produced.")
    elif mistake == "two-columns":
        code = SHAPES[mistake]
        with lab.step("Two columns", code=code, expect=FieldError):
            two = Review.objects.filter(book=OuterRef("pk")).values("stars", "created")[:1]
            list(Book.objects.annotate(latest=Subquery(two)))
    elif mistake == "evaluate":
        with lab.step("Evaluate an OuterRef queryset", code=SHAPES[mistake], expect=ValueError):
            latest_review().count()


class ExistsForm(LabForm):
    negate = forms.BooleanField(required=False, initial=True, label="~Exists (books WITHOUT reviews)")


@demo(
    "orm.exists",
    title="Exists and ~Exists: books with and without reviews",
    form=ExistsForm,
    description="EXISTS stops at the first matching row and adds no column to the SELECT.",
    reports=("sql",),
)
def exists_demo(lab, data):
    if data["negate"]:
        step, _ = run_query(
            lab, "~Exists", code_of(books_without_reviews), books_without_reviews, explain=data["explain"]
        )
    else:
        code = 'Book.objects.filter(Exists(Review.objects.filter(book=OuterRef("pk")))).order_by("title")'
        step, _ = run_query(
            lab,
            "Exists",
            code,
            lambda: Book.objects.filter(Exists(Review.objects.filter(book=OuterRef("pk")))).order_by("title"),
            explain=data["explain"],
        )
    sql = step.queries[0].sql
    step.fact("titles", [row[1] for row in step.tables[0].rows])
    step.fact("EXISTS inside WHERE", "EXISTS" in sql.split("WHERE", 1)[1])
    # The inner SELECT is a constant (sent as a parameter, 1), whatever columns the queryset had.
    step.fact("inner query selects a constant", 'EXISTS(SELECT %s AS "a"' in sql)


class CheapForm(LabForm):
    under = forms.DecimalField(min_value=0, max_value=1000, max_digits=6, decimal_places=2, initial=Decimal("10"))


@demo(
    "orm.filtered-relation",
    title="Publishers by number of cheap books: FilteredRelation vs filter()",
    form=CheapForm,
    description="A condition in filter() removes publishers with no cheap book; in FilteredRelation it goes into the JOIN's ON, so they stay with 0.",
    reports=("sql",),
)
def filtered_relation(lab, data):
    under = data["under"]
    code_b = f'Publisher.objects.filter(book__price__lt={under}).annotate(cheap_books=Count("book")).order_by("name")'
    compare(
        lab,
        "FilteredRelation",
        lambda: publishers_by_cheap_books(under),
        "filter() then Count",
        lambda: Publisher.objects.filter(book__price__lt=under).annotate(cheap_books=Count("book")).order_by("name"),
        code_a=code_of(publishers_by_cheap_books) + f"\n\npublishers_by_cheap_books(Decimal('{under}'))",
        code_b=code_b,
        columns=["name", "cheap_books"],
        explain=data["explain"],
    )
    for label in ("FilteredRelation", "filter() then Count"):
        step = lab.get(label)
        step.fact("cheap_books", dict(step.tables[0].rows))
        join = step.queries[0].sql.split(" ON ", 1)[1].split("GROUP BY", 1)[0]
        step.fact("price condition inside the JOIN ... ON", "price" in join.split("WHERE", 1)[0])
