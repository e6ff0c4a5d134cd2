"""Caching, lesson 6: a version counter that retires every cached page with one incr()."""

from functools import partial

from lab.exercises import Fail, exercise
from sandbox.models import Book

from .caching_kit import a_fresh_cache, counting_cache, queries

# -- lesson 6: one incr() retires every page ---------------------------------------------------

PAGES = '''import time

from django.core.cache import cache

from sandbox.models import Book

VERSION_KEY = "books:version"


def books_version():
    """Created from the clock on first use, so an evicted counter never restarts at an old number."""
    return cache.get_or_set(VERSION_KEY, time.time_ns, None)


def book_page(page, per_page=2):
    start = (page - 1) * per_page
    return cache.get_or_set(
        f"books:page:{page}",
        lambda: list(Book.objects.order_by("title").values_list("title", "price")[start : start + per_page]),
        300,
        version=books_version(),
    )


def books_changed():
'''
version = exercise(
    "caching.version-counter",
    title="One incr() retires every cached page",
    lesson="caching/06-invalidation",
    prompt=(
        "The catalogue's pages are cached under `books:page:<n>`, each read and written with `version=` taken "
        "from the counter `books:version`. After a bulk price change (an `update()`: no signal), the shop calls "
        "`books_changed()`. Write it so that **every** cached page is read afresh afterwards, however many "
        "pages there are, in **one** cache call; and so that it does not fail when the counter has been evicted."
    ),
    starter=PAGES + '    cache.delete("books:page:1")\n',
    solution=PAGES
    + "    try:\n        cache.incr(VERSION_KEY)\n    except ValueError:  # evicted: the next read starts "
    "a new version anyway\n        pass\n",
    hints=(
        "You cannot list a cache's keys, so you cannot delete every page. What does every page key share?",
        "Every page is read with `version=books_version()`: a new number there is a new key for all of them.",
        "`cache.incr(VERSION_KEY)` moves the counter in one call; it raises ValueError if the counter is gone.",
    ),
    mistakes={
        PAGES + "    cache.incr(VERSION_KEY)\n": "raised ValueError",
        PAGES
        + '    cache.delete_many([f"books:page:{n}" for n in range(1, 100)], version=books_version())\n': "cache calls",
    },
)


def _cut_all_prices():
    from django.db.models import F

    return Book.objects.update(price=F("price") + 1)


@version.check("After books_changed(), every page shows the new prices")
def version_every_page(attempt):
    with a_fresh_cache():
        pages = [attempt.learner.book_page(n) for n in (1, 2, 3)]
        _cut_all_prices()
        attempt.learner.books_changed()
        for n, before in zip((1, 2, 3), pages, strict=True):
            after, sql = attempt.queries(partial(attempt.learner.book_page, n))
            if after == before or not sql:
                raise Fail(
                    f"Page {n} still showed the old prices after books_changed(): a delete() per key misses the "
                    "pages you do not name. Move the version counter with incr(): every page key uses it."
                )


@version.check("One cache call")
def version_one_call(attempt):

    with counting_cache() as calls:
        attempt.learner.book_page(1)
        del calls[:]
        attempt.learner.books_changed()
    if len(calls) != 1:
        raise Fail(f"books_changed() made {len(calls)} cache calls ({', '.join(calls)}); one incr() is enough.")


@version.check("Works when the counter has been evicted")
def version_evicted(attempt):
    with a_fresh_cache():
        try:
            attempt.learner.books_changed()
        except ValueError as exc:
            raise Fail(
                f"books_changed() raised ValueError ({exc}) when the counter had been evicted: incr() needs an "
                "existing key. Catch it: the next read creates a new version anyway."
            ) from None


@version.run
def version_show(lab, attempt):
    with a_fresh_cache():
        lab.step("book_page(2)", partial(attempt.learner.book_page, 2), key="before")
        lab.step("update(): every price + 1", _cut_all_prices, key="update")
        lab.step("books_changed()", attempt.learner.books_changed, key="changed")
        after = lab.step("book_page(2) again", partial(attempt.learner.book_page, 2), key="after")
        lab.headline(f"Page 2 after books_changed(): {queries(len(after.queries))}, {after.result}", focus=after)
