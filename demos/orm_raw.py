"""ORM lesson 7: raw SQL (raw(), cursor, RawSQL) and SQL injection, run where it can reach nothing.

The injection demo runs both versions of the search in a throwaway in-memory
SQLite database that holds only the books the lesson shows (demos/orm_scratch.py):
the learner's text really becomes SQL, and there is nothing else for it to read.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import DatabaseError

from lab.registry import Prediction, demo
from lab.sqldiff import show_sql_diff
from sandbox.models import Book
from sandbox.teaching.orm_raw import (
    books_from_price,
    books_per_publisher_from,
    books_with_vat,
    dict_rows,
    find_books,
    find_books_unsafe,
    raw_without_primary_key,
)

from .orm_lab import LabForm, column, measured, query_step, sources
from .orm_loading import LARGE_FROM
from .orm_scratch import COLUMNS, lesson_books, tables_in


class RawForm(LabForm):
    min_price = forms.DecimalField(
        min_value=0, max_value=1000, max_digits=6, decimal_places=2, initial=Decimal("10"), label="Books from (price)"
    )


@demo(
    "orm.raw",
    title="Three ways to write SQL yourself",
    form=RawForm,
    description="raw() maps rows to models, a cursor gives you tuples, RawSQL puts a fragment inside an ORM query. All take params.",
    reports=("sql",),
    predictions=(
        Prediction(
            "raw() without the primary key in its SELECT: does the query reach the database before Django complains?",
            ("yes", "no"),
            answer=lambda lab: "yes" if measured(lab, "raw_without_primary_key", "queries") else "no",
            explain="Django finds the missing primary key in the columns the database sent back, so the query "
            "has already run.",
            see="#three-ways-to-write-sql-yourself",
        ),
    ),
)
def raw_sql(lab, data):
    price, explain = data["min_price"], data["explain"]
    raw = query_step(
        lab,
        "Book.objects.raw()",
        partial(books_from_price, price),
        columns=["pk", "title", "price"],
        explain=explain,
    )
    no_pk = lab.step("raw() without the primary key", raw_without_primary_key, expect=FieldDoesNotExist)
    no_pk.fact("queries", len(no_pk.queries), "queries sent")
    query_step(
        lab,
        "connection.cursor()",
        partial(books_per_publisher_from, price),
        code=sources(dict_rows, books_per_publisher_from),
        explain=explain,
    )
    query_step(
        lab,
        "RawSQL inside an ORM query",
        partial(books_with_vat, price),
        columns=["title", "price", "with_vat"],
        explain=explain,
    )
    lab.headline(
        f"raw() found {column(raw, 'title')} from {price}; without the primary key: {no_pk.error_type} after "
        f"{len(no_pk.queries)} query",
        focus=raw,
    )


class InjectionForm(LabForm):
    title = forms.CharField(
        max_length=80,
        initial="x' OR '1'='1",
        label="Search title",
        help_text="Pasted into a fixed SELECT on a throwaway copy of the books table; try x' OR '1'='1",
    )


# Errors that come from the throwaway database's fences rather than from SQL syntax (demos/orm_scratch.py).
WHY = {
    "interrupted": "The throwaway database stops any statement after a fixed number of steps.",
    "not authorized": "The throwaway database allows reading its table and nothing else.",
    "string or blob too big": "The throwaway database refuses any value over 1,000 bytes.",
}


def _formatted_rows(lab) -> str:
    if measured(lab, "find_books_unsafe", "error_type"):
        return "an error"
    rows, total = measured(lab, "find_books_unsafe", "rows"), measured(lab, "find_books_unsafe", "books_in_table")
    return f"all {total}" if rows == total else str(rows)


@demo(
    "orm.injection",
    title="SQL injection: the same input through params and through string formatting",
    form=InjectionForm,
    description="Both searches run in a throwaway in-memory database that holds only the five books; "
    "only your search text changes.",
    reports=("sql",),
    predictions=(
        Prediction(
            "How many books does the string-formatted query return for your text?",
            ("0", "1", "all 5", "an error"),
            answer=_formatted_rows,
            explain="With string formatting a quote in your text closes the SQL string and the rest becomes SQL: "
            "x' OR '1'='1 makes the WHERE true for every row. With params the text is one value.",
            see="#injection-the-same-input-two-ways",
        ),
    ),
)
def injection(lab, data):
    title, explain = data["title"], data["explain"]
    books = list(Book.objects.filter(learner="", pk__lt=LARGE_FROM).order_by("pk").values_list(*COLUMNS))
    with lesson_books(books) as db:
        safe = query_step(
            lab, "params (safe)", partial(find_books, title, using=db), columns=["pk", "title"], explain=explain
        )
        unsafe = query_step(
            lab,
            "string formatting (vulnerable)",
            partial(find_books_unsafe, title, using=db),
            columns=["pk", "title"],
            # Text that breaks the SQL's syntax is a lesson too: the database's error is shown, not a crash.
            expect=DatabaseError,
            savepoint_on_error=False,  # the throwaway database runs in autocommit; the site's is untouched
            explain=explain,
        )
        tables = tables_in(db)
    with lab.section("params vs string formatting", key="diff") as diff:
        # The statement text each version sent: with params it never changes, whatever the learner types.
        changed = show_sql_diff(
            diff, "The SQL text each version sent", "params", safe.queries, "formatting", unsafe.queries
        )
        diff.fact("sql_lines_differ", changed, "SQL lines that differ")
    for step in (safe, unsafe):
        step.fact("books_in_table", len(books), "books in the table")
        step.fact("database", f"in-memory SQLite, this run only: tables {tables}", "where it ran")
        # The logged form: for the safe query the value is shown inline but was sent separately.
        step.fact("sql_as_logged", step.queries[0].display if step.queries else "", "SQL as logged")
    if unsafe.error in WHY:
        unsafe.note(WHY[unsafe.error])
    found = f"{unsafe.error_type} ({unsafe.error})" if unsafe.error else f"{unsafe.facts['rows']} rows"
    lab.headline(f"params: {safe.facts['rows']} rows; string formatting: {found} (of {len(books)} books)", focus=unsafe)
