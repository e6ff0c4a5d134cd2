"""Signals track, S7: testing receivers. Each step runs one real TestCase method in-process and shows its outcome.

The tests are sandbox/teaching/signals_testing.py, run with unittest's own
machinery (lab.testrun.run_tests): a failing test is a result the step shows,
not an error of the run. A Django TestCase rolls back what each test wrote,
inside the run's own transaction, so the bookshop is left as it was.

The tests connect receivers to the real post_save for the length of one test
(that is what they teach), so a Review saved by another learner in those few
milliseconds would reach them too; the receivers they connect are gone when
the step ends, and the last step checks it.
"""

from __future__ import annotations

import unittest
from typing import Any

from django.db.models.signals import post_save

from lab.recorder import DemoTimeout, Recorder, Step, source_code
from lab.registry import Prediction, demo
from lab.signals import connected
from lab.testrun import run_tests
from sandbox.teaching.signals_testing import ReviewReceiverTests, WelcomeEmailTests

from .signals import ReceiverSwitchesForm, answer, apply_switches, emails_sent, events, receivers_ran


def run_test(lab: Recorder, label: str, case: type[unittest.TestCase], name: str) -> Step:
    """One test as one step: its code is the test method, its report what the test caused, its facts the outcome."""
    code = source_code(getattr(case, name))
    with lab.section(label, key=name, code=f"class {case.__name__}(TestCase):\n" + _indent(code)) as step:
        run = run_tests(case, names=[name], propagate=(DemoTimeout,))
    outcome = run.outcomes[0]
    step.fact("outcome", outcome.status, "test outcome")
    if outcome.message:
        step.fact("message", outcome.message, "message")
    step.fact("post_save", [e.sender for e in events(step, name="post_save")], "post_save sent for")
    step.fact("receivers", receivers_ran(step), "receivers that ran")
    step.fact("emails", emails_sent(step), "emails sent")
    # unittest's verdict and message; never the traceback (it would show the server's paths).
    step.note(f"{case.__name__}.{name} ... {outcome.status}" + (f": {outcome.message}" if outcome.message else ""))
    return step


def _indent(code: str) -> str:
    return "".join(f"    {line}" if line.strip() else line for line in code.splitlines(keepends=True))


def leftovers() -> list[str]:
    """dispatch_uids of test receivers still connected to post_save."""
    return [c.dispatch_uid for c in connected(post_save) if (c.dispatch_uid or "").startswith("test.")]


@demo(
    "signals.testing-receivers",
    title="Testing receivers: real tests, run here",
    description="Five TestCase methods on the review-count receiver, run one at a time: what each proves, and what it cannot.",
    form=ReceiverSwitchesForm,
    reports=("signals", "sql"),
    predictions=(
        Prediction(
            "A test calls Review.objects.bulk_create() with two reviews. How many post_save signals does that send?",
            ("0", "1", "2"),
            answer=answer("test_bulk_create_leaves_the_stored_count_behind", lambda s: str(len(s.facts["post_save"]))),
            explain="bulk_create() calls no save(), so it sends no post_save: the receiver never runs.",
            see="#a-recorded-list",
        ),
        Prediction(
            "Switch off update_review_stats and run. Which test fails: the one with a Mock receiver, "
            "or the one that checks the stored count?",
            ("the Mock one", "the stored-count one", "both"),
            answer=lambda lab: _which_fails(lab),
            explain="A Mock proves that post_save was sent with created=True, not that your receiver did its work.",
            see="#a-mock-receiver-or-the-real-one",
        ),
    ),
)
def testing_receivers(lab: Recorder, data: dict[str, Any]) -> None:
    apply_switches(lab, data)
    cases = ReviewReceiverTests
    direct = run_test(lab, "Call the receiver as a function", cases, "test_the_receiver_called_as_a_function")
    mocked = run_test(lab, "A Mock receiver, connected for one test", cases, "test_a_mock_receiver_sees_created")
    real = run_test(lab, "The real receiver, judged by its effect", cases, "test_the_real_receiver_counts_the_review")
    recorded = run_test(
        lab, "A recorded list, and dispatch_uid", cases, "test_a_recorded_list_proves_which_saves_send_post_save"
    )
    bulk = run_test(lab, "bulk_create() and the stored count", cases, "test_bulk_create_leaves_the_stored_count_behind")
    recorded.fact("record_runs", sum(r.endswith(".record") for r in recorded.facts["receivers"]), "record() ran")
    with lab.section("Receivers the tests left connected", key="leftovers") as s:
        s.fact("leftovers", leftovers(), "test receivers still connected to post_save")
    steps = (direct, mocked, real, recorded, bulk)
    failed = [step.key for step in steps if step.facts["outcome"] != "passed"]
    lab.headline(
        f"{len(steps) - len(failed)} of {len(steps)} tests passed"
        + (f" ({', '.join(failed)} failed)" if failed else "")
        + f"; bulk_create() sent {len(bulk.facts['post_save'])} post_save; "
        f"test receivers left connected: {len(s.facts['leftovers'])}",
        focus=real if failed else bulk,
    )


def _which_fails(lab: Recorder) -> str:
    try:
        mock_failed = lab.get("test_a_mock_receiver_sees_created").facts["outcome"] != "passed"
        real_failed = lab.get("test_the_real_receiver_counts_the_review").facts["outcome"] != "passed"
    except KeyError:
        return ""
    return {(True, True): "both", (True, False): "the Mock one", (False, True): "the stored-count one"}.get(
        (mock_failed, real_failed), ""
    )


@demo(
    "signals.testing-on-commit",
    title="Testing on_commit: captureOnCommitCallbacks",
    description="The welcome email waits for a commit that a TestCase never makes: the same test without and with captureOnCommitCallbacks(execute=True).",
    reports=("signals", "sql"),
    predictions=(
        Prediction(
            "In a TestCase, register_customer() runs and its receiver registers the welcome email with on_commit. "
            "How many emails are in mail.outbox when the test asserts?",
            ("0", "1"),
            answer=answer("test_the_email_without_capturing", lambda s: str(s.facts["emails"])),
            explain="TestCase never commits, so on_commit callbacks never run unless captureOnCommitCallbacks runs them.",
            see="#testing-on_commit",
        ),
    ),
)
def testing_on_commit(lab: Recorder, data: dict[str, Any]) -> None:
    cases = WelcomeEmailTests
    naive = run_test(lab, "The test without capturing", cases, "test_the_email_without_capturing")
    naive.fact("deferred", len(events(naive, kind="deferred")), "on_commit callbacks registered")
    captured = run_test(
        lab, "With captureOnCommitCallbacks(execute=True)", cases, "test_the_email_with_capture_on_commit_callbacks"
    )
    lab.headline(
        f"Without capturing: {naive.facts['outcome']} ({naive.facts['emails']} emails, "
        f"{naive.facts.get('message', '')}); with captureOnCommitCallbacks(execute=True): "
        f"{captured.facts['outcome']} ({captured.facts['emails']} email)",
        focus=naive,
    )
