"""DEBUG_PROPAGATE_EXCEPTIONS, observed in a process of its own (M3).

The setting is global: every thread of a server reads it when an exception
reaches Django's handler. Switching it on inside the site would change other
learners' errors while it was on, so the errors demo runs this module in a
fresh Python process instead:

    python -m demos.middleware_propagate

It sends one request for the failing view through A, B and C with the setting
on, and prints what happened as JSON: the layers' log lines, the lab trace, and
the exception that escaped the handler.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

ABC = ["sandbox.example_middleware.A", "sandbox.example_middleware.B", "sandbox.example_middleware.C"]
PATH = "/sandbox/middleware/boom/"
ROOT = Path(__file__).resolve().parents[1]


def run_in_child(timeout: float = 30) -> dict[str, Any]:
    """Run this module in a new process and return what it reported."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings")}
    done = subprocess.run(
        [sys.executable, "-m", __name__],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()

    import logging

    from django.test import override_settings

    from lab.handler import send
    from lab.logs import capture_logs
    from lab.recorder import Recorder, recording

    lab = Recorder()
    escaped = ""
    with recording(lab), lab.step("child") as step, override_settings(DEBUG_PROPAGATE_EXCEPTIONS=True):
        with capture_logs("sandbox.onion", "django.request", level=logging.DEBUG) as records:
            try:
                response = send(ABC, PATH)
            except Exception as exc:  # the point of the setting: it reaches us
                escaped = f"{type(exc).__name__}: {exc}"
            else:
                escaped = f"(nothing: a {response.status_code} response came back)"
    print(
        json.dumps(
            {
                "log": [f"{r.name}: {r.getMessage()}" for r in records],
                "trace": [asdict(e) for e in step.trace],
                "escaped": escaped,
            }
        )
    )


if __name__ == "__main__":
    main()
