"""Caching, lesson 2: the low-level API. Checks count queries and cache calls, and read what is stored."""

import time

from django.core.cache import caches

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
