"""The attempt runner: what a learner's mistakes look like, and that nothing an attempt does outlives it."""

import re

import pytest
from django.db.models.signals import post_save

from lab import exercises
from lab.exercises import Fail, exercise
from sandbox.models import Book, Publisher


@pytest.fixture
def ex():
    found = exercise(
        "orm.runner-test",
        title="t",
        lesson="orm/01-seeing-the-sql",
        prompt="p",
        starter="def f():\n    return 0\n",
        solution="def f():\n    return 1\n",
        hints=["h"],
    )

    @found.check("returns 1")
    def returns_one(attempt):
        if attempt.learner.f() != 1:
            raise Fail(f"f() returned {attempt.learner.f()!r}, expected 1")

    @found.run
    def show(lab, attempt):
        lab.step("f()", attempt.learner.f)

    yield found
    exercises.unregister("orm.runner-test")


def test_a_failed_check_says_why(db, ex):
    result = exercises.attempt(ex, ex.starter)
    assert result.as_dict()["checks"] == [
        {"key": "returns_one", "name": "returns 1", "passed": False, "message": "f() returned 0, expected 1"}
    ]


def test_a_syntax_error_points_at_the_learners_line(db, ex):
    result = exercises.attempt(ex, "def f():\n    return (1\n", "run")
    assert result.error["type"] == "SyntaxError"
    assert result.error["line"] == 2
    assert "<your code>" in result.error["traceback"]
    assert not result.ok


def test_a_traceback_shows_only_the_learners_frames(db, ex):
    code = "def g():\n    return 1 / 0\n\ndef f():\n    return g()\n"
    result = exercises.attempt(ex, code, "run")
    assert result.error["type"] == "ZeroDivisionError"
    assert result.error["line"] == 2
    assert "lab/exercises.py" not in result.error["traceback"]
    assert "return 1 / 0" in result.error["traceback"]


def test_run_records_the_learners_queries_and_shows_their_code(seeded, ex):
    code = "from sandbox.models import Book\n\ndef f():\n    return Book.objects.count()\n"
    result = exercises.attempt(ex, code, "run")
    step = result.report["steps"][0]
    assert len(step["queries"]) == 1 and "COUNT(*)" in step["queries"][0]
    assert result.ok
    assert "Book.objects.count()" in re.sub(r"<[^>]+>", "", result.report_html)  # the code panel: their code


def test_what_an_attempt_writes_is_rolled_back(seeded, ex):
    before = Book.objects.count()
    code = (
        "from sandbox.models import Book, Publisher\n\n"
        "def f():\n"
        "    p = Publisher.objects.create(name='Mine')\n"
        "    Book.objects.create(title='x', price=1, pages=1, rating=1, publisher=p)\n"
        "    return 1\n"
    )
    assert exercises.attempt(ex, code).ok
    assert Book.objects.count() == before
    assert not Publisher.objects.filter(name="Mine").exists()


def test_receivers_the_learner_connects_are_gone_afterwards(seeded, ex):
    code = (
        "from django.db.models.signals import post_save\n"
        "from django.dispatch import receiver\n"
        "from sandbox.models import Publisher\n\n"
        "calls = []\n\n"
        "@receiver(post_save, sender=Publisher, dispatch_uid='learner-uid')\n"
        "def count(sender, **kwargs):\n"
        "    calls.append(1)\n\n"
        "def f():\n"
        "    Publisher.objects.create(name='Mine')\n"
        "    return len(calls)\n"
    )
    assert exercises.attempt(ex, code).ok
    assert not post_save.has_listeners(Publisher) or all(
        "learner" not in repr(r) for r in post_save._live_receivers(Publisher)[0]
    )
    before = post_save.has_listeners(Publisher)
    Publisher.objects.create(name="After")  # would fail if a receiver of the attempt were still connected
    assert post_save.has_listeners(Publisher) == before


def test_what_the_learner_prints_is_kept(db, ex):
    result = exercises.attempt(ex, "print('hello')\n\ndef f():\n    return 1\n")
    assert result.stdout == "hello\n"


def test_an_unknown_mode_is_refused(db, ex):
    with pytest.raises(ValueError):
        exercises.attempt(ex, ex.solution, "exec")
