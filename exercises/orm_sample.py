"""The first ORM exercise, and the format's worked example (docs/authoring.md points here)."""

from lab.exercises import Fail, exercise

ex = exercise(
    "orm.titles-and-publishers",
    title="Every book with its publisher, in one query",
    lesson="orm/01-seeing-the-sql",
    prompt=(
        "`book_list()` returns `(title, publisher name)` for every book, ordered by title. "
        "It is right, but it runs one query for the books and one more **per book** for its publisher. "
        "Make it run **one** query and return the same rows."
    ),
    starter="""from sandbox.models import Book


def book_list():
    books = Book.objects.order_by("title")
    return [(book.title, book.publisher.name) for book in books]
""",
    solution="""from sandbox.models import Book


def book_list():
    books = Book.objects.select_related("publisher").order_by("title")
    return [(book.title, book.publisher.name) for book in books]
""",
    hints=(
        "Press Run and count the queries in the report: one for the books, then one per book.",
        "Each `book.publisher` is a separate SELECT unless the first query joins the publisher in.",
        'A foreign key is joined in with `select_related("publisher")`.',
    ),
    mistakes={
        """from sandbox.models import Book


def book_list():
    books = Book.objects.prefetch_related("publisher").order_by("title")
    return [(book.title, book.publisher.name) for book in books]
""": "2 queries, the budget is 1",
        """from sandbox.models import Book


def book_list():
    return [(book.title, "") for book in Book.objects.order_by("title")]
""": "rows differ from the reference",
    },
)


@ex.check("The same rows as the reference, in the same order")
def same_rows(attempt):
    got = list(attempt.learner.book_list())
    want = list(attempt.reference.book_list())
    if got != want:
        first = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
        shown = got[first] if first < len(got) else "nothing"
        raise Fail(
            f"Your rows differ from the reference at row {first + 1}: you returned {shown!r}, "
            f"expected {want[first] if first < len(want) else 'nothing'!r} ({len(got)} rows, expected {len(want)})."
        )


@ex.check("One query")
def one_query(attempt):
    _, sql = attempt.queries(attempt.learner.book_list)
    if len(sql) != 1:
        raise Fail(
            f"{len(sql)} queries, the budget is 1: the publishers must come in the same SELECT as the books "
            '(prefetch_related runs a second query; select_related("publisher") joins).'
        )


@ex.run
def show(lab, attempt):
    rows = lab.step("book_list()", attempt.learner.book_list).result
    lab.headline(f"{len(lab.queries)} quer{'y' if len(lab.queries) == 1 else 'ies'} for {len(rows)} books")
