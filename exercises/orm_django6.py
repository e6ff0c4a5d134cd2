"""ORM exercises whose Run differs between Django 5.2 and 6.x, as the lessons' version notes say.

Each offers "Both, side by side": the same code, run on 5.2 and on 6.1, reports the difference.
Three exercises in one module, past the usual 300 lines: each lesson's version difference sits with its
version flag, its version-specific mistakes and the Run step that shows it.
"""

import django

from lab.exercises import Fail, exercise

from .orm_kit import n_queries, within_budget

HAS_FETCH_MODES = django.VERSION >= (6, 1)  # Django 6.1: QuerySet.fetch_mode(), FETCH_PEERS, FETCH_RAISE


# -- Lesson 6: fetch modes (Django 6.1) ---------------------------------------------------

FETCH_PEERS_CODE = """from django.db import models

from sandbox.models import Book


def shelf():
    return Book.objects.fetch_mode(models.FETCH_PEERS).order_by("title")
"""

peers = exercise(
    "orm.fetch-peers",
    title="A shelf listing in two queries, on Django 5.2 and 6.1",
    lesson="orm/06-loading-related-data",
    prompt=(
        'A template you do not control lists `shelf()` as `[f"{b.title} ({b.publisher.name})" for b in shelf()]`. '
        "`shelf()` returns the books ordered by title, and the listing sends one query per book for its publisher. "
        "Make the **whole listing** send at most two queries, on Django 5.2 and on 6.1.\n\n"
        "Run it with **Both, side by side**: the report's second step runs the plain loop with Django 6.1's "
        "`fetch_mode(models.FETCH_PEERS)`. Then try it yourself, with `from django.db import models` and "
        '`Book.objects.fetch_mode(models.FETCH_PEERS).order_by("title")`: it passes on 6.1 and fails on 5.2.'
    ),
    starter="""from sandbox.models import Book


def shelf():
    return Book.objects.order_by("title")
""",
    solution="""from sandbox.models import Book


def shelf():
    return Book.objects.select_related("publisher").order_by("title")
""",
    hints=(
        "Run it: one query for the books, then one per book when the template reads b.publisher.",
        'On every version, `select_related("publisher")` joins the publisher into the books\' query.',
        "On Django 6.1, `fetch_mode(models.FETCH_PEERS)` loads the publisher of every book of the queryset the "
        "first time one is read: two queries, without naming the relation.",
    ),
    # fetch_mode() is new in 6.1: on 5.2 it is the mistake; on 6.1 FETCH_RAISE is (it blocks the lazy fetch).
    mistakes={
        FETCH_PEERS_CODE.replace("FETCH_PEERS", "FETCH_RAISE"): "FETCH_RAISE blocks",
    }
    if HAS_FETCH_MODES
    else {FETCH_PEERS_CODE: "fetch_mode() is new in Django 6.1"},
    versions=("5.2", "6.1"),
)


def listing(shelf):
    """What the template does with shelf(): every book's title and its publisher's name."""
    return [f"{b.title} ({b.publisher.name})" for b in shelf()]


def plain_loop_fetch_peers():
    """The plain loop, with Django 6.1's FETCH_PEERS: the first b.publisher loads every book's publisher."""
    from django.db import models

    from sandbox.models import Book

    return [f"{b.title} ({b.publisher.name})" for b in Book.objects.fetch_mode(models.FETCH_PEERS).order_by("title")]


def _blocked():
    from django.core import exceptions

    return getattr(exceptions, "FieldFetchBlocked", AttributeError)  # Django 6.1's FETCH_RAISE error


def _listing_or_fail(shelf):
    blocked = _blocked()
    try:
        return listing(shelf)
    except AttributeError as exc:
        if "fetch_mode" not in str(exc):
            raise
        raise Fail(
            f"{exc}: fetch_mode() is new in Django 6.1, and this is Django {django.get_version()}. "
            'Use select_related("publisher"), which every version has.'
        ) from None
    except blocked as exc:
        raise Fail(
            f"FieldFetchBlocked ({str(exc).rstrip('.')}): FETCH_RAISE blocks every lazy fetch, so the template cannot read "
            "b.publisher: it is a guard for tests. FETCH_PEERS fetches it for every book at once."
        ) from None


@peers.check("Every book's title and publisher, by title")
def same_listing(attempt):
    got, want = _listing_or_fail(attempt.learner.shelf), listing(attempt.reference.shelf)
    if got != want:
        raise Fail(f"The listing is {got}, expected {want}.")


@peers.check("At most two queries for the whole listing")
def two_queries(attempt):
    within_budget(
        attempt,
        lambda: _listing_or_fail(attempt.learner.shelf),
        2,
        'the template reads b.publisher for every book. select_related("publisher") joins it in'
        + (", or fetch_mode(models.FETCH_PEERS) loads it for every book at once." if HAS_FETCH_MODES else "."),
    )


@peers.run
def show_peers(lab, attempt):
    from functools import partial

    yours = lab.step(
        "the listing of your shelf()",
        partial(listing, attempt.learner.shelf),
        key="yours",
        expect=(AttributeError, _blocked()),
    )
    peers_step = lab.step(
        "the plain loop with fetch_mode(models.FETCH_PEERS)", plain_loop_fetch_peers, key="peers", expect=AttributeError
    )
    peers_step.fact("django", django.get_version(), "Django")
    if peers_step.error_type:
        peers_step.fact("fetch_mode", f"not in Django {django.get_version()}", "fetch_mode()")
        shown = f"fetch_mode() does not exist in Django {django.get_version()} ({peers_step.error_type})"
    else:
        peers_step.fact("queries", len(peers_step.queries), "queries")
        shown = f"on Django {django.get_version()} the plain loop with FETCH_PEERS sends {n_queries(len(peers_step.queries))}"
    if yours.error_type:
        mine = f"Your listing raised {yours.error_type}"
    else:
        mine = f"Your listing: {len(yours.result)} books in {n_queries(len(yours.queries))}"
    lab.headline(f"{mine}; {shown}", focus=peers_step)


# -- Lesson 2: F() assigned to an instance (Django 6.0) -----------------------------------

SAVE_REFRESHES_F = django.VERSION >= (6, 0)  # Django 6.0: save() refreshes fields assigned an expression

NO_REFRESH_CODE = """from django.db.models import F


def restock(book, amount):
    book.stock = F("stock") + amount
    book.save(update_fields=["stock"])
    return book
"""

restock = exercise(
    "orm.restock-instance",
    title="Restock a book with F(), and save it again safely",
    lesson="orm/02-f-and-q",
    prompt=(
        "`restock(book, amount)` adds `amount` copies to `book`'s stock **in the database** (another tab may have "
        "restocked since `book` was loaded: keep its copies too) and returns the book. The caller goes on using the "
        "book: `book.stock` must be the stock the database now holds, and a later `book.save()` must not add the "
        "copies again.\n\n"
        "Run it with **Both, side by side**: the report's last steps assign `F()` to the book and save it twice, "
        "without `refresh_from_db()`. Compare `book.stock` after `save()` and the stock after the second save."
    ),
    starter="""def restock(book, amount):
    book.stock = book.stock + amount
    book.save(update_fields=["stock"])
    return book
""",
    solution="""from django.db.models import F


def restock(book, amount):
    book.stock = F("stock") + amount
    book.save(update_fields=["stock"])
    book.refresh_from_db(fields=["stock"])
    return book
""",
    hints=(
        "`book.stock + amount` is computed in Python from the stock as it was when `book` was loaded.",
        '`book.stock = F("stock") + amount` makes the UPDATE add to the row as it is now.',
        "On Django 5.2 `book.stock` is still the expression after save(): a second save() runs it again. "
        'Read the number back with `book.refresh_from_db(fields=["stock"])`.',
    ),
    # Django 6.0+ refreshes the field in save(), so leaving out refresh_from_db() is a mistake only on 5.2.
    mistakes={} if SAVE_REFRESHES_F else {NO_REFRESH_CODE: "a second save() added"},
    versions=("5.2", "6.1"),
)


def _b1():
    from sandbox.models import Book

    return Book.objects.get(title="B1")


def _stock(book):
    from sandbox.models import Book

    return Book.objects.get(pk=book.pk).stock


@restock.check("Another tab's restock is kept")
def keeps_other_tab(attempt):
    from django.db.models import F

    from sandbox.models import Book

    book = _b1()
    before = book.stock
    Book.objects.filter(pk=book.pk).update(stock=F("stock") + 2)  # another tab, after book was loaded
    attempt.learner.restock(book, 3)
    stored = _stock(book)
    if stored != before + 5:
        raise Fail(
            f"The database has stock {stored}, expected {before + 5}: another tab added 2 after the book was "
            'loaded, and your UPDATE wrote a number computed in Python. Let the database add: F("stock") + amount.'
        )


@restock.check("book.stock is the database's stock, and a second save() keeps it")
def second_save(attempt):
    book = attempt.learner.restock(_b1(), 3)
    stored = _stock(book)
    seen = book.stock
    book.save()
    again = _stock(book)
    if again != stored:
        raise Fail(
            f"After restock() the database had {stored}; a second save() added the copies again ({again}): "
            f"book.stock was {seen!r}, and on Django {django.get_version()} save() leaves the expression there. "
            'Call book.refresh_from_db(fields=["stock"]) after saving.'
        )
    if seen != stored:
        raise Fail(f"book.stock is {seen!r}, the database has {stored}: read it back with refresh_from_db().")


def f_then_save(book, amount):
    """Assign F() to the instance and save, without refresh_from_db()."""
    from django.db.models import F

    book.stock = F("stock") + amount
    book.save(update_fields=["stock"])
    return book


def save_again(book):
    book.save(update_fields=["stock"])
    return book


@restock.run
def show_restock(lab, attempt):
    from functools import partial

    yours = lab.step("restock(B1, 5)", partial(attempt.learner.restock, _b1(), 5), key="yours")
    yours.fact("stock", _stock(yours.result), "stock in the database")
    start = _stock(yours.result)
    saved = lab.step(
        "F() + 5 assigned to B1, save() without refresh_from_db()", partial(f_then_save, _b1(), 5), key="f"
    )
    kind = saved.fact("type_after_save", type(saved.result.stock).__name__, "type(book.stock) after save()")
    first = saved.fact("stock_after_save", _stock(saved.result), "stock in the database")
    again = lab.step("save() it again", partial(save_again, saved.result), key="again")
    second = again.fact("stock_in_db", _stock(saved.result), "stock in the database after two saves")
    lab.headline(
        f"Your restock() left stock {start}. On Django {django.get_version()}, F() + 5 without a refresh: "
        f"type(book.stock) is {kind} after save(), and the stock goes {start} → {first} → {second} over two saves",
        focus=again,
    )


# -- Lesson 3: StringAgg on every backend (Django 6.0) ------------------------------------

HAS_STRING_AGG = django.VERSION >= (6, 0)  # Django 6.0: django.db.models.StringAgg, on every backend

STRING_AGG_CODE = """from django.db import models

from sandbox.models import Publisher


def titles_by_publisher():
    rows = Publisher.objects.annotate(titles=models.StringAgg("book__title", {delimiter}))
    return {{p.name: sorted(p.titles.split(", ")) for p in rows}}
"""

titles = exercise(
    "orm.titles-by-publisher",
    title="Every publisher's titles in one query, on Django 5.2 and 6.1",
    lesson="orm/03-aggregation",
    prompt=(
        "`titles_by_publisher()` returns a dict: each publisher's name → the titles of its books, sorted. It sends "
        "one query per publisher. Send **one** query in all, on Django 5.2 and on 6.1.\n\n"
        "Run it with **Both, side by side**: the report's second step asks the database to join the titles with "
        "`StringAgg`, which Django 6.0 added to `django.db.models` for every backend. Then try it yourself: "
        '`Publisher.objects.annotate(titles=models.StringAgg("book__title", Value(", ")))` (with '
        "`from django.db import models` and `from django.db.models import Value`) passes on 6.1 and fails on 5.2, "
        "where `StringAgg` exists only in `django.contrib.postgres.aggregates`, for PostgreSQL."
    ),
    starter="""from sandbox.models import Publisher


def titles_by_publisher():
    return {p.name: sorted(p.book_set.values_list("title", flat=True)) for p in Publisher.objects.all()}
""",
    solution="""from sandbox.models import Book


def titles_by_publisher():
    found = {}
    for name, title in Book.objects.values_list("publisher__name", "title").order_by("publisher__name", "title"):
        found.setdefault(name, []).append(title)
    return found
""",
    hints=(
        "Run it: one query for the publishers, then one per publisher for its books.",
        "On every version, one query over the books can bring each title with its publisher's name: "
        '`Book.objects.values_list("publisher__name", "title")`. Group them in Python.',
        'On Django 6.0+, `StringAgg("book__title", Value(", "))` joins them in the database: its delimiter is an '
        "expression, so a plain string would be read as a field name.",
    ),
    # StringAgg is in django.db.models from 6.0: on 5.2 using it is the mistake; on 6.x a plain-string delimiter is.
    mistakes={STRING_AGG_CODE.format(delimiter='", "'): "a plain string is read as a field name"}
    if HAS_STRING_AGG
    else {STRING_AGG_CODE.format(delimiter='models.Value(", ")'): "StringAgg is new in django.db.models in Django 6.0"},
    versions=("5.2", "6.1"),
)


def _titles_or_fail(fn):
    from django.core.exceptions import FieldError

    try:
        return fn()
    except AttributeError as exc:
        if "StringAgg" not in str(exc):
            raise
        raise Fail(
            f"{exc}: StringAgg is new in django.db.models in Django 6.0, and this is Django {django.get_version()} "
            "(here it exists only in django.contrib.postgres.aggregates, for PostgreSQL). "
            'Bring each title with its publisher\'s name in one query: values_list("publisher__name", "title").'
        ) from None
    except FieldError as exc:
        raise Fail(
            f"FieldError ({exc}): StringAgg's delimiter is an expression, and a plain string is read as a field "
            'name. Write Value(", ").'
        ) from None


@titles.check("Every publisher's titles, sorted")
def same_titles(attempt):
    got, want = _titles_or_fail(attempt.learner.titles_by_publisher), attempt.reference.titles_by_publisher()
    if got != want:
        raise Fail(f"You returned {got}, expected {want}.")


@titles.check("One query, however many publishers")
def one_query(attempt):
    from sandbox.models import Book, Publisher

    Book.objects.create(title="D1", price=1, pages=100, rating=3, publisher=Publisher.objects.create(name="D"))
    within_budget(
        attempt,
        lambda: _titles_or_fail(attempt.learner.titles_by_publisher),
        1,
        "each publisher's book_set is a query of its own. One query over the books can bring every title with "
        "its publisher's name"
        + (', or annotate the publishers with StringAgg("book__title", Value(", ")).' if HAS_STRING_AGG else "."),
    )


def titles_with_string_agg():
    """Django 6.0+: the database joins each publisher's titles (StringAgg, in django.db.models)."""
    from django.db import models

    from sandbox.models import Publisher

    rows = Publisher.objects.annotate(titles=models.StringAgg("book__title", models.Value(", ")))
    return {p.name: p.titles for p in rows.order_by("name")}


@titles.run
def show_titles(lab, attempt):
    import re

    from django.core.exceptions import FieldError

    yours = lab.step(
        "titles_by_publisher()", attempt.learner.titles_by_publisher, key="yours", expect=(AttributeError, FieldError)
    )
    agg = lab.step("StringAgg from django.db.models", titles_with_string_agg, key="string_agg", expect=AttributeError)
    agg.fact("django", django.get_version(), "Django")
    if yours.error_type:
        mine = f"Your titles_by_publisher() raised {yours.error_type}"
    else:
        mine = f"Your titles_by_publisher(): {len(yours.result)} publishers in {n_queries(len(yours.queries))}"
    if agg.error_type:
        agg.fact("string_agg", f"not in django.db.models on Django {django.get_version()}", "StringAgg")
        shown = f"django.db.models has no StringAgg on Django {django.get_version()} ({agg.error_type})"
    else:
        function = re.search(r"(GROUP_CONCAT|STRING_AGG)\(", agg.queries[0].sql)
        agg.fact("sql_function", function.group(1) if function else "", "SQL function")
        shown = (
            f"on Django {django.get_version()} StringAgg joins the titles in the database "
            f"({agg.facts['sql_function']}, {n_queries(len(agg.queries))})"
        )
    lab.headline(f"{mine}; {shown}", focus=agg)
