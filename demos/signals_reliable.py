"""Signals track, S5: duplicate receivers, weak references, send() vs send_robust(), the **kwargs check.

Every step uses a private `Signal()` made for this run, so nothing global
changes and no other learner's run can see these receivers.

Two behaviours depend on settings.DEBUG (a weak local receiver's lifetime, and
where a receiver without **kwargs fails). DEBUG is global to a process, so the
demo runs those steps (demos/signals_reliable_child.py) here and again in a
child process with the other setting, and shows both.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.dispatch import Signal

from lab.recorder import DemoTimeout, Recorder, Step
from lab.registry import Prediction, demo
from lab.signals import receiver_name, trace_signal
from sandbox.teaching.signals_reliable import connect_twice, send_robust_to_both, send_to_both, two_backends

from .signals import answer
from .signals_reliable_child import debug_sensitive

ROOT = Path(__file__).resolve().parents[1]
CHILD = "demos.signals_reliable_child"


def fresh(name: str) -> Signal:
    return trace_signal(Signal(), name)


def responses_table(step: Step, responses: list[tuple[Any, Any]]) -> None:
    step.table(["receiver", "returned"], [[receiver_name(r), repr(value)] for r, value in responses])
    step.fact("responses", len(responses), "send() results")


def child_command(debug: bool) -> list[str]:
    return [sys.executable, "-m", CHILD, f"--debug={int(debug)}"]


def run_in_child(lab: Recorder, debug: bool) -> dict[str, Any]:
    """debug_sensitive() in a fresh process with DEBUG=`debug`, within what is left of the run's time."""
    lab.check_time()
    timeout = lab.deadline - time.perf_counter() if lab.deadline is not None else 60
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}  # it configures its own
    try:
        done = subprocess.run(
            child_command(debug),
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=max(timeout, 0.01),
            check=True,
        )
    except subprocess.TimeoutExpired as exc:
        raise DemoTimeout(f"The demo ran past its time limit: the DEBUG={debug} process was stopped.") from exc
    return json.loads(done.stdout.strip().splitlines()[-1])


def mode(debug: bool) -> str:
    return f"DEBUG={debug}"


@demo(
    "signals.reliable",
    title="Reliable receivers: duplicates, weak references, errors",
    description="Each step on a private Signal(): how receivers end up connected twice, or silently vanish.",
    reports=("signals",),
    predictions=(
        Prediction(
            "Two MailBackend instances each connect their bound method self.handler. How many results does send() return?",
            ("1", "2"),
            answer=answer("two_backends", lambda s: str(s.facts["responses"])),
            explain="Each instance's bound method is a different receiver, so both are connected: two welcome emails.",
            see="#duplicates",
        ),
        Prediction(
            "With DEBUG=False, is a local function connected with weak=True still connected after gc.collect()?",
            ("Yes", "No"),
            answer=answer("both_modes", lambda s: "Yes" if s.facts["weak_kept_debug_off"] else "No"),
            explain="Nothing else refers to it, so the garbage collector removes it; with DEBUG=True a cache keeps it alive.",
            see="#weak-references",
        ),
    ),
)
def reliable(lab: Recorder, data: dict[str, Any]) -> None:
    twice = lab.step("The same function, connected twice", partial(connect_twice, fresh("registered")))
    responses_table(twice, twice.result)
    backends = lab.step("Bound methods of two instances", partial(two_backends, fresh("registered")))
    responses_table(backends, backends.result[1])
    shared = lab.step(
        "… with a dispatch_uid", partial(two_backends, fresh("registered"), "mail.handler"), key="two_backends_uid"
    )
    responses_table(shared, shared.result[1])

    raised = lab.step(
        "send() when the first receiver raises", partial(send_to_both, fresh("placed")), expect=ValueError
    )
    raised.fact("ran", [e.name.rsplit(".", 1)[1] for e in raised.signals if e.kind == "receiver"], "receivers that ran")
    robust = lab.step("send_robust() when the first receiver raises", partial(send_robust_to_both, fresh("placed")))
    responses_table(robust, robust.result)
    robust.fact("types", [type(value).__name__ for _, value in robust.result], "returned types")
    robust.fact("traceback", robust.result[0][1].__traceback__ is not None, "traceback kept on the exception")

    here = debug_sensitive(lab)
    other = not settings.DEBUG
    command = " ".join(["python", "-m", CHILD, f"--debug={int(other)}"])
    with lab.section(f"The same steps with {mode(other)}, in a separate process", key="both_modes", code=command) as s:
        there = run_in_child(lab, other)
        by_mode = {settings.DEBUG: here, other: there}
        on, off = by_mode[True], by_mode[False]
        s.table(
            ["", mode(True), mode(False)],
            [
                ["weak=True local receiver kept after gc.collect()", on["weak_true"]["kept"], off["weak_true"]["kept"]],
                ["weak=False local receiver kept", on["weak_false"]["kept"], off["weak_false"]["kept"]],
                ["connect() of a receiver without **kwargs raised", on["connect"]["raised"], off["connect"]["raised"]],
                ["… then send() raised", on["send"]["raised"], off["send"]["raised"]],
            ],
        )
        s.fact("weak_kept_debug_on", on["weak_true"]["kept"], "weak local receiver kept, DEBUG=True")
        s.fact("weak_kept_debug_off", off["weak_true"]["kept"], "weak local receiver kept, DEBUG=False")
        s.fact("kwargs_error_debug_on", on["connect"]["raised"], "connect() raised, DEBUG=True")
        s.fact("kwargs_error_debug_off", off["send"]["raised"], "send() raised, DEBUG=False")

    def kept(value: bool) -> str:
        return "kept" if value else "gone"

    lab.headline(
        f"A weak local receiver after gc.collect(): {kept(s.facts['weak_kept_debug_on'])} with DEBUG=True, "
        f"{kept(s.facts['weak_kept_debug_off'])} with DEBUG=False; two bound methods gave "
        f"{backends.facts['responses']} results, a shared dispatch_uid {shared.facts['responses']}",
        focus=s,
    )
