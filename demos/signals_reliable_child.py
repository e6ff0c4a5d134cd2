"""The DEBUG-dependent steps of the reliable-receivers demo (S5), and a process of their own to run them in.

settings.DEBUG is global: switching it inside the site would change every
other learner's requests while it was switched. So `signals.reliable` runs
these steps in this process, then this module in a fresh Python process with
the other setting:

    python -m demos.signals_reliable_child --debug=0

The two behaviours depend on settings.DEBUG alone (Signal.connect's **kwargs
check, and the cache that check keeps), so the child configures nothing else:
no apps, no database. It prints the steps' facts as one line of JSON.
"""

from __future__ import annotations

import argparse
import json
from functools import partial
from typing import Any

from django.conf import settings
from django.dispatch import Signal

from lab.recorder import Recorder
from lab.signals import trace_signal
from sandbox.teaching.signals_reliable import connect_then_collect, connect_without_kwargs, send_to

KEYS = ("weak_true", "weak_false", "connect", "send")


def debug_sensitive(lab: Recorder) -> dict[str, Any]:
    """The steps whose outcome depends on settings.DEBUG. Returns their facts by step key."""
    for weak in (True, False):
        step = lab.step(
            f"A local function, weak={weak}, after gc.collect()",
            partial(connect_then_collect, trace_signal(Signal(), "registered"), weak),
            key=f"weak_{str(weak).lower()}",
        )
        step.fact("kept", bool(step.result), "receiver still connected")
    placed = trace_signal(Signal(), "placed")
    connect = lab.step(
        "Connect a receiver without **kwargs", partial(connect_without_kwargs, placed), key="connect", expect=ValueError
    )
    connect.fact("raised", connect.error_type or "nothing", "connect() raised")
    sending = lab.step("… then send()", partial(send_to, placed), key="send", expect=TypeError)
    sending.fact("raised", sending.error_type or "nothing", "send() raised")
    for key in KEYS:
        lab.get(key).fact("debug", settings.DEBUG, "settings.DEBUG")
    return {key: lab.get(key).facts for key in KEYS}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--debug", type=int, choices=(0, 1), required=True)
    import django

    settings.configure(DEBUG=bool(parser.parse_args().debug))
    django.setup()

    from lab.recorder import recording

    lab = Recorder()
    with recording(lab):
        facts = debug_sensitive(lab)
    print(json.dumps(facts))


if __name__ == "__main__":
    main()
