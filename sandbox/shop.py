"""The bookshop's service functions: registration and checkout.

Views and demos call these; receivers react to what they do. `place_order`
announces each order with the `order_placed` signal; `place_order_direct` does
the same follow-up work with a plain call, for the lesson on when not to use a
signal.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Book, Customer, Order, OrderItem
from .signals import order_placed

Lines = Iterable[tuple[Book, int]]  # (book, quantity) pairs


def register_customer(name: str, email: str, *, learner: str = "") -> Customer:
    """Create a customer. A post_save receiver emails them once this commits."""
    with transaction.atomic():
        return Customer.objects.create(name=name, email=email, learner=learner)


def send_welcome_email(customer_pk: int) -> None:
    """Runs after the commit, so the customer is certainly in the database."""
    customer = Customer.objects.get(pk=customer_pk)
    send_mail(
        subject="Welcome to the bookshop",
        message=f"Hello {customer.name}, thanks for registering.",
        from_email=None,  # DEFAULT_FROM_EMAIL
        recipient_list=[customer.email],
    )


def create_order(customer: Customer, lines: Lines, *, learner: str = "") -> tuple[Order, list[OrderItem]]:
    """Write an order and its items, and nothing else (callers decide what follows)."""
    lines = list(lines)
    total = sum((book.price * qty for book, qty in lines), Decimal(0))
    order = Order.objects.create(
        customer=customer,
        created=timezone.now(),
        total_price=total,
        discounted_price=total,
        learner=learner,
    )
    items = OrderItem.objects.bulk_create(
        [OrderItem(order=order, book=book, qty=qty, unit_price=book.price) for book, qty in lines]
    )
    return order, items


def reserve_stock(items: Iterable[OrderItem]) -> None:
    """Take each item's quantity off its book's stock (F() avoids lost updates)."""
    for item in items:
        Book.objects.filter(pk=item.book_id).update(stock=F("stock") - item.qty)


def place_order(customer: Customer, lines: Lines, *, learner: str = "") -> Order:
    """Write an order, then announce it: receivers decide what follows."""
    with transaction.atomic():
        order, items = create_order(customer, lines, learner=learner)
        order_placed.send(sender=Order, order=order, items=items)
    return order


def place_order_direct(customer: Customer, lines: Lines, *, learner: str = "") -> Order:
    """The same checkout, with the follow-up as a plain call you can read here."""
    with transaction.atomic():
        order, items = create_order(customer, lines, learner=learner)
        reserve_stock(items)
    return order
