"""ORM lesson 3, continued: what decides the GROUP BY, and the concept page's Order examples (HAVING, alias())."""

from __future__ import annotations

from functools import partial

from django import forms

from lab.registry import Prediction, demo
from sandbox.queries_orm import discounted_orders, orders_with_many_items
from sandbox.teaching.orm_aggregation import (
    book_counts_then_values,
    books_per_author_age,
    books_per_publisher,
    order_ids_with_many_items,
)

from .orm_lab import LabForm, column, compare, measured, query_step

ORDERINGS = {  # choice -> (label, the order_by() arguments)
    "publisher__name": ('.order_by("publisher__name")', ("publisher__name",)),
    "title": ('.order_by("title"): title joins the GROUP BY', ("title",)),
    "none": (".order_by(): no ordering at all", ()),
}


class GroupByForm(LabForm):
    ordering = forms.ChoiceField(
        choices=[(k, label) for k, (label, _) in ORDERINGS.items()], initial="title", label="Order the grouped query by"
    )


@demo(
    "orm.group-by",
    title="What decides the GROUP BY",
    form=GroupByForm,
    description="values() before annotate() groups; values() after it only picks columns. Ordering fields join the GROUP BY.",
    reports=("sql",),
    predictions=(
        Prediction(
            "values('publisher__name').annotate(n=Count('pk')) with your ordering: how many rows come back?",
            ("3", "5"),
            answer=lambda lab: str(measured(lab, "your_ordering", "rows")),
            explain="Three publishers, three groups, unless an ordering field (title) joins the GROUP BY and "
            "splits them into one group per book.",
            see="#what-decides-the-group-by",
        ),
    ),
)
def group_by(lab, data):
    compare(
        lab,
        "values() → annotate()",
        books_per_publisher,
        "annotate() → values()",
        book_counts_then_values,
        key="diff",
        columns=["publisher__name", "n"],
        explain=data["explain"],
    )
    label, ordering = ORDERINGS[data["ordering"]]
    yours = query_step(
        lab,
        "values() → annotate() with your ordering",
        partial(books_per_publisher, ordering),
        key="your_ordering",
        columns=["publisher__name", "n"],
        explain=data["explain"],
    )
    authors = query_step(lab, "Author's Meta.ordering and GROUP BY", books_per_author_age, columns=["age", "books"])
    group_by_clause = authors.queries[0].sql.upper().split("GROUP BY", 1)[1]
    authors.fact("name_in_group_by", "NAME" in group_by_clause, "name in GROUP BY")
    lab.headline(
        f"values() → annotate() gives {lab.get('books_per_publisher').facts['rows']} groups; "
        f"with {label.split(':')[0]} it gives {yours.facts['rows']}",
        focus=yours,
    )


class ConceptForm(LabForm):
    min_items = forms.IntegerField(min_value=0, max_value=100, initial=10, label="More than this many items")


@demo(
    "orm.concept-orders",
    title="The concept page's Order examples, corrected",
    form=ConceptForm,
    description="Orders with more than N line items (annotate + filter → HAVING), and orders whose total beats the discounted price (F()).",
    reports=("sql",),
    predictions=(
        Prediction(
            "alias() instead of annotate(): is total_items still in the SELECT list?",
            ("yes", "no"),
            answer=lambda lab: "yes" if measured(lab, "order_ids_with_many_items", "in_select") else "no",
            explain="alias() keeps the count for the HAVING only; nothing extra is sent back.",
            see="#aggregate-and-annotate",
        ),
    ),
)
def concept_orders(lab, data):
    n = data["min_items"]
    annotated = query_step(
        lab,
        f"Orders with more than {n} items",
        partial(orders_with_many_items, n),
        columns=["pk", "total_items"],
        explain=data["explain"],
    )
    aliased = query_step(
        lab,
        "alias() instead of annotate()",
        partial(order_ids_with_many_items, n),
        columns=["pk"],
        explain=data["explain"],
    )
    for step in (annotated, aliased):
        select, _, rest = step.queries[0].sql.partition(" FROM ")
        step.fact("in_select", '"total_items"' in select, "total_items in SELECT")
        step.fact("having", "HAVING" in rest, "HAVING")
    discounted = query_step(
        lab,
        "Orders that got a discount",
        discounted_orders,
        columns=["pk", "total_price", "discounted_price"],
        explain=data["explain"],
    )
    lab.headline(
        f"{annotated.facts['rows']} orders have more than {n} items (a HAVING in both versions; alias() leaves "
        f"total_items out of the SELECT); {discounted.facts['rows']} orders got a discount: "
        f"{column(discounted, 'pk')}",
        focus=aliased,
    )
