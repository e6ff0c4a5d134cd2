"""Caching, lesson 7: a conditional GET (ETag, If-None-Match, 304) through the test Client."""

from functools import partial

from lab.exercises import Fail, exercise
from sandbox.models import Book

from .caching_kit import queries, serving

# -- lesson 7: conditional GET ----------------------------------------------------------------

BOOK_HEAD = """from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import condition

from sandbox.models import Book

"""
BOOK_VIEW = """def book_page(request, pk):
    book = get_object_or_404(Book, pk=pk)
    return HttpResponse(f"{book.title}: {book.price}")
"""
BOOK_ETAG = '''def book_etag(request, pk):
    """Changes whenever the book is saved (Book.updated is auto_now)."""
    updated = Book.objects.filter(pk=pk).values_list("updated", flat=True).first()
    return updated.isoformat() if updated else None


'''
conditional = exercise(
    "caching.conditional-get",
    title="A 304 for a browser that already has the page",
    lesson="caching/07-http-caching",
    prompt=(
        "`book_page(request, pk)` shows a book. Give it an **ETag** with `@condition(etag_func=...)` that "
        "changes whenever the book is saved (`Book.updated` is set on every save), so a browser that sends "
        "`If-None-Match` gets **304 Not Modified** without the page being built, and a new page once the "
        "book has changed."
    ),
    starter=BOOK_HEAD + "\n" + BOOK_VIEW,
    solution=BOOK_HEAD + "\n" + BOOK_ETAG + "@condition(etag_func=book_etag)\n" + BOOK_VIEW,
    hints=(
        "`condition(etag_func=f)` calls `f(request, pk)` before the view; a match with If-None-Match ends "
        "the request with 304.",
        "The ETag must change when the book does: build it from `Book.updated`.",
        'Read only that one column: `Book.objects.filter(pk=pk).values_list("updated", flat=True).first()`.',
    ),
    mistakes={
        BOOK_HEAD + '\n@condition(etag_func=lambda request, pk: "v1")\n' + BOOK_VIEW: "still answered 304",
    },
)


def _book_get(attempt, pk, etag=None):
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    return attempt.queries(lambda: attempt.client().get(f"/book/{pk}/", **headers))


def _routes(attempt):
    return {"book/<int:pk>/": attempt.learner.book_page}


@conditional.check("200 with the book and an ETag")
def conditional_etag(attempt):
    book = Book.objects.order_by("pk").first()
    with serving(_routes(attempt)):
        response, _ = _book_get(attempt, book.pk)
    if response.status_code != 200 or book.title not in response.content.decode():
        raise Fail(f"GET /book/{book.pk}/ answered {response.status_code} without the book's title.")
    if not response.get("ETag"):
        raise Fail("The response has no ETag header: @condition(etag_func=...) adds it.")


@conditional.check("A matching If-None-Match gets 304, built with at most one query")
def conditional_304(attempt):
    book = Book.objects.order_by("pk").first()
    with serving(_routes(attempt)):
        first, _ = _book_get(attempt, book.pk)
        again, sql = _book_get(attempt, book.pk, first.get("ETag"))
    if again.status_code != 304:
        raise Fail(
            f"The browser sent If-None-Match: {first.get('ETag')} and got {again.status_code}, not 304: "
            "the ETag must come from condition(etag_func=...), which compares it before the view runs."
        )
    if len(sql) > 1:
        raise Fail(f"The 304 took {queries(len(sql))}: the ETag needs one small query, not the whole page.")


@conditional.check("After the book changes, the old ETag gets the new page")
def conditional_changed(attempt):
    book = Book.objects.order_by("pk").first()
    with serving(_routes(attempt)):
        first, _ = _book_get(attempt, book.pk)
        book.price += 1
        book.save()
        after, _ = _book_get(attempt, book.pk, first.get("ETag"))
    if after.status_code != 200 or str(book.price) not in after.content.decode():
        raise Fail(
            f"After the price changed, your view still answered {after.status_code} to the old ETag: the browser "
            "keeps showing the old price. Build the ETag from Book.updated, which every save() changes."
        )


def _fetch(pk, etag=None):
    from django.test import Client

    return Client().get(f"/book/{pk}/", **({"HTTP_IF_NONE_MATCH": etag} if etag else {}))


@conditional.run
def conditional_show(lab, attempt):
    pk = Book.objects.order_by("pk").values_list("pk", flat=True).first()
    with serving(_routes(attempt)):
        first = lab.step(f"GET /book/{pk}/", partial(_fetch, pk), key="first")
        first.fact("status", first.result.status_code, "status")
        etag = first.result.get("ETag")
        first.fact("etag", etag, "ETag")
        again = lab.step(f"GET /book/{pk}/ with If-None-Match", partial(_fetch, pk, etag), key="again")
        again.fact("status", again.result.status_code, "status")
    lab.headline(f"{first.result.status_code}, then {again.result.status_code} with If-None-Match", focus=again)
