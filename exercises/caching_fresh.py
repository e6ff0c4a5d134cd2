"""Caching, lessons 5 and 6: a fragment keyed by the right thing, and cache-aside that a save invalidates."""

from functools import partial

from django.core.cache import caches
from django.test import TestCase

from lab.exercises import Fail, exercise
from sandbox.models import Book

from .caching_kit import a_fresh_cache, queries

# -- lesson 5: a fragment that varies by page ------------------------------------------------

FRAGMENT_HEAD = """from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.template import engines

from sandbox.models import Book

"""
FRAGMENT_RENDER = """

def render_page(page, per_page=2):
    start = (page - 1) * per_page
    books = Book.objects.order_by("title")[start : start + per_page]  # lazy: runs only if the fragment misses
    return engines["django"].from_string(TEMPLATE).render({"books": books, "page": page})
"""
TEMPLATE_LINE = (
    'TEMPLATE = """{%% load cache %%}{%% cache 300 book_list%s %%}'
    '{%% for book in books %%}{{ book.title }}; {%% endfor %%}{%% endcache %%}"""'
)
FORGET = """

def forget_page(page):
    cache.delete(make_template_fragment_key("book_list", %s))
"""
FRAGMENT_SOLUTION = FRAGMENT_HEAD + TEMPLATE_LINE % " page" + FRAGMENT_RENDER + FORGET % "[page]"
fragment = exercise(
    "caching.fragment-key",
    title="A fragment per page, and forgetting one",
    lesson="caching/05-fragments",
    prompt=(
        "`render_page(page)` renders one page of the catalogue through a `{% cache %}` fragment, so a cached "
        "page runs no query. But every page shows page 1's books. Make the fragment **vary by page**, then write "
        "`forget_page(page)`, which deletes **that page's** fragment only (after a price change, say)."
    ),
    starter=FRAGMENT_HEAD
    + TEMPLATE_LINE % ""
    + FRAGMENT_RENDER
    + "\n\ndef forget_page(page):\n    ...  # delete this page's fragment\n",
    solution=FRAGMENT_SOLUTION,
    hints=(
        "Render page 1, then page 2: whose books does page 2 show? The fragment's key is only its name.",
        "Every argument after the fragment's name becomes part of its key: `{% cache 300 book_list page %}`.",
        'The same name and values give the key to delete: `make_template_fragment_key("book_list", [page])`.',
    ),
    mistakes={
        FRAGMENT_HEAD + TEMPLATE_LINE % "" + FRAGMENT_RENDER + FORGET % "[page]": "Page 2 showed page 1's books",
        FRAGMENT_HEAD + TEMPLATE_LINE % " page" + FRAGMENT_RENDER + FORGET % "": "still served from the cache",
    },
)


def _titles(page, per_page=2):
    start = (page - 1) * per_page
    return [title for title in Book.objects.order_by("title").values_list("title", flat=True)[start : start + per_page]]


@fragment.check("Page 1 twice: the second render runs no query")
def fragment_hit(attempt):
    with a_fresh_cache():
        attempt.learner.render_page(1)
        html, sql = attempt.queries(partial(attempt.learner.render_page, 1))
    if sql:
        raise Fail(f"The second render of page 1 ran {queries(len(sql))}: the fragment was not cached.")
    if not all(title in html for title in _titles(1)):
        raise Fail(f"Page 1 should list {_titles(1)}; it rendered {html!r}.")


@fragment.check("Page 2 shows page 2's books")
def fragment_varies(attempt):
    with a_fresh_cache():
        attempt.learner.render_page(1)
        html = attempt.learner.render_page(2)
    if not all(title in html for title in _titles(2)):
        raise Fail(
            f"Page 2 showed page 1's books ({html.strip()!r}): the fragment's key is the same for every page. "
            "Add page after the fragment's name: {% cache 300 book_list page %}."
        )


@fragment.check("forget_page(1) forgets page 1, and only page 1")
def fragment_forget(attempt):
    with a_fresh_cache():
        attempt.learner.render_page(1)
        attempt.learner.render_page(2)
        attempt.learner.forget_page(1)
        _, page_1 = attempt.queries(partial(attempt.learner.render_page, 1))
        _, page_2 = attempt.queries(partial(attempt.learner.render_page, 2))
    if not page_1:
        raise Fail(
            "After forget_page(1), page 1 was still served from the cache: delete the key "
            'make_template_fragment_key("book_list", [page]), the fragment\'s name and its vary-on values.'
        )
    if page_2:
        raise Fail("forget_page(1) also forgot page 2: delete only that page's key, never clear() the cache.")


@fragment.run
def fragment_show(lab, attempt):
    with a_fresh_cache():
        for key, page in (("page_1", 1), ("page_1_again", 1), ("page_2", 2)):
            step = lab.step(f"render_page({page})", partial(attempt.learner.render_page, page), key=key)
            step.fact("queries", len(step.queries), "queries")
        lab.headline(f"Page 2 rendered: {lab.get('page_2').result.strip()!r}", focus=lab.get("page_2"))


# -- lesson 6: cache-aside that a save invalidates ---------------------------------------------

PRICE_READ = """from django.core.cache import cache
from django.db.models.signals import post_save
from django.dispatch import receiver

from sandbox.models import Book


def book_price(pk):
    key = f"book-price:{pk}"
    price = cache.get(key)
    if price is None:
        price = Book.objects.values_list("price", flat=True).get(pk=pk)
        cache.set(key, price, 300)
    return price
"""
RECEIVER = """

@receiver(post_save, sender=Book)
def forget_price(sender, instance, **kwargs):
    %s
"""
aside = exercise(
    "caching.cache-aside-invalidated",
    title="Cache-aside that a save keeps fresh",
    lesson="caching/06-invalidation",
    prompt=(
        "`book_price(pk)` reads a book's price from the database every time. Cache it under "
        '`"book-price:<pk>"` (cache-aside: read the cache, on a miss query and store), so the second call '
        "runs **no query**; and make sure a `book.save()` with a new price is seen by the next call, while the "
        "other books stay cached."
    ),
    starter="""from django.core.cache import cache
from django.db.models.signals import post_save
from django.dispatch import receiver

from sandbox.models import Book


def book_price(pk):
    return Book.objects.values_list("price", flat=True).get(pk=pk)
""",
    solution=PRICE_READ + RECEIVER % 'cache.delete(f"book-price:{instance.pk}")',
    hints=(
        "Cache-aside: `cache.get(key)`; on None, query, then `cache.set(key, value, timeout)`.",
        "A saved book must drop its own entry: a `post_save` receiver for `Book` can delete it.",
        'Delete the one key (`cache.delete(f"book-price:{instance.pk}")`), never `cache.clear()`.',
    ),
    mistakes={
        PRICE_READ: "still returned the old price",
        PRICE_READ + RECEIVER % "cache.clear()": "the other books' prices were dropped too",
    },
)


def _two_books(attempt):
    """Two books, with the reference solution's receiver disconnected: only the learner's may keep prices fresh."""
    from django.db.models.signals import post_save

    post_save.disconnect(attempt.reference.forget_price, sender=Book)
    return list(Book.objects.order_by("pk")[:2])


def _save_with_price(book, price):
    """Save, then run the learner's on_commit callbacks as a commit would (the check is rolled back)."""
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        book.price = price
        book.save()
    for callback in callbacks:
        if getattr(callback, "__module__", "") == "learner":
            callback()


@aside.check("The right price, and the second call runs no query")
def aside_hit(attempt):
    book = _two_books(attempt)[0]
    caches["default"].clear()
    price = attempt.learner.book_price(book.pk)
    if price != book.price:
        raise Fail(f"book_price({book.pk}) returned {price!r}, expected {book.price!r}.")
    _, sql = attempt.queries(partial(attempt.learner.book_price, book.pk))
    if sql:
        raise Fail(f"The second book_price({book.pk}) ran {queries(len(sql))}: nothing was cached.")


@aside.check("After save(), the next call returns the new price")
def aside_fresh(attempt):
    book = _two_books(attempt)[0]
    caches["default"].clear()
    old = attempt.learner.book_price(book.pk)
    _save_with_price(book, old + 10)
    new = attempt.learner.book_price(book.pk)
    if new != old + 10:
        raise Fail(
            f"After save() with the price {old + 10}, your function still returned the old price {new}: delete the "
            "book's key when it is saved, in a post_save receiver for Book."
        )


@aside.check("Saving one book keeps the other books cached")
def aside_targeted(attempt):
    first, second = _two_books(attempt)
    caches["default"].clear()
    attempt.learner.book_price(second.pk)
    _save_with_price(first, first.price + 1)
    _, sql = attempt.queries(partial(attempt.learner.book_price, second.pk))
    if sql:
        raise Fail(
            f"Saving book {first.pk} made book {second.pk} run {queries(len(sql))} again: the other books' prices "
            "were dropped too. Delete the saved book's key only; clear() empties the whole cache, everyone's keys."
        )


@aside.run
def aside_show(lab, attempt):
    caches["default"].clear()
    book = _two_books(attempt)[0]
    lab.step(f"book_price({book.pk})", partial(attempt.learner.book_price, book.pk), key="first")
    second = lab.step(f"book_price({book.pk}) again", partial(attempt.learner.book_price, book.pk), key="second")
    lab.step("Save it with a new price", partial(_save_with_price, book, book.price + 10), key="save")
    after = lab.step(f"book_price({book.pk}) after save()", partial(attempt.learner.book_price, book.pk), key="after")
    lab.headline(
        f"{queries(len(second.queries))} on the second call; after save(): {after.result} "
        f"({queries(len(after.queries))})",
        focus=after,
    )
