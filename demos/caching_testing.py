"""Caching track, lesson 8: tests of cached code, run in-process, their outcomes read from the run."""

from __future__ import annotations

from functools import partial

from lab.registry import Prediction, demo
from lab.testrun import run_tests
from sandbox.teaching.caching_testing import (
    BookCountTests,
    BookCountTestsWithoutACache,
    BookCountTestsWithoutClear,
    CachedPageTests,
    book_count,
)

from .caching_kit import answer_of, yes_no

CASES = [  # (step key, label, TestCase class)
    ("with_clear", "BookCountTests: a fresh cache per test", BookCountTests),
    ("without_clear", "The same tests without clear() in setUp", BookCountTestsWithoutClear),
    ("dummy", "DummyCache: every call is a miss", BookCountTestsWithoutACache),
    ("page", "cache_page through the test Client", CachedPageTests),
]


@demo(
    "caching.testing",
    title="Tests of cached code, run here",
    description="Runs four TestCase classes in this process, as manage.py test would, and shows each test's "
    "outcome: a hit pinned with assertNumQueries(0), a cache that leaks between tests, DummyCache, and "
    "cache_page's headers through the test Client.",
    reports=("sql",),
    shows=(book_count,),
    predictions=(
        Prediction(
            "BookCountTestsWithoutClear: test_1 fills the catalogue cache, test_2 expects a miss. Does test_2 pass?",
            ("yes", "no"),
            answer=answer_of("without_clear", "test_2_expects_a_miss", lambda status: yes_no(status == "passed")),
            explain="A local-memory store lives as long as the process: override_settings does not empty it, and "
            "Django never clears caches between tests.",
            see="#clearing-caches-between-tests",
        ),
    ),
)
def testing(lab, data):
    for key, label, case in CASES:
        step = lab.step(label, partial(run_tests, case), key=key)
        run = step.result
        step.fact("summary", run.summary, "outcome")
        for outcome in run.outcomes:
            step.fact(outcome.name, outcome.status, outcome.name)
            if outcome.message:
                step.fact(f"{outcome.name}_message", outcome.message.splitlines()[0], f"{outcome.name}: message")
    leaky = lab.get("without_clear").facts
    lab.headline(
        f"With clear() in setUp: {lab.get('with_clear').facts['summary']}; without it: "
        f"{leaky['summary']} (test_2: {leaky.get('test_2_expects_a_miss_message', '')})",
        focus=lab.get("without_clear"),
    )
