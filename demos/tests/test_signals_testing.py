"""Signals track S7 (testing receivers): the demos run real TestCase methods and show their outcome."""

import re

from django.db.models.signals import post_save

from lab import registry
from lab.signals import connected

STATS = "sandbox.receivers.reviews.update_review_stats"


def test_every_receiver_test_passes_with_the_shipped_receivers(run_demo):
    lab = run_demo("signals.testing-receivers")
    keys = [
        "test_the_receiver_called_as_a_function",
        "test_a_mock_receiver_sees_created",
        "test_the_real_receiver_counts_the_review",
        "test_a_recorded_list_proves_which_saves_send_post_save",
        "test_bulk_create_leaves_the_stored_count_behind",
    ]
    assert [lab.get(key).facts["outcome"] for key in keys] == ["passed"] * 5
    assert lab.headline_text == "5 of 5 tests passed; bulk_create() sent 0 post_save; test receivers left connected: 0"


def test_calling_the_receiver_as_a_function_sends_no_signal(run_demo):
    step = run_demo("signals.testing-receivers").get("test_the_receiver_called_as_a_function")
    assert step.facts["post_save"] == [] and step.facts["receivers"] == []
    assert step.code.startswith("class ReviewReceiverTests(TestCase):\n    def test_the_receiver_called_as_a_function")


def test_bulk_create_sends_no_post_save_and_leaves_the_count_behind(run_demo):
    lab = run_demo("signals.testing-receivers")
    bulk = lab.get("test_bulk_create_leaves_the_stored_count_behind")
    assert bulk.facts["post_save"] == [] and bulk.facts["receivers"] == []
    assert any(q.sql.startswith('INSERT INTO "sandbox_review"') for q in bulk.queries)
    assert registry.get("signals.testing-receivers").predictions[0].answer(lab) == "0"


def test_a_dispatch_uid_keeps_the_receiver_connected_twice_to_one_call_per_save(run_demo):
    step = run_demo("signals.testing-receivers").get("test_a_recorded_list_proves_which_saves_send_post_save")
    assert step.facts["outcome"] == "passed"  # it asserts sent == [] after bulk_create() and [True] after save()
    assert step.facts["post_save"] == ["Review"]
    assert step.facts["record_runs"] == 1


def test_the_tests_leave_no_receiver_connected(run_demo):
    lab = run_demo("signals.testing-receivers")
    assert lab.get("leftovers").facts["leftovers"] == []
    assert not [c for c in connected(post_save) if (c.dispatch_uid or "").startswith("test.")]


def test_with_the_receiver_switched_off_the_mock_test_still_passes_and_the_effect_test_fails(run_demo):
    lab = run_demo("signals.testing-receivers", disabled_receivers=[STATS])
    mocked = lab.get("test_a_mock_receiver_sees_created")
    real = lab.get("test_the_real_receiver_counts_the_review")
    assert mocked.facts["outcome"] == "passed"
    assert real.facts["outcome"] == "failed"
    assert re.fullmatch(r"\d+ != \d+", real.facts["message"])  # unittest's own message
    assert real.log[0].startswith("ReviewReceiverTests.test_the_real_receiver_counts_the_review ... failed: ")
    # Called as a function, the receiver is tested whatever is connected.
    assert lab.get("test_the_receiver_called_as_a_function").facts["outcome"] == "passed"
    assert registry.get("signals.testing-receivers").predictions[1].answer(lab) == "the stored-count one"
    assert lab.headline_text.startswith("4 of 5 tests passed (test_the_real_receiver_counts_the_review failed)")


def test_with_the_shipped_receivers_the_switch_prediction_has_no_answer(run_demo):
    lab = run_demo("signals.testing-receivers")
    assert registry.get("signals.testing-receivers").predictions[1].answer(lab) == ""


def test_a_testcase_never_commits_so_the_welcome_email_test_fails_without_capturing(run_demo):
    lab = run_demo("signals.testing-on-commit")
    naive = lab.get("test_the_email_without_capturing")
    assert naive.facts["outcome"] == "failed"
    assert naive.facts["message"] == "0 != 1"
    assert naive.facts["emails"] == 0
    assert naive.facts["deferred"] == 1  # the receiver registered its callback; the rollback dropped it
    assert naive.facts["receivers"] == ["customers.welcome_new_customer"]
    # The page shows unittest's verdict and message, never a traceback with the server's paths.
    assert naive.log == ["WelcomeEmailTests.test_the_email_without_capturing ... failed: 0 != 1"]
    assert registry.get("signals.testing-on-commit").predictions[0].answer(lab) == "0"


def test_capture_on_commit_callbacks_runs_the_callback_and_the_test_passes(run_demo, mailoutbox):
    lab = run_demo("signals.testing-on-commit")
    captured = lab.get("test_the_email_with_capture_on_commit_callbacks")
    assert captured.facts["outcome"] == "passed"
    assert captured.facts["emails"] == 1
    assert mailoutbox == []  # the test's outbox was its own; the caller's is put back
    assert lab.headline_text == (
        "Without capturing: failed (0 emails, 0 != 1); with captureOnCommitCallbacks(execute=True): passed (1 email)"
    )


def test_the_tests_roll_back_what_they_wrote(run_demo, seeded):
    from sandbox.models import Book, Customer, Review

    reviews = Review.objects.count()
    count = Book.objects.get(title="A1", learner="").review_count
    run_demo("signals.testing-receivers")
    run_demo("signals.testing-on-commit")
    assert Review.objects.count() == reviews
    assert Book.objects.get(title="A1", learner="").review_count == count
    assert not Customer.objects.filter(email="zoe@example.com").exists()


def test_the_time_limit_stops_the_tests_instead_of_failing_one(seeded):
    import dataclasses

    from lab.runner import run_demo as run_for

    demo = dataclasses.replace(registry.get("signals.testing-receivers"), time_limit=0.0001)
    lab = run_for(demo, {}, learner="0123456789abcdef")
    assert "time limit" in lab.error and "failed unexpectedly" not in lab.error
    assert not [c for c in connected(post_save) if (c.dispatch_uid or "").startswith("test.")]
