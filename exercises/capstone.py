"""Capstone exercises: the slow bookshop page within a query budget, then cached and invalidated.

The rows are the capstone's (sandbox.teaching.capstone): title, publisher, authors, number of reviews,
average stars. The cache is `django.core.cache.cache` (local memory, in the browser too).
"""

from functools import partial

from django.core.cache import cache

from lab.exercises import Fail, exercise
from sandbox.models import Review

ROW = """def _row(book, authors, reviews, average):
    return {
        "title": book.title,
        "publisher": book.publisher.name,
        "authors": ", ".join(author.name for author in authors),
        "reviews": reviews,
        "average": None if average is None else round(average, 2),
    }
"""
IMPORTS = "from django.db.models import Avg, Count\n\nfrom sandbox.models import Book\n\n\n"
SLOW = """def page_rows():
    rows = []
    for book in Book.objects.order_by("title"):
        stars = [review.stars for review in book.reviews.all()]
        average = sum(stars) / len(stars) if stars else None
        rows.append(_row(book, book.authors.all(), len(stars), average))
    return rows
"""
FAST = """def page_rows():
    books = (
        Book.objects.select_related("publisher")
        .prefetch_related("authors")
        .annotate(stars_count=Count("reviews"), stars_average=Avg("reviews__stars"))
        .order_by("title")
    )
    return [_row(book, book.authors.all(), book.stars_count, book.stars_average) for book in books]
"""
LOADED = """def page_rows():
    rows = []
    books = Book.objects.select_related("publisher").prefetch_related("authors", "reviews").order_by("title")
    for book in books:
        stars = [review.stars for review in book.reviews.all()]
        average = sum(stars) / len(stars) if stars else None
        rows.append(_row(book, book.authors.all(), len(stars), average))
    return rows
"""
BUDGET = 2

budget = exercise(
    "capstone.query-budget",
    title="Make the bookshop page fit a budget of two queries",
    lesson="capstone/01-slow-bookshop-page",
    prompt=(
        "`page_rows()` builds the capstone page's rows: one per book with its publisher, its authors, its number "
        "of reviews and their average stars. It runs 1 + 3 queries per book. Make it run **at most "
        f"{BUDGET}** and return exactly the same rows."
    ),
    starter=IMPORTS + ROW + "\n\n" + SLOW,
    solution=IMPORTS + ROW + "\n\n" + FAST,
    hints=(
        "Press Run: the report lists the queries. Which ones repeat for every book?",
        "`select_related('publisher')` joins the publisher; `prefetch_related('authors')` is one more query.",
        "Count and average the reviews in the books' query: `annotate(n=Count('reviews'), "
        "avg=Avg('reviews__stars'))`; do not load the review rows at all.",
    ),
    mistakes={
        IMPORTS + ROW + "\n\n" + LOADED: f"3 queries, the budget is {BUDGET}",
        IMPORTS
        + ROW
        + "\n\n"
        + FAST.replace('Count("reviews")', 'Count("reviews") + Count("authors")').replace(
            '.prefetch_related("authors")\n        ', ""
        ): "rows differ",
    },
)


@budget.check("The same rows as the reference")
def budget_rows(attempt):
    got, want = attempt.learner.page_rows(), attempt.reference.page_rows()
    if got != want:
        wrong = next((g, w) for g, w in zip(got + [None] * len(want), want + [None] * len(got)) if g != w)
        raise Fail(
            f"Your rows differ from the reference: {wrong[0]} where {wrong[1]} was expected. Two joins in one "
            "query multiply each other's rows: count the reviews with Count('reviews') only, and load the "
            "authors with prefetch_related."
        )


@budget.check(f"At most {BUDGET} queries")
def budget_queries(attempt):
    _, sql = attempt.queries(attempt.learner.page_rows)
    if len(sql) > BUDGET:
        why = (
            "prefetching the reviews still fetches every review row: annotate(Count(...), Avg(...)) computes "
            "the numbers in the books' query"
            if len(sql) == 3
            else "join the publisher (select_related), prefetch the authors and annotate the review numbers"
        )
        raise Fail(f"{len(sql)} queries, the budget is {BUDGET}: {why}.")


@budget.run
def budget_show(lab, attempt):
    step = lab.step("page_rows()", attempt.learner.page_rows)
    lab.headline(f"{len(step.queries)} queries for {len(step.result)} books (budget {BUDGET})", focus=step)


# -- a cache with invalidation --------------------------------------------------------------------

GIVEN = IMPORTS + ROW + "\n\n" + FAST + "\n\n"
CACHE_STARTER = """from django.core.cache import cache
from django.utils import timezone

from sandbox.models import Review

KEY = "bookshop-page"


def cached_rows():
    return page_rows()


def add_review(book_id, customer_id, stars):
    return Review.objects.create(book_id=book_id, customer_id=customer_id, stars=stars, created=timezone.now())
"""
CACHE_SOLUTION = CACHE_STARTER.replace(
    "    return page_rows()\n", "    return cache.get_or_set(KEY, page_rows, 300)\n"
).replace(
    "    return Review.objects.create(book_id=book_id, customer_id=customer_id, stars=stars, created=timezone.now())\n",
    "    review = Review.objects.create(book_id=book_id, customer_id=customer_id, stars=stars, created=timezone.now())\n"
    "    cache.delete(KEY)  # the page shows reviews: forget it\n    return review\n",
)

cached = exercise(
    "capstone.cache-invalidation",
    title="Cache the page's rows, and forget them when a review is added",
    lesson="capstone/01-slow-bookshop-page",
    prompt=(
        "`page_rows()` (given, already within budget) runs two queries. Make `cached_rows()` return the same rows "
        "from the cache (`django.core.cache.cache`, key `KEY`), so a second call runs **no** query, and make "
        "`add_review()` forget them, so the next call shows the new review. Forget only the page's key: "
        "the cache holds other things too."
    ),
    starter=GIVEN + CACHE_STARTER,
    solution=GIVEN + CACHE_SOLUTION,
    hints=(
        "`cache.get_or_set(KEY, page_rows, 300)` returns the cached rows, or calls page_rows and keeps them.",
        "After creating the review, `cache.delete(KEY)`.",
        "`cache.clear()` would throw away everyone's entries, not only the page's.",
    ),
    mistakes={
        GIVEN + CACHE_SOLUTION.replace("    cache.delete(KEY)  # the page shows reviews: forget it\n", ""): (
            "still shows A2 with 0 reviews"
        ),
        GIVEN + CACHE_SOLUTION.replace("cache.delete(KEY)", "cache.clear()"): "cleared the whole cache",
        GIVEN
        + CACHE_SOLUTION.replace(
            "    return cache.get_or_set(KEY, page_rows, 300)\n",
            "    rows = page_rows()\n    cache.set(KEY, rows, 300)\n    return rows\n",
        ): "The second call ran 2 queries",
    },
)


@cached.check("The same rows, and no query on the second call")
def cached_second_call(attempt):
    first, _ = attempt.queries(attempt.learner.cached_rows)
    second, sql = attempt.queries(attempt.learner.cached_rows)
    if first != attempt.reference.page_rows() or second != first:
        raise Fail("cached_rows() must return exactly what page_rows() returns.")
    if sql:
        raise Fail(
            f"The second call ran {len(sql)} queries: keep the rows in the cache and return them on a hit "
            "(cache.get_or_set(KEY, page_rows, 300))."
        )


@cached.check("A new review shows on the next call; other cache entries survive")
def cached_invalidation(attempt):
    before = Review.objects.count()
    attempt.learner.cached_rows()
    cache.set("someone-else", "kept")
    attempt.learner.add_review(2, 3, 4)  # A2 has no review in the seed
    if Review.objects.count() != before + 1:
        raise Fail("add_review() must still create the review.")
    a2 = next(row for row in attempt.learner.cached_rows() if row["title"] == "A2")
    if a2["reviews"] != 1:
        raise Fail(
            f"After add_review() the page still shows A2 with {a2['reviews']} reviews: forget the cached rows "
            "in add_review (cache.delete(KEY))."
        )
    if cache.get("someone-else") != "kept":
        raise Fail("add_review() cleared the whole cache: delete only the page's key, cache.delete(KEY).")


@cached.run
def cached_show(lab, attempt):
    cache.delete(attempt.learner.KEY)
    first = lab.step("cached_rows(): the first call", attempt.learner.cached_rows, key="first")
    second = lab.step("cached_rows(): the second call", attempt.learner.cached_rows, key="second")
    lab.step("add_review(2, 3, 4)", partial(attempt.learner.add_review, 2, 3, 4), key="review")
    third = lab.step("cached_rows(): after the review", attempt.learner.cached_rows, key="third")
    counts = [len(s.queries) for s in (first, second, third)]
    lab.headline(f"Queries per call: {counts[0]}, {counts[1]}, then {counts[2]} after a review", focus=third)
