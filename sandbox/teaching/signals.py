"""The dispatcher (lesson S1): who listens, a save that runs receivers, and a signal of your own."""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

from ..models import Book, Store


def who_listens(signal: Signal, *senders: type) -> dict[str, bool]:
    """has_listeners() per sender: would any receiver run if this sender sent the signal?"""
    return {sender.__name__: signal.has_listeners(sender) for sender in senders}


def save_book(book: Book) -> Book:
    book.save()  # pre_save, the write, post_save (created=False: the row exists, so it was an UPDATE)
    return book


def pack(sender, parcel, **kwargs):
    # A receiver gets the sender, the keyword arguments the sender passed,
    # and `signal` too: **kwargs takes whatever it does not name.
    return f"packed {parcel}; also got {sorted(kwargs)}"


def connect_pack(shipped: Signal) -> bool:
    shipped.connect(pack)
    return shipped.has_listeners()


def ship(shipped: Signal, parcel: str) -> list[tuple[Any, Any]]:
    # One (receiver, what it returned) pair per receiver that ran.
    return shipped.send(sender=Store, parcel=parcel)


def disconnect_twice(shipped: Signal) -> tuple[bool, bool]:
    first = shipped.disconnect(pack)
    second = shipped.disconnect(pack)  # nothing left to disconnect: False, and no error
    return first, second
