"""ORM lesson 7: raw SQL (raw(), cursor, RawSQL) and SQL injection, shown safely."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import DecimalField
from django.db.models.expressions import RawSQL

from lab.recorder import paused
from lab.registry import demo
from lab.sqldiff import show_sql_diff
from sandbox.models import Book

from .orm_lab import LabForm, run_query, savepoint


class RawForm(LabForm):
    min_price = forms.DecimalField(
        min_value=0, max_value=1000, max_digits=6, decimal_places=2, initial=Decimal("10"), label="Books from (price)"
    )


def dict_rows(cursor) -> list[dict]:
    """cursor.fetchall() as dicts, keyed by column name (Django docs' `dictfetchall`)."""
    columns = [col[0] for col in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


@demo(
    "orm.raw",
    title="Three ways to write SQL yourself",
    form=RawForm,
    description="raw() maps rows to models, a cursor gives you tuples, RawSQL puts a fragment inside an ORM query. All take params.",
    reports=("sql",),
)
def raw_sql(lab, data):
    price = data["min_price"]
    run_query(
        lab,
        "Book.objects.raw()",
        'Book.objects.raw("SELECT id, title, price FROM sandbox_book WHERE price >= %s ORDER BY title", [min_price])',
        lambda: Book.objects.raw("SELECT id, title, price FROM sandbox_book WHERE price >= %s ORDER BY title", [price]),
        columns=["pk", "title", "price"],
        explain=data["explain"],
    )
    code = 'Book.objects.raw("SELECT title FROM sandbox_book")  # no primary key selected'
    with lab.step("raw() without the primary key", code=code, expect=FieldDoesNotExist):
        list(Book.objects.raw("SELECT title FROM sandbox_book"))

    def with_cursor():
        with connection.cursor() as cursor:
            # A dict of params with %(name)s placeholders: Django converts them for every backend, SQLite included.
            cursor.execute(
                "SELECT p.name, COUNT(*) AS books FROM sandbox_book b JOIN sandbox_publisher p ON p.id = b.publisher_id"
                " WHERE b.price >= %(min_price)s GROUP BY p.name ORDER BY p.name",
                {"min_price": price},
            )
            return dict_rows(cursor)

    run_query(
        lab,
        "connection.cursor()",
        "with connection.cursor() as cursor:\n"
        '    cursor.execute("SELECT p.name, COUNT(*) AS books FROM ... WHERE b.price >= %(min_price)s ...",'
        ' {"min_price": min_price})\n'
        "    rows = dict_rows(cursor)",
        with_cursor,
        explain=data["explain"],
    )
    run_query(
        lab,
        "RawSQL inside an ORM query",
        'Book.objects.annotate(with_vat=RawSQL("price * %s", [Decimal("1.2")], output_field=DecimalField()))'
        ".filter(price__gte=min_price)",
        lambda: (
            Book.objects.annotate(with_vat=RawSQL("price * %s", [Decimal("1.2")], output_field=DecimalField()))
            .filter(price__gte=price)
            .order_by("title")
        ),
        columns=["title", "price", "with_vat"],
        explain=data["explain"],
    )


def no_stacked_statements(value: str) -> None:
    # Defence in depth: the query template is fixed and runs read-only, but a ';' never gets near it.
    if ";" in value:
        raise forms.ValidationError("A ';' would start a second statement; this lab does not run those.")


# What the vulnerable query may be made to do: compare the book's own columns. Nothing else may become SQL, so
# no UNION, subquery or function can read another table (other learners' data, password hashes).
KEYWORDS = {"or", "and", "not", "like", "is", "null", "true", "false"}
COLUMNS = {"id", "title", "price", "pages", "rating", "stock", "blurb", "publisher_id", "review_count"}
OPERATORS = set(" =<>!()%+*-.,0123456789")


def code_outside_quotes(value: str) -> str:
    """The parts of `value` that SQL reads as code once it is pasted between the template's '...' quotes."""
    code, inside, i = [], True, 0
    while i < len(value):
        char = value[i]
        if char == "'" and inside and value[i + 1 : i + 2] == "'":
            i += 2  # '' is a quote inside the string
            continue
        if char == "'":
            inside = not inside
            code.append(" ")
        elif not inside:
            code.append(char)
        i += 1
    return "".join(code)


def only_comparisons_on_books(value: str) -> None:
    code = code_outside_quotes(value)
    words = {word.lower() for word in re.findall(r"[A-Za-z_]\w*", code)} - KEYWORDS - COLUMNS
    odd = {char for char in code if char not in OPERATORS and not (char.isascii() and (char.isalnum() or char == "_"))}
    if words or odd:
        found = ", ".join(sorted(words | odd))
        raise forms.ValidationError(
            f"Outside the quotes this lab only lets your text compare the book's own columns with AND, OR, NOT, "
            f"LIKE and IS (found: {found}), so it can never read another table."
        )


class InjectionForm(LabForm):
    title = forms.CharField(
        max_length=80,
        initial="x' OR '1'='1",
        validators=[no_stacked_statements, only_comparisons_on_books],
        label="Search title",
        help_text="Goes into a fixed SELECT; try x' OR '1'='1",
    )


SAFE = 'Book.objects.raw("SELECT * FROM sandbox_book WHERE title = %s", [title])'
UNSAFE = "Book.objects.raw(\"SELECT * FROM sandbox_book WHERE title = '%s'\" % title)  # NEVER do this"


@contextmanager
def read_only() -> Iterator[None]:
    """Make the database refuse writes for the block (the demo's transaction is rolled back anyway).

    Switching it on and off is the lab's bookkeeping, so those statements are not recorded.
    """
    sqlite = connection.vendor == "sqlite"
    with savepoint(rollback=True):  # on PostgreSQL, rolling back to the savepoint restores read-write
        with paused(), connection.cursor() as cursor:
            cursor.execute("PRAGMA query_only = ON" if sqlite else "SET TRANSACTION READ ONLY")
        try:
            yield
        finally:
            if sqlite:  # a PRAGMA is not undone by a rollback
                with paused(), connection.cursor() as cursor:
                    cursor.execute("PRAGMA query_only = OFF")


@demo(
    "orm.injection",
    title="SQL injection: the same input through params and through string formatting",
    form=InjectionForm,
    description="The query template is fixed and runs read-only; only your search text changes.",
    reports=("sql",),
)
def injection(lab, data):
    title = data["title"]
    with read_only():
        safe, _ = run_query(
            lab,
            "params (safe)",
            SAFE,
            lambda: Book.objects.raw("SELECT * FROM sandbox_book WHERE title = %s", [title]),
            columns=["pk", "title"],
            explain=data["explain"],
        )
        unsafe, _ = run_query(
            lab,
            "string formatting (vulnerable)",
            UNSAFE,
            # The vulnerable pattern, on purpose: this is what the lesson warns against.
            lambda: Book.objects.raw("SELECT * FROM sandbox_book WHERE title = '%s'" % title.replace("%", "%%")),  # noqa: UP031, S608
            columns=["pk", "title"],
            explain=data["explain"],
            db_error_expected=True,  # input that breaks the SQL's syntax is a lesson too, not a crash
        )
    unsafe.note("The lab doubles any % in your text, so that the formatting itself cannot fail.")
    with lab.step("params vs string formatting") as s:
        # The statement text each version sent: with params it never changes, whatever the learner types.
        changed = show_sql_diff(
            s, "The SQL text each version sent", "params", safe.queries, "formatting", unsafe.queries
        )
        s.fact("SQL lines that differ", changed)
    with paused():
        total = Book.objects.count()
    for step in (safe, unsafe):
        step.fact("books in the table", total)
        step.fact("ran read-only", True)
        # The logged form: for the safe query the value is shown inline but was sent separately.
        step.fact("SQL as logged", step.queries[0].display)
