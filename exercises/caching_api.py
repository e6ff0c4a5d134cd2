"""Caching, lesson 2: the low-level API. Checks count queries and cache calls, and read what is stored."""

import time
from functools import partial

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.test.utils import override_settings

from lab.exercises import Fail, exercise
from sandbox.models import Book

from .caching_kit import counting_cache, queries

# -- get_or_set with a callable ---------------------------------------------------------

TOP_QUERY = 'list(Book.objects.order_by("-rating", "title").values_list("title", flat=True)[:3])'
top = exercise(
    "caching.get-or-set",
    title="get_or_set with a callable",
    lesson="caching/02-low-level-api",
    prompt=(
        "`top_titles()` returns the titles of the three best-rated books, with a query on every call. "
        'Cache the list under the key `"top-titles"` for five minutes with `cache.get_or_set()`, so that the '
        "**second call runs no query**."
    ),
    starter=f"""from django.core.cache import cache

from sandbox.models import Book


def top_titles():
    return {TOP_QUERY}
""",
    solution=f"""from django.core.cache import cache

from sandbox.models import Book


def top_titles():
    return cache.get_or_set("top-titles", lambda: {TOP_QUERY}, 300)
""",
    hints=(
        "Press Run: how many queries does each call send?",
        "`cache.get_or_set(key, default, timeout)` returns the cached value, or stores `default` on a miss.",
        "Arguments are evaluated before the call: pass `lambda: ...` so the query runs only on a miss.",
    ),
    mistakes={
        f"""from django.core.cache import cache

from sandbox.models import Book


def top_titles():
    return cache.get_or_set("top-titles", {TOP_QUERY}, 300)
""": "the query ran before get_or_set was called",
    },
)


@top.check("The same titles as the reference")
def top_same(attempt):
    want = attempt.reference.top_titles()
    caches["default"].clear()
    got = attempt.learner.top_titles()
    if list(got) != want:
        raise Fail(f"top_titles() returned {got!r}, expected {want!r}.")


@top.check("The second call runs no query")
def top_second_is_free(attempt):
    with counting_cache():
        attempt.learner.top_titles()
        _, second = attempt.queries(attempt.learner.top_titles)
        cached = caches["default"].has_key("top-titles")
    if second:
        why = (
            "the query ran before get_or_set was called. Pass a callable (lambda: ...) so it runs only on a miss."
            if cached
            else 'nothing was cached under "top-titles".'
        )
        raise Fail(f"The second call ran {queries(len(second))}: {why}")


@top.check('Stored under "top-titles" for five minutes')
def top_stored(attempt):
    with counting_cache():
        attempt.learner.top_titles()
        cache = caches["default"]
        key = cache.make_key("top-titles")
        if not cache.has_key("top-titles"):
            raise Fail('Nothing is cached under "top-titles".')
        seconds = cache._expire_info[key] - time.time()
        if not 290 <= seconds <= 300:
            raise Fail(f'"top-titles" is kept for about {seconds:.0f} seconds, not 300.')


@top.run
def top_show(lab, attempt):
    caches["default"].clear()
    first = lab.step("top_titles(): a miss", attempt.learner.top_titles, key="first")
    second = lab.step("top_titles() again", attempt.learner.top_titles, key="second")
    lab.headline(f"{queries(len(first.queries))}, then {queries(len(second.queries))}", focus=second)


# -- get_many / set_many ------------------------------------------------------------------

MANY_SOLUTION = """from django.core.cache import cache

from sandbox.models import Book


def prices(pks):
    keys = {f"price:{pk}": pk for pk in pks}
    found = {keys[key]: price for key, price in cache.get_many(list(keys)).items()}
    missing = [pk for pk in pks if pk not in found]
    if missing:
        fetched = {pk: str(price) for pk, price in Book.objects.filter(pk__in=missing).values_list("pk", "price")}
        cache.set_many({f"price:{pk}": price for pk, price in fetched.items()}, 300)
        found.update(fetched)
    return found
"""
many = exercise(
    "caching.many-at-once",
    title="Five prices in two round trips",
    lesson="caching/02-low-level-api",
    prompt=(
        "`prices(pks)` returns `{pk: price as a string}` for a list of books, each cached under "
        '`"price:<pk>"`. It asks the cache once per book and the database once per miss. On Redis or '
        "Memcached every cache call is a network round trip. Make a cold call cost **one query and two cache "
        "calls**, and a warm call **one cache call and no query**, for any number of books."
    ),
    starter="""from django.core.cache import cache

from sandbox.models import Book


def prices(pks):
    result = {}
    for pk in pks:
        price = cache.get(f"price:{pk}")
        if price is None:
            price = str(Book.objects.values_list("price", flat=True).get(pk=pk))
            cache.set(f"price:{pk}", price, 300)
        result[pk] = price
    return result
""",
    solution=MANY_SOLUTION,
    hints=(
        "`cache.get_many(keys)` returns a dict of the keys it found; misses are left out.",
        "Fetch every missing price in one query: `Book.objects.filter(pk__in=missing)`.",
        "`cache.set_many({key: value, ...}, timeout)` stores them all in one call.",
    ),
    mistakes={
        MANY_SOLUTION.replace(
            '        cache.set_many({f"price:{pk}": price for pk, price in fetched.items()}, 300)\n',
            '        for pk, price in fetched.items():\n            cache.set(f"price:{pk}", price, 300)\n',
        ): "cache calls for 5 cold prices",
    },
)


def _five():
    return list(Book.objects.order_by("pk").values_list("pk", flat=True)[:5])


@many.check("The same prices as the reference, cold and warm")
def many_same(attempt):
    pks = _five()
    want = attempt.reference.prices(pks)
    caches["default"].clear()
    for when in ("cold", "warm"):
        got = attempt.learner.prices(pks)
        if got != want:
            raise Fail(f"prices({pks}) returned {got!r} {when}, expected {want!r}.")


@many.check("Cold: one query and two cache calls; warm: one cache call, no query")
def many_round_trips(attempt):
    pks = _five()
    with counting_cache() as calls:
        _, cold = attempt.queries(lambda: attempt.learner.prices(pks))
        cold_calls = list(calls)
        del calls[:]
        _, warm = attempt.queries(lambda: attempt.learner.prices(pks))
    if len(cold) != 1:
        raise Fail(f"{queries(len(cold))} for {len(pks)} cold prices: fetch every miss in one filter(pk__in=...).")
    if len(cold_calls) > 2:
        raise Fail(
            f"{len(cold_calls)} cache calls for 5 cold prices ({', '.join(cold_calls)}): each is a round trip on "
            "Redis or Memcached. Read with get_many() and store with set_many()."
        )
    if warm or len(calls) != 1:
        raise Fail(f"Warm: {queries(len(warm))} and {len(calls)} cache calls; expected none and one get_many().")


@many.check("A half-warm call fetches only the missing prices")
def many_half_warm(attempt):
    pks = _five()
    with counting_cache():
        attempt.learner.prices(pks[:2])
        got, sql = attempt.queries(lambda: attempt.learner.prices(pks))
    if len(sql) != 1 or len(got) != len(pks):
        raise Fail(f"With 2 of {len(pks)} prices cached: {queries(len(sql))} and {len(got)} prices returned.")


@many.run
def many_show(lab, attempt):
    caches["default"].clear()
    pks = _five()

    def cold_then_warm():
        with counting_cache() as calls:
            attempt.learner.prices(pks)
            cold = list(calls)
            del calls[:]
            attempt.learner.prices(pks)
            return {"cold cache calls": cold, "warm cache calls": list(calls)}

    step = lab.step("prices(five books), cold then warm", cold_then_warm)
    for name, value in step.result.items():
        step.fact(name, value, name)
    lab.headline(
        f"{len(step.result['cold cache calls'])} cache calls cold, {len(step.result['warm cache calls'])} warm"
    )


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
