"""Signals track, S6: a custom signal sent from a checkout, async receivers, and the direct-call alternative."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from django import forms
from django.dispatch import Signal

from lab.recorder import Recorder, Step
from lab.registry import demo
from lab.signals import traced
from sandbox.models import Book, Customer, Order
from sandbox.shop import create_order, place_order, place_order_direct
from sandbox.signals import order_placed

from .signals import ReceiverSwitchesForm, apply_switches, events, receiver_name, receivers_ran


class OrderPlacedForm(ReceiverSwitchesForm):
    qty = forms.IntegerField(min_value=1, max_value=5, initial=2, help_text="Copies of A1 in each order.")
    field_order = ["qty", "disabled_receivers"]


def stock_facts(step: Step, before: int) -> None:
    step.fact("A1 stock before → after", (before, Book.objects.get(title="A1").stock))
    step.fact("order_placed sent", len(events(step, name="order_placed")))
    step.fact("receivers that ran", receivers_ran(step))


@demo(
    "signals.order-placed",
    title="A custom signal: order_placed",
    form=OrderPlacedForm,
    description="Check out with a signal (send and asend), then with a plain call: same result, different code.",
    reports=("signals", "sql"),
)
def order_placed_demo(lab: Recorder, data: dict[str, Any]) -> None:
    apply_switches(lab, data)
    with lab.step("Setup: a customer and a basket") as s:
        customer = Customer.objects.get(name="ann", learner="")  # canonical: a learner's rows may share the name
        a1 = Book.objects.get(title="A1")
        lines = [(a1, data["qty"])]

    with lab.step("place_order(): send()", code="order = place_order(customer, lines)") as s:
        before = Book.objects.get(pk=a1.pk).stock
        place_order(customer, lines, learner=lab.learner)
        stock_facts(s, before)

    async def checkout_async():
        order, items = await sync_to_async(create_order)(customer, lines, learner=lab.learner)
        return await order_placed.asend(sender=Order, order=order, items=items)

    with lab.step(
        "From async code: asend()",
        code="order, items = await sync_to_async(create_order)(customer, lines)\n"
        "await order_placed.asend(sender=Order, order=order, items=items)",
    ) as s:
        before = Book.objects.get(pk=a1.pk).stock
        results = async_to_sync(checkout_async)()
        rows = [[receiver_name(r), value] for r, value in results if "lab tracer" not in str(r)]
        s.table(["receiver", "returned"], rows)
        stock_facts(s, before)

    with lab.step("The direct call: place_order_direct()", code="order = place_order_direct(customer, lines)") as s:
        before = Book.objects.get(pk=a1.pk).stock
        place_order_direct(customer, lines, learner=lab.learner)
        stock_facts(s, before)

    with lab.step("Side by side") as s:
        signal, direct = lab.get("place_order(): send()"), lab.get("The direct call: place_order_direct()")
        s.table(
            ["", "with order_placed", "direct call"],
            [
                [label, signal.facts[label], direct.facts[label]]
                for label in ("A1 stock before → after", "order_placed sent")
            ]
            + [
                [
                    "receivers that ran",
                    len(signal.facts["receivers that ran"]),
                    len(direct.facts["receivers that ran"]),
                ],
                ["SQL queries", len(signal.queries), len(direct.queries)],
            ],
        )
        s.fact("same stock change", change(signal) == change(direct))


def change(step: Step) -> int:
    """How many copies a checkout step took off A1's stock."""
    before, after = step.facts["A1 stock before → after"]
    return before - after


@traced
async def connected_first_async(sender, **kwargs):
    return "async"


@traced
def connected_second_sync(sender, **kwargs):
    return "sync"


@demo(
    "signals.sync-async-order",
    title="send(): sync receivers first",
    description="An async receiver connected first, a sync one connected second, on a private Signal().",
    reports=("signals",),
)
def sync_async_order(lab: Recorder, data: dict[str, Any]) -> None:
    signal = Signal()
    signal.connect(connected_first_async)
    signal.connect(connected_second_sync)
    with lab.step("send() from sync code", code="signal.send(sender=None)") as s:
        s.fact("returned, in order", [value for _, value in signal.send(sender=None)])
        s.fact("ran, in order", [e.name.rsplit(".", 1)[1] for e in events(s, kind="receiver")])
