"""ORM lesson 3 (aggregation): a filtered count that keeps the zeros, and the concept page's annotate-then-filter."""

from lab.exercises import Fail, exercise

from .orm_kit import n_queries, rows_of, same_rows, within_budget

good = exercise(
    "orm.good-books-per-publisher",
    title="Each publisher with its number of books rated 4 or more",
    lesson="orm/03-aggregation",
    prompt=(
        "`good_books_per_publisher()` returns `(publisher name, number of its books rated 4 or more)` for **every** "
        "publisher, ordered by name, in **one** query. A publisher with no such book is listed with 0."
    ),
    starter="""from sandbox.models import Publisher


def good_books_per_publisher():
    return [(p.name, p.book_set.filter(rating__gte=4).count()) for p in Publisher.objects.order_by("name")]
""",
    solution="""from django.db.models import Count, Q
from sandbox.models import Publisher


def good_books_per_publisher():
    return (
        Publisher.objects.annotate(good=Count("book", filter=Q(book__rating__gte=4)))
        .order_by("name")
        .values_list("name", "good")
    )
""",
    hints=(
        "Run it: one query for the publishers, then one count per publisher.",
        "`annotate(n=Count(...))` counts per publisher in the same query.",
        "A `filter()` before `annotate()` drops the publishers with no matching book; "
        'count conditionally instead: `Count("book", filter=Q(book__rating__gte=4))`.',
    ),
    mistakes={
        """from django.db.models import Count
from sandbox.models import Publisher


def good_books_per_publisher():
    return (
        Publisher.objects.filter(book__rating__gte=4)
        .annotate(good=Count("book"))
        .order_by("name")
        .values_list("name", "good")
    )
""": "is missing",
    },
)


@good.check("Every publisher, zeros included")
def every_publisher(attempt):
    got = {name for name, _ in attempt.learner.good_books_per_publisher()}
    missing = sorted({name for name, _ in attempt.reference.good_books_per_publisher()} - got)
    if missing:
        raise Fail(
            f"Publisher {', '.join(missing)} is missing: filter() before annotate() keeps only publishers with a "
            'matching book. Count with Count("book", filter=Q(book__rating__gte=4)) to keep them with 0.'
        )


@good.check("The same counts as the reference, ordered by name")
def same_counts(attempt):
    same_rows(
        [tuple(r) for r in attempt.learner.good_books_per_publisher()],
        [tuple(r) for r in attempt.reference.good_books_per_publisher()],
    )


@good.check("One query")
def one_query(attempt):
    within_budget(
        attempt,
        rows_of(attempt.learner.good_books_per_publisher),
        1,
        "count in the database with annotate(Count(...)).",
    )


@good.run
def show_good(lab, attempt):
    step = lab.step("good_books_per_publisher()", rows_of(attempt.learner.good_books_per_publisher))
    lab.headline(f"{[tuple(r) for r in step.result]} in {n_queries(len(step.queries))}")


busy = exercise(
    "orm.orders-with-many-items",
    title="Orders with more than n items",
    lesson="orm/03-aggregation",
    prompt=(
        "`orders_with_more_than(n)` returns `(order id, number of items)` for the orders that have **more than "
        "`n`** order items (`order.items`), ordered by id, in one query: annotate each order with its item count, "
        "then filter on the annotation (the SQL puts that condition in `HAVING`)."
    ),
    starter="""from sandbox.models import Order


def orders_with_more_than(n):
    return [(o.pk, o.items.count()) for o in Order.objects.order_by("pk") if o.items.count() > n]
""",
    solution="""from django.db.models import Count
from sandbox.models import Order


def orders_with_more_than(n):
    return (
        Order.objects.annotate(total_items=Count("items"))
        .filter(total_items__gt=n)
        .order_by("pk")
        .values_list("pk", "total_items")
    )
""",
    hints=(
        "Counting in Python sends a query per order (two, here).",
        '`Order.objects.annotate(total_items=Count("items"))` gives each order its count.',
        "Filter on the annotation after annotate(): `.filter(total_items__gt=n)`.",
    ),
    mistakes={
        """from django.db.models import Count
from sandbox.models import Order


def orders_with_more_than(n):
    return Order.objects.annotate(total_items=Count("items")).order_by("pk").values_list("pk", "total_items")
""": "differ from the reference",
    },
)


@busy.check("The same orders and counts as the reference, for n = 1 and n = 2")
def same_orders(attempt):
    for n in (1, 2):
        same_rows(
            [tuple(r) for r in attempt.learner.orders_with_more_than(n)],
            [tuple(r) for r in attempt.reference.orders_with_more_than(n)],
            what=f"rows for n={n}",
        )


@busy.check("One query")
def busy_one_query(attempt):
    within_budget(
        attempt,
        rows_of(lambda: attempt.learner.orders_with_more_than(1)),
        1,
        'count and filter in the database: annotate(total_items=Count("items")).filter(total_items__gt=n).',
    )


@busy.run
def show_busy(lab, attempt):
    from functools import partial

    step = lab.step("orders_with_more_than(1)", rows_of(partial(attempt.learner.orders_with_more_than, 1)))
    lab.headline(f"{[tuple(r) for r in step.result]} in {n_queries(len(step.queries))}")
