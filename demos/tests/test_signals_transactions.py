"""Signals track S4: receivers run inside the transaction, on_commit waits for it, and failing callbacks."""

import pytest
from django.db import transaction

from demos.signals_transactions import SHIPPED_RECEIVER
from lab import registry
from lab.testing import recorded
from sandbox.models import Book, Customer, Publisher
from sandbox.shop import register_customer

LEARNER = "0123456789abcdef"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Cover files a demo writes stay out of var/ (the root conftest already uses the lab's email backend)."""
    settings.MEDIA_ROOT = tmp_path


# These demos commit for real, so they need a database that really commits.


@pytest.mark.django_db(transaction=True)
def test_an_email_sent_from_post_save_goes_out_for_a_registration_that_rolled_back(run_demo, mailoutbox):
    step = run_demo("signals.on-commit", learner=LEARNER).get("mistake")
    assert step.error_type == "PaymentDeclined"
    assert step.facts["in_atomic_block"] is True
    assert step.facts["exists"] is False
    assert step.facts["emails"] == 1
    assert step.facts["receivers"] == ["signals_transactions.welcome_immediately"]  # the shipped one switched off


@pytest.mark.django_db(transaction=True)
def test_with_on_commit_the_receiver_runs_but_the_callback_waits_for_the_commit(run_demo, mailoutbox):
    lab = run_demo("signals.on-commit", learner=LEARNER)
    rolled_back = lab.get("on_commit_rollback")
    assert rolled_back.facts["receivers"] == ["customers.welcome_new_customer"]
    assert rolled_back.facts["deferred"] == ["send_welcome_email"]
    assert rolled_back.facts["callbacks_ran"] == []
    assert rolled_back.facts["emails"] == 0
    committed = lab.get("register_customer")
    assert committed.facts["exists"] is True
    assert committed.facts["callbacks_ran"] == ["send_welcome_email"]
    assert committed.facts["emails"] == 1
    # The outbox proves it: one email for the mistake (dora), one for the committed customer (fay), none for eli.
    assert sorted(m.to[0].split("@")[0] for m in mailoutbox) == ["dora", "fay"]
    assert "the receiver ran and its callback did not (0 emails) until a commit (1)" in lab.headline_text
    assert registry.get("signals.on-commit").predictions[0].answer(lab) == "0"


@pytest.mark.django_db(transaction=True)
def test_the_mistake_receiver_is_connected_for_its_run_only(run_demo, mailoutbox):
    run_demo("signals.on-commit", learner=LEARNER)
    mailoutbox.clear()
    with transaction.atomic():
        register_customer("zed", "zed@example.com")
        assert mailoutbox == []  # no receiver left behind emails before the commit
    Customer.objects.filter(email="zed@example.com").delete()


@pytest.mark.django_db(transaction=True)
def test_committed_demos_delete_their_own_rows_and_leave_the_seed_alone(run_demo):
    before = (Customer.objects.count(), Book.objects.count(), Publisher.objects.count())
    for slug in ("signals.on-commit", "signals.cover-cleanup", "signals.on-commit-robust"):
        run_demo(slug, learner=LEARNER)
    assert (Customer.objects.count(), Book.objects.count(), Publisher.objects.count()) == before
    assert not Customer.objects.filter(learner=LEARNER).exists()


def test_on_commit_callbacks_from_a_rolled_back_block_are_dropped(seeded, django_capture_on_commit_callbacks):
    with recorded() as lab, django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                register_customer("dan", "dan@example.com")
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    # The receiver ran inside the block; the callback it registered did not survive the rollback.
    assert [e.name for e in lab.signals if e.kind == "receiver"] == [SHIPPED_RECEIVER]
    assert [e.name for e in lab.signals if e.kind == "deferred"] == ["send_welcome_email"]
    assert callbacks == []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        register_customer("eve", "eve@example.com")
    assert len(callbacks) == 1


@pytest.mark.django_db(transaction=True)
def test_deleting_the_file_in_post_delete_loses_it_when_the_delete_rolls_back(run_demo):
    lab = run_demo("signals.cover-cleanup", learner=LEARNER)
    step = lab.get("mistake")
    assert step.facts["cover"].startswith(f"covers/{LEARNER}/")
    assert step.facts["row"] is True
    assert step.facts["file"] is False
    assert "signals_transactions.delete_cover_now" in step.facts["receivers"]
    assert "books.delete_cover_file" not in step.facts["receivers"]  # switched off for that step
    assert registry.get("signals.cover-cleanup").predictions[0].answer(lab) == "No"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_delete_keeps_the_cover_and_a_committed_one_removes_it(run_demo, settings):
    lab = run_demo("signals.cover-cleanup", learner=LEARNER)
    rolled_back = lab.get("delete_book_then_fail")
    assert "books.delete_cover_file" in rolled_back.facts["receivers"]
    assert (rolled_back.facts["row"], rolled_back.facts["file"]) == (True, True)
    committed = lab.get("delete_book_by_pk")
    assert (committed.facts["row"], committed.facts["file"]) == (False, False)
    assert not list((settings.MEDIA_ROOT / "covers" / LEARNER).iterdir())
    assert (
        lab.headline_text
        == "Rolled-back delete: the file deleted in post_delete is gone; deleted in on_commit it is kept"
    )


# -- when a callback fails --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_failing_callback_stops_the_later_ones_after_the_commit(run_demo, mailoutbox):
    lab = run_demo("signals.on-commit-robust", learner=LEARNER)
    step = lab.get("not_robust")
    assert step.error_type == "CrmUnavailable"  # raised out of atomic(), after the COMMIT
    assert step.facts["exists"] is True
    assert step.facts["deferred"] == ["tell_the_crm", "send_welcome_email"]
    assert step.facts["callbacks_ran"] == ["tell_the_crm"]
    assert step.facts["emails"] == 0
    assert registry.get("signals.on-commit-robust").predictions[0].answer(lab) == "No"


@pytest.mark.django_db(transaction=True)
def test_a_robust_callback_is_logged_and_the_next_one_runs(run_demo, mailoutbox):
    step = run_demo("signals.on-commit-robust", learner=LEARNER).get("robust")
    assert not step.error
    assert step.facts["callbacks_ran"] == ["tell_the_crm", "send_welcome_email"]
    assert step.facts["emails"] == 1
    assert step.facts["logged"] == 1
    assert "Error calling" in step.log[0] and "tell_the_crm" in step.log[0]
    assert [m.to[0].split("@")[0] for m in mailoutbox] == ["hal", "ida"]  # ida: the next step's test-style run


@pytest.mark.django_db(transaction=True)
def test_capture_on_commit_callbacks_runs_them_without_a_commit(run_demo):
    step = run_demo("signals.on-commit-robust", learner=LEARNER).get("in_a_test")
    assert step.facts["captured"] == ["send_welcome_email"]
    assert step.facts["callbacks_ran"] == ["send_welcome_email"]
    assert step.facts["emails"] == 1
    assert step.facts["exists"] is False  # rolled back, as at the end of a TestCase test
