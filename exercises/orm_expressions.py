"""ORM lesson 2 (F() and Q()): an UPDATE that changes only the right rows, and a Q/F filter."""

from lab.exercises import Fail, exercise

from .orm_kit import n_queries, same_rows

restock = exercise(
    "orm.restock-sold-out",
    title="Restock the sold-out books in one UPDATE",
    lesson="orm/02-f-and-q",
    prompt=(
        "`restock_sold_out(amount)` must give every **sold-out** book (`stock == 0`) `amount` copies, leave every "
        "other book alone, and return how many books it changed. Do it in **one** query: an `UPDATE` whose "
        "`WHERE` picks the sold-out rows."
    ),
    starter="""from sandbox.models import Book


def restock_sold_out(amount):
    changed = 0
    for book in Book.objects.all():
        if book.stock == 0:
            book.stock = amount
            book.save()
            changed += 1
    return changed
""",
    solution="""from sandbox.models import Book


def restock_sold_out(amount):
    return Book.objects.filter(stock=0).update(stock=amount)
""",
    hints=(
        "Run it: one SELECT for every book, then an UPDATE per sold-out book.",
        "`QuerySet.update()` sends one UPDATE for every row the queryset selects, and returns how many matched.",
        "Which rows change is the filter's job: `Book.objects.filter(stock=0).update(...)`.",
    ),
    mistakes={
        """from django.db.models import Case, F, When
from sandbox.models import Book


def restock_sold_out(amount):
    return Book.objects.update(stock=Case(When(stock=0, then=amount), default=F("stock")))
""": "rewrote 5 rows",
    },
)


@restock.check("Only the sold-out book changes, to the amount given")
def only_sold_out(attempt):
    from sandbox.models import Book

    before = dict(Book.objects.values_list("title", "stock"))
    attempt.learner.restock_sold_out(7)
    after = dict(Book.objects.values_list("title", "stock"))
    want = {title: (7 if stock == 0 else stock) for title, stock in before.items()}
    if after != want:
        wrong = sorted(t for t in want if after.get(t) != want[t])
        raise Fail(
            f"Stock is wrong for {wrong}: expected {[want[t] for t in wrong]}, found {[after[t] for t in wrong]}."
        )


@restock.check("One UPDATE that matches only the sold-out rows")
def one_update(attempt):
    from sandbox.models import Book

    sold_out = Book.objects.filter(stock=0).count()
    returned, sql = attempt.queries(lambda: attempt.learner.restock_sold_out(7))
    if len(sql) != 1 or not sql[0].lstrip().upper().startswith("UPDATE"):
        raise Fail(
            f"{n_queries(len(sql))}, the budget is 1 UPDATE: let the database pick the rows with filter(stock=0).update(...)."
        )
    if returned != sold_out:
        raise Fail(
            f"Your UPDATE rewrote {returned} rows, but only {sold_out} is sold out: Case/When decides what value each "
            "row gets, the filter() decides which rows are written. Filter on stock=0."
        )


@restock.run
def show_restock(lab, attempt):
    from functools import partial

    step = lab.step("restock_sold_out(7)", partial(attempt.learner.restock_sold_out, 7))
    lab.headline(f"{n_queries(len(step.queries))}; rows changed: {step.result}")


orders = exercise(
    "orm.discounted-or-shipped",
    title="Orders that were discounted or have shipped",
    lesson="orm/02-f-and-q",
    prompt=(
        "`discounted_or_shipped()` returns the orders whose `total_price` is greater than their `discounted_price` "
        '(a discount was applied) **or** whose `status` is `"shipped"`, newest first (`-created`). Compare two '
        "columns of the same row with `F()`, and combine the two conditions with `Q()`."
    ),
    starter="""from sandbox.models import Order


def discounted_or_shipped():
    return Order.objects.filter(status="shipped").order_by("-created")
""",
    solution="""from django.db.models import F, Q
from sandbox.models import Order


def discounted_or_shipped():
    return Order.objects.filter(
        Q(total_price__gt=F("discounted_price")) | Q(status=Order.Status.SHIPPED)
    ).order_by("-created")
""",
    hints=(
        "Two keyword arguments to filter() are joined with AND; you need OR.",
        '`Q(a) | Q(b)` is OR. A column compared with another column of the same row is `F("discounted_price")`.',
        '`Q(total_price__gt=F("discounted_price")) | Q(status="shipped")`',
    ),
    mistakes={
        """from django.db.models import F
from sandbox.models import Order


def discounted_or_shipped():
    return Order.objects.filter(total_price__gt=F("discounted_price"), status="shipped").order_by("-created")
""": "differ from the reference",
        """from sandbox.models import Order


def discounted_or_shipped():
    return Order.objects.filter(total_price__gt="discounted_price").order_by("-created")
""": "must be a decimal number",
    },
)


@orders.check("The same orders as the reference, newest first")
def same_orders(attempt):
    same_rows(
        [o.pk for o in attempt.learner.discounted_or_shipped()],
        [o.pk for o in attempt.reference.discounted_or_shipped()],
        what="order ids",
    )


@orders.check("One query")
def one_query(attempt):
    _, sql = attempt.queries(lambda: list(attempt.learner.discounted_or_shipped()))
    if len(sql) != 1:
        raise Fail(f"{n_queries(len(sql))}, the budget is 1: both conditions belong in the same WHERE.")


@orders.run
def show_orders(lab, attempt):
    step = lab.step("discounted_or_shipped()", lambda: list(attempt.learner.discounted_or_shipped()))
    lab.headline(f"{len(step.result)} orders in {n_queries(len(step.queries))}: {[o.pk for o in step.result]}")
