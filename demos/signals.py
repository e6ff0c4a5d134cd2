"""Signals track, S1 (the dispatcher), and the helpers the other signals demo modules share.

Every model signal a demo causes is recorded by the lab tracer; each sandbox
receiver that runs is recorded by the wrapper the lab puts around it. Learners can
switch receivers off for their own runs with the `disabled_receivers` field.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django import forms
from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from lab.logs import capture_logs
from lab.recorder import Recorder, Step
from lab.registry import demo
from lab.signals import connected, receiver_name, traced, traced_names
from sandbox import seed
from sandbox.models import Book, Store

# -- shared helpers -------------------------------------------------------------


def sandbox_receivers() -> list[str]:
    """Dotted names of every sandbox receiver connected right now (the learner's on/off switches)."""
    return traced_names("sandbox.receivers.")


class ReceiverSwitchesForm(forms.Form):
    """Base form for demos whose runs can switch sandbox receivers off."""

    disabled_receivers = forms.MultipleChoiceField(
        label="Switch these receivers off for my runs",
        choices=lambda: [(name, name.removeprefix("sandbox.receivers.")) for name in sandbox_receivers()],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def apply_switches(lab: Recorder, data: dict[str, Any]) -> None:
    """The Run button posts the switches as options; a direct call passes them as form data."""
    lab.disabled_receivers.update(data.get("disabled_receivers") or ())


def events(step: Step, kind: str = "signal", name: str | None = None) -> list:
    return [e for e in step.signals if e.kind == kind and (name is None or e.name == name)]


def receivers_ran(step: Step) -> list[str]:
    return [e.name.removeprefix("sandbox.receivers.") for e in step.signals if e.kind == "receiver"]


def emails_sent(step: Step) -> int:
    return len(events(step, kind="note", name="email sent"))


@contextmanager
def receiver_logs(lab: Recorder) -> Iterator[None]:
    """Show what sandbox receivers log (e.g. the concept page's "has been saved!") in the report."""
    with capture_logs("sandbox.receivers", level=logging.INFO, to_report=True):
        yield


# -- S1: the dispatcher -----------------------------------------------------------


class DispatcherForm(forms.Form):
    book = forms.ModelChoiceField(
        # The canonical books only: not a learner's, nor the thousands of the large seed.
        queryset=Book.objects.filter(pk__in=[pk for pk, *_ in seed.BOOKS]).order_by("pk"),
        initial=1,
        help_text="The book to save in step 2.",
    )


@demo(
    "signals.dispatcher",
    title="Connect, receive, send",
    form=DispatcherForm,
    description="Who listens to post_save, the corrected concept-page receiver at work, and a signal of your own.",
    reports=("signals", "sql"),
)
def dispatcher(lab: Recorder, data: dict[str, Any]) -> None:
    with lab.step("Who listens to post_save?", code="post_save.receivers") as s:
        rows = [[c.dispatch_uid or "(no dispatch_uid)", c.name] for c in connected(post_save)]
        s.table(["dispatch_uid", "receiver"], rows)
        s.fact("post_save.has_listeners(Book)", post_save.has_listeners(Book))
        s.fact("post_save.has_listeners(Store)", post_save.has_listeners(Store))
        s.note("The lab tracer listens to every sender (sender=None), so has_listeners() is True for Store too.")

    book = data["book"]
    with lab.step("Save a book", code="book.save()") as s, receiver_logs(lab):
        book.save()
        s.fact("receivers that ran", receivers_ran(s))

    # A signal of your own, private to this run, so no other learner sees it.
    shipped = Signal()

    @receiver(shipped)
    @traced
    def pack(sender, parcel, **kwargs):
        return f"packed {parcel}; also got {sorted(kwargs)}"

    with lab.step("Send a custom signal", code='shipped.send(sender=Store, parcel="A1")') as s:
        responses = shipped.send(sender=Store, parcel="A1")
        s.table(["receiver", "returned"], [[receiver_name(r), value] for r, value in responses])

    with lab.step("Disconnect, twice", code="shipped.disconnect(pack)\nshipped.disconnect(pack)") as s:
        s.fact("first disconnect()", shipped.disconnect(pack))
        s.fact("second disconnect()", shipped.disconnect(pack))
        s.fact("shipped.has_listeners()", shipped.has_listeners())
        s.fact("shipped.send() now returns", shipped.send(sender=Store, parcel="A1"))
        s.note("disconnect() returns whether something was connected: a typo'd dispatch_uid fails silently.")
