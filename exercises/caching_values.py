"""Caching, lesson 2: values that trip cache-aside up: a cached None, and a counter two visitors update at once."""

from functools import partial

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.test.utils import override_settings

from lab.exercises import Fail, exercise
from sandbox.models import Book

from .caching_kit import counting_cache, queries

# -- a cached None --------------------------------------------------------------------

NONE_STARTER = """from django.core.cache import cache

from sandbox.models import Review


def best_stars(pk):
    stars = cache.get(f"best-stars:{pk}")
    if stars is None:
        review = Review.objects.filter(book_id=pk).order_by("-stars").first()
        stars = review.stars if review else None
        cache.set(f"best-stars:{pk}", stars, 300)
    return stars
"""
none = exercise(
    "caching.cached-none",
    title="A cached None is not a miss",
    lesson="caching/02-low-level-api",
    prompt=(
        "`best_stars(pk)` returns a book's best review (its stars), or `None` when the book has no review, "
        "cached for five minutes. For a book with reviews the second call is free, but for a book **without** "
        "reviews every call runs the query again. Make the second call run no query for every book."
    ),
    starter=NONE_STARTER,
    solution=NONE_STARTER.replace(
        "\n\ndef best_stars(pk):\n",
        "\nMISSING = object()\n\n\ndef best_stars(pk):\n",
    ).replace(
        '    stars = cache.get(f"best-stars:{pk}")\n    if stars is None:',
        '    stars = cache.get(f"best-stars:{pk}", MISSING)\n    if stars is MISSING:',
    ),
    hints=(
        "Run it: which book's second call still runs a query?",
        "`cache.get(key)` returns None for a miss **and** for a cached None.",
        "Pass a default that nothing else can be: `MISSING = object()`, then `cache.get(key, MISSING)`.",
    ),
    mistakes={NONE_STARTER: "a cached None looks like a miss"},
)


def _without_and_with_reviews():
    return (
        Book.objects.filter(reviews__isnull=True).order_by("pk").values_list("pk", flat=True).first(),
        Book.objects.filter(reviews__isnull=False).order_by("pk").values_list("pk", flat=True).first(),
    )


@none.check("The right stars, or None")
def none_same(attempt):
    for pk in _without_and_with_reviews():
        want = attempt.reference.best_stars(pk)
        caches["default"].clear()
        got = attempt.learner.best_stars(pk)
        if got != want:
            raise Fail(f"best_stars({pk}) returned {got!r}, expected {want!r}.")


@none.check("The second call runs no query, even for a book without reviews")
def none_second_is_free(attempt):
    for pk in _without_and_with_reviews():
        with counting_cache():
            attempt.learner.best_stars(pk)
            value, second = attempt.queries(partial(attempt.learner.best_stars, pk))
        if second:
            why = (
                "a cached None looks like a miss to get(): pass a sentinel default (MISSING = object())."
                if value is None
                else "nothing was cached."
            )
            raise Fail(f"The second best_stars({pk}) ran {queries(len(second))}: {why}")


@none.run
def none_show(lab, attempt):
    caches["default"].clear()
    pk = _without_and_with_reviews()[0]

    lab.step(f"best_stars({pk}): a book without reviews", partial(attempt.learner.best_stars, pk), key="first")
    second = lab.step(f"best_stars({pk}) again", partial(attempt.learner.best_stars, pk), key="second")
    lab.headline(f"The second call for a book without reviews ran {queries(len(second.queries))}", focus=second)


# -- an atomic counter ------------------------------------------------------------------


class RacingCache(LocMemCache):
    """Local memory where another visitor's view lands between every get() of a counter and what follows it."""

    races = 0

    def get(self, key, default=None, version=None):
        value = super().get(key, default, version)
        if str(key).startswith("views:") and isinstance(value, int):
            LocMemCache.incr(self, key, version=version)  # the other visitor, counted atomically
            RacingCache.races += 1
        return value


COUNTER_STARTER = """from django.core.cache import cache


def count_view(pk):
    key = f"views:{pk}"
    count = cache.get(key, 0) + 1
    cache.set(key, count, None)
    return count
"""
counter = exercise(
    "caching.view-counter",
    title="A view counter that loses no views",
    lesson="caching/02-low-level-api",
    prompt=(
        '`count_view(pk)` counts a view of a book under `"views:<pk>"` and returns the new count. It reads, '
        "adds one and writes back: when two visitors arrive together, one view is lost. The checks let "
        "another visitor's view land between your calls. Count with `cache.incr()`, which adds in one step, "
        "and make the first view of a book work too."
    ),
    starter=COUNTER_STARTER,
    solution="""from django.core.cache import cache


def count_view(pk):
    key = f"views:{pk}"
    cache.add(key, 0, None)  # creates the counter only if it does not exist yet
    return cache.incr(key)
""",
    hints=(
        "`cache.incr(key)` adds 1 on the cache's side and returns the new value.",
        "`incr()` raises ValueError for a key that does not exist.",
        "`cache.add(key, 0, None)` creates the counter only when it is missing, and never overwrites it.",
    ),
    mistakes={
        """from django.core.cache import cache


def count_view(pk):
    return cache.incr(f"views:{pk}")
""": "incr() on a missing key raises ValueError",
        COUNTER_STARTER: "was lost",
    },
)


@counter.check("The first view of a book counts 1, the next 2")
def counter_first(attempt):
    try:
        counts = [attempt.learner.count_view(1), attempt.learner.count_view(1), attempt.learner.count_view(2)]
    except ValueError as exc:
        raise Fail(f"incr() on a missing key raises ValueError ({exc}): create the counter with add(key, 0).") from None
    if counts != [1, 2, 1]:
        raise Fail(f"Two views of book 1 and one of book 2 returned {counts}, expected [1, 2, 1].")


@counter.check("Another visitor's view in between is not lost")
def counter_race(attempt):
    config = {**settings.CACHES, "default": {"BACKEND": f"{__name__}.RacingCache", "LOCATION": "exercise-racing"}}
    with override_settings(CACHES=config):
        cache = caches["default"]
        cache.clear()
        try:
            cache.set("views:1", 10, None)
            RacingCache.races = 0
            for _ in range(3):
                attempt.learner.count_view(1)
            others = RacingCache.races
            total = LocMemCache.get(cache, "views:1")
        finally:
            cache.clear()
    if total != 13 + others:
        raise Fail(
            f"10 views, then 3 of yours and {others} of other visitors in between: the counter says {total}, not "
            f"{13 + others}. A view counted between your get() and your set() was lost: count with cache.incr(), "
            "which reads and writes in one step."
        )


@counter.run
def counter_show(lab, attempt):
    caches["default"].clear()

    for n in (1, 2, 3):
        lab.step(f"count_view(1), view {n}", partial(attempt.learner.count_view, 1), key=f"view_{n}")
    lab.headline(f"Three views of book 1: the counter says {lab.get('view_3').result}")
