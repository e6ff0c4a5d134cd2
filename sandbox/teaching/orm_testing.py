"""Testing queries (ORM lesson 10): pin a view's query count so an N+1 can't come back unnoticed.

`book_list_page` is the page as first written (one query per book for its publisher); the fixed page
joins the publishers in. `BookListQueryCountTest` is an ordinary Django test that pins the page at one
query; the lesson runs it against both views.
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, TestCase
from django.test.utils import CaptureQueriesContext

from ..models import Book


def book_list_page(request: HttpRequest) -> HttpResponse:
    books = Book.objects.order_by("title")
    lines = [f"{book.title} ({book.publisher.name})" for book in books]  # book.publisher: one query per book
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def book_list_page_fast(request: HttpRequest) -> HttpResponse:
    books = Book.objects.select_related("publisher").order_by("title")  # one query, publishers joined in
    lines = [f"{book.title} ({book.publisher.name})" for book in books]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


class BookListQueryCountTest(TestCase):
    view = staticmethod(book_list_page)

    def test_the_book_list_runs_one_query(self):
        request = RequestFactory().get("/books/")
        with self.assertNumQueries(1):
            response = self.view(request)
        self.assertEqual(response.status_code, 200)


class FastBookListQueryCountTest(BookListQueryCountTest):
    view = staticmethod(book_list_page_fast)  # the same test, against the fixed view


def queries_of(view) -> list[str]:
    """The SQL a view sends, captured: what assertNumQueries counts, for a test that asserts more than a count."""
    with CaptureQueriesContext(connection) as captured:
        view(RequestFactory().get("/books/"))
    return [query["sql"] for query in captured.captured_queries]
