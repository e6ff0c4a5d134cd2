"""ORM exercises whose Run differs between Django 5.2 and 6.x, as the lessons' version notes say.

Each offers "Both, side by side": the same code, run on 5.2 and on 6.1, reports the difference.
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
