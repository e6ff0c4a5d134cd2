"""ORM lesson 3: aggregation and annotation (and the concept page's two Order examples)."""

from __future__ import annotations

from django import forms
from django.db import NotSupportedError, connection
from django.db.models import Avg, Count, Max, Q, Sum

from lab.registry import demo
from sandbox.models import Author, Book, Order, Review
from sandbox.queries_orm import (
    annotate_then_filter,
    authors_and_stores,
    authors_and_stores_distinct,
    discounted_orders,
    filter_then_annotate,
    orders_with_many_items,
    stars_and_stores,
    stars_and_stores_inflated,
)

from .orm_lab import LabForm, code_of, compare, expect_db_error, explain_step, run_query


class AnnotateOrderForm(LabForm):
    distinct = forms.BooleanField(
        required=False, initial=True, label="Count(distinct=True) in the annotate-first version"
    )


@demo(
    "orm.annotate-order",
    title="annotate() then filter(), or filter() then annotate()?",
    form=AnnotateOrderForm,
    description="Publishers with a book rated above 3, and how many books each has. The order of the calls changes the answer.",
    reports=("sql",),
)
def annotate_order(lab, data):
    distinct = data["distinct"]
    compare(
        lab,
        "annotate → filter",
        lambda: annotate_then_filter(distinct),
        "filter → annotate",
        filter_then_annotate,
        code_a=code_of(annotate_then_filter) + f"\n\nannotate_then_filter(distinct={distinct})",
        code_b=code_of(filter_then_annotate),
        columns=["name", "num_books"],
        explain=data["explain"],
    )
    for label in ("annotate → filter", "filter → annotate"):
        step = lab.get(label)
        step.fact("num_books", {name: n for name, n in step.tables[0].rows})


@demo(
    "orm.join-inflation",
    title="Two aggregates over two joins: inflated numbers and the fixes",
    form=LabForm,
    description=(
        "A1 has 2 authors, sits in 3 stores and has reviews of 5 and 3 stars. "
        "Count both relations in one query and every author row meets every store row."
    ),
    reports=("sql",),
)
def join_inflation(lab, data):
    cols = ["title", "na", "ns"]
    compare(
        lab,
        "two Counts",
        authors_and_stores,
        "Count(distinct=True)",
        authors_and_stores_distinct,
        code_a=code_of(authors_and_stores),
        code_b=code_of(authors_and_stores_distinct),
        columns=cols,
        explain=data["explain"],
    )
    compare(
        lab,
        "Sum over the join",
        stars_and_stores_inflated,
        "Sum in a Subquery",
        stars_and_stores,
        code_a=code_of(stars_and_stores_inflated),
        code_b=code_of(stars_and_stores),
        columns=["title", "stars", "ns"],
        explain=data["explain"],
    )
    for label in ("two Counts", "Count(distinct=True)", "Sum over the join", "Sum in a Subquery"):
        step = lab.get(label)
        step.fact("A1", dict(zip(step.tables[0].columns[1:], step.tables[0].rows[0][1:], strict=True)))


@demo(
    "orm.empty-aggregates",
    title="Aggregating nothing: None, 0 and default=",
    form=LabForm,
    description="No book costs more than 1000, so every aggregate below runs over an empty set.",
    reports=("sql",),
)
def empty_aggregates(lab, data):
    code = (
        "Book.objects.filter(price__gt=1000).aggregate(\n"
        '    total=Sum("price"), average=Avg("price"), n=Count("pk"), total_or_zero=Sum("price", default=0)\n'
        ")"
    )
    with lab.step("aggregate() over an empty queryset", code=code) as s:
        result = Book.objects.filter(price__gt=1000).aggregate(
            total=Sum("price"), average=Avg("price"), n=Count("pk"), total_or_zero=Sum("price", default=0)
        )
        for key, value in result.items():
            s.fact(key, value)
        s.fact("SQL uses COALESCE for default=", "COALESCE" in s.queries[0].sql.upper())
    if data["explain"]:
        explain_step(lab.get("aggregate() over an empty queryset"))
    with lab.step("Count has no default=", code='Count("pk", default=0)', expect=TypeError):
        Count("pk", default=0)  # COUNT over no rows is already 0, so Django refuses a default
    code = 'Review.objects.aggregate(average_date=Avg("created"))'
    with lab.step("Avg of a datetime field", code=code, expect=NotSupportedError) as s:
        s.fact("database", connection.vendor)
        # SQLite: Django refuses before sending anything. PostgreSQL: the database itself has no avg(timestamp).
        expect_db_error(s, lambda: Review.objects.aggregate(average_date=Avg("created")))
        s.fact("SQL sent", len(s.queries))
    with lab.step("Max of a datetime field", code='Review.objects.aggregate(latest=Max("created"))') as s:
        s.fact("result", Review.objects.aggregate(latest=Max("created")))


class ConditionalForm(LabForm):
    threshold = forms.FloatField(min_value=0, max_value=5, initial=4, label="High means rating ≥")


@demo(
    "orm.conditional-aggregation",
    title="Conditional aggregation: two counts in one query",
    form=ConditionalForm,
    description="Count(filter=Q(...)) counts only the rows that match; the database does both counts in one pass.",
    reports=("sql",),
)
def conditional_aggregation(lab, data):
    t = data["threshold"]
    code = f'Book.objects.aggregate(\n    high=Count("pk", filter=Q(rating__gte={t})),\n    low=Count("pk", filter=Q(rating__lt={t})),\n)'
    with lab.step("Count(filter=...)", code=code) as s:
        result = Book.objects.aggregate(
            high=Count("pk", filter=Q(rating__gte=t)), low=Count("pk", filter=Q(rating__lt=t))
        )
        s.fact("result", result)
        s.fact("SQL uses FILTER (WHERE ...)", "FILTER (WHERE" in s.queries[0].sql.upper())
    if data["explain"]:
        explain_step(lab.get("Count(filter=...)"))


ORDERINGS = {
    "publisher__name": ('.order_by("publisher__name")', ("publisher__name",)),
    "title": ('.order_by("title")  # title joins the GROUP BY', ("title",)),
    "none": (".order_by()  # no ordering at all", ()),
}


class GroupByForm(LabForm):
    ordering = forms.ChoiceField(
        choices=[(k, code) for k, (code, _) in ORDERINGS.items()], initial="title", label="Order the grouped query by"
    )


@demo(
    "orm.group-by",
    title="What decides the GROUP BY",
    form=GroupByForm,
    description="values() before annotate() groups; values() after it only picks columns. Ordering fields join the GROUP BY.",
    reports=("sql",),
)
def group_by(lab, data):
    compare(
        lab,
        "values() → annotate()",
        lambda: Book.objects.values("publisher__name").annotate(n=Count("pk")).order_by("publisher__name"),
        "annotate() → values()",
        lambda: Book.objects.annotate(n=Count("pk")).values("publisher__name", "n").order_by("publisher__name"),
        code_a='Book.objects.values("publisher__name").annotate(n=Count("pk")).order_by("publisher__name")',
        code_b='Book.objects.annotate(n=Count("pk")).values("publisher__name", "n").order_by("publisher__name")',
        columns=["publisher__name", "n"],
        explain=data["explain"],
    )
    code, order = ORDERINGS[data["ordering"]]
    run_query(
        lab,
        "values() → annotate() with your ordering",
        f'Book.objects.values("publisher__name").annotate(n=Count("pk")){code}',
        lambda: Book.objects.values("publisher__name").annotate(n=Count("pk")).order_by(*order),
        columns=["publisher__name", "n"],
        explain=data["explain"],
    )
    step, _ = run_query(
        lab,
        "Author's Meta.ordering and GROUP BY",
        'Author.objects.values("age").annotate(books=Count("book"))  # Meta.ordering = ["name"]',
        lambda: Author.objects.values("age").annotate(books=Count("book")),
        columns=["age", "books"],
    )
    group_by_clause = step.queries[0].sql.upper().split("GROUP BY", 1)[1]
    step.fact("name in GROUP BY", "NAME" in group_by_clause)


class ConceptForm(LabForm):
    min_items = forms.IntegerField(min_value=0, max_value=100, initial=10, label="More than this many items")


@demo(
    "orm.concept-orders",
    title="The concept page's Order examples, corrected",
    form=ConceptForm,
    description="Orders with more than N line items (annotate + filter → HAVING), and orders whose total beats the discounted price (F()).",
    reports=("sql",),
)
def concept_orders(lab, data):
    n = data["min_items"]
    annotated, _ = run_query(
        lab,
        f"Orders with more than {n} items",
        code_of(orders_with_many_items) + f"\n\norders_with_many_items({n})",
        lambda: orders_with_many_items(n),
        columns=["pk", "total_items"],
        explain=data["explain"],
    )
    # alias() when the count is only needed for the filter: the same HAVING, one column less to send back.
    aliased, _ = run_query(
        lab,
        "alias() instead of annotate()",
        f'Order.objects.alias(total_items=Count("items")).filter(total_items__gt={n})',
        lambda: Order.objects.alias(total_items=Count("items")).filter(total_items__gt=n),
        columns=["pk"],
        explain=data["explain"],
    )
    for step in (annotated, aliased):
        select, _, rest = step.queries[0].sql.partition(" FROM ")
        step.fact("total_items in SELECT", '"total_items"' in select)
        step.fact("HAVING", "HAVING" in rest)
    run_query(
        lab,
        "Orders that got a discount",
        code_of(discounted_orders),
        discounted_orders,
        columns=["pk", "total_price", "discounted_price"],
        explain=data["explain"],
    )
