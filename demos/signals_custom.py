"""Signals track, S6: a custom signal sent from a checkout, async receivers, and the direct-call alternative."""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.dispatch import Signal

from lab.recorder import Recorder, Step
from lab.registry import Prediction, demo
from lab.signals import receiver_name, trace_signal
from sandbox.models import Book, Customer
from sandbox.shop import place_order, place_order_direct
from sandbox.teaching.signals_custom import checkout_from_async_code, send_to_mixed_receivers

from .signals import ReceiverSwitchesForm, answer, apply_switches, events, plural, receivers_ran


class OrderPlacedForm(ReceiverSwitchesForm):
    qty = forms.IntegerField(min_value=1, max_value=5, initial=2, help_text="Copies of A1 in each order.")
    field_order = ["qty", "disabled_receivers"]


def a1_stock() -> int:
    return Book.objects.get(title="A1", learner="").stock


def stock_facts(step: Step, before: int) -> None:
    step.fact("stock", (before, a1_stock()), "A1 stock before → after")
    step.fact("sent", len(events(step, name="order_placed")), "order_placed sent")
    step.fact("receivers", receivers_ran(step), "receivers that ran")


def taken(step: Step) -> int:
    """How many copies a checkout step took off A1's stock."""
    before, after = step.facts["stock"]
    return before - after


@demo(
    "signals.order-placed",
    title="A custom signal: order_placed",
    form=OrderPlacedForm,
    description="Check out with a signal (send and asend), then with a plain call: same result, different code.",
    reports=("signals", "sql"),
    predictions=(
        Prediction(
            "The checkout with order_placed and the one with a direct call: which runs more SQL statements?",
            ("the signal one", "the direct call", "the same number"),
            answer=answer(
                "compare",
                lambda s: {1: "the signal one", -1: "the direct call", 0: "the same number"}[s.facts["more_sql"]],
            ),
            explain="Both run the same writes; the signal only changes where the follow-up code is called from.",
            see="#when-not-to-use-a-signal",
        ),
    ),
)
def order_placed_demo(lab: Recorder, data: dict[str, Any]) -> None:
    apply_switches(lab, data)
    customer = Customer.objects.get(name="ann", learner="")  # canonical: a learner's rows may share the name
    lines = [(Book.objects.get(title="A1", learner=""), data["qty"])]

    before = a1_stock()
    signal = lab.step("place_order(): send()", partial(place_order, customer, lines, learner=lab.learner))
    stock_facts(signal, before)

    before = a1_stock()
    from_async = lab.step(
        "From async code: asend()", partial(checkout_from_async_code, customer, lines, learner=lab.learner)
    )
    from_async.table(["receiver", "returned"], [[receiver_name(r), value] for r, value in from_async.result])
    stock_facts(from_async, before)

    before = a1_stock()
    direct = lab.step(
        "The direct call: place_order_direct()", partial(place_order_direct, customer, lines, learner=lab.learner)
    )
    stock_facts(direct, before)

    with lab.section("Side by side", key="compare") as s:
        s.table(
            ["", "with order_placed", "direct call"],
            [
                ["A1 stock before → after", signal.facts["stock"], direct.facts["stock"]],
                ["order_placed sent", signal.facts["sent"], direct.facts["sent"]],
                ["receivers that ran", len(signal.facts["receivers"]), len(direct.facts["receivers"])],
                ["SQL statements", len(signal.queries), len(direct.queries)],
            ],
        )
        s.fact("same_change", taken(signal) == taken(direct), "same stock change")
        difference = len(signal.queries) - len(direct.queries)
        s.fact(
            "more_sql", (difference > 0) - (difference < 0), "signal's SQL compared with the direct call's (+1, 0, -1)"
        )
    lab.headline(
        f"Both checkouts took {taken(signal)} and {taken(direct)} copies of A1 in "
        f"{len(signal.queries)} and {len(direct.queries)} SQL statements; only the first sent order_placed "
        f"({plural(len(signal.facts['receivers']), 'receiver')} ran)",
        focus=s,
    )


@demo(
    "signals.sync-async-order",
    title="send(): sync receivers first",
    description="An async receiver connected first, a sync one connected second, on a private Signal().",
    reports=("signals",),
    predictions=(
        Prediction(
            "An async receiver is connected first, a sync one second. Under send(), which runs first?",
            ("the async one", "the sync one"),
            answer=answer(
                "send_to_mixed_receivers",
                lambda s: "the sync one" if s.facts["ran"][:1] == ["connected_second_sync"] else "the async one",
            ),
            explain="send() calls every sync receiver first, then the async ones through async_to_sync.",
            see="#sync-and-async-receivers",
        ),
    ),
)
def sync_async_order(lab: Recorder, data: dict[str, Any]) -> None:
    signal = trace_signal(Signal(), "signal")
    step = lab.step("send() from sync code", partial(send_to_mixed_receivers, signal))
    step.fact("returned", step.result, "returned, in order")
    step.fact("ran", [e.name.rsplit(".", 1)[1] for e in events(step, kind="receiver")], "ran, in order")
    lab.headline(
        f"Connected async first, sync second; send() ran {' then '.join(step.facts['ran'])}",
        focus=step,
    )
