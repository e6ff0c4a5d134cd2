"""Signals track, S1 (the dispatcher), and the helpers the other signals demo modules share.

The lab records every model signal a step causes and each receiver it runs
(lab.signals); these helpers read that record back as facts. Learners can
switch sandbox receivers off for their own runs with the `disabled_receivers`
field.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from django import forms
from django.db.models.signals import post_save
from django.dispatch import Signal

from lab.logs import capture_logs
from lab.recorder import Recorder, SignalEvent, Step
from lab.registry import Prediction, demo
from lab.signals import connected, receiver_name, trace_signal, traced_names
from sandbox import seed
from sandbox.models import Book, Store
from sandbox.teaching.signals import connect_pack, disconnect_twice, save_book, ship, who_listens

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


def events(step: Step, kind: str = "signal", name: str | None = None) -> list[SignalEvent]:
    return [e for e in step.signals if e.kind == kind and (name is None or e.name == name)]


def short(name: str) -> str:
    """A receiver's name without the package: `books.log_book_saved`, `signals_related.refresh_blurb`."""
    return name.removeprefix("sandbox.receivers.").removeprefix("sandbox.teaching.")


def receivers_ran(step: Step) -> list[str]:
    return [short(e.name) for e in step.signals if e.kind == "receiver"]


def emails_sent(step: Step) -> int:
    return len(events(step, kind="note", name="email sent"))


def sent(step: Step) -> list[str]:
    """Each signal the step sent, as `post_save(Book)`."""
    return [f"{e.name}({e.sender})" for e in events(step)]


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def answer(step_key: str, read) -> Any:
    """A Prediction's answer function: `read(step)` for the step, or "" when this run did not make it."""

    def grade(lab: Recorder) -> str:
        try:
            step = lab.get(step_key)
        except KeyError:
            return ""
        return read(step)

    return grade


@contextmanager
def receiver_logs() -> Iterator[None]:
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
    predictions=(
        Prediction(
            "You disconnect the same receiver a second time. What does disconnect() do?",
            ("returns True", "returns False", "raises an error"),
            answer=answer("disconnect_twice", lambda s: "raises an error" if s.error else f"returns {s.result[1]}"),
            explain="disconnect() returns whether it found something to disconnect; a second call finds nothing.",
            see="#try-it",
        ),
    ),
)
def dispatcher(lab: Recorder, data: dict[str, Any]) -> None:
    listens = lab.step("Who listens to post_save?", partial(who_listens, post_save, Book, Store))
    listens.table(["dispatch_uid", "receiver"], [[c.dispatch_uid or "(none)", c.name] for c in connected(post_save)])
    listens.fact("book", listens.result["Book"], "post_save.has_listeners(Book)")
    listens.fact("store", listens.result["Store"], "post_save.has_listeners(Store)")

    with receiver_logs():
        saved = lab.step("Save a book", partial(save_book, data["book"]))
    saved.fact("receivers", receivers_ran(saved), "receivers that ran")

    # A signal of your own, made for this run, so no other learner sees it.
    shipped = trace_signal(Signal(), "shipped")
    connect = lab.step("Connect a receiver", partial(connect_pack, shipped))
    connect.fact("has_listeners", connect.result, "shipped.has_listeners()")
    sent_step = lab.step("Send your signal", partial(ship, shipped, "A1"))
    sent_step.table(["receiver", "returned"], [[receiver_name(r), value] for r, value in sent_step.result])
    sent_step.fact("responses", len(sent_step.result), "(receiver, response) pairs")

    twice = lab.step("Disconnect, twice", partial(disconnect_twice, shipped))
    twice.fact("first", twice.result[0], "first disconnect()")
    twice.fact("second", twice.result[1], "second disconnect()")
    again = lab.step("Send it again", partial(ship, shipped, "A1"), key="ship_again")
    again.fact("responses", again.result, "send() returned")

    ran = saved.facts["receivers"]
    lab.headline(
        f"Saving {data['book']} ran {plural(len(ran), 'receiver')} ({', '.join(ran) or 'none'}); "
        f"disconnect() returned {twice.result[0]}, then {twice.result[1]}",
        focus=saved,
    )
