"""The private parts of Django's dispatcher that lab.signals reads, pinned per version, and what the lab adds.

If a Django upgrade changes one of these, the test here fails with the shape it
found, instead of the lab silently recording nothing.
"""

import threading
import weakref

import django
import pytest
from django.dispatch import Signal

from lab import oncommit, run_receivers
from lab import signals as lab_signals
from lab.events import SignalEvent
from lab.recorder import Recorder, recording
from lab.testing import recorded


def on_anything(sender, **kwargs):
    return "ran"


def test_live_receivers_returns_the_sync_and_the_async_receivers_as_two_lists():
    signal = Signal()
    signal.connect(on_anything)
    live = type(signal)._live_receivers(signal, None)
    assert isinstance(live, tuple) and len(live) == 2
    assert live == ([on_anything], [])


def test_a_receivers_entry_holds_the_receiver_second_and_its_dispatch_uid_first_in_the_key():
    signal = Signal()
    signal.connect(on_anything, dispatch_uid="pinned")
    (entry,) = signal.receivers
    expected = 4 if django.VERSION >= (6, 1) else 3  # 6.1 added a weak reference to the sender
    assert len(entry) == expected
    assert entry[0][0] == "pinned"
    assert entry[lab_signals._RECEIVER]() is on_anything  # weakly held, as connected
    assert [(c.dispatch_uid, c.receiver) for c in lab_signals.connected(signal)] == [("pinned", on_anything)]


def test_tracing_a_signal_keeps_its_receivers_weak_and_its_send_results_unchanged():
    signal = lab_signals.trace_signal(Signal(), "probe")

    def local(sender, **kwargs):
        return "local"

    signal.connect(local)
    with recorded() as lab:
        assert signal.send(sender=None) == [(local, "local")]  # the receiver as connected, not the lab's wrapper
    assert [e.kind for e in lab.get("test").signals] == ["signal", "receiver"]
    assert isinstance(signal.receivers[0][lab_signals._RECEIVER], weakref.ReferenceType)
    del local
    import gc

    gc.collect()
    assert signal.send(sender=None) == []


def test_a_receiver_connected_for_one_run_never_runs_or_shows_in_another_run():
    signal = lab_signals.trace_signal(Signal(), "shared")
    calls = []

    def mine(sender, **kwargs):
        calls.append(sender)

    entered, done = threading.Event(), threading.Event()
    other = Recorder(learner="other")

    def other_run():
        entered.wait(5)
        with recording(other), other.section("other", key="other"):
            signal.send(sender="other")
        done.set()

    thread = threading.Thread(target=other_run)
    thread.start()
    with recorded() as lab, run_receivers.for_this_run(signal, mine):
        entered.set()
        done.wait(5)
        signal.send(sender="mine")
    thread.join(5)
    assert calls == ["mine"]
    assert [e.kind for e in other.get("other").signals] == ["signal"]
    assert [e.kind for e in lab.get("test").signals] == ["signal", "receiver"]
    assert lab_signals.connected(signal) == []  # disconnected when the block ends


def test_for_this_run_stops_a_receiver_that_re_sends_its_own_signal_at_max_depth():
    signal = lab_signals.trace_signal(Signal(), "again")

    def resend(sender, **kwargs):
        signal.send(sender=sender)

    with recorded() as lab, run_receivers.for_this_run(signal, resend, max_depth=2):
        with pytest.raises(RecursionError, match="2 deep"):
            signal.send(sender=None)
    kinds = [(e.depth, e.kind) for e in lab.get("test").signals]
    assert kinds == [(0, "signal"), (1, "receiver"), (2, "signal"), (3, "receiver"), (4, "signal"), (5, "receiver")]


def test_an_on_commit_callback_keeps_what_django_reads_from_it():
    """Django 5.2 logs a robust callback's failure with func.__qualname__: the lab's wrapper must not add one."""
    from functools import partial

    from django.db import connections

    deferred = SignalEvent(kind="deferred", name="x")
    wrapped = oncommit._Callback(partial(on_anything, None), deferred)
    assert not hasattr(wrapped, "__qualname__")  # as for the partial itself
    assert wrapped.func is on_anything
    assert oncommit._Callback(on_anything, deferred).__qualname__ == "on_anything"
    assert type(connections["default"]).on_commit.lab_traced is True
