"""M6: an async view behind a hybrid middleware, served by uvicorn in a process of its own."""

import os
import re
import time
from pathlib import Path

import pytest

HYBRID = "sandbox.example_middleware.hybrid_middleware"
WORKER = re.compile(r"ThreadPoolExecutor-\d+_\d+")


_served = []


@pytest.fixture
def served(run_demo):
    """One default run (three stacks, DEBUG on in the server), shared by the tests that only read it.

    Each run starts a server process; the report is plain data, so one run serves every reading test.
    """
    if not _served:
        _served.append(run_demo("middleware.async"))
    return _served[0]


def test_a_real_uvicorn_serves_the_stacks_with_its_loop_on_the_main_thread(served):
    server = served.get("server")
    assert server.facts["server"].startswith("uvicorn ")
    assert server.facts["loop_thread"] == "MainThread"
    assert server.facts["requests"] == 3
    step = served.get("hybrid")
    assert step.response_headers["server"] == "uvicorn"  # the headers are the ones on the wire
    assert re.fullmatch(r"127\.0\.0\.1:\d+", step.request_headers["Host"])
    assert step.facts["round_trip_ms"] > 0


def test_hybrid_alone_runs_async_on_the_event_loop_with_no_adaptation(served):
    step = served.get("hybrid")
    assert step.facts["hybrid_mode"] == "async"
    assert step.facts["adaptations"] == "none"
    assert step.facts["view_thread"] == "MainThread"
    (note,) = [e.note for e in step.trace if e.layer == "hybrid_middleware" and e.phase == "in"]
    assert note == "async · thread MainThread"


def test_a_sync_only_middleware_below_switches_the_hybrid_to_sync_in_a_worker_thread(served):
    step = served.get("sync_below")
    assert step.facts["hybrid_mode"] == "sync"
    assert step.facts["adaptations"] == "sync_only: sync; the async layer below is adapted with async_to_sync"
    assert WORKER.fullmatch(step.facts["sync_only_thread"])
    (hybrid,) = [e.note for e in step.trace if e.layer == "hybrid_middleware" and e.phase == "in"]
    # Both sync layers share the request's worker thread (ThreadSensitiveContext); the async view is back on the loop.
    assert hybrid == f"sync · thread {step.facts['sync_only_thread']}"
    assert step.facts["view_thread"] == "MainThread"


def test_middleware_mixin_causes_no_adaptation_but_its_hooks_hop_to_a_worker_thread(served):
    step = served.get("mixin_below")
    assert step.facts["hybrid_mode"] == "async"
    assert step.response_headers["X-Mixin"] == "async"
    assert step.facts["adaptations"] == "none"
    (call,) = [e.note for e in step.trace if e.layer == "MixinMiddleware" and e.phase == "in"]
    assert call == "async · thread MainThread"  # its __call__ runs on the loop ...
    assert WORKER.fullmatch(step.facts["mixin_thread"])  # ... its process_response through sync_to_async


def test_with_debug_on_in_the_server_django_logs_the_adaptation(served):
    assert (
        served.get("sync_below").facts["django_request_log"]
        == "Asynchronous handler adapted for middleware sandbox.example_middleware.sync_only."
    )
    assert served.get("hybrid").facts["django_request_log"] == "(no adaptation logged)"


def test_with_debug_off_django_logs_no_adaptation(run_demo):
    quiet = run_demo("middleware.async", debug=False, mixin_below=False).get("sync_below")
    assert quiet.facts["adaptations"].startswith("sync_only: sync")  # the decision is the same ...
    assert "not logged" in quiet.facts["django_request_log"]  # ... only the log line is missing
    assert quiet.code.startswith("MIDDLEWARE = [")


def test_the_server_step_shows_the_settings_the_server_process_ran_with(run_demo):
    lab = run_demo("middleware.async", debug=False, sync_below=False, mixin_below=False)
    assert lab.get("server").code == "DEBUG = False\nALLOWED_HOSTS = ['127.0.0.1']"
    assert [s.key for s in lab.steps] == ["server", "hybrid"]


def test_each_stack_step_shows_its_setting_and_the_request_sent(served):
    step = served.get("mixin_below")
    assert step.code == (
        "MIDDLEWARE = [\n    'sandbox.example_middleware.hybrid_middleware',\n"
        "    'sandbox.example_middleware.MixinMiddleware',\n]\n# GET /sandbox/middleware/async/"
    )


def test_the_headline_and_predictions_come_from_the_server(served):
    from lab import registry

    assert served.headline_text.startswith(
        "uvicorn ran the loop and the async view on MainThread; the hybrid ran async alone, "
        "sync above a sync-only middleware, async above a MiddlewareMixin class; sync code hopped to ThreadPoolExecutor-"
    )
    assert served.focus_key == "sync_below"
    mode, thread = registry.get("middleware.async").predictions
    assert mode.answer(served) == "sync"
    assert thread.answer(served) == "On the main thread, where uvicorn runs the event loop"


def test_the_server_is_stopped_when_the_run_runs_out_of_time(db):
    """A hosted classroom: the child server gets the run's remaining time and is killed past it."""
    import dataclasses

    from lab import registry
    from lab.runner import run_demo

    demo = dataclasses.replace(registry.get("middleware.async"), time_limit=0.05)
    started = time.perf_counter()
    recorder = run_demo(demo, {"sync_below": True, "mixin_below": True, "debug": True}, learner="0123456789abcdef")
    assert "time limit" in recorder.error
    assert time.perf_counter() - started < 3


def test_the_demo_has_a_time_limit_of_its_own_and_at_most_two_servers_per_worker():
    from demos.middleware_kit import CHILD_SLOTS
    from lab import registry

    assert registry.get("middleware.async").time_limit == 20
    assert CHILD_SLOTS._initial_value == 2


def test_djangos_own_async_client_agrees_with_the_lab_handler(settings):
    """The lab's handler mirrors Django's: the same modes through AsyncClient and settings.MIDDLEWARE."""
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    def mode(stack):
        settings.MIDDLEWARE = stack
        return async_to_sync(AsyncClient().get)("/sandbox/middleware/async/")["X-Hybrid-Mode"]

    assert mode([HYBRID]) == "async"
    assert mode([HYBRID, "sandbox.example_middleware.sync_only"]) == "sync"


def test_no_child_server_outlives_its_run(served):
    """Every run's uvicorn process has exited: nothing keeps listening, nothing is shared with the next run."""
    proc = Path("/proc")
    if not proc.is_dir():
        pytest.skip("needs /proc to list this process's children")
    me = str(os.getpid())
    children = []
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited while we looked
        if fields[1] == me and fields[0] != "Z":
            try:  # other tests start children of their own (Redis, Memcached): look only for the demo's server
                command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if "demos.middleware_asgi" in command:
                children.append(command)
    assert children == []


def test_through_async_to_sync_the_loop_runs_on_a_helper_thread_and_sync_layers_on_the_caller(db):
    """The lesson's note: outside a server, thread names describe async_to_sync, not a deployment."""
    import threading

    from asgiref.sync import async_to_sync

    from lab.handler import asend

    seen = {}

    def caller():
        response = async_to_sync(asend)([HYBRID, "sandbox.example_middleware.sync_only"], "/sandbox/middleware/async/")
        seen["sync_only"] = response["X-Sync-Only-Thread"]
        seen["view"] = response.content.decode().strip().rsplit(" ", 1)[-1]

    thread = threading.Thread(target=caller, name="the-caller")
    thread.start()
    thread.join(10)
    assert seen["sync_only"] == "the-caller"  # thread-sensitive sync code went back to the caller's thread
    assert seen["view"] not in {"the-caller", "MainThread"}  # the loop ran on a helper thread
