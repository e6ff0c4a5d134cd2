"""ORM lesson 10: a real test pins the book list's query count; it fails on the N+1 and passes after the fix."""

from lab import registry


def test_capture_queries_context_sees_one_query_for_the_books_and_one_per_book(run_demo):
    lab = run_demo("orm.testing-queries")
    captured = lab.get("captured")
    assert captured.facts["count"] == 6
    assert sum("sandbox_publisher" in sql for sql in captured.result) == 5


def test_the_pinned_test_fails_on_the_n_plus_one_view_with_django_s_message(run_demo):
    lab = run_demo("orm.testing-queries")
    slow = lab.get("slow").facts
    assert slow["ran"] == 1 and slow["outcome"] == "failed"
    assert slow["message"] == "6 != 1 : 6 queries executed, 1 expected"
    assert "Captured queries were:" in lab.get("slow").log[0]


def test_the_same_test_passes_after_select_related_and_the_headline_says_so(run_demo):
    lab = run_demo("orm.testing-queries")
    assert lab.get("fast").facts == {"ran": 1, "outcome": "passed"}
    assert lab.headline_text == (
        "Against the N+1 view the test failed (6 != 1 : 6 queries executed, 1 expected); after select_related it passed"
    )
    (prediction,) = registry.get("orm.testing-queries").predictions
    assert prediction.grade(lab, "6") == (True, "6")


def test_the_book_list_runs_one_query(django_assert_num_queries, seeded):
    # The lesson's pytest version of the same pin (pytest-django's fixture), run on the fixed view.
    from django.test import RequestFactory

    from sandbox.teaching.orm_testing import book_list_page_fast

    with django_assert_num_queries(1):
        response = book_list_page_fast(RequestFactory().get("/books/"))
    assert response.status_code == 200


def test_django_assert_num_queries_fails_on_the_n_plus_one_view(django_assert_num_queries, seeded):
    import pytest
    from django.test import RequestFactory

    from sandbox.teaching.orm_testing import book_list_page

    with pytest.raises(pytest.fail.Exception, match="Expected to perform 1 queries but 6 were done"):
        with django_assert_num_queries(1):
            book_list_page(RequestFactory().get("/books/"))


def test_django_assert_max_num_queries_allows_up_to_its_number(django_assert_max_num_queries, seeded):
    import pytest
    from django.test import RequestFactory

    from sandbox.teaching.orm_testing import book_list_page

    with django_assert_max_num_queries(6):
        book_list_page(RequestFactory().get("/books/"))
    with pytest.raises(pytest.fail.Exception, match="Expected to perform 5 queries or less but 6 were done"):
        with django_assert_max_num_queries(5):
            book_list_page(RequestFactory().get("/books/"))


def test_an_n_plus_one_on_a_single_row_sends_only_two_queries(seeded):
    from sandbox.models import Book
    from sandbox.teaching.orm_testing import book_list_page, queries_of

    Book.objects.exclude(title="A1").delete()
    assert len(queries_of(book_list_page)) == 2
