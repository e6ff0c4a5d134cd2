"""ORM lesson 5: window functions: ranks, running totals, top-N per group, moving averages."""

from __future__ import annotations

from django import forms
from django.db.models import Avg, F, RowRange, Window

from lab.registry import demo
from sandbox.models import Order
from sandbox.queries_orm import (
    price_rank_within_publisher,
    running_count_by_rating,
    running_total_of_price,
    top_book_per_publisher,
)

from .orm_lab import LabForm, code_of, run_query


def moving_average_of_orders():
    # ROWS BETWEEN 6 PRECEDING AND CURRENT ROW: this order and up to six before it.
    return Order.objects.annotate(
        moving_avg=Window(
            Avg("total_price"), order_by=[F("created").asc(), F("pk").asc()], frame=RowRange(start=-6, end=0)
        )
    ).order_by("created", "pk")


VIEWS = {  # choice -> (label, named query, columns)
    "rank": (
        "Price rank within publisher",
        price_rank_within_publisher,
        ["title", "publisher_id", "price", "price_rank"],
    ),
    "running": ("Running total of price", running_total_of_price, ["title", "price", "running_total"]),
    "top": ("Top book per publisher", top_book_per_publisher, ["title", "publisher_id", "rating", "rk"]),
    "ties": (
        "Ties: the default RANGE frame vs a ROWS frame",
        running_count_by_rating,
        ["title", "rating", "range_frame", "rows_frame"],
    ),
    "moving": (
        "Moving average of order totals",
        moving_average_of_orders,
        ["pk", "created", "total_price", "moving_avg"],
    ),
}


class WindowForm(LabForm):
    view = forms.ChoiceField(choices=[(k, v[0]) for k, v in VIEWS.items()], initial="top", label="Window")


@demo(
    "orm.windows",
    title="Window functions: a value per row, computed over its neighbours",
    form=WindowForm,
    description="Each row keeps its identity (no GROUP BY) and gains a rank, a running total or an average over a frame. Look for OVER (...) in the SQL.",
    reports=("sql",),
)
def windows(lab, data):
    label, fn, columns = VIEWS[data["view"]]
    step, _ = run_query(lab, label, code_of(fn), fn, columns=columns, explain=data["explain"])
    sql = step.queries[0].sql
    overs = ["OVER " + part.split(" AS ", 1)[0] for part in sql.split(" OVER ")[1:]]
    if len(overs) == 1:
        step.fact("OVER clause", overs[0])
    else:
        step.fact("OVER clauses", overs)
    if data["view"] == "top":
        step.fact("titles", [row[0] for row in step.tables[0].rows])
        # Filtering on a window: Django wraps the windowed query and filters the outer one.
        step.fact("wrapped in a subquery", '"qualify"' in sql)
