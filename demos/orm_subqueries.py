"""ORM lesson 4: Subquery, OuterRef, Exists and FilteredRelation, and the shapes that go wrong."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from django import forms
from django.core.exceptions import FieldError
from django.db import DatabaseError, connection

from lab.registry import Prediction, demo
from sandbox.queries_orm import (
    books_with_latest_review,
    books_without_reviews,
    latest_review,
    publishers_by_cheap_books,
)
from sandbox.teaching.orm_subqueries import (
    books_with_reviews,
    count_outer_ref_queryset,
    latest_review_two_columns,
    latest_stars_without_slice,
    publishers_with_cheap_books,
)

from .orm_lab import LabForm, column, compare, measured, query_step, rows_of, sources

MISTAKES = {
    "no-slice": "Subquery(latest_review()): forgot [:1]",
    "two-columns": 'Subquery(....values("stars", "created")[:1]): two columns',
    "evaluate": "latest_review().count(): run the inner queryset on its own",
}


class LatestReviewForm(LabForm):
    mistake = forms.ChoiceField(
        choices=[("none", "Only the correct shape"), *MISTAKES.items()],
        initial="no-slice",
        label="Also try a wrong shape",
    )


def _raised(lab) -> str:
    raised = measured(lab, "forgot_slice", "raised", None)
    return "(choose “forgot [:1]” to find out)" if raised is None else "yes" if raised else "no"


@demo(
    "orm.latest-review",
    title="Each book's latest review, with Subquery and OuterRef",
    form=LatestReviewForm,
    description="A subquery used as a value must return one column and at most one row. Try the wrong shapes and see what this database does.",
    reports=("sql",),
    predictions=(
        Prediction(
            "Forget the [:1], so the subquery can return several rows for one book: does this database raise an error?",
            ("yes", "no"),
            answer=_raised,
            explain="PostgreSQL refuses a multi-row subquery used as a value; SQLite silently uses the first row "
            "it produces. Code developed on SQLite can pass every test and fail in production.",
            see="#a-value-per-row-subquery-and-outerref",
        ),
    ),
)
def latest_review_demo(lab, data):
    latest = query_step(
        lab,
        "One column, one row",
        books_with_latest_review,
        key="latest",
        code=sources(latest_review, books_with_latest_review),
        columns=["title", "latest_stars"],
        explain=data["explain"],
    )
    stars = dict(rows_of(latest))
    headline, focus = f"Latest review stars: A1={stars['A1']}, B1={stars['B1']}; the others have none", latest
    mistake = data["mistake"]
    if mistake == "no-slice":
        focus = query_step(
            lab,
            "Forgot [:1]",
            latest_stars_without_slice,
            key="forgot_slice",
            expect=DatabaseError,
            columns=["title", "latest_stars"],
        )
        focus.fact("database", connection.vendor, "database")
        focus.fact("raised", bool(focus.error), "raised an error")
        if not focus.error:
            focus.note("No error: this database silently used the first row the subquery produced.")
            headline = f"Forgot [:1]: {connection.vendor} raised nothing and silently used the first row"
        else:
            headline = f"Forgot [:1]: {connection.vendor} refused with {focus.error_type}"
    elif mistake == "two-columns":
        focus = query_step(lab, "Two columns", latest_review_two_columns, key="two_columns", expect=FieldError)
    elif mistake == "evaluate":
        focus = lab.step(
            "Evaluate an OuterRef queryset",
            count_outer_ref_queryset,
            key="evaluate",
            expect=ValueError,
        )
    if mistake in ("two-columns", "evaluate"):
        headline = f"{MISTAKES[mistake].split(': ')[1].capitalize()}: {focus.error_type} before any SQL was sent"
        if focus.queries:  # never expected: say what really happened
            headline = f"{focus.error_type} after {len(focus.queries)} statement(s)"
    lab.headline(headline, focus=focus)


class ExistsForm(LabForm):
    negate = forms.BooleanField(required=False, initial=True, label="~Exists (books WITHOUT reviews)")


@demo(
    "orm.exists",
    title="Exists and ~Exists: books with and without reviews",
    form=ExistsForm,
    description="EXISTS stops at the first matching row and adds no column to the SELECT.",
    reports=("sql",),
    predictions=(
        Prediction(
            "Does filtering with Exists(...) add a column to the outer SELECT?",
            ("yes", "no"),
            answer=lambda lab: "yes" if lab.steps and lab.steps[0].facts.get("adds_column") else "no",
            explain="filter(Exists(...)) puts EXISTS in the WHERE only; the inner query selects a constant.",
            see="#yes-or-no-exists",
        ),
    ),
)
def exists_demo(lab, data):
    fn = books_without_reviews if data["negate"] else books_with_reviews
    step = query_step(lab, "~Exists" if data["negate"] else "Exists", fn, explain=data["explain"])
    sql = step.queries[0].sql
    select, _, rest = sql.partition(" FROM ")
    step.fact("titles", column(step, "title"), "titles")
    step.fact("exists_in_where", "EXISTS" in rest.split("WHERE", 1)[1], "EXISTS inside WHERE")
    step.fact("adds_column", "EXISTS" in select, "EXISTS in the outer SELECT list")
    # The inner SELECT is a constant (sent as a parameter, 1), whatever columns the queryset had.
    step.fact("inner_selects_constant", 'EXISTS(SELECT %s AS "a"' in sql, "inner query selects a constant")
    lab.headline(f"{step.label}: {step.facts['titles']}, with no extra column in the SELECT", focus=step)


class CheapForm(LabForm):
    under = forms.DecimalField(min_value=0, max_value=1000, max_digits=6, decimal_places=2, initial=Decimal("10"))


@demo(
    "orm.filtered-relation",
    title="Publishers by number of cheap books: FilteredRelation vs filter()",
    form=CheapForm,
    description="A condition in filter() removes publishers with no cheap book; in FilteredRelation it goes into the JOIN's ON, so they stay with 0.",
    reports=("sql",),
    predictions=(
        Prediction(
            "filter(book__price__lt=10) then Count: how many publishers come back?",
            ("1", "2", "3"),
            answer=lambda lab: str(measured(lab, "publishers_with_cheap_books", "rows")),
            explain="The WHERE removes every publisher without a cheap book; only B has any.",
            see="#a-join-with-a-condition-filteredrelation",
        ),
    ),
)
def filtered_relation(lab, data):
    under = data["under"]
    diff = compare(
        lab,
        "FilteredRelation",
        partial(publishers_by_cheap_books, under),
        "filter() then Count",
        partial(publishers_with_cheap_books, under),
        key="diff",
        columns=["name", "cheap_books"],
        explain=data["explain"],
    )
    for key in ("publishers_by_cheap_books", "publishers_with_cheap_books"):
        step = lab.get(key)
        step.fact("cheap_books", dict(rows_of(step)), "cheap books per publisher")
        join = step.queries[0].sql.split(" ON ", 1)[1].split("GROUP BY", 1)[0]
        step.fact("condition_in_join", "price" in join.split("WHERE", 1)[0], "price condition inside the JOIN ... ON")
    kept = {
        key: lab.get(key).facts["cheap_books"] for key in ("publishers_by_cheap_books", "publishers_with_cheap_books")
    }
    lab.headline(
        f"FilteredRelation keeps {len(kept['publishers_by_cheap_books'])} publishers "
        f"({', '.join(f'{k} {v}' for k, v in kept['publishers_by_cheap_books'].items())}); "
        f"filter() keeps {len(kept['publishers_with_cheap_books'])}",
        focus=diff,
    )
