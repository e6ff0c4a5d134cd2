"""ORM use cases from real projects: a sales report, a catalogue search, selective retrieval."""

from __future__ import annotations

import pickle
from decimal import Decimal
from functools import partial
from urllib.parse import urlencode

from django import forms
from django.urls import reverse

from lab.handler import send
from lab.recorder import call_text, source_code
from lab.registry import Prediction, demo
from lab.sqldiff import show_sql_diff
from sandbox.endpoints.orm import sales_report_csv
from sandbox.models import Author
from sandbox.queries_orm import SORTS, best_seller_per_store, catalogue, revenue_per_publisher_per_month, units_sold
from sandbox.teaching.orm_selective import (
    full_objects,
    only_title_and_price,
    values_list_title_and_price,
    values_title_and_price,
)

from .orm_lab import LabForm, measured, n_queries, plural, query_step, rows_of, sources
from .orm_loading import book_set, fresh

# -- (a) The sales report --------------------------------------------------------


class SalesForm(LabForm):
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100, label="Only orders from year")


@demo(
    "orm.sales-report",
    title="A sales report: revenue per publisher per month, best seller per store, as CSV",
    form=SalesForm,
    description="Annotations, a window and correlated subqueries; then the same rows downloaded from a real CSV view.",
    reports=("sql", "headers"),
    predictions=(
        Prediction(
            "Best seller per store, with its units sold, for every store: how many queries?",
            ("1", "3", "4"),
            answer=lambda lab: str(measured(lab, "best_seller_per_store", "queries")),
            explain="The per-store work happens in correlated subqueries inside one SELECT.",
            see="#use-case-a-sales-report",
        ),
    ),
)
def sales_report(lab, data):
    year, explain = data["year"], data["explain"]
    revenue = query_step(
        lab,
        "Revenue per publisher per month",
        partial(revenue_per_publisher_per_month, year),
        columns=["month", "publisher", "units", "revenue", "rank_in_month"],
        explain=explain,
    )
    best = query_step(
        lab,
        "Best seller per store",
        best_seller_per_store,
        code=sources(units_sold, best_seller_per_store),
        columns=["name", "best_seller", "units"],
        explain=explain,
    )
    url = reverse("orm-sales-report") + "?" + urlencode({"report": "revenue", **({"year": year} if year else {})})
    # A real request to the real view: its code panel is the view, its call line the request.
    with lab.section("Download it as CSV", key="csv", code=source_code(sales_report_csv)) as csv:
        csv.call = f"GET {url}"
        response = send([], url)
    csv.request_headers = {"GET": url}
    csv.response_headers = {k: v for k, v in response.headers.items() if k in ("Content-Type", "Content-Disposition")}
    lines = response.content.decode().splitlines()
    csv.fact("status", response.status_code, "status")
    csv.fact("lines", len(lines), "CSV lines (header included)")
    csv.table(["first lines of the CSV"], [[line] for line in lines[:6]])
    stores = ", ".join(f"{name} {title}" for name, title, _ in rows_of(best))
    lab.headline(
        f"{revenue.facts['rows']} revenue rows; best sellers ({stores}) from {n_queries(best.facts['queries'])}; "
        f"the CSV has {len(lines)} lines",
        focus=best,
    )


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
    runs = [("No filters", "no_filters", dict(applied))]
    for name in FILTER_ORDER:
        value = data[name]
        if value is None or value is False:
            continue
        applied[name] = value.pk if name == "author" else value
        runs.append((f"+ {name}", name, dict(applied)))
    previous = None
    for label, key, kwargs in runs:
        search = partial(catalogue, **kwargs)
        # The first step shows catalogue()'s source; the others show only the call, the one thing that changed.
        step = query_step(
            lab,
            label,
            search,
            key=key,
            code=None if previous is None else call_text(search),
            columns=["title", "price", "rating", "stock"],
            explain=data["explain"],
        )
        if previous is not None:
            changed = show_sql_diff(
                step, "SQL this filter changed", "the step before", previous.queries, "this step", step.queries
            )
            step.fact("sql_lines_differ", changed, "SQL lines that differ")
        previous = step
    first = lab.steps[0]
    lab.headline(
        f"{first.facts['rows']} books with no filters → {previous.facts['rows']} after {plural(len(runs) - 1, 'filter')}",
        focus=previous,
    )


# -- (c) Selective retrieval -----------------------------------------------------

SHAPES = {  # step key -> (label, short label for the chart, teaching function)
    "full_objects": ("full objects", "full objects", full_objects),
    "only": ('only("title", "price")', "only()", only_title_and_price),
    "values": ('values("title", "price")', "values()", values_title_and_price),
    "values_list": ('values_list("title", "price")', "values_list()", values_list_title_and_price),
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
    shows=tuple(fn for _, _, fn in SHAPES.values()),
    predictions=(
        Prediction(
            'How many columns does only("title", "price") select?',
            ("2", "3", "13"),
            answer=lambda lab: str(measured(lab, "only", "columns")),
            explain="only() always adds the primary key, so the instances can still be saved and compared.",
            see="#use-case-selective-retrieval",
        ),
    ),
)
def selective(lab, data):
    books = book_set(data["books"], data["limit"])
    for key, (label, _, fn) in SHAPES.items():
        step = query_step(
            lab, label, partial(fn, books.all()), key=key, columns=["title", "price"], explain=data["explain"]
        )
        sql = step.queries[0].sql
        step.fact("books", len(step.result), "books")
        step.fact("columns", sql[: sql.index(" FROM ")].count(", ") + 1, "columns selected")
        step.fact("bytes", len(pickle.dumps(step.result)), "bytes (len(pickle.dumps(rows)))")
    with lab.section("Timings", key="timings") as timings:
        for _, short, fn in SHAPES.values():
            lab.trials(timings, short, partial(fresh, fn, books), data["trials"])
    full, values = lab.get("full_objects").facts, lab.get("values").facts
    lab.headline(
        f"{full['books']} books: full objects pickle to {full['bytes']:,} bytes, values() to {values['bytes']:,} "
        f"({full['bytes'] / max(values['bytes'], 1):.1f}× smaller); only() selects {lab.get('only').facts['columns']}"
        " columns",
        focus=lab.get("values"),
    )
