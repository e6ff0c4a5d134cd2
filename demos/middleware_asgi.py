"""Middleware stacks served by a real ASGI server, observed in a process of its own (M6).

Which thread a layer runs on depends on who runs the event loop. Calling
Django's async handler through `async_to_sync` puts the loop on a helper
thread and sends thread-sensitive sync code back to the caller's thread;
under an ASGI server the loop is the server's, on its main thread, and each
request's sync code runs in a worker thread of its own (ThreadSensitiveContext).
So the async demo serves its stacks with uvicorn, in this module, run as a
fresh Python process for each run (middleware_kit.run_child):

    echo '{"stacks": [["sandbox.example_middleware.hybrid_middleware"]], "path": "/sandbox/middleware/async/",
           "settings": {"DEBUG": true, "ALLOWED_HOSTS": ["127.0.0.1"]}, "timeout": 8}' | python -m demos.middleware_asgi

uvicorn runs on the main thread and listens on a free loopback port; a client
thread sends one GET per stack over a real socket, switching the application
between requests. Each stack is a `LabASGIHandler` (Django's ASGIHandler with
the lab's traced layers), built in this process when its turn comes. The
process prints what happened as JSON and exits: nothing is shared with the
site or with another learner's run, and it stops itself past its time limit.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import sys
import threading
import time
from dataclasses import asdict
from typing import Any

HOST = "127.0.0.1"
AGENT = "django-lab (http.client)"


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    payload = json.loads(sys.stdin.read())
    # A last resort: the parent kills this process at its time limit, and this alarm does if the parent is gone.
    signal.alarm(max(1, int(payload.get("timeout", 10)) + 2))
    django.setup()

    from django.test.utils import override_settings

    with override_settings(**payload.get("settings", {})):
        print(json.dumps(serve(payload["stacks"], payload["path"], float(payload.get("timeout", 10)))))


def serve(stacks: list[list[str]], path: str, timeout: float) -> dict[str, Any]:
    import logging

    import uvicorn

    from lab.handler import LabASGIHandler
    from lab.logs import capture_logs
    from lab.recorder import Recorder, current, recording

    from .middleware_kit import request_text

    lab = Recorder()
    served: dict[str, Any] = {"handler": None, "loop_thread": ""}

    async def application(scope, receive, send):
        # The recorder is a ContextVar: set it in the request's task, so the layers' sync_to_async threads see it too.
        served["loop_thread"] = threading.current_thread().name
        token = current.set(lab)
        try:
            await served["handler"](scope, receive, send)
        finally:
            current.reset(token)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        application, lifespan="off", log_level="warning", access_log=False, loop="asyncio", http="h11", ws="none"
    )
    server = uvicorn.Server(config)
    results: list[dict[str, Any]] = []
    failure: list[str] = []
    started = time.perf_counter()
    ready_ms: list[float] = []

    def client() -> None:
        try:
            while not server.started:
                if time.perf_counter() - started > timeout:
                    raise TimeoutError("uvicorn did not start in time")
                time.sleep(0.005)
            ready_ms.append((time.perf_counter() - started) * 1000)
            with recording(lab):
                for stack in stacks:
                    with lab.section(",".join(stack)) as step:
                        with capture_logs("django.request", level=logging.DEBUG) as records:
                            served["handler"] = LabASGIHandler(stack)  # builds the chain, async, as ASGIHandler does
                        exchange = get(port, path, timeout)
                    exchange["trace"] = [asdict(e) for e in step.trace]
                    exchange["log"] = [r.getMessage() for r in records]
                    exchange["request_line"] = request_text("GET", path)
                    results.append(exchange)
        except Exception as exc:  # reported to the parent, which shows it as the run's error
            failure.append(f"{type(exc).__name__}: {exc}")
        finally:
            server.should_exit = True

    threading.Thread(target=client, name="lab-client", daemon=True).start()
    server.run(sockets=[sock])  # the event loop runs here, on the main thread, until the client is done
    return {
        "server": f"uvicorn {uvicorn.__version__}",
        "port": port,
        "loop_thread": served["loop_thread"],
        "ready_ms": ready_ms[0] if ready_ms else None,
        "results": results,
        "error": failure[0] if failure else "",
    }


def get(port: int, path: str, timeout: float) -> dict[str, Any]:
    """One GET over a real socket; the headers are the ones on the wire, both ways."""
    headers = {"Host": f"{HOST}:{port}", "Accept-Encoding": "identity", "User-Agent": AGENT}
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        return {
            "round_trip_ms": (time.perf_counter() - started) * 1000,
            "status": response.status,
            "reason": response.reason,
            "request_headers": headers,
            "response_headers": response.getheaders(),
            "body": body,
        }
    finally:
        connection.close()


if __name__ == "__main__":
    main()
