"""lab.testrun: unittest's own machinery, run in-process, one outcome per test."""

import pytest
from django.core import mail

from lab.testrun import run_tests
from sandbox.models import Publisher

from . import testrun_cases as cases  # a module, so pytest does not collect its TestCases here


def test_each_named_test_gets_its_outcome_and_message_in_order():
    run = run_tests(cases.Mixed, "test_passes", "test_fails", "test_errors", "test_skipped")
    assert [(o.test, o.outcome) for o in run.outcomes] == [
        ("Mixed.test_passes", "passed"),
        ("Mixed.test_fails", "failed"),
        ("Mixed.test_errors", "error"),
        ("Mixed.test_skipped", "skipped"),
    ]
    assert run.get("test_fails").message == "AssertionError: 0 != 1"
    assert run.get("test_errors").message == "KeyError: 'missing'"
    assert run.get("test_skipped").message == "not today"
    assert 'File "' in run.get("test_fails").traceback and "unittest/case.py" not in run.get("test_fails").traceback
    assert not run.ok and run.summary == "FAILED (failures=1, errors=1)"


def test_the_output_reads_like_the_test_runners():
    out = run_tests(cases.Mixed, "test_passes", "test_fails").output
    assert out.startswith("Mixed.test_passes ... ok\nMixed.test_fails ... FAIL\n")
    assert "FAIL: Mixed.test_fails" in out and "Ran 2 tests in " in out
    assert out.endswith("FAILED (failures=1)")


def test_with_no_names_it_runs_the_whole_class():
    run = run_tests(cases.Mixed)
    assert sorted(o.test for o in run.outcomes) == [
        "Mixed.test_errors",
        "Mixed.test_fails",
        "Mixed.test_passes",
        "Mixed.test_skipped",
    ]


def test_a_passing_run_is_ok():
    run = run_tests(cases.Mixed, "test_passes", "test_skipped")
    assert run.ok and run.summary == "OK" and run.get("Mixed.test_passes").passed


def test_a_failing_set_up_class_is_an_error_of_the_class():
    (outcome,) = run_tests(cases.BrokenClassSetUp).outcomes
    assert outcome.outcome == "error"
    assert outcome.message == "RuntimeError: no fixture"
    assert "BrokenClassSetUp" in outcome.test


def test_an_unknown_name_is_refused():
    with pytest.raises(ValueError):
        run_tests(cases.Mixed, "test_nothing")


@pytest.mark.django_db
def test_a_django_testcase_rolls_back_what_it_wrote():
    assert run_tests(cases.WritesARow).ok
    assert not Publisher.objects.filter(name="Written in a test").exists()


def test_the_callers_outbox_is_put_back(mailoutbox):
    mail.send_mail("mine", "b", None, ["me@example.com"])
    assert run_tests(cases.SendsMail).ok
    assert [m.subject for m in mail.outbox] == ["mine"]
    assert mail.outbox is mailoutbox


@pytest.mark.django_db
def test_the_callers_transaction_survives_a_testcase_class_its_connection_and_its_on_commit_callbacks():
    """TestCase.tearDownClass closes every connection: on PostgreSQL or a file that would end a demo's transaction.

    (An in-memory SQLite database ignores close(), so the spy says whether it was asked.)
    """
    from unittest import mock

    from django.db import connections, transaction

    connection = connections["default"]
    ran = []
    with mock.patch.object(type(connection), "close", autospec=True) as close, transaction.atomic():
        transaction.on_commit(lambda: ran.append("callback"))
        assert run_tests(cases.WritesARow).ok
        assert close.call_count == 0
        assert not connection.closed_in_transaction and not connection.needs_rollback
        assert len(connection.run_on_commit) == 1
        with connection.cursor() as cursor:  # the connection still answers
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
    assert "close" not in vars(connection)


def test_a_propagated_exception_stops_the_run_and_is_raised_to_the_caller():
    with pytest.raises(cases.Stopped, match="the time limit"):
        run_tests(cases.StopsTheRun, "test_first", "test_second", propagate=(cases.Stopped,))
    run = run_tests(cases.StopsTheRun, "test_first", "test_second")  # otherwise it is the test's error
    assert [o.outcome for o in run.outcomes] == ["error", "passed"]


def test_the_text_without_tracebacks_keeps_each_failures_own_line():
    run = run_tests(cases.Mixed, "test_fails")
    text = run.text(tracebacks=False)
    assert "Traceback" not in text and 'File "' not in text
    assert "FAIL: Mixed.test_fails\n" + "-" * 70 + "\nAssertionError: 0 != 1" in text
