"""Backends: availability, the timing lab, and behaviour that differs on real Redis and Memcached.

Redis and Memcached tests start private servers (conftest fixtures): locally
they skip without the binaries, with CI=true they fail instead.
"""

import re
import socket

import pytest
from django.test import override_settings

from lab.backends import availability
from lab.learners import as_learner
from sandbox.models import OrderItem


def test_the_timing_lab_misses_once_then_serves_the_page_from_the_cache(run_demo):
    lab = run_demo("caching.timing-lab", trials=3)
    assert lab.get("One uncached request").facts["order items the report aggregates"] == OrderItem.objects.count()
    first = lab.get("First cached request: a miss, so the view runs and the page is stored")
    second = lab.get("Second cached request: a hit, served without running the view")
    assert first.facts["view ran"] == 1 and first.facts["keys stored"] == 2
    assert first.facts["page bytes (pickled)"] > 0
    assert "max-age=300" in first.response_headers["Cache-Control"]
    assert second.facts["view ran"] == 0 and second.facts["queries"] == 0
    assert second.facts["Age"] is not None


def test_the_timing_lab_reports_medians_and_the_speedup_they_give(run_demo):
    step = run_demo("caching.timing-lab", trials=5).get("5 trials each")
    slow, fast = step.series
    assert len(slow.samples) == len(fast.samples) == 5
    assert step.facts["speedup (uncached median / cached median)"] == round(slow.median / fast.median, 1)
    assert step.facts["cache hits"] == 10 and step.facts["cache misses"] == 0  # header list + page, per request
    link = next(f for f in step.figures if f.label == "Open the same request in your browser")
    assert 'href="/sandbox/caching/report/?cached=1&amp;backend=locmem"' in link.html


@pytest.mark.parametrize("trials", [2, 51, "many"])
def test_the_timing_lab_rejects_trials_outside_3_to_50(trials, db):
    from lab import registry

    form = registry.get("caching.timing-lab").form({"backend": "locmem", "trials": trials})
    assert not form.is_valid() and "trials" in form.errors


def test_an_unconfigured_backend_is_reported_with_how_to_start_it(run_demo, settings):
    settings.CACHES = {k: v for k, v in settings.CACHES.items() if k != "redis"}
    lab = run_demo("caching.timing-lab", backend="redis", trials=3)
    step = lab.get("Backend: redis")
    assert step.facts["available"] is False
    assert "REDIS_URL is not set" in step.log[0] and "redis-server" in step.log[0]
    assert len(lab.steps) == 1


def test_an_unreachable_server_is_reported_quickly_not_raised(settings, db):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    caches = {
        **settings.CACHES,
        "memcached": {"BACKEND": "lab.caches.PyMemcacheCache", "LOCATION": f"127.0.0.1:{port}"},
    }
    with override_settings(CACHES=caches):
        status = availability()["memcached"]
    assert status.available is False
    assert "not reachable" in status.why
    assert status.how == f"start memcached at its configured LOCATION (127.0.0.1:{port}) (see the Backends lesson)"


def test_the_report_page_refuses_an_unavailable_backend_with_a_400(client, seeded, settings):
    settings.CACHES = {k: v for k, v in settings.CACHES.items() if k != "memcached"}
    response = client.get("/sandbox/caching/report/?cached=1&backend=memcached")
    assert response.status_code == 400
    assert b"The 'memcached' cache is not configured: set MEMCACHED_LOCATION" in response.content


def test_the_report_page_is_cached_per_browser_session(client, seeded):
    first = client.get("/sandbox/caching/report/?cached=1&backend=locmem")
    second = client.get("/sandbox/caching/report/?cached=1&backend=locmem")
    assert first.status_code == second.status_code == 200
    assert "Age" in second.headers and b"Revenue per publisher" in second.content


def test_database_cache_before_createcachetable_raises_the_databases_error(run_demo):
    from django.db import connection

    lab = run_demo("caching.backends", ops=100)
    step = lab.get("DatabaseCache before createcachetable")
    expected = {"sqlite": "OperationalError", "postgresql": "ProgrammingError"}[connection.vendor]
    assert step.error_type == expected
    assert "lab_missing_table" in step.error


def test_the_backend_switcher_shows_the_db_row_and_the_djcache_file(run_demo):
    step = run_demo("caching.backends", ops=100).get("Where one entry lives")
    assert step.facts["db key"] == "learner-0123456789abcdef::1:where"
    assert step.tables[0].rows[0][0] == "learner-0123456789abcdef::1:where"
    assert step.facts["file file"].split()[0].endswith(".djcache")


# -- real Redis ----------------------------------------------------------------------


@pytest.mark.redis
def test_on_redis_incr_is_atomic_and_get_many_is_one_call(run_demo, lab_redis):
    lab = run_demo("caching.api", backend=lab_redis)
    assert lab.get("Backend: redis").facts["available"] is True
    assert lab.get("8 threads × 25 incr() at once").facts["get('bump')"] == 200
    step = lab.get("set_many() and get_many()")
    assert step.facts["get_many()"] == {"a": 1, "b": 2}
    assert [op.op for op in step.cache_ops] == ["set_many", "get_many"]  # one MGET, no get() per key
    assert lab.get("incr() on a missing key").error_type == "ValueError"
    assert lab.get("Versions").facts["get('ver', version=3) after"] == "v2 value"


def test_on_local_memory_get_many_is_a_get_per_key(run_demo):
    step = run_demo("caching.api").get("set_many() and get_many()")
    assert [op.op for op in step.cache_ops if op.depth == 1].count("get") == 3


@pytest.mark.redis
def test_on_redis_two_learners_cannot_read_each_others_entries(lab_redis):
    from django.core.cache import caches

    cache = caches[lab_redis]
    with as_learner("ann"):
        cache.set("k", "ann's")
    with as_learner("bob"):
        assert cache.get("k") is None
        cache.delete("k")
    with as_learner("ann"):
        assert cache.get("k") == "ann's"


@pytest.mark.redis
def test_the_timing_lab_and_the_stampede_run_on_redis(run_demo, lab_redis, transactional_db):
    timing = run_demo("caching.timing-lab", backend=lab_redis, trials=3)
    assert timing.get("Second cached request: a hit, served without running the view").facts["view ran"] == 0
    stampede = run_demo("caching.stampede", backend=lab_redis, threads=8)
    assert stampede.get("8 threads, get_or_set").facts["expensive() ran"] == 8
    assert stampede.get("8 threads, add() lock").facts["expensive() ran"] == 1


# -- real Memcached ---------------------------------------------------------------------


@pytest.mark.memcached
def test_on_memcached_bad_keys_are_errors_not_warnings(run_demo, lab_memcached):
    lab = run_demo("caching.api", backend=lab_memcached)
    assert lab.get("A key with a space").error_type == "InvalidCacheKey"
    assert lab.get("A key longer than 250 characters").error_type == "InvalidCacheKey"


@pytest.mark.memcached
def test_on_memcached_incr_is_native_and_atomic(run_demo, lab_memcached):
    lab = run_demo("caching.api", backend=lab_memcached)
    assert lab.get("8 threads × 25 incr() at once").facts["get('bump')"] == 200
    assert lab.get("incr() on a missing key").error_type == "ValueError"
    assert lab.get("incr() and decr()").facts["decr('counter', 5)"] == 0  # memcached counters stop at 0
    step = lab.get("set_many() and get_many()")
    assert step.facts["set_many() returned (keys that failed)"] == []
    assert [op.op for op in step.cache_ops] == ["set_many", "get_many"]


def test_the_browser_link_misses_once_for_another_host_then_hits(client, seeded, settings):
    settings.LAB_RATE_LIMIT = 0
    url = "/sandbox/caching/report/?cached=1&backend=locmem"
    run = client.post("/demos/caching.timing-lab/run/", {"backend": "locmem", "trials": "3"}, HTTP_HX_REQUEST="true")
    assert run.status_code == 200
    assert "Age" in client.get(url).headers  # the lab's own host: the page the demo cached
    assert "Age" not in client.get(url, HTTP_HOST="localhost").headers  # a browser's host: another key
    assert "Age" in client.get(url, HTTP_HOST="localhost").headers  # the reload


def test_a_log_timing_chart_drops_ticks_below_the_fastest_trial():
    from lab.recorder import Series
    from lab.render import strip_chart

    svg = strip_chart([Series("locmem", [0.008, 0.009]), Series("db", [1.5, 2.0])])
    ticks = re.findall(r'class="chart-tick">([^<]+)<', svg)
    assert ticks == ["0.01", "0.1", "1", "ms (log)"]  # no 0.001 drawn on top of 0.01 at the left edge


def test_the_key_is_the_same_string_on_every_backend(run_demo):
    facts = run_demo("caching.backends", ops=100).get("Where one entry lives").facts
    keys = {facts[f"{alias} key"] for alias in ("locmem", "file", "db")}
    assert keys == {"learner-0123456789abcdef::1:where"}


@pytest.mark.memcached
def test_the_timing_lab_and_the_stampede_run_on_memcached(run_demo, lab_memcached, transactional_db):
    timing = run_demo("caching.timing-lab", backend=lab_memcached, trials=3)
    assert timing.get("Second cached request: a hit, served without running the view").facts["view ran"] == 0
    stampede = run_demo("caching.stampede", backend=lab_memcached, threads=8)
    assert stampede.get("8 threads, get_or_set").facts["expensive() ran"] == 8
    assert stampede.get("8 threads, add() lock").facts["expensive() ran"] == 1


@pytest.fixture(params=["redis", "memcached"])
def real_server(request):
    """The lab alias of a real Redis, then a real Memcached (private servers started by the conftest fixtures)."""
    return request.getfixturevalue(f"lab_{request.param}")


def test_the_api_facts_hold_on_real_redis_and_memcached(run_demo, real_server):
    lab = run_demo("caching.api", backend=real_server)
    assert lab.get("timeout=0 stores nothing").facts["get('zero')"] is None
    assert lab.get("add() only stores a new key").facts["second add"] is False
    none = lab.get("A cached None looks like a miss").facts
    assert none["get('nothing', MISSING) is MISSING"] is False and none["get('missing', MISSING) is MISSING"] is True
    versions = lab.get("Versions").facts
    assert versions["get('ver', version=2) after"] is None and versions["get('ver', version=3) after"] == "v2 value"
    assert lab.get("timeout=None keeps it until evicted").facts["touch('missing', 120)"] is False
    assert lab.get("Another key prefix is another cache").facts["another prefix: get('my_key')"] is None
    assert "clear" not in {op.op for op in lab.cache_ops}
