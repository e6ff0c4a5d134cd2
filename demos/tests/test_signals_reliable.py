"""Signals track S5 (reliable receivers, both DEBUG modes in one run) and S6 (custom and async signals)."""

import dataclasses

import pytest

from lab import registry
from lab.runner import run_demo as run_for
from sandbox.models import Customer

LEARNER = "0123456789abcdef"


# -- S5: reliable receivers -------------------------------------------------------------------------


def test_a_module_function_connected_twice_is_registered_once(run_demo):
    assert run_demo("signals.reliable").get("connect_twice").facts["responses"] == 1


def test_bound_methods_of_two_instances_connect_twice_unless_they_share_a_dispatch_uid(run_demo):
    lab = run_demo("signals.reliable")
    assert lab.get("two_backends").facts["responses"] == 2
    assert lab.get("two_backends_uid").facts["responses"] == 1
    assert registry.get("signals.reliable").predictions[0].answer(lab) == "2"


@pytest.mark.parametrize("debug", [True, False])
def test_one_run_shows_the_weak_reference_and_kwargs_check_in_both_debug_modes(run_demo, settings, debug):
    """Issue 14.7: whatever this process's DEBUG, the run shows both (the other one from a child process)."""
    settings.DEBUG = debug
    lab = run_demo("signals.reliable")
    both = lab.get("both_modes")
    assert both.facts["weak_kept_debug_on"] is True  # func_accepts_kwargs' lru_cache holds it
    assert both.facts["weak_kept_debug_off"] is False
    assert both.facts["kwargs_error_debug_on"] == "ValueError"  # refused at connect()
    assert both.facts["kwargs_error_debug_off"] == "TypeError"  # accepted, fails at send()
    assert both.code == f"python -m demos.signals_reliable_child --debug={int(not debug)}"
    # The steps in this process show this process's mode.
    assert lab.get("weak_true").facts == {"kept": debug, "debug": debug}
    assert lab.get("weak_false").facts["kept"] is True
    assert lab.get("connect").error_type == ("ValueError" if debug else "")
    assert lab.get("send").error_type == ("" if debug else "TypeError")
    assert lab.headline_text.startswith(
        "A weak local receiver after gc.collect(): kept with DEBUG=True, gone with DEBUG=False"
    )
    assert registry.get("signals.reliable").predictions[1].answer(lab) == "No"


def test_the_child_process_is_bounded_by_the_runs_remaining_time(seeded):
    demo = dataclasses.replace(registry.get("signals.reliable"), time_limit=0.05)
    lab = run_for(demo, {}, learner=LEARNER)
    assert "time limit" in lab.error
    assert "failed unexpectedly" not in lab.error


def test_send_stops_at_the_first_exception(run_demo):
    step = run_demo("signals.reliable").get("send_to_both")
    assert step.error_type == "ValueError"
    assert step.facts["ran"] == ["fails_first"]


def test_send_robust_returns_the_exception_instead_of_raising(run_demo):
    step = run_demo("signals.reliable").get("send_robust_to_both")
    assert not step.error
    assert step.facts["types"] == ["ValueError", "str"]
    assert step.facts["traceback"] is True
    assert [e.details.get("via") for e in step.signals if e.kind == "signal"] == ["send_robust()"]


# -- S6: custom and async signals -------------------------------------------------------------------


def test_place_order_sends_order_placed_and_its_receivers_reserve_stock(run_demo):
    step = run_demo("signals.order-placed", qty=2).get("place_order")
    assert step.facts["sent"] == 1
    assert step.facts["stock"] == (10, 8)
    assert sorted(step.facts["receivers"]) == ["orders.notify_warehouse", "orders.reserve_stock_for_order"]


def test_asend_runs_the_sync_and_async_receivers_and_returns_their_answers(run_demo):
    step = run_demo("signals.order-placed", qty=1).get("checkout_from_async_code")
    returned = dict(step.tables[0].rows)
    assert returned["sandbox.receivers.orders.reserve_stock_for_order"] == 1
    assert returned["sandbox.receivers.orders.notify_warehouse"].startswith("warehouse told about 1 line(s)")
    assert step.facts["stock"] == (9, 8)
    assert step.code.startswith("async def checkout_from_async_code(")


def test_the_direct_call_does_the_same_work_without_a_signal(run_demo):
    step = run_demo("signals.order-placed", qty=2).get("place_order_direct")
    assert step.facts["sent"] == 0
    assert step.facts["receivers"] == []
    assert step.facts["stock"] == (6, 4)


def test_the_side_by_side_step_compares_the_signal_and_the_direct_call(run_demo):
    lab = run_demo("signals.order-placed", qty=2)
    step = lab.get("compare")
    rows = {row[0]: row[1:] for row in step.tables[0].rows}
    assert rows["A1 stock before → after"] == [(10, 8), (6, 4)]
    assert rows["order_placed sent"] == [1, 0]
    assert rows["receivers that ran"] == [2, 0]
    assert rows["SQL statements"][0] == rows["SQL statements"][1]
    assert step.facts["same_change"] is True
    assert registry.get("signals.order-placed").predictions[0].answer(lab) == "the same number"


def test_with_the_stock_receiver_off_only_the_direct_call_takes_stock(run_demo):
    off = ["sandbox.receivers.orders.reserve_stock_for_order"]
    step = run_demo("signals.order-placed", qty=2, disabled_receivers=off).get("compare")
    rows = {row[0]: row[1:] for row in step.tables[0].rows}
    assert rows["A1 stock before → after"] == [(10, 10), (10, 8)]
    assert step.facts["same_change"] is False


def test_send_runs_sync_receivers_before_an_async_one_connected_earlier(run_demo):
    lab = run_demo("signals.sync-async-order")
    step = lab.get("send_to_mixed_receivers")
    assert step.facts["ran"] == ["connected_second_sync", "connected_first_async"]
    assert step.facts["returned"] == ["sync", "async"]
    assert registry.get("signals.sync-async-order").predictions[0].answer(lab) == "the sync one"


def test_a_learners_own_customers_never_confuse_the_demos_that_use_canonical_ones(run_demo):
    # Another learner's committed rows may share a canonical name while their demo runs.
    for name in ("ann", "cat"):
        Customer.objects.create(name=name, email=f"{name}@other.example", learner=LEARNER)
    assert not run_demo("signals.order-placed").error
    assert not run_demo("signals.review-stats").error


def test_the_order_placed_asend_lists_the_send_before_both_receivers(run_demo):
    """Issue 13.7, as a learner saw it: notify_warehouse was listed before the order_placed that called it."""
    for _ in range(3):
        step = run_demo("signals.order-placed", qty=1).get("checkout_from_async_code")
        (send,) = [e for e in step.signals if e.name == "order_placed"]
        ran = [e for e in step.signals if e.kind == "receiver"]
        assert step.signals.index(send) < min(step.signals.index(e) for e in ran)
        assert sorted((e.parent, e.depth, e.name.rsplit(".", 1)[-1]) for e in ran) == [
            (send.id, 1, "notify_warehouse"),
            (send.id, 1, "reserve_stock_for_order"),
        ]
