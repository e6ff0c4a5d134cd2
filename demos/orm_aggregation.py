"""ORM lesson 3: aggregation and annotation: the order of calls, join inflation, empty sets, conditional counts."""

from __future__ import annotations

from functools import partial

from django import forms
from django.db import DatabaseError, connection

from lab.registry import Prediction, demo
from sandbox.queries_orm import (
    annotate_then_filter,
    authors_and_stores,
    authors_and_stores_distinct,
    filter_then_annotate,
    stars_and_stores,
    stars_and_stores_inflated,
)
from sandbox.teaching.orm_aggregation import (
    aggregate_nothing,
    average_review_date,
    count_high_and_low,
    count_with_a_default,
    latest_review_date,
)

from .orm_lab import LabForm, compare, measured, n_queries, query_step, rows_of


class AnnotateOrderForm(LabForm):
    distinct = forms.BooleanField(
        required=False, initial=True, label="Count(distinct=True) in the annotate-first version"
    )


def _counts(counts: dict) -> str:
    return ", ".join(f"{name}={n}" for name, n in counts.items())


@demo(
    "orm.annotate-order",
    title="annotate() then filter(), or filter() then annotate()?",
    form=AnnotateOrderForm,
    description="Publishers with a book rated above 3, and how many books each has. The order of the calls changes the answer.",
    reports=("sql",),
    predictions=(
        Prediction(
            "filter() then annotate(): how many books does publisher B count?",
            ("1", "2", "4"),
            answer=lambda lab: str(measured(lab, "filter_then_annotate", "num_books", {}).get("B")),
            explain="The filter runs first, so only B's book rated above 3 is joined and counted.",
            see="#the-order-of-annotate-and-filter-matters",
        ),
    ),
)
def annotate_order(lab, data):
    diff = compare(
        lab,
        "annotate → filter",
        partial(annotate_then_filter, data["distinct"]),
        "filter → annotate",
        filter_then_annotate,
        key="diff",
        columns=["name", "num_books"],
        explain=data["explain"],
    )
    for key in ("annotate_then_filter", "filter_then_annotate"):
        step = lab.get(key)
        step.fact("num_books", dict(rows_of(step)), "num_books per publisher")
    lab.headline(
        f"annotate → filter gives {_counts(lab.get('annotate_then_filter').facts['num_books'])}; "
        f"filter → annotate gives {_counts(lab.get('filter_then_annotate').facts['num_books'])}",
        focus=diff,
    )


@demo(
    "orm.join-inflation",
    title="Two aggregates over two joins: inflated numbers and the fixes",
    form=LabForm,
    description=(
        "A1 has 2 authors, sits in 3 stores and has reviews of 5 and 3 stars. "
        "Count both relations in one query and every author row meets every store row."
    ),
    reports=("sql",),
    predictions=(
        Prediction(
            "A1 has 2 authors and sits in 3 stores. What does Count('authors') say for A1 when the same query "
            "also counts its stores?",
            ("2", "3", "6"),
            answer=lambda lab: str(measured(lab, "authors_and_stores", "a1", {}).get("na")),
            explain="Both joins run in one query: each of A1's 2 author rows meets each of its 3 store rows.",
            see="#join-inflation-two-aggregates-two-joins",
        ),
    ),
)
def join_inflation(lab, data):
    compare(
        lab,
        "two Counts",
        authors_and_stores,
        "Count(distinct=True)",
        authors_and_stores_distinct,
        key="counts_diff",
        columns=["title", "na", "ns"],
        explain=data["explain"],
    )
    sums = compare(
        lab,
        "Sum over the join",
        stars_and_stores_inflated,
        "Sum in a Subquery",
        stars_and_stores,
        key="sums_diff",
        columns=["title", "stars", "ns"],
        explain=data["explain"],
    )
    for key in ("authors_and_stores", "authors_and_stores_distinct", "stars_and_stores_inflated", "stars_and_stores"):
        step = lab.get(key)
        columns, first = step.tables[0].columns, rows_of(step)[0]
        step.fact("a1", dict(zip(columns[1:], first[1:], strict=True)), "A1")
    a1 = {key: lab.get(key).facts["a1"] for key in ("authors_and_stores", "authors_and_stores_distinct")}
    lab.headline(
        f"A1: two Counts give {a1['authors_and_stores']['na']} and {a1['authors_and_stores']['ns']}, "
        f"distinct gives {a1['authors_and_stores_distinct']['na']} and {a1['authors_and_stores_distinct']['ns']}; "
        f"a Sum over the join gives {lab.get('stars_and_stores_inflated').facts['a1']['stars']} stars, "
        f"the Subquery {lab.get('stars_and_stores').facts['a1']['stars']}",
        focus=sums,
    )


@demo(
    "orm.empty-aggregates",
    title="Aggregating nothing: None, 0 and default=",
    form=LabForm,
    description="No book costs more than 1000, so every aggregate below runs over an empty set.",
    reports=("sql",),
    predictions=(
        Prediction(
            "What does Sum('price') return over a queryset with no rows?",
            ("0", "None", "Decimal('0')"),
            answer=lambda lab: repr(measured(lab, "aggregate_nothing", "total")),
            explain="SQL's SUM over no rows is NULL, which Django returns as None; default=0 adds a COALESCE.",
            see="#empty-sets-and-conditional-counts",
        ),
    ),
)
def empty_aggregates(lab, data):
    empty = query_step(lab, "aggregate() over an empty queryset", aggregate_nothing, explain=data["explain"])
    for key, value in empty.result.items():
        empty.fact(key, value, key)
    empty.fact("coalesce", "COALESCE" in empty.queries[0].sql.upper(), "SQL uses COALESCE for default=")
    lab.step("Count has no default=", count_with_a_default, expect=TypeError)
    # SQLite: Django refuses before sending anything. PostgreSQL: the database itself has no avg(timestamp).
    average = query_step(lab, "Avg of a datetime field", average_review_date, expect=DatabaseError)
    average.fact("database", connection.vendor, "database")
    average.fact("sql_sent", len(average.queries), "SQL sent")
    latest = query_step(lab, "Max of a datetime field", latest_review_date)
    latest.fact("result", latest.result, "result")
    lab.headline(
        f"Over no rows: Sum gives {empty.facts['total']!r}, Avg {empty.facts['average']!r}, Count "
        f"{empty.facts['n']!r}, Sum(default=0) {empty.facts['total_or_zero']!r}",
        focus=empty,
    )


class ConditionalForm(LabForm):
    threshold = forms.FloatField(min_value=0, max_value=5, initial=4, label="High means rating ≥")


@demo(
    "orm.conditional-aggregation",
    title="Conditional aggregation: two counts in one query",
    form=ConditionalForm,
    description="Count(filter=Q(...)) counts only the rows that match; the database does both counts in one pass.",
    reports=("sql",),
    predictions=(
        Prediction(
            "How many queries does Django send for the two counts?",
            ("1", "2"),
            answer=lambda lab: str(measured(lab, "count_high_and_low", "queries")),
            explain="Both aggregates go into one SELECT, each with its own FILTER (WHERE ...).",
            see="#empty-sets-and-conditional-counts",
        ),
    ),
)
def conditional_aggregation(lab, data):
    step = query_step(lab, "Count(filter=...)", partial(count_high_and_low, data["threshold"]), explain=data["explain"])
    step.fact("result", step.result, "result")
    step.fact("filter_where", "FILTER (WHERE" in step.queries[0].sql.upper(), "SQL uses FILTER (WHERE ...)")
    result = step.result
    lab.headline(f"high={result['high']}, low={result['low']} from {n_queries(len(step.queries))}", focus=step)
