"""The demo runner: recording, the rolled-back transaction, time limits and failures."""

import time

import pytest

from lab.recorder import DemoTimeout
from lab.registry import Demo
from lab.runner import run_demo
from sandbox.models import Book


def test_a_run_records_each_step_with_its_own_queries(seeded, probe_demo):
    lab = run_demo(probe_demo, {"times": 2})
    assert [s.key for s in lab.steps] == ["restock", "read_stock"]
    assert len(lab.get("restock").queries) == 1
    assert lab.get("restock").queries[0].sql.startswith("UPDATE")
    assert len(lab.get("read_stock").queries) == 2


def test_a_step_shows_the_source_of_the_function_it_called_and_how_it_was_called(seeded, probe_demo):
    step = run_demo(probe_demo, {"times": 2}).get("read_stock")
    assert step.code.startswith("def read_stock(times):")
    assert step.call == "read_stock(2)"
    assert step.result == 99  # after the restock step before it


def test_writes_are_seen_inside_the_run_and_rolled_back_after_it(seeded, probe_demo):
    lab = run_demo(probe_demo, {"times": 1})
    assert lab.get("read_stock").facts["stock"] == 99
    assert Book.objects.get(title="A1").stock == 10


def test_the_runs_own_begin_and_rollback_are_not_shown_as_the_demos_sql(seeded, probe_demo):
    lab = run_demo(probe_demo, {"times": 1})
    assert not any(q.sql.upper().startswith(("BEGIN", "ROLLBACK", "SAVEPOINT")) for q in lab.queries)


def test_a_demo_past_its_time_limit_is_stopped_with_a_message(seeded):
    def slow(lab, data):
        while True:
            Book.objects.count()

    lab = run_demo(Demo(slug="core.slow", title="Slow", func=slow, time_limit=0.05), {})
    assert "time limit" in lab.error


def test_an_unexpected_exception_becomes_a_message_not_a_crash(seeded):
    def broken(lab, data):
        raise RuntimeError("oops")

    lab = run_demo(Demo(slug="core.broken", title="Broken", func=broken), {})
    assert lab.error == "The demo failed unexpectedly: RuntimeError: oops"


def missing_book():
    return Book.objects.get(title="nope")


def test_an_expected_exception_is_stored_on_its_step(seeded):
    def expects(lab, data):
        lab.step("get a missing book", missing_book, expect=Book.DoesNotExist)

    lab = run_demo(Demo(slug="core.expects", title="Expects", func=expects), {})
    step = lab.get("missing_book")
    assert step.error_type == "DoesNotExist"
    assert "does not exist" in step.error
    assert not lab.error


def test_check_time_raises_after_the_deadline():
    from lab.recorder import Recorder

    recorder = Recorder(time_limit=-1)
    with pytest.raises(DemoTimeout):
        recorder.check_time()


def test_the_database_stops_a_single_query_that_outlives_the_time_limit(seeded):
    """One long statement never reaches the recorder's next deadline check: the database must stop it."""
    from django.db import connection

    def count_to_a_billion():
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) "
                "SELECT count(*) FROM n"
            )
            return cursor.fetchone()

    def endless(lab, data):
        lab.step("count", count_to_a_billion)

    started = time.perf_counter()
    lab = run_demo(Demo(slug="core.endless", title="Endless", func=endless, time_limit=0.3), {})
    assert "time limit" in lab.error
    assert time.perf_counter() - started < 5


def test_only_what_happens_inside_a_step_is_recorded(seeded):
    def observes(lab, data):
        Book.objects.count()  # set-up and observation: not the lesson's SQL
        lab.step("count", Book.objects.count)

    lab = run_demo(Demo(slug="core.observes", title="Observes", func=observes), {})
    assert [len(s.queries) for s in lab.steps] == [1]


def test_a_repeated_step_key_gets_a_number():
    from lab.recorder import Recorder

    lab = Recorder()
    first, second = lab.step("one", str), lab.step("two", str)
    assert (first.key, second.key) == ("str", "str-2")
