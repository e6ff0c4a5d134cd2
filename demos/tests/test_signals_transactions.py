"""Signals track S4-S6: transactions and on_commit, reliable receivers, custom and async signals."""

import pytest
from django.db import transaction

from demos.signals_transactions import SHIPPED_RECEIVER
from lab.testing import recorded
from sandbox.models import Book, Customer, Publisher
from sandbox.shop import register_customer

LEARNER = "0123456789abcdef"


@pytest.fixture(autouse=True)
def _lab_mail_and_media(settings, tmp_path):
    settings.EMAIL_BACKEND = "lab.mail.EmailBackend"
    settings.MEDIA_ROOT = tmp_path


# -- S4: on_commit ------------------------------------------------------------------------------
# These demos commit for real, so they need a database that really commits.


@pytest.mark.django_db(transaction=True)
def test_an_email_sent_from_post_save_goes_out_for_a_registration_that_rolled_back(run_demo, mailoutbox):
    step = run_demo("signals.on-commit", learner=LEARNER).get("The mistake: email from post_save, then a rollback")
    assert step.error_type == "PaymentDeclined"
    assert step.facts["in_atomic_block when the receiver ran"] is True
    assert step.facts["customer exists afterwards"] is False
    assert step.facts["emails sent"] == 1


@pytest.mark.django_db(transaction=True)
def test_with_on_commit_the_receiver_runs_but_the_email_waits_for_the_commit(run_demo, mailoutbox):
    lab = run_demo("signals.on-commit", learner=LEARNER)
    rolled_back = lab.get("on_commit, then a rollback")
    assert rolled_back.facts["receivers that ran"] == ["customers.welcome_new_customer"]
    assert rolled_back.facts["on_commit callbacks waiting"] == ["send_welcome_email"]
    assert rolled_back.facts["emails sent"] == 0
    committed = lab.get("on_commit, and a commit")
    assert committed.facts["customer exists afterwards"] is True
    assert committed.facts["emails sent"] == 1
    # The outbox proves it: one email for the mistake (dora), one for the committed customer (fay), none for eli.
    assert sorted(m.to[0].split("@")[0] for m in mailoutbox) == ["dora", "fay"]


@pytest.mark.django_db(transaction=True)
def test_committed_demos_delete_their_own_rows_and_leave_the_seed_alone(run_demo):
    before = (Customer.objects.count(), Book.objects.count(), Publisher.objects.count())
    run_demo("signals.on-commit", learner=LEARNER)
    run_demo("signals.cover-cleanup", learner=LEARNER)
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
    assert callbacks == []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        register_customer("eve", "eve@example.com")
    assert len(callbacks) == 1


@pytest.mark.django_db(transaction=True)
def test_deleting_the_file_in_post_delete_loses_it_when_the_delete_rolls_back(run_demo):
    step = run_demo("signals.cover-cleanup", learner=LEARNER).get(
        "The mistake: delete the file in post_delete, then a rollback"
    )
    assert step.facts["cover file"].startswith(f"covers/{LEARNER}/")
    assert step.facts["book row exists"] is True
    assert step.facts["cover file exists"] is False
    assert "delete_cover_now (the mistake)" in step.facts["receivers that ran"]
    assert "books.delete_cover_file" not in step.facts["receivers that ran"]  # switched off for that step


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_delete_keeps_the_cover_and_a_committed_one_removes_it(run_demo, settings):
    lab = run_demo("signals.cover-cleanup", learner=LEARNER)
    rolled_back = lab.get("post_delete + on_commit, then a rollback")
    assert "books.delete_cover_file" in rolled_back.facts["receivers that ran"]
    assert rolled_back.facts["book row exists"] is True
    assert rolled_back.facts["cover file exists"] is True
    committed = lab.get("post_delete + on_commit, and a commit")
    assert committed.facts["book row exists"] is False
    assert committed.facts["cover file exists"] is False
    assert not list((settings.MEDIA_ROOT / "covers" / LEARNER).iterdir())


# -- S5: reliable receivers -------------------------------------------------------------------------


def test_a_module_function_connected_twice_is_registered_once(run_demo):
    assert run_demo("signals.reliable").get("The same function, connected twice").facts["send() results"] == 1


def test_bound_methods_of_two_instances_connect_twice_unless_they_share_a_dispatch_uid(run_demo):
    lab = run_demo("signals.reliable")
    assert lab.get("Bound methods of two instances").facts["send() results"] == 2
    assert lab.get("… with a dispatch_uid").facts["send() results"] == 1


def test_with_debug_off_a_weak_local_receiver_is_gone_after_gc(run_demo, settings):
    settings.DEBUG = False
    lab = run_demo("signals.reliable")
    assert lab.get("A local function, weak=True, after gc.collect()").facts["receiver still connected"] is False
    assert lab.get("A local function, weak=False, after gc.collect()").facts["receiver still connected"] is True


def test_with_debug_on_the_kwargs_check_keeps_a_weak_local_receiver_alive(run_demo, settings):
    settings.DEBUG = True
    step = run_demo("signals.reliable").get("A local function, weak=True, after gc.collect()")
    assert step.facts["settings.DEBUG"] is True
    assert step.facts["receiver still connected"] is True


def test_send_stops_at_the_first_exception(run_demo):
    step = run_demo("signals.reliable").get("send() when the first receiver raises")
    assert step.error_type == "ValueError"
    assert [e.name.rsplit(".", 1)[1] for e in step.signals if e.kind == "receiver"] == ["fails_first"]


def test_send_robust_returns_the_exception_instead_of_raising(run_demo):
    step = run_demo("signals.reliable").get("send_robust() when the first receiver raises")
    assert not step.error
    assert step.facts["returned types"] == ["ValueError", "str"]
    assert step.facts["traceback kept on the exception"] is True


@pytest.mark.parametrize(("debug", "error"), [(True, "ValueError"), (False, "TypeError")])
def test_a_receiver_without_kwargs_fails_at_connect_with_debug_and_at_send_without(run_demo, settings, debug, error):
    settings.DEBUG = debug
    step = run_demo("signals.reliable").get("A receiver without **kwargs")
    assert step.error_type == error


# -- S6: custom and async signals ----------------------------------------------------------------------


def test_place_order_sends_order_placed_and_its_receivers_reserve_stock(run_demo):
    step = run_demo("signals.order-placed", qty=2).get("place_order(): send()")
    assert step.facts["order_placed sent"] == 1
    assert step.facts["A1 stock before → after"] == (10, 8)
    assert sorted(step.facts["receivers that ran"]) == ["orders.notify_warehouse", "orders.reserve_stock_for_order"]


def test_asend_runs_the_sync_and_async_receivers_and_returns_their_answers(run_demo):
    step = run_demo("signals.order-placed", qty=1).get("From async code: asend()")
    returned = dict(step.tables[0].rows)
    assert returned["sandbox.receivers.orders.reserve_stock_for_order"] == 1
    assert returned["sandbox.receivers.orders.notify_warehouse"].startswith("warehouse told about 1 line(s)")
    assert step.facts["A1 stock before → after"] == (9, 8)


def test_the_direct_call_does_the_same_work_without_a_signal(run_demo):
    step = run_demo("signals.order-placed", qty=2).get("The direct call: place_order_direct()")
    assert step.facts["order_placed sent"] == 0
    assert step.facts["receivers that ran"] == []
    assert step.facts["A1 stock before → after"] == (6, 4)


def test_send_runs_sync_receivers_before_an_async_one_connected_earlier(run_demo):
    step = run_demo("signals.sync-async-order").get("send() from sync code")
    assert step.facts["ran, in order"] == ["connected_second_sync", "connected_first_async"]
    assert step.facts["returned, in order"] == ["sync", "async"]


def test_the_side_by_side_step_compares_the_signal_and_the_direct_call(run_demo):
    step = run_demo("signals.order-placed", qty=2).get("Side by side")
    rows = {row[0]: row[1:] for row in step.tables[0].rows}
    assert rows["A1 stock before → after"] == [(10, 8), (6, 4)]
    assert rows["order_placed sent"] == [1, 0]
    assert rows["receivers that ran"] == [2, 0]
    assert rows["SQL queries"][0] == rows["SQL queries"][1]
    assert step.facts["same stock change"] is True


def test_with_the_stock_receiver_off_only_the_direct_call_takes_stock(run_demo):
    lab = run_demo(
        "signals.order-placed", qty=2, disabled_receivers=["sandbox.receivers.orders.reserve_stock_for_order"]
    )
    rows = {row[0]: row[1:] for row in lab.get("Side by side").tables[0].rows}
    assert rows["A1 stock before → after"] == [(10, 10), (10, 8)]
    assert lab.get("Side by side").facts["same stock change"] is False


def test_a_learners_own_customers_never_confuse_the_demos_that_use_canonical_ones(run_demo):
    # Another learner's committed rows may share a canonical name while their demo runs.
    for name in ("ann", "cat"):
        Customer.objects.create(name=name, email=f"{name}@other.example", learner=LEARNER)
    assert not run_demo("signals.order-placed").error
    assert not run_demo("signals.review-stats").error
