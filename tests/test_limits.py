"""One client must not freeze the classroom, and Redis going down must not turn runs into 500s (lab.limits).

The server-level proof (a real gunicorn with its threads, a lesson page timed while runs are
flooded) is in tests/test_classroom_server.py; these tests check each limit through the run view.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
import time

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from conftest import require
from lab import limits
from lab.services import free_port as _free_port
from lab.services import wait_for_port as _wait_for_port
from lab.testing import temporary_demo

HTMX = {"HTTP_HX_REQUEST": "true"}
RUN = "/demos/orm.explain-index/run/"


@pytest.fixture(autouse=True)
def _fresh_limits(settings):
    settings.LAB_RATE_LIMIT = 0
    limits.store.reset()
    yield
    limits.store.reset()


def test_the_site_wide_cap_answers_503_with_retry_after(seeded, settings):
    settings.LAB_SITE_RUNS = 1
    with limits.slot("lab:site-runs", 1, 10) as (taken, _):  # another learner's run, on another worker
        assert taken
        response = Client().post(RUN, **HTMX)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "The classroom is busy" in response.content.decode()
    assert Client().post(RUN, **HTMX).status_code == 200  # the slot is free again


def test_the_per_process_cap_answers_503_before_any_thread_is_spent_on_a_run(seeded, settings):
    settings.LAB_PROCESS_RUNS = 1
    with limits.process_slot() as taken:
        assert taken
        response = Client().post(RUN, **HTMX)
    assert response.status_code == 503
    assert "This server is busy" in response.content.decode()
    assert int(response["Retry-After"]) > 0


def test_runs_at_once_from_one_address_are_capped_with_a_429(seeded, settings):
    settings.LAB_RUNS_PER_ADDRESS = 2
    with (
        limits.slot("lab:address-runs:10.0.0.9", 2, 10) as (one, _),
        limits.slot("lab:address-runs:10.0.0.9", 2, 10) as (two, _),
    ):
        assert one and two
        response = Client(REMOTE_ADDR="10.0.0.9").post(RUN, **HTMX)
        assert Client(REMOTE_ADDR="10.0.0.10").post(RUN, **HTMX).status_code == 200  # another address runs
    assert response.status_code == 429
    assert response["Retry-After"] == "5"
    assert "from your network" in response.content.decode()


def test_the_rate_limit_says_when_to_retry(seeded, settings):
    settings.LAB_RATE_LIMIT = 1
    client = Client()
    assert client.post(RUN, **HTMX).status_code == 200
    response = client.post(RUN, **HTMX)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60


def test_a_refused_run_without_javascript_is_the_lesson_page_with_the_message_and_retry_after(seeded, settings):
    settings.LAB_SITE_RUNS = 1
    with limits.slot("lab:site-runs", 1, 10):
        response = Client().post(RUN, {"lesson": "orm/seeing-the-sql"})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "<html" in response.content.decode() and "The classroom is busy" in response.content.decode()


def test_a_refused_run_gives_back_the_slots_it_took(seeded, settings):
    settings.LAB_SITE_RUNS = 3
    client = Client()
    with limits.one_run_at_a_time("feedfacefeedface", 10):
        pass
    assert client.post(RUN, **HTMX).status_code == 200
    learner = client.session["lab_learner"]
    with limits.one_run_at_a_time(learner, 10):
        assert client.post(RUN, **HTMX).status_code == 429  # refused last, after the site slot was taken
    assert [key for key in caches["default"]._cache if "site-runs" in key] == []


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("10.1.1.1", "203.0.113.7", "10.1.1.1"),  # not a trusted proxy: its header is ignored
        ("127.0.0.1", "203.0.113.7", "203.0.113.7"),
        ("127.0.0.1", "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # only the proxy's own entry counts
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
        ("127.0.0.1", "", "127.0.0.1"),
        ("127.0.0.1", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_comes_from_a_trusted_proxy_only(rf, settings, remote, forwarded, expected):
    settings.LAB_TRUSTED_PROXIES = ["127.0.0.1"]
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert limits.client_address(request) == expected


# -- the shared cache fails ------------------------------------------------------------------------


def redis_default(url: str):
    return override_settings(
        CACHES={
            **__import__("django.conf").conf.settings.CACHES,
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            },
        }
    )


def test_with_redis_unreachable_a_run_is_limited_per_process_says_so_and_logs_a_warning(seeded, settings, caplog):
    settings.LAB_RATE_LIMIT = 2
    with redis_default(f"redis://127.0.0.1:{_free_port()}/0"), caplog.at_level(logging.WARNING, "lab.limits"):
        client = Client()
        first = client.post(RUN, **HTMX)
        codes = [first.status_code] + [client.post(RUN, **HTMX).status_code for _ in range(2)]
    assert codes == [200, 200, 429]  # the rate limit still holds, in this process
    assert "shared limits are off" in first.content.decode()
    warnings = [r for r in caplog.records if r.name == "lab.limits"]
    assert len(warnings) == 1 and "per process" in warnings[0].getMessage()


@pytest.fixture
def own_redis():
    """A redis-server of this test's own, which the test may kill and start again."""
    binary = shutil.which("redis-server")
    require(binary is not None, "redis-server is not installed")
    port = _free_port()
    procs: list[subprocess.Popen] = []

    def start() -> None:
        cmd = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        _wait_for_port(port, procs[-1])

    def kill() -> None:
        procs[-1].kill()
        procs[-1].wait(timeout=10)

    start()
    yield f"redis://127.0.0.1:{port}/0", start, kill
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


@pytest.mark.redis
def test_redis_killed_during_a_run_the_run_ends_with_its_report_and_the_next_runs_go_on(transactional_db, own_redis):
    url, start, kill = own_redis
    started, finish = threading.Event(), threading.Event()

    def waits_for_the_fault(lab, data):
        with lab.section("Wait while Redis dies", key="wait") as step:
            started.set()
            finish.wait(timeout=20)
            step.fact("finished", True)

    responses: list = []
    with redis_default(url), temporary_demo("test.redis-dies", waits_for_the_fault) as demo:
        client = Client()
        thread = threading.Thread(target=lambda: responses.append(client.post(f"/demos/{demo.slug}/run/", **HTMX)))
        thread.start()
        assert started.wait(timeout=20)
        assert any(key.startswith(b":1:lab:running:") for key in _redis_keys(url))  # its slot is in Redis
        kill()
        finish.set()
        thread.join(timeout=30)
        assert responses[0].status_code == 200
        assert 'data-report-for="test.redis-dies"' in responses[0].content.decode()

        finish.set()
        during = client.post(f"/demos/{demo.slug}/run/", **HTMX)
        assert during.status_code == 200
        assert "shared limits are off" in during.content.decode()

        start()  # Redis is back: after the fallback period the limits are shared again
        limits.store.failed_until = 0
        after = client.post(f"/demos/{demo.slug}/run/", **HTMX)
        assert after.status_code == 200
        assert "shared limits are off" not in after.content.decode()


def _redis_keys(url: str) -> list[bytes]:
    import redis

    return redis.Redis.from_url(url).keys("*")


@pytest.mark.redis
def test_a_hung_redis_costs_a_run_at_most_its_socket_timeout_then_nothing(seeded, own_redis):
    url, _, _ = own_redis
    proc_pid = int(
        subprocess.check_output(["redis-cli", "-u", url, "info", "server"], text=True)
        .split("process_id:")[1]
        .split()[0]
    )
    import os
    import signal

    os.kill(proc_pid, signal.SIGSTOP)  # hung, not dead: connections open, nothing answers
    try:
        with redis_default(url):
            client = Client()
            started = time.perf_counter()
            first = client.post(RUN, **HTMX)
            first_s = time.perf_counter() - started
            started = time.perf_counter()
            second = client.post(RUN, **HTMX)
            second_s = time.perf_counter() - started
    finally:
        os.kill(proc_pid, signal.SIGCONT)
    assert first.status_code == second.status_code == 200
    assert "shared limits are off" in second.content.decode()
    assert first_s < 3 and second_s < 1.5, (first_s, second_s)


def test_an_address_that_used_its_minute_of_run_time_waits_for_the_next(seeded, settings):
    settings.LAB_RUN_SECONDS_PER_ADDRESS = 2
    now = time.time()
    limits.charge_run_time("10.0.0.20", now, 1.5)
    assert Client(REMOTE_ADDR="10.0.0.20").post(RUN, **HTMX).status_code == 200  # 1.5 s of 2 used: runs
    limits.charge_run_time("10.0.0.20", now, 1.0)
    refused = Client(REMOTE_ADDR="10.0.0.20").post(RUN, **HTMX)
    assert refused.status_code == 429 and "this minute&#x27;s run time" in refused.content.decode()
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert Client(REMOTE_ADDR="10.0.0.21").post(RUN, **HTMX).status_code == 200  # other addresses run


def test_a_run_is_charged_its_wall_time(seeded, settings):
    settings.LAB_RUN_SECONDS_PER_ADDRESS = 60

    def slow(lab, data):
        with lab.section("Sleep", key="sleep"):
            time.sleep(0.2)

    with temporary_demo("test.slow", slow):
        assert Client(REMOTE_ADDR="10.0.0.22").post("/demos/test.slow/run/", **HTMX).status_code == 200
    spent = caches["default"].get(f"lab:run-ms:10.0.0.22:{int(time.time() // 60)}")
    assert 200 <= spent < 2000


def test_a_short_queue_waits_for_this_process_s_run_slot(seeded, settings):
    settings.LAB_PROCESS_RUNS = 1
    settings.LAB_RUN_QUEUE_SECONDS = 5
    release = threading.Event()

    def holder():
        with limits.process_slot():
            release.wait(timeout=10)

    thread = threading.Thread(target=holder)
    thread.start()
    time.sleep(0.1)
    threading.Timer(0.3, release.set).start()
    started = time.perf_counter()
    response = Client().post(RUN, **HTMX)
    thread.join()
    assert response.status_code == 200
    assert 0.2 < time.perf_counter() - started < 5
