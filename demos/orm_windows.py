"""ORM lesson 5: window functions: ranks, running totals, top-N per group, frames, and what Django refuses.

Each choice of the form runs one or two named querysets (sandbox/teaching/orm_windows.py) and returns the
step that shows its point, with a headline measured from it.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db import NotSupportedError

from lab.registry import demo
from sandbox.teaching.orm_windows import (
    moving_average_of_orders,
    orders_around_each_order,
    orders_with_similar_totals,
    price_rank_within_publisher,
    running_count_by_rating,
    running_total_of_price,
    top_book_per_publisher,
    top_or_small_publishers,
    top_publishers_or_named,
    total_price_of_books,
)

from .orm_lab import LabForm, column, query_step


def _listed(values) -> str:
    return ", ".join(str(value) for value in values)


def _over(step) -> None:
    """Each OVER (...) clause the step's SQL used, as a fact: the learner's thing to look for."""
    sql = step.queries[0].sql if step.queries else ""
    overs = ["OVER " + part.split(" AS ", 1)[0] for part in sql.split(" OVER ")[1:]]
    step.fact("over", overs, "OVER clauses" if len(overs) > 1 else "OVER clause")


def _window_step(lab, label, fn, columns, explain, **options):
    step = query_step(lab, label, fn, columns=columns, explain=explain, **options)
    _over(step)
    return step


def rank(lab, explain):
    step = _window_step(
        lab,
        "Price rank within publisher",
        price_rank_within_publisher,
        ["title", "publisher_id", "price", "price_rank"],
        explain,
    )
    firsts = [title for title, rk in zip(column(step, "title"), column(step, "price_rank"), strict=True) if rk == 1]
    return step, f"Rank 1 within each publisher (its dearest book): {firsts}"


def running(lab, explain):
    step = _window_step(
        lab, "Running total of price", running_total_of_price, ["title", "price", "running_total"], explain
    )
    total = query_step(lab, "The same sum with aggregate()", total_price_of_books)
    last, whole = list(step.result)[-1].running_total, total.result["total"]
    step.fact("last_running_total", last, "last running total")
    total.fact("total", whole, "aggregate(Sum('price'))")
    total.fact("same_value", last == whole, "equal to the last running total")
    if last.as_tuple().exponent != -2:  # more digits than price's decimal_places: say where they come from
        cents = last.quantize(Decimal("0.01"))
        total.note(
            "This database adds the prices as floating-point numbers (SQLite has no decimal type), and Django "
            "turns a computed decimal into a Decimal of 15 significant digits; only a value read straight from a "
            f"column is rounded to the field's decimal_places. {last!r} == {cents!r} is {last == cents}."
        )
    same = "the same value" if last == whole else "a different value"
    return step, f"The running total ends at {last!r}; aggregate(Sum('price')) gives {whole!r}: {same}"


def top(lab, explain):
    step = _window_step(
        lab, "Top book per publisher", top_book_per_publisher, ["title", "publisher_id", "rating", "rk"], explain
    )
    step.fact("titles", column(step, "title"), "titles")
    # Filtering on a window: Django wraps the windowed query and filters the outer one.
    step.fact("wrapped", '"qualify"' in step.queries[0].sql, "wrapped in a subquery")
    wrapped = "filtered in a wrapping subquery" if step.facts["wrapped"] else "filtered in place"
    return step, f"Top book per publisher: {step.facts['titles']}, {wrapped}"


def ties(lab, explain):
    step = _window_step(
        lab,
        "Ties: the default RANGE frame vs a ROWS frame",
        running_count_by_rating,
        ["title", "rating", "range_frame", "rows_frame"],
        explain,
    )
    return step, (
        f"Running counts by rating: the RANGE frame gives {_listed(column(step, 'range_frame'))} (ties share a "
        f"value), the ROWS frame {_listed(column(step, 'rows_frame'))}"
    )


def moving(lab, explain):
    step = _window_step(
        lab,
        "Moving average of order totals",
        moving_average_of_orders,
        ["pk", "created", "total_price", "moving_avg", "others_avg"],
        explain,
    )
    first = step.tables[0].rows[0] if step.tables[0].rows else [None] * 5
    step.fact("first_moving_avg", first[3], "first order's moving average")
    step.fact("first_others_avg", first[4], "first order's average without itself")
    return step, (
        f"The first order's moving average is its own total ({first[3]}); with EXCLUDE CURRENT ROW its frame is "
        f"empty, so the average is {first[4]}"
    )


def frames(lab, explain):
    step = _window_step(
        lab,
        "A frame before the row, and one after it",
        orders_around_each_order,
        ["pk", "total_price", "previous_3", "next_2"],
        explain,
    )
    value = query_step(
        lab,
        "ValueRange: orders with a total within 10 of this one's",
        orders_with_similar_totals,
        columns=["pk", "total_price", "similar"],
        expect=NotSupportedError,
        explain=explain,
    )
    _over(value)
    ranged = f"{value.error_type}: {value.error}" if value.error else f"counts {_listed(column(value, 'similar'))}"
    return step, (
        f"previous_3: {_listed(column(step, 'previous_3'))}; next_2: {_listed(column(step, 'next_2'))}; "
        f"ValueRange(-10, 10): {ranged}"
    )


def or_window(lab, explain):
    works = _window_step(
        lab,
        "rank = 1 OR an aggregate condition",
        top_or_small_publishers,
        ["name", "num_books", "rank"],
        explain,
    )
    refused = query_step(lab, "rank = 1 OR a plain column", top_publishers_or_named, expect=NotImplementedError)
    refused.fact("raised", refused.error_type or "nothing", "raised")
    return refused, (
        f"A window condition OR an aggregate one: {works.facts['rows']} rows; OR a plain column in the same "
        f"aggregating query: {refused.error_type or 'no error'}"
    )


VIEWS = {  # choice -> (label, what runs it)
    "rank": ("Price rank within publisher", rank),
    "running": ("Running total of price (and aggregate())", running),
    "top": ("Top book per publisher", top),
    "ties": ("Ties: the default RANGE frame vs a ROWS frame", ties),
    "moving": ("Moving average of order totals (and EXCLUDE CURRENT ROW)", moving),
    "frames": ("Frames before and after the row, and ValueRange", frames),
    "or": ("A window condition OR another condition", or_window),
}


class WindowForm(LabForm):
    view = forms.ChoiceField(choices=[(k, label) for k, (label, _) in VIEWS.items()], initial="top", label="Window")


@demo(
    "orm.windows",
    title="Window functions: a value per row, computed over its neighbours",
    form=WindowForm,
    description="Each row keeps its identity (no GROUP BY) and gains a rank, a running total or an average over a frame. Look for OVER (...) in the SQL.",
    reports=("sql",),
    # Every choice's querysets, in the lesson's order.
    shows=(
        price_rank_within_publisher,
        running_total_of_price,
        total_price_of_books,
        top_book_per_publisher,
        running_count_by_rating,
        moving_average_of_orders,
        orders_around_each_order,
        orders_with_similar_totals,
        top_or_small_publishers,
        top_publishers_or_named,
    ),
)
def windows(lab, data):
    _, run = VIEWS[data["view"]]
    step, headline = run(lab, data["explain"])
    lab.headline(headline, focus=step)
