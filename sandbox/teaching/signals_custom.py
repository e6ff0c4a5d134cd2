"""Custom and async signals (lesson S6): the checkout from async code, and sync before async in send()."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.dispatch import Signal

from ..models import Customer, Order
from ..shop import Lines, create_order
from ..signals import order_placed


async def checkout_from_async_code(customer: Customer, lines: Lines, *, learner: str = "") -> list[tuple[Any, Any]]:
    # The ORM is synchronous: run the writes through sync_to_async, then
    # announce the order with asend(), which awaits the async receivers.
    order, items = await sync_to_async(create_order)(customer, lines, learner=learner)
    return await order_placed.asend(sender=Order, order=order, items=items)


async def connected_first_async(sender, **kwargs):
    return "async"


def connected_second_sync(sender, **kwargs):
    return "sync"


def send_to_mixed_receivers(signal: Signal) -> list[Any]:
    signal.connect(connected_first_async)
    signal.connect(connected_second_sync)
    return [response for _, response in signal.send(sender=None)]
