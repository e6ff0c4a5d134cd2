"""ORM lesson 2, continued: types in arithmetic (output_field, ExpressionWrapper, Cast) and the expression toolbox."""

from __future__ import annotations

from django.core.exceptions import FieldError
from django.db import connection

from lab.registry import Prediction, demo
from sandbox.teaching.orm_expressions import (
    books_by_review_average,
    books_by_review_average_nulls_last,
    books_with_computed_columns,
    orders_with_discount_flag,
    scores_with_cast,
    scores_with_expression_wrapper,
    scores_without_output_field,
)

from .orm_lab import LabForm, column, measured, query_step


def _casts(step) -> bool:
    sql = step.queries[0].sql.upper() if step.queries else ""
    return "CAST(" in sql or "::DOUBLE PRECISION" in sql


@demo(
    "orm.mixed-types",
    title="Decimal × float: FieldError, ExpressionWrapper and Cast",
    form=LabForm,
    description="price is a DecimalField and rating a FloatField; Django will not guess the type of their product.",
    reports=("sql",),
    predictions=(
        Prediction(
            "Does ExpressionWrapper(..., output_field=FloatField()) put a CAST into the SQL?",
            ("yes", "no"),
            answer=lambda lab: "yes" if measured(lab, "scores_with_expression_wrapper", "casts") else "no",
            explain="ExpressionWrapper only tells Django how to read the result; Cast is what converts in SQL.",
            see="#types-when-django-refuses-to-guess",
        ),
    ),
)
def mixed_types(lab, data):
    failed = query_step(lab, "No output_field", scores_without_output_field, expect=FieldError)
    steps = [failed]
    for label, fn in (
        ("ExpressionWrapper(output_field=FloatField())", scores_with_expression_wrapper),
        ("Cast: a real CAST in the SQL", scores_with_cast),
    ):
        steps.append(query_step(lab, label, fn, columns=["title", "score"], explain=data["explain"]))
    for step in steps:
        step.fact("casts", _casts(step), "CAST in the SQL")
    wrapper, cast = steps[1:]
    lab.headline(
        f"Without output_field: {failed.error_type}. ExpressionWrapper: {'a' if wrapper.facts['casts'] else 'no'} "
        f"CAST in the SQL; Cast: {'a' if cast.facts['casts'] else 'no'} CAST",
        focus=wrapper,
    )


@demo(
    "orm.expression-toolbox",
    title="The expression toolbox: functions, NULLs last, a lookup as a value",
    form=LabForm,
    description="Database functions compute per row in SQL; ordering can put NULLs last; a lookup such as "
    "GreaterThan is itself an expression you can annotate.",
    reports=("sql",),
    predictions=(
        Prediction(
            "Ordered by review_average descending, with no nulls_last: where do the books without reviews go "
            "on this database?",
            ("first", "last"),
            answer=lambda lab: measured(lab, "books_by_review_average", "nulls_sort"),
            explain="SQL leaves it to the database: PostgreSQL treats NULL as larger than any value, SQLite as "
            "smaller. nulls_last=True decides it for you.",
            see="#the-rest-of-the-toolbox",
        ),
    ),
)
def expression_toolbox(lab, data):
    explain = data["explain"]
    query_step(
        lab,
        "Database functions",
        books_with_computed_columns,
        columns=["title", "label", "stars", "bigger", "initial"],
        explain=explain,
    )
    columns = ["title", "review_average"]
    desc = query_step(lab, "desc() without nulls_last", books_by_review_average, columns=columns, explain=explain)
    desc.fact("database", connection.vendor, "database")  # where NULLs go by default differs between databases
    desc.fact("nulls_sort", "first" if column(desc, "review_average")[0] is None else "last", "NULLs sort")
    last = query_step(lab, "NULLs last", books_by_review_average_nulls_last, columns=columns, explain=explain)
    last.fact("nulls_last_in_sql", "NULLS LAST" in last.queries[0].sql, "NULLS LAST in the SQL")
    query_step(
        lab,
        "A lookup as a value",
        orders_with_discount_flag,
        columns=["pk", "total_price", "discounted_price", "got_discount"],
        explain=explain,
    )
    lab.headline(
        f"With desc() the books without reviews sort {desc.facts['nulls_sort']} on {connection.vendor}; "
        "nulls_last=True puts them last everywhere",
        focus=desc,
    )
