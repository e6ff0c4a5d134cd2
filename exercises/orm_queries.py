"""ORM lessons 4-7: a Subquery per row, a running total, an N+1 replaced, and raw SQL with parameters."""

from lab.exercises import Fail, exercise

from .orm_kit import n_queries, rows_of, same_rows, within_budget

# -- Lesson 4: Subquery ------------------------------------------------------------------

latest = exercise(
    "orm.latest-order-total",
    title="Each customer's latest order total, with a Subquery",
    lesson="orm/04-subqueries",
    prompt=(
        "`latest_order_totals()` returns `(customer name, total_price of their most recent order)` for every "
        "customer, ordered by name, in **one** query: annotate each customer with a `Subquery` over their orders "
        "(`OuterRef`), newest first, one column, one row."
    ),
    starter="""from sandbox.models import Customer


def latest_order_totals():
    rows = []
    for customer in Customer.objects.order_by("name"):
        latest = customer.orders.order_by("-created").first()
        rows.append((customer.name, latest.total_price if latest else None))
    return rows
""",
    solution="""from django.db.models import OuterRef, Subquery
from sandbox.models import Customer, Order


def latest_order_totals():
    newest = Order.objects.filter(customer=OuterRef("pk")).order_by("-created").values("total_price")[:1]
    return Customer.objects.annotate(latest_total=Subquery(newest)).order_by("name").values_list("name", "latest_total")
""",
    hints=(
        "Run it: one query for the customers, one per customer for the latest order.",
        'Inside the subquery, `OuterRef("pk")` is the customer of the outer row.',
        '`.order_by("-created").values("total_price")[:1]`: newest first, one column, one row.',
    ),
    mistakes={
        """from django.db.models import Max
from sandbox.models import Customer


def latest_order_totals():
    return Customer.objects.annotate(latest_total=Max("orders__total_price")).order_by("name").values_list(
        "name", "latest_total"
    )
""": "differ from the reference",
    },
)


@latest.check("The same totals as the reference")
def same_totals(attempt):
    same_rows(
        [tuple(r) for r in attempt.learner.latest_order_totals()],
        [tuple(r) for r in attempt.reference.latest_order_totals()],
    )


@latest.check("One query")
def latest_one_query(attempt):
    within_budget(
        attempt,
        rows_of(attempt.learner.latest_order_totals),
        1,
        "put the latest order in the customers' query with Subquery(...).",
    )


@latest.run
def show_latest(lab, attempt):
    step = lab.step("latest_order_totals()", rows_of(attempt.learner.latest_order_totals))
    lab.headline(f"{len(step.result)} customers in {n_queries(len(step.queries))}")


# -- Lesson 5: a running total -----------------------------------------------------------

running = exercise(
    "orm.running-total",
    title="A running total of book prices, in the database",
    lesson="orm/05-window-functions",
    prompt=(
        "`books_with_running_total()` returns a **QuerySet** of books ordered by price (then pk), each annotated "
        "with `running_total`: the sum of its price and every cheaper book's. Use a window function, so the "
        "result stays a queryset that can still be filtered or paginated."
    ),
    starter="""from sandbox.models import Book


def books_with_running_total():
    books, total = [], 0
    for book in Book.objects.order_by("price", "pk"):
        total += book.price
        book.running_total = total
        books.append(book)
    return books
""",
    solution="""from django.db.models import F, Sum, Window
from sandbox.models import Book


def books_with_running_total():
    return Book.objects.annotate(
        running_total=Window(Sum("price"), order_by=[F("price").asc(), F("pk").asc()])
    ).order_by("price", "pk")
""",
    hints=(
        "An aggregate inside `Window(...)` keeps every row and adds a value computed over its neighbours.",
        "With `order_by` and no frame, the window runs from the first row up to this one: a running total.",
        '`Window(Sum("price"), order_by=[F("price").asc(), F("pk").asc()])`',
    ),
    mistakes={
        """from django.db.models import Sum
from sandbox.models import Book


def books_with_running_total():
    return Book.objects.annotate(running_total=Sum("price")).order_by("price", "pk")
""": "differ from the reference",
    },
)


def _totals(books):
    return [(b.title, round(b.running_total, 2)) for b in books]


@running.check("A QuerySet annotated with running_total")
def is_queryset(attempt):
    from django.db.models import QuerySet

    result = attempt.learner.books_with_running_total()
    if not isinstance(result, QuerySet) or "running_total" not in result.query.annotations:
        raise Fail(
            f"You returned a {type(result).__name__}, not a QuerySet annotated with running_total: compute it in the "
            'database with annotate(running_total=Window(Sum("price"), order_by=...)).'
        )


@running.check("The same running totals as the reference")
def same_totals_running(attempt):
    same_rows(
        _totals(attempt.learner.books_with_running_total()), _totals(attempt.reference.books_with_running_total())
    )


@running.run
def show_running(lab, attempt):
    step = lab.step("books_with_running_total()", rows_of(attempt.learner.books_with_running_total))
    lab.headline(f"Running totals {[str(t) for _, t in _totals(step.result)]} in {n_queries(len(step.queries))}")


# -- Lesson 6: replace an N+1 ------------------------------------------------------------

authors = exercise(
    "orm.book-authors-prefetch",
    title="Every book with its authors, in two queries",
    lesson="orm/06-loading-related-data",
    prompt=(
        "`titles_and_authors()` returns `(title, [author names])` for every book, ordered by title, authors as "
        "`book.authors.all()` gives them. It sends one query per book for its authors. Keep the rows, and send "
        "**at most two** queries, however many books there are."
    ),
    starter="""from sandbox.models import Book


def titles_and_authors():
    return [(b.title, [a.name for a in b.authors.all()]) for b in Book.objects.order_by("title")]
""",
    solution="""from sandbox.models import Book


def titles_and_authors():
    books = Book.objects.prefetch_related("authors").order_by("title")
    return [(b.title, [a.name for a in b.authors.all()]) for b in books]
""",
    hints=(
        "Run it: one query for the books, then one per book for its authors.",
        "A many-to-many relation can't be joined in one row per book: select_related() refuses it.",
        '`prefetch_related("authors")` loads every book\'s authors in one more query.',
    ),
    mistakes={
        """from sandbox.models import Book


def titles_and_authors():
    books = Book.objects.select_related("authors").order_by("title")
    return [(b.title, [a.name for a in b.authors.all()]) for b in books]
""": "Invalid field name(s) given in select_related",
    },
)


@authors.check("The same rows as the reference")
def same_authors(attempt):
    same_rows(attempt.learner.titles_and_authors(), attempt.reference.titles_and_authors())


@authors.check("At most two queries")
def two_queries(attempt):
    within_budget(
        attempt, attempt.learner.titles_and_authors, 2, 'prefetch_related("authors") loads them all in one more query.'
    )


@authors.run
def show_authors(lab, attempt):
    step = lab.step("titles_and_authors()", attempt.learner.titles_and_authors)
    lab.headline(f"{len(step.result)} books and their authors in {n_queries(len(step.queries))}")


# -- Lesson 7: raw SQL with parameters ---------------------------------------------------

raw = exercise(
    "orm.raw-with-params",
    title="A raw() query that takes a parameter safely",
    lesson="orm/07-raw-sql",
    prompt=(
        "`books_titled(title)` returns the books with exactly that title, with `Book.objects.raw(...)`. It builds "
        "the SQL with an f-string, so a title like `x' OR '1'='1` returns every book. Pass the title as a "
        "**parameter** instead, so the database never reads it as SQL."
    ),
    starter="""from sandbox.models import Book


def books_titled(title):
    return Book.objects.raw(f"SELECT * FROM sandbox_book WHERE title = '{title}'")
""",
    solution="""from sandbox.models import Book


def books_titled(title):
    return Book.objects.raw("SELECT * FROM sandbox_book WHERE title = %s", [title])
""",
    hints=(
        "Try it with the title `x' OR '1'='1`: the quote ends the string, and the rest is SQL.",
        "raw() takes the SQL and, separately, a list of parameters; the driver sends them apart.",
        "Write `%s` (no quotes around it) where the value goes, and pass `[title]`.",
    ),
    mistakes={
        """from sandbox.models import Book


def books_titled(title):
    return Book.objects.raw("SELECT * FROM sandbox_book WHERE title = '%s'" % title)
""": "returned 5 books",
    },
)


@raw.check("Finds a book by its title, as a raw() query")
def finds_a1(attempt):
    from django.db.models.query import RawQuerySet

    result = attempt.learner.books_titled("A1")
    if not isinstance(result, RawQuerySet):
        raise Fail(f"You returned a {type(result).__name__}: this exercise is about Book.objects.raw(sql, params).")
    titles = [b.title for b in result]
    if titles != ["A1"]:
        raise Fail(f"books_titled('A1') returned {titles}, expected ['A1'].")


@raw.check("A title that contains SQL is only a title")
def no_injection(attempt):
    attack = "x' OR '1'='1"
    titles = [b.title for b in attempt.learner.books_titled(attack)]
    if titles:
        raise Fail(
            f"books_titled({attack!r}) returned {len(titles)} books: the title became part of the SQL. "
            'Pass it as a parameter: raw("... WHERE title = %s", [title]).'
        )


@raw.run
def show_raw(lab, attempt):
    from functools import partial

    step = lab.step("books_titled(\"x' OR '1'='1\")", rows_of(partial(attempt.learner.books_titled, "x' OR '1'='1")))
    lab.headline(f"The injected title found {len(step.result)} books")
