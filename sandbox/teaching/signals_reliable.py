"""Reliable receivers (lesson S5): duplicates, weak references, errors, and the **kwargs check.

Each function takes the signal it works on, so a demo can give it a fresh
`Signal()` that nothing else can see.
"""

from __future__ import annotations

import gc
from typing import Any

from django.dispatch import Signal

Responses = list[tuple[Any, Any]]


def send_welcome(sender, **kwargs):
    return "welcome email"


def connect_twice(registered: Signal) -> Responses:
    registered.connect(send_welcome)
    registered.connect(send_welcome)  # the same function: the same lookup key, so no second entry
    return registered.send(sender=None)


class MailBackend:
    """Connects a bound method, as a class that registers itself in __init__ would."""

    def __init__(self, signal: Signal, dispatch_uid: str | None = None):
        signal.connect(self.handler, dispatch_uid=dispatch_uid)

    def handler(self, sender, **kwargs):
        return f"welcome email from backend {id(self) % 1000}"


def two_backends(registered: Signal, dispatch_uid: str | None = None) -> tuple[list[MailBackend], Responses]:
    # Two instances, two bound methods: two lookup keys, unless a dispatch_uid
    # makes the key the same. (The list keeps both alive while the signal is
    # sent: the dispatcher holds bound methods by weak reference too.)
    backends = [MailBackend(registered, dispatch_uid), MailBackend(registered, dispatch_uid)]
    return backends, registered.send(sender=None)


def connect_local_receiver(registered: Signal, weak: bool) -> None:
    def on_registered(sender, **kwargs):
        return "local receiver ran"

    registered.connect(on_registered, weak=weak)
    # Returning drops the last name for on_registered: only the signal may refer to it now.


def connect_then_collect(registered: Signal, weak: bool) -> Responses:
    connect_local_receiver(registered, weak=weak)
    gc.collect()
    return registered.send(sender=None)


def fails_first(sender, **kwargs):
    raise ValueError("fails_first failed")


def runs_second(sender, **kwargs):
    return "runs_second ok"


def send_to_both(placed: Signal) -> Responses:
    placed.connect(fails_first)
    placed.connect(runs_second)
    return placed.send(sender=None)  # fails_first raises: runs_second never runs


def send_robust_to_both(placed: Signal) -> Responses:
    placed.connect(fails_first)
    placed.connect(runs_second)
    return placed.send_robust(sender=None)  # the exception comes back as fails_first's response


def no_kwargs(sender):
    return "never"


def connect_without_kwargs(placed: Signal) -> bool:
    placed.connect(no_kwargs)  # with DEBUG=True, connect() checks for **kwargs
    return placed.has_listeners()


def send_to(placed: Signal) -> Responses:
    return placed.send(sender=None)
