"""Signals track, S5: duplicate receivers, weak references, send() vs send_robust(), the **kwargs check.

Every step uses a private `Signal()` made for this run, so nothing global changes
and no other learner's run can see these receivers.
"""

from __future__ import annotations

import gc
from typing import Any

from django.conf import settings
from django.dispatch import Signal

from lab.recorder import Recorder
from lab.registry import demo
from lab.signals import trace_signal, traced

from .signals import receiver_name


def fresh_signal(name: str) -> Signal:
    signal = Signal()
    trace_signal(signal, name)  # the lab's tracer: shows each send in the timeline
    return signal


def responses(signal: Signal, **kwargs: Any) -> list[tuple[str, Any]]:
    """send(), minus the lab tracer's own (receiver, None) pair."""
    return [(receiver_name(r), value) for r, value in signal.send(sender=None, **kwargs) if "lab tracer" not in str(r)]


@traced
def send_welcome(sender, **kwargs):
    return "welcome email"


class MailBackend:
    """Connects a bound method, as a class that registers itself in __init__ would."""

    def __init__(self, signal: Signal, dispatch_uid: str | None = None):
        signal.connect(self.handler, dispatch_uid=dispatch_uid)

    def handler(self, sender, **kwargs):
        return f"welcome email from backend {id(self) % 1000}"


@traced
def fails_first(sender, **kwargs):
    raise ValueError("fails_first failed")


@traced
def runs_second(sender, **kwargs):
    return "runs_second ok"


def connect_local_receiver(signal: Signal, weak: bool) -> None:
    """Connect a function that nothing else refers to once this returns."""

    def on_registered(sender, **kwargs):
        return "local receiver ran"

    signal.connect(on_registered, weak=weak)


@demo(
    "signals.reliable",
    title="Reliable receivers: duplicates, weak references, errors",
    description="Each step on a private Signal(): how receivers end up connected twice, or silently vanish.",
    reports=("signals",),
)
def reliable(lab: Recorder, data: dict[str, Any]) -> None:
    with lab.step("The same function, connected twice", code="registered.connect(send_welcome)\n" * 2) as s:
        registered = fresh_signal("registered")
        registered.connect(send_welcome)
        registered.connect(send_welcome)
        s.fact("send() results", len(responses(registered)))

    with lab.step(
        "Bound methods of two instances",
        code="MailBackend(registered)\nMailBackend(registered)\n# each connects self.handler",
    ) as s:
        registered = fresh_signal("registered")
        backends = [MailBackend(registered), MailBackend(registered)]
        results = responses(registered)
        s.table(["receiver", "returned"], results)
        s.fact("send() results", len(results))

    with lab.step(
        "… with a dispatch_uid",
        code='MailBackend(registered, dispatch_uid="mail.handler")\n' * 2,
    ) as s:
        registered = fresh_signal("registered")
        backends = [MailBackend(registered, "mail.handler"), MailBackend(registered, "mail.handler")]
        results = responses(registered)
        s.table(["receiver", "returned"], results)
        s.fact("send() results", len(results))
    del backends

    for weak in (True, False):
        with lab.step(
            f"A local function, weak={weak}, after gc.collect()",
            code=f"def on_registered(sender, **kwargs): ...\nregistered.connect(on_registered, weak={weak})\n"
            "# ...the function that connected it returns...\ngc.collect()",
        ) as s:
            registered = fresh_signal("registered")
            connect_local_receiver(registered, weak=weak)
            gc.collect()
            s.fact("settings.DEBUG", settings.DEBUG)
            s.fact("receiver still connected", bool(responses(registered)))

    with lab.step("send() when the first receiver raises", code="placed.send(sender=None)", expect=ValueError) as s:
        placed = fresh_signal("placed")
        placed.connect(fails_first)
        placed.connect(runs_second)
        placed.send(sender=None)

    with lab.step("send_robust() when the first receiver raises", code="placed.send_robust(sender=None)") as s:
        placed = fresh_signal("placed")
        placed.connect(fails_first)
        placed.connect(runs_second)
        results = [(receiver_name(r), v) for r, v in placed.send_robust(sender=None) if "lab tracer" not in str(r)]
        s.table(["receiver", "returned"], [[name, repr(value)] for name, value in results])
        s.fact("returned types", [type(value).__name__ for _, value in results])
        s.fact("traceback kept on the exception", results[0][1].__traceback__ is not None)

    with lab.step(
        "A receiver without **kwargs",
        code="def no_kwargs(sender): ...\nplaced.connect(no_kwargs)\nplaced.send(sender=None)",
        expect=(ValueError, TypeError),
    ) as s:
        s.fact("settings.DEBUG", settings.DEBUG)
        placed = fresh_signal("placed")

        def no_kwargs(sender):
            return "never"

        placed.connect(no_kwargs)  # DEBUG=True: ValueError here
        s.note("connect() accepted it (the check runs only with DEBUG=True); now send():")
        placed.send(sender=None)  # DEBUG=False: TypeError here
