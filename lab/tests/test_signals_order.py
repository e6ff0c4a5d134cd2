"""The signal timeline is in causal order (issue 13.7): a receiver after the send that ran it, nested sends inside it.

Time order is not enough: under asend() on Django 5.2 an async receiver can
start before the thread that runs the sync receivers, and a trace once listed
`notify_warehouse` (65.8 ms) before the `order_placed` send that called it (65.9 ms).
"""

import asyncio

from asgiref.sync import async_to_sync
from django.dispatch import Signal

from lab.signals import trace_signal
from lab.testing import recorded


def assert_causal(events):
    """Each event comes after its parent, one level deeper, and inside the parent's run of descendants."""
    position = {e.id: i for i, e in enumerate(events)}
    for i, event in enumerate(events):
        if event.parent in position:
            parent = events[position[event.parent]]
            assert position[event.parent] < i, f"{event.name} listed before {parent.name}, which caused it"
            assert event.depth == parent.depth + 1
            between = events[position[event.parent] + 1 : i]
            assert all(e.depth > parent.depth for e in between), f"{event.name} is not inside {parent.name}"


def test_under_asend_every_receiver_comes_after_its_send_even_when_it_started_first():
    signal = trace_signal(Signal(), "placed")
    started = []

    def slow_sync(sender, **kwargs):
        started.append("sync")

    async def eager_async(sender, **kwargs):
        started.append("async")
        await asyncio.sleep(0)

    signal.connect(slow_sync, weak=False)
    signal.connect(eager_async, weak=False)
    for _ in range(20):
        with recorded() as lab:
            async_to_sync(signal.asend)(sender=None)
        events = lab.get("test").signals
        assert [e.kind for e in events][0] == "signal"
        assert sorted(e.name.rsplit(".", 1)[-1] for e in events[1:]) == ["eager_async", "slow_sync"]
        assert all(e.depth == 1 and e.parent == events[0].id for e in events[1:])
        assert_causal(events)


def test_a_send_inside_a_receiver_is_nested_inside_that_receiver_for_sync_and_async_receivers():
    outer = trace_signal(Signal(), "outer")
    inner = trace_signal(Signal(), "inner")

    def forwards(sender, **kwargs):
        inner.send(sender="forwards")

    async def aforwards(sender, **kwargs):
        await inner.asend(sender="aforwards")

    def listens(sender, **kwargs):
        return sender

    outer.connect(forwards, weak=False)
    outer.connect(aforwards, weak=False)
    inner.connect(listens, weak=False)
    for send in (outer.send, async_to_sync(outer.asend)):
        with recorded() as lab:
            send(sender=None)
        events = lab.get("test").signals
        assert_causal(events)
        shape = [(e.depth, e.kind, e.name.rsplit(".", 1)[-1], e.sender) for e in events]
        # Whatever order the two receivers ran in, each one's own send and receiver sit right under it.
        for receiver, sender in (("forwards", "forwards"), ("aforwards", "aforwards")):
            at = next(i for i, row in enumerate(shape) if row[1:3] == ("receiver", receiver))
            assert shape[at + 1 : at + 3] == [(2, "signal", "inner", sender), (3, "receiver", "listens", sender)]


def test_an_on_commit_callback_is_listed_when_it_runs_with_the_email_it_sent_nested_under_it(seeded_tx, settings):
    from django.db import transaction

    from sandbox.shop import register_customer

    with recorded() as lab:
        try:
            with transaction.atomic():
                register_customer("ann2", "ann2@example.com")
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        register_customer("ann3", "ann3@example.com")  # autocommit: its own atomic() commits
    shape = [(e.depth, e.kind, e.name.rsplit(".", 1)[-1]) for e in lab.get("test").signals]
    saved = [(0, "signal", "pre_save"), (0, "signal", "post_save"), (1, "receiver", "welcome_new_customer")]
    assert shape == [
        *saved,
        (2, "deferred", "send_welcome_email"),  # rolled back: never runs
        *saved,
        (2, "deferred", "send_welcome_email"),
        (0, "on_commit", "send_welcome_email"),  # at COMMIT, after the save that registered it
        (1, "note", "email sent"),
    ]
    assert_causal(lab.get("test").signals)
