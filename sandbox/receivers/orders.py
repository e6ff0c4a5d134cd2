"""Receivers of the bookshop's own `order_placed` signal (sandbox.signals)."""

import asyncio

from django.dispatch import receiver

from ..models import Order
from ..shop import reserve_stock
from ..signals import order_placed


@receiver(order_placed, sender=Order, dispatch_uid="sandbox.reserve_stock")
def reserve_stock_for_order(sender, order, items, **kwargs):
    # Runs inside place_order's transaction: if the order rolls back,
    # so does the stock.
    reserve_stock(items)
    return sum(item.qty for item in items)


@receiver(order_placed, sender=Order, dispatch_uid="sandbox.notify_warehouse")
async def notify_warehouse(sender, order, items, **kwargs):
    # An async receiver: send() runs it through async_to_sync,
    # asend() awaits it directly.
    await asyncio.sleep(0.01)  # stands in for an HTTP call to the warehouse
    return f"warehouse told about {len(items)} line(s) of order #{order.pk}"
