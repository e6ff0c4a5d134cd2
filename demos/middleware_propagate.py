"""DEBUG_PROPAGATE_EXCEPTIONS, observed in a process of its own (M3).

The setting is global: every thread of a server reads it when an exception
reaches Django's handler. Switching it on inside the site would change other
learners' errors while it was on, so the errors demo runs this module in a
fresh Python process instead (middleware_kit.run_child):

    echo '{"settings": {"DEBUG_PROPAGATE_EXCEPTIONS": true}}' | python -m demos.middleware_propagate

It applies the settings it is given, sends one request for the failing view
through A, B and C, and prints what happened as JSON: the request line, the
layers' log lines, the lab trace, and the exception that escaped the handler.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict

PATH = "/sandbox/middleware/boom/"
LOGGERS = ("sandbox.onion", "django.request")


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()

    import logging

    from django.test import override_settings

    from lab.handler import build_request, make_handler
    from lab.logs import capture_logs
    from lab.recorder import Recorder, recording

    from .middleware_kit import ABC, request_line

    payload = json.loads(sys.stdin.read() or "{}")
    lab = Recorder()
    escaped = ""
    request = build_request(PATH)
    with recording(lab), lab.section("child") as step, override_settings(**payload.get("settings", {})):
        with capture_logs(*LOGGERS, level=logging.DEBUG) as records:
            try:
                response = make_handler(ABC).get_response(request)
            except Exception as exc:  # the point of the setting: it reaches us
                escaped = f"{type(exc).__name__}: {exc}"
            else:
                escaped = f"(nothing: a {response.status_code} response came back)"
    print(
        json.dumps(
            {
                "request_line": request_line(request),
                "log": {name: [r.getMessage() for r in records if r.name == name] for name in LOGGERS},
                "trace": [asdict(e) for e in step.trace],
                "escaped": escaped,
            }
        )
    )


if __name__ == "__main__":
    main()
