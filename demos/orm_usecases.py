"""ORM use cases from real projects: a sales report, a catalogue search, selective retrieval."""

from __future__ import annotations

import pickle
import time
from decimal import Decimal

from django import forms
from django.test import Client
from django.urls import reverse

from lab.recorder import paused
from lab.registry import demo
from lab.sqldiff import show_sql_diff
from sandbox.models import Author
from sandbox.queries_orm import SORTS, best_seller_per_store, catalogue, revenue_per_publisher_per_month, units_sold

from .orm_lab import MAX_ROWS, LabForm, code_of, explain_step, run_query
from .orm_loading import book_set

# -- (a) The sales report --------------------------------------------------------


class SalesForm(LabForm):
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100, label="Only orders from year")


@demo(
    "orm.sales-report",
    title="A sales report: revenue per publisher per month, best seller per store, as CSV",
    form=SalesForm,
    description="Annotations, a window and correlated subqueries; then the same rows downloaded from a real CSV view.",
    reports=("sql", "headers"),
)
def sales_report(lab, data):
    year = data["year"]
    run_query(
        lab,
        "Revenue per publisher per month",
        code_of(revenue_per_publisher_per_month) + f"\n\nrevenue_per_publisher_per_month(year={year})",
        lambda: revenue_per_publisher_per_month(year),
        columns=["month", "publisher", "units", "revenue", "rank_in_month"],
        explain=data["explain"],
    )
    run_query(
        lab,
        "Best seller per store",
        code_of(units_sold) + "\n\n" + code_of(best_seller_per_store),
        best_seller_per_store,
        columns=["name", "best_seller", "units"],
        explain=data["explain"],
    )
    url = reverse("orm-sales-report") + "?report=revenue" + (f"&year={year}" if year else "")
    with lab.step("Download it as CSV", code=f'Client().get("{url}")') as s:
        response = Client().get(url)  # a real request through the site's middleware and the view
        s.request_headers = {"GET": url}
        s.response_headers = {k: v for k, v in response.headers.items() if k in ("Content-Type", "Content-Disposition")}
        s.fact("status", response.status_code)
        lines = response.content.decode().splitlines()
        s.fact("CSV lines (header included)", len(lines))
        s.table(["first lines of the CSV"], [[line] for line in lines[:6]])


# -- (b) The catalogue search ----------------------------------------------------


class CatalogueForm(LabForm):
    # Initial values fill a few fields so the first Run already shows filters being added.
    min_price = forms.DecimalField(
        required=False, min_value=0, max_value=1000, max_digits=6, decimal_places=2, initial=Decimal("6")
    )
    max_price = forms.DecimalField(required=False, min_value=0, max_value=1000, max_digits=6, decimal_places=2)
    min_rating = forms.FloatField(required=False, min_value=0, max_value=5, initial=4, label="Rating at least")
    author = forms.ModelChoiceField(queryset=Author.objects.all(), required=False)
    in_stock = forms.BooleanField(required=False, initial=True, label="In stock only")
    sort = forms.ChoiceField(choices=[(key, key) for key in SORTS], initial="title")

    def clean(self):
        data = super().clean()
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and low > high:
            raise forms.ValidationError("The lowest price is above the highest price.")
        return data


FILTER_ORDER = ["min_price", "max_price", "min_rating", "author", "in_stock"]


@demo(
    "orm.catalogue-search",
    title="A catalogue search: each filter you fill in changes the SQL",
    form=CatalogueForm,
    description="The form validates every input against a whitelist; empty fields add nothing. Each step adds one filter and shows the SQL lines it changed.",
    reports=("sql",),
)
def catalogue_search(lab, data):
    applied = {"sort": data["sort"]}
    steps = [("No filters", dict(applied))]
    for name in FILTER_ORDER:
        value = data[name]
        if value is None or value is False:
            continue
        applied[name] = value.pk if name == "author" else value
        steps.append((f"+ {name}", dict(applied)))
    previous = None
    for label, kwargs in steps:
        args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
        step, _ = run_query(
            lab,
            label,
            f"catalogue({args})",
            lambda kwargs=kwargs: catalogue(**kwargs),
            columns=["title", "price", "rating", "stock"],
            explain=data["explain"],
        )
        if previous is not None:
            changed = show_sql_diff(
                step, "SQL this filter changed", "the step before", previous.queries, "this step", step.queries
            )
            step.fact("SQL lines that differ", changed)
        previous = step
    lab.steps[0].code = code_of(catalogue) + "\n\n" + lab.steps[0].code


# -- (c) Selective retrieval -----------------------------------------------------

SHAPES = {  # label -> (code, function from the base queryset to rows)
    "full objects": ("list(books)", list),
    'only("title", "price")': ('list(books.only("title", "price"))', lambda b: list(b.only("title", "price"))),
    'values("title", "price")': (
        'list(books.values("title", "price"))',
        lambda b: list(b.values("title", "price")),
    ),
    'values_list("title", "price")': (
        'list(books.values_list("title", "price"))',
        lambda b: list(b.values_list("title", "price")),
    ),
}


class SelectiveForm(LabForm):
    books = forms.ChoiceField(
        choices=[("canonical", "the 5 canonical books"), ("large", "books from the large seed")], initial="canonical"
    )
    limit = forms.IntegerField(min_value=1, max_value=5000, initial=1000, label="How many large-seed books")
    trials = forms.IntegerField(min_value=1, max_value=20, initial=5, label="Timed trials")


@demo(
    "orm.selective",
    title="Selective retrieval: full objects vs only() vs values()",
    form=SelectiveForm,
    description="The same listing (title and price) fetched four ways: columns selected, bytes the rows take when pickled, and time.",
    reports=("sql", "timing"),
)
def selective(lab, data):
    books = book_set(data["books"], data["limit"])
    timings = []
    for label, (code, fetch) in SHAPES.items():
        with lab.step(label, code=code) as s:
            rows = fetch(books.all())
            sql = s.queries[0].sql
            s.fact("books", len(rows))
            s.fact("columns selected", sql[: sql.index(" FROM ")].count(", ") + 1)
            s.fact("bytes (len(pickle.dumps(rows)))", len(pickle.dumps(rows)))
            preview = [[r["title"], r["price"]] if isinstance(r, dict) else _pair(r) for r in rows[:MAX_ROWS]]
            s.table(["title", "price"], preview)
        if data["explain"]:
            explain_step(s)
        samples = []
        with paused():
            for _ in range(data["trials"]):
                lab.check_time()
                started = time.perf_counter()
                fetch(books.all())
                samples.append((time.perf_counter() - started) * 1000)
        timings.append((label.split("(")[0] + "()" if "(" in label else label, samples))  # short: fits the chart
    with lab.step("Timings") as s:
        for label, samples in timings:
            s.timings(label, samples)


def _pair(row) -> list:
    return list(row) if isinstance(row, tuple) else [row.title, row.price]
