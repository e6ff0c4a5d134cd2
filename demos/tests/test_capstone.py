"""The capstone: the slow bookshop page, each fix measured, the budget test run in-process."""

import re

import pytest

from sandbox.teaching import capstone as t

ALL = ["none", "loading", "annotate", "cache", "invalidate"]


@pytest.fixture
def runs(run_demo):
    """One run per choice, shared by the tests that only read them (each run is a handful of requests)."""
    cache = {}

    def get(fixes):
        if fixes not in cache:
            cache[fixes] = run_demo("capstone.slow-page", fixes=fixes)
        return cache[fixes]

    return get


def tables(sql):
    return re.findall(r'FROM "(\w+)"', sql)[0]


def test_the_slow_page_runs_one_query_for_the_books_then_three_per_book(runs):
    step = runs("none").get("none")
    assert step.facts["queries"] == 16 == 1 + 3 * 5
    sql = [q.sql for q in step.queries]
    assert tables(sql[0]) == "sandbox_book"
    groups = [[tables(s) for s in sql[i : i + 3]] for i in range(1, 16, 3)]
    assert groups == [["sandbox_review", "sandbox_publisher", "sandbox_author"]] * 5
    params = [q.params for q in step.queries[1:4]]  # one book's three queries differ from the next's by the id
    assert [re.sub(r"\d+", "N", s) for s in sql[1:4]] == [re.sub(r"\d+", "N", s) for s in sql[4:7]]
    assert params


def test_each_fix_cuts_the_queries_and_the_middleware_counts_the_same(runs):
    lab = runs("invalidate")
    assert [lab.get(k).facts["queries"] for k in ["none", "loading", "annotate", "cache", "second_visit"]] == [
        16,
        3,
        2,
        2,
        0,
    ]
    for step in lab.steps:
        if "x_lab_queries" in step.facts:
            assert step.facts["x_lab_queries"] == step.facts["queries"]
            assert step.facts["server_timing"].startswith("app;dur=")
            assert f'desc="{step.facts["queries"]} queries"' in step.facts["server_timing"]


def test_prefetch_runs_one_query_per_relation_and_annotate_joins_and_groups(runs):
    lab = runs("annotate")
    loading = [tables(q.sql) for q in lab.get("loading").queries]
    assert loading == ["sandbox_book", "sandbox_author", "sandbox_review"]
    assert 'INNER JOIN "sandbox_publisher"' in lab.get("loading").queries[0].sql
    books = lab.get("annotate").queries[0].sql
    assert 'LEFT OUTER JOIN "sandbox_review"' in books and "GROUP BY" in books
    assert [tables(q.sql) for q in lab.get("annotate").queries] == ["sandbox_book", "sandbox_author"]


def test_every_version_returns_the_same_rows(seeded):
    slow = t.rows_slow()
    assert slow == t.rows_loaded() == t.rows_annotated()
    t.forget_page()
    assert t.rows_cached() == slow == t.rows_cached()
    t.forget_page()
    a1 = next(r for r in slow if r["title"] == "A1")
    assert a1 == {"title": "A1", "publisher": "A", "authors": "Ada Adams, Ben Brook", "reviews": 2, "average": 4.0}


def test_the_cache_misses_then_hits_and_without_invalidation_the_page_goes_stale(runs):
    lab = runs("cache")
    assert lab.get("cache").facts["cache_hit"] is False and lab.get("cache").facts["queries"] == 2
    assert lab.get("second_visit").facts["cache_hit"] is True and lab.get("second_visit").facts["queries"] == 0
    assert lab.get("write").call.startswith("add_review(")
    after = lab.get("after_write").facts
    assert after["a2_reviews"] == 0 and after["queries"] == 0  # the review exists, the page does not show it
    assert lab.headline_text == (
        "Queries per visit: none: 16 → loading: 3 → annotate: 2 → cache: 2, then 0 from the cache; "
        "after a new review the page is stale; the budget test: 2 passed"
    )


def test_forgetting_the_page_on_write_shows_the_review_on_the_next_visit(runs):
    lab = runs("invalidate")
    assert lab.get("write").call.startswith("add_review_and_forget_page(")
    after = lab.get("after_write").facts
    assert after["a2_reviews"] == 1 and after["queries"] == 2
    assert lab.headline_text.endswith("after a new review the page shows it; the budget test: 2 passed")
    assert lab.focus_key == "summary"


@pytest.mark.parametrize(
    ("fixes", "first", "second"),
    [
        ("none", "16 != 2 : 16 queries executed, 2 expected", "16 != 0 : 16 queries executed, 0 expected"),
        ("loading", "3 != 2 : 3 queries executed, 2 expected", "3 != 0 : 3 queries executed, 0 expected"),
        ("annotate", "", "2 != 0 : 2 queries executed, 0 expected"),
        ("cache", "", ""),
        ("invalidate", "", ""),
    ],
)
def test_the_budget_test_fails_until_the_page_meets_it(run_demo, fixes, first, second):
    budget = run_demo("capstone.slow-page", fixes=fixes).get("budget")
    run = budget.result
    for name, message in (
        ("test_a_first_visit_stays_within_two_queries", first),
        ("test_a_second_visit_runs_no_query", second),
    ):
        outcome = run.get(name)
        assert outcome.status == ("failed" if message else "passed")
        if message:
            assert outcome.message.splitlines()[0] == message
        else:
            assert outcome.message == ""


def test_the_predictions_are_graded_from_the_run(runs):
    from lab import registry

    slow, stale = registry.get("capstone.slow-page").predictions
    assert slow.answer(runs("none")) == "16"
    assert stale.answer(runs("none")) == ""  # no write without a cache
    assert stale.answer(runs("cache")) == "No"
    assert stale.answer(runs("invalidate")) == "Yes"


def test_a_run_leaves_nothing_cached_for_the_next(run_demo):
    from django.core.cache import caches

    from lab.learners import as_learner

    learner = "0123456789abcdef"  # run_demo's
    with as_learner(learner):
        caches[t.PAGE_CACHE].set(t.PAGE_KEY, ["stale rows from before"])  # e.g. a run that was stopped half-way
    lab = run_demo("capstone.slow-page", fixes="cache", learner=learner)
    assert lab.get("cache").facts["cache_hit"] is False  # the run started cold
    with as_learner(learner):
        assert caches[t.PAGE_CACHE].get(t.PAGE_KEY) is None  # and left nothing behind


def test_locally_the_toolbars_sql_panel_flags_the_repeated_queries_and_the_cache_removes_them(seeded, client, settings):
    """The lesson's tip, checked against the toolbar that is installed."""
    if "debug_toolbar.middleware.DebugToolbarMiddleware" not in settings.MIDDLEWARE:
        pytest.skip("the debug toolbar is not in MIDDLEWARE (DEBUG was off at start-up)")
    settings.DEBUG = True
    settings.ROOT_URLCONF = "lessons.tests.toolbar_urls"

    def sql_panel(path):
        response = client.get(path)
        assert response.status_code == 200
        panel = client.get(
            "/__debug__/render_panel/", {"request_id": response["djdt-request-id"], "panel_id": "SQLPanel"}
        )
        return response, panel.json()["content"]

    response, content = sql_panel("/sandbox/capstone/books/")
    assert response["X-Lab-Queries"] == "16"
    assert "similar" in content.lower() and "duplicate" in content.lower()
    _, fixed = sql_panel("/sandbox/capstone/books/?fixes=annotate")
    assert "similar" not in fixed.lower() and "duplicate" not in fixed.lower()  # the words mark repeats only
    t.forget_page()
    sql_panel("/sandbox/capstone/books/?fixes=cache")
    response, content = sql_panel("/sandbox/capstone/books/?fixes=cache")
    assert response["X-Lab-Queries"] == "0"
    assert "No SQL queries were recorded during this request." in content
    t.forget_page()


def test_after_fix_1_the_count_no_longer_grows_with_the_number_of_books(seeded):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sandbox.models import Book

    def count(fn):
        with CaptureQueriesContext(connection) as captured:
            fn()
        return len(captured)

    assert (count(t.rows_slow), count(t.rows_loaded), count(t.rows_annotated)) == (16, 3, 2)
    for n in range(3):
        Book.objects.create(title=f"Z{n}", price=1, pages=1, rating=1.0, publisher_id=1)
    assert (count(t.rows_slow), count(t.rows_loaded), count(t.rows_annotated)) == (1 + 3 * 8, 3, 2)
