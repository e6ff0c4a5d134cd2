"""ORM lesson 2: F(), Q(), expressions and conditional logic."""

from __future__ import annotations

import functools
import operator
from decimal import Decimal

from django import forms
from django.core.exceptions import FieldError
from django.db import connection
from django.db.models import Case, ExpressionWrapper, F, FloatField, Q, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, Greatest, Upper
from django.db.models.lookups import GreaterThan

from lab.recorder import paused
from lab.registry import demo
from sandbox.models import Book, Order
from sandbox.queries_orm import books_with_price_band, publishers_chained, publishers_same_row

from .orm_lab import LabForm, code_of, compare, run_query

RESTOCKED_BOOK = 1  # A1, stock 10 in the canonical seed

NAIVE_TAB = """\
book = Book.objects.get(pk=1)       # read the row into Python
book.stock = book.stock + 1         # add 1 in Python
book.save(update_fields=["stock"])  # write back whatever Python computed"""

F_TAB = """\
# The database adds 1 to whatever value the row holds when the UPDATE runs.
Book.objects.filter(pk=1).update(stock=F("stock") + 1)"""


class RestockForm(forms.Form):
    tabs = forms.IntegerField(min_value=2, max_value=5, initial=2, label="Browser tabs pressing Restock +1")


@demo(
    "orm.lost-update",
    title="Restock +1 from several tabs: read-modify-save vs F()",
    form=RestockForm,
    description=(
        "Every tab reads the book before any tab saves (the interleaving two real requests can produce). "
        "Read-modify-save loses updates; F() does not."
    ),
    reports=("sql",),
)
def lost_update(lab, data):
    tabs = data["tabs"]
    with paused():  # setup, not part of the lesson
        start = Book.objects.get(pk=RESTOCKED_BOOK).stock
    with lab.step(f"{tabs} tabs, read-modify-save", code=NAIVE_TAB) as s:
        # Deterministic interleaving in one thread: read A, read B, …, then save A, save B, …
        copies = [Book.objects.get(pk=RESTOCKED_BOOK) for _ in range(tabs)]
        for book in copies:
            book.stock = book.stock + 1
            book.save(update_fields=["stock"])
        final = Book.objects.get(pk=RESTOCKED_BOOK).stock
        s.fact("stock before", start)
        s.fact("stock after", final)
        s.fact("restocks lost", start + tabs - final)
    with paused():  # the same starting point for the F() run
        Book.objects.filter(pk=RESTOCKED_BOOK).update(stock=start)
    with lab.step(f"{tabs} tabs, F() update", code=F_TAB) as s:
        matched = [Book.objects.filter(pk=RESTOCKED_BOOK).update(stock=F("stock") + 1) for _ in range(tabs)]
        final = Book.objects.get(pk=RESTOCKED_BOOK).stock
        s.fact("rows matched per update()", matched)
        s.fact("stock before", start)
        s.fact("stock after", final)
        s.fact("restocks lost", start + tabs - final)
    code = (
        'Book.objects.filter(publisher__name="A").update(stock=F("stock") + 1)\n'
        'Book.objects.filter(publisher__name="A").update(stock=F("stock"))  # changes nothing'
    )
    with lab.step("update() returns the number of rows matched", code=code) as s:
        s.fact("returned", Book.objects.filter(publisher__name="A").update(stock=F("stock") + 1))
        s.fact("returned when nothing changes", Book.objects.filter(publisher__name="A").update(stock=F("stock")))
    code = 'b = Book.objects.get(title="B1")  # stock 0\nb.stock = F("stock") + 5\nb.save()\nb.save()  # again'
    with lab.step("F() assigned to an instance, saved twice", code=code) as s:
        b = Book.objects.get(title="B1")
        b.stock = F("stock") + 5
        b.save()
        s.fact("type(b.stock) after save()", type(b.stock).__name__)
        b.save()
        s.fact("stock in the database after two saves", Book.objects.get(pk=b.pk).stock)


class BandForm(LabForm):
    premium_from = forms.DecimalField(
        min_value=0, max_value=1000, max_digits=6, decimal_places=2, initial=Decimal("15"), label="Premium from (price)"
    )


@demo(
    "orm.case-when",
    title="Case/When: price bands and a conditional update",
    form=BandForm,
    description="The database computes the band for each row; the same Case drives a one-statement conditional UPDATE.",
    reports=("sql",),
)
def case_when(lab, data):
    run_query(
        lab,
        "Price bands",
        code_of(books_with_price_band) + f"\n\nbooks_with_price_band(premium_from=Decimal('{data['premium_from']}'))",
        lambda: books_with_price_band(data["premium_from"]),
        columns=["title", "price", "band"],
        explain=data["explain"],
    )
    code = 'Book.objects.update(stock=Case(When(stock=0, then=Value(5)), default=F("stock")))'
    with lab.step("Restock only the sold-out books, in one UPDATE", code=code) as s:
        s.fact("rows matched", Book.objects.update(stock=Case(When(stock=0, then=Value(5)), default=F("stock"))))
        s.table(["title", "stock"], Book.objects.order_by("title").values_list("title", "stock"))


CONNECTORS = {"and": ("&", operator.and_), "or": ("|", operator.or_), "xor": ("^", operator.xor)}
CONDITIONS = {  # form field -> (Q, how it reads)
    "well_rated": (Q(rating__gte=4), "Q(rating__gte=4)"),
    "cheap": (Q(price__lt=10), "Q(price__lt=10)"),
    "from_a": (Q(publisher__name="A"), 'Q(publisher__name="A")'),
}


class DynamicQForm(LabForm):
    well_rated = forms.BooleanField(required=False, initial=True, label="rating ≥ 4")
    cheap = forms.BooleanField(required=False, initial=True, label="price < 10")
    from_a = forms.BooleanField(required=False, label="publisher A")
    connector = forms.ChoiceField(choices=[(k, f"{k.upper()} ({s})") for k, (s, _) in CONNECTORS.items()], initial="or")
    negate = forms.BooleanField(required=False, label="NOT the whole condition (~)")


@demo(
    "orm.dynamic-q",
    title="Composing Q objects from choices",
    form=DynamicQForm,
    description="Tick conditions and pick how to join them; the lab shows the Q you built, its SQL and the rows.",
    reports=("sql",),
)
def dynamic_q(lab, data):
    chosen = [CONDITIONS[name] for name in CONDITIONS if data[name]]
    symbol, join = CONNECTORS[data["connector"]]
    condition = functools.reduce(join, [q for q, _ in chosen], Q()) if chosen else Q()
    text = f" {symbol} ".join(code for _, code in chosen) or "Q()"
    if data["negate"]:
        condition, text = ~condition, f"~({text})"
    run_query(
        lab,
        "Your filter",
        f"Book.objects.filter({text}).order_by('title')",
        lambda: Book.objects.filter(condition).order_by("title"),
        columns=["title", "rating", "price"],
        explain=data["explain"],
    )


@demo(
    "orm.mixed-types",
    title="Decimal × float: FieldError, ExpressionWrapper and Cast",
    form=LabForm,
    description="price is a DecimalField and rating a FloatField; Django will not guess the type of their product.",
    reports=("sql",),
)
def mixed_types(lab, data):
    with lab.step("No output_field", code='Book.objects.annotate(score=F("price") * F("rating"))', expect=FieldError):
        list(Book.objects.annotate(score=F("price") * F("rating")))
    run_query(
        lab,
        "ExpressionWrapper(output_field=FloatField())",
        'Book.objects.annotate(score=ExpressionWrapper(F("price") * F("rating"), output_field=FloatField()))',
        lambda: Book.objects.annotate(
            score=ExpressionWrapper(F("price") * F("rating"), output_field=FloatField())
        ).order_by("title"),
        columns=["title", "score"],
        explain=data["explain"],
    )
    run_query(
        lab,
        "Cast: a real CAST in the SQL",
        'Book.objects.annotate(score=Cast("price", FloatField()) * F("rating"))',
        lambda: Book.objects.annotate(score=Cast("price", FloatField()) * F("rating")).order_by("title"),
        columns=["title", "score"],
        explain=data["explain"],
    )


class MultiValuedForm(LabForm):
    pass


@demo(
    "orm.multi-valued",
    title="One filter() or two, across a multi-valued relation",
    form=MultiValuedForm,
    description="Publishers with a book rated ≥ 4 and a book under 8: the same book, or any two books?",
    reports=("sql",),
)
def multi_valued(lab, data):
    compare(
        lab,
        "one filter()",
        publishers_same_row,
        "chained filter()",
        publishers_chained,
        code_a=code_of(publishers_same_row),
        code_b=code_of(publishers_chained),
        columns=["name"],
        explain=data["explain"],
    )


TOOLBOX = """\
Book.objects.annotate(
    label=Concat(Upper("title"), Value(" from "), "publisher__name"),
    stars=Coalesce("review_average", Value(0.0)),  # NULL (no reviews) becomes 0.0
    bigger=Greatest("pages", "stock"),
    initial=F("title")[:1],  # slicing an F(): Django 5.1+
).order_by("title")"""


@demo(
    "orm.expression-toolbox",
    title="The expression toolbox: functions, NULLs last, a lookup as a value",
    form=LabForm,
    description="Database functions compute per row in SQL; ordering can put NULLs last; a lookup such as "
    "GreaterThan is itself an expression you can annotate.",
    reports=("sql",),
)
def expression_toolbox(lab, data):
    run_query(
        lab,
        "Database functions",
        TOOLBOX,
        lambda: Book.objects.annotate(
            label=Concat(Upper("title"), Value(" from "), "publisher__name"),
            stars=Coalesce("review_average", Value(0.0)),
            bigger=Greatest("pages", "stock"),
            initial=F("title")[:1],
        ).order_by("title"),
        columns=["title", "label", "stars", "bigger", "initial"],
        explain=data["explain"],
    )
    step, _ = run_query(
        lab,
        "desc() without nulls_last",
        'Book.objects.order_by(F("review_average").desc(), "title")',
        lambda: Book.objects.order_by(F("review_average").desc(), "title"),
        columns=["title", "review_average"],
        explain=data["explain"],
    )
    step.fact("database", connection.vendor)  # where NULLs go by default differs between databases
    step, _ = run_query(
        lab,
        "NULLs last",
        'Book.objects.order_by(F("review_average").desc(nulls_last=True), "title")',
        lambda: Book.objects.order_by(F("review_average").desc(nulls_last=True), "title"),
        columns=["title", "review_average"],
        explain=data["explain"],
    )
    step.fact("NULLS LAST in the SQL", "NULLS LAST" in step.queries[0].sql)
    run_query(
        lab,
        "A lookup as a value",
        'Order.objects.annotate(got_discount=GreaterThan(F("total_price"), F("discounted_price"))).order_by("pk")',
        lambda: Order.objects.annotate(got_discount=GreaterThan(F("total_price"), F("discounted_price"))).order_by(
            "pk"
        ),
        columns=["pk", "total_price", "discounted_price", "got_discount"],
        explain=data["explain"],
    )
