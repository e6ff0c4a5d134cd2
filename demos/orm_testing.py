"""ORM lesson 10: a test that pins a view's query count, run here against the N+1 view and the fixed one.

The test is an ordinary django.test.TestCase, run in-process by unittest's own runner (its
transaction nests inside the demo's, which is rolled back): the report shows what it sent, whether
it passed, and the first line of assertNumQueries' failure message.
"""

from __future__ import annotations

from functools import partial

from lab.recorder import source_code
from lab.registry import Prediction, demo
from lab.testrun import run_tests
from sandbox.teaching.orm_testing import (
    BookListQueryCountTest,
    FastBookListQueryCountTest,
    book_list_page,
    book_list_page_fast,
    queries_of,
)

from .orm_lab import measured


def _test_step(lab, label, key, case, view):
    with lab.section(label, key=key, code=source_code(view) + "\n\n" + source_code(BookListQueryCountTest)) as step:
        step.call = f"run_tests({case.__name__}) (view = {view.__name__})"
        run = run_tests(case)  # lab.testrun keeps the demo's connection open
    step.fact("ran", sum(run.counts.values()), "tests run")
    step.fact("outcome", "passed" if run.passed else "failed", "outcome")
    failed = [o for o in run.outcomes if o.status != "passed"]
    if failed:
        lines = failed[0].message.splitlines()
        step.fact("message", lines[0], "assertNumQueries said")
        step.note("\n".join(lines[:8]))
    return step


@demo(
    "orm.testing-queries",
    title="A test that pins the book list at one query: failing on the N+1, passing after select_related",
    description="Runs a real Django TestCase in-process, first against the N+1 view, then against the fixed one.",
    reports=("sql",),
    shows=(book_list_page, book_list_page_fast, BookListQueryCountTest, queries_of),
    predictions=(
        Prediction(
            "assertNumQueries(1) around the N+1 book list (5 books): how many queries does its failure report?",
            ("1", "5", "6"),
            answer=lambda lab: str(measured(lab, "captured", "count", "")),
            explain="One query for the books, then one per book for its publisher: 1 + 5.",
            see="#pin-a-views-query-count",
        ),
    ),
)
def testing_queries(lab, data):
    captured = lab.step(
        "CaptureQueriesContext around the N+1 view", partial(queries_of, book_list_page), key="captured"
    )
    captured.fact("count", len(captured.result), "queries captured")
    slow = _test_step(lab, "The test, against the N+1 view", "slow", BookListQueryCountTest, book_list_page)
    fast = _test_step(
        lab, "The same test, after select_related", "fast", FastBookListQueryCountTest, book_list_page_fast
    )
    lab.headline(
        f"Against the N+1 view the test {slow.facts['outcome']} ({slow.facts.get('message', 'no message')}); "
        f"after select_related it {fast.facts['outcome']}",
        focus=slow,
    )
