"""Backends: availability, where an entry lives, timeout=0, the timing lab, and real Redis and Memcached.

Redis and Memcached tests start private servers (conftest fixtures): locally
they skip without the binaries, with CI=true they fail instead.
"""

import re
import socket

import pytest
from django.test import override_settings

from lab import registry
from lab.backends import availability
from lab.learners import as_learner
from sandbox.models import OrderItem

LEARNER_KEY = "learner-0123456789abcdef::1:{}"


def test_the_timing_lab_misses_once_then_serves_the_page_from_the_cache(run_demo):
    lab = run_demo("caching.timing-lab", trials=3)
    assert lab.get("uncached").facts["order_items"] == OrderItem.objects.count()
    first, second = lab.get("first_cached"), lab.get("second_cached")
    assert first.facts["view_ran"] == 1 and first.facts["keys_stored"] == 2
    assert first.facts["page_bytes"] > 0 and first.facts["stored_for"] == 300
    assert "max-age=300" in first.response_headers["Cache-Control"]
    assert second.facts["view_ran"] == 0 and second.facts["queries"] == 0
    assert second.facts["age"] is not None


def test_the_timing_lab_reports_medians_and_the_speedup_they_give_as_its_headline(run_demo):
    lab = run_demo("caching.timing-lab", trials=5)
    step = lab.get("trials")
    slow, fast = step.series
    assert len(slow.samples) == len(fast.samples) == 5
    assert step.facts["speedup"] == round(slow.median / fast.median, 1)
    assert step.facts["served_from_cache"] == 5  # every cached trial carried Age
    link = next(f for f in step.figures if f.label == "Open the same request in your browser")
    assert 'href="/sandbox/caching/report/?cached=1&amp;backend=locmem"' in link.html
    ratio = step.facts["speedup"]
    shown = f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.1f}×" if ratio >= 1 else f"{1 / ratio:.1f}× slower"
    assert shown in lab.headline_text and lab.focus_key == "trials"


def test_the_timing_lab_predictions_are_graded_from_the_run(run_demo):
    lab = run_demo("caching.timing-lab", trials=3)
    again, speed = registry.get("caching.timing-lab").predictions
    assert again.grade(lab, "no") == (True, "no")  # the second request was a hit
    ratio = lab.get("trials").facts["speedup"]
    band = "less than 2×" if ratio < 2 else "2× to 20×" if ratio <= 20 else "more than 20×"
    assert speed.grade(lab, band) == (True, band)


@pytest.mark.parametrize("trials", [2, 21, "many"])
def test_the_timing_lab_rejects_trials_outside_3_to_20(trials, db):
    form = registry.get("caching.timing-lab").form({"backend": "locmem", "trials": trials})
    assert not form.is_valid() and "trials" in form.errors


def test_an_unconfigured_backend_is_reported_with_how_to_start_it(run_demo, settings):
    settings.CACHES = {k: v for k, v in settings.CACHES.items() if k != "redis"}
    lab = run_demo("caching.timing-lab", backend="redis", trials=3)
    step = lab.get("backend")
    assert step.facts["available"] is False
    assert step.facts["why_not"] == "REDIS_URL is not set"
    assert "sudo apt-get install redis-server memcached" in step.facts["how"] and "make run" in step.facts["how"]
    assert len(lab.steps) == 1
    assert lab.headline_text == "Redis is unavailable here: REDIS_URL is not set"
    assert [p.answer(lab) for p in registry.get("caching.timing-lab").predictions] == ["", ""]


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

    step = run_demo("caching.backends").get("missing_table")
    expected = {"sqlite": "OperationalError", "postgresql": "ProgrammingError"}[connection.vendor]
    assert step.error_type == expected
    assert "lab_missing_table" in step.error


def test_the_backend_switcher_shows_the_db_row_and_the_djcache_file(run_demo):
    facts = run_demo("caching.backends").get("where").facts
    assert facts["db_key"] == LEARNER_KEY.format("where")
    assert facts["db_where"].startswith("a row of the table lab_cache_table (expires ")
    assert re.fullmatch(
        r"the file [0-9a-f]{32}\.djcache \(\d+ bytes\) in the cache folder \(LOCATION\)", facts["file_where"]
    )


def test_the_key_is_the_same_string_on_every_backend(run_demo):
    facts = run_demo("caching.backends").get("where").facts
    assert {facts[f"{alias}_key"] for alias in ("locmem", "file", "db")} == {LEARNER_KEY.format("where")}


def test_timeout_zero_writes_an_expired_entry_that_the_next_get_misses_and_deletes(run_demo):
    """Issue 14.2: not "stores nothing". Local memory, the .djcache file and the db row are written first."""
    facts = run_demo("caching.backends").get("timeout_zero").facts
    for alias in ("locmem", "file", "db"):
        assert facts[f"{alias}_written"] is True, alias
        assert facts[f"{alias}_get"] is None, alias
        assert facts[f"{alias}_left"] is False, alias


def test_the_db_row_of_timeout_zero_is_an_insert_then_a_select_and_a_delete_in_the_report(run_demo):
    step = run_demo("caching.backends").get("timeout_zero")
    verbs = [q.sql.split()[0].upper() for q in step.queries]
    assert "INSERT" in verbs and "DELETE" in verbs and verbs.index("INSERT") < verbs.index("DELETE")


def test_the_backends_default_run_is_fast_and_its_headline_names_the_fastest_and_slowest(run_demo):
    lab = run_demo("caching.backends")
    timings = lab.get("timings")
    assert [len(s.samples) for s in timings.series] == [20] * len(timings.series)
    medians = {s.label: s.median for s in timings.series}
    fastest, slowest = min(medians, key=medians.get), max(medians, key=medians.get)
    assert (
        lab.headline_text.startswith(f"{fastest} answers a set + get in ") and f", {slowest} in " in lab.headline_text
    )
    assert lab.focus_key == "timings"
    fast, zero = registry.get("caching.backends").predictions
    assert fast.answer(lab) == fastest and zero.answer(lab) == "yes"
    assert lab.cpu_ms < 3000  # about a second on a busy machine: the default must stay light


@pytest.mark.parametrize(("ops", "ok"), [(19, False), (20, True), (1000, True), (1001, False), (2000, False)])
def test_the_heavy_setting_is_opt_in_and_bounded(ops, ok, db):
    form = registry.get("caching.backends").form({"ops": ops})
    assert form.is_valid() is ok
    assert registry.get("caching.backends").form().fields["ops"].initial == 100


# -- real Redis ----------------------------------------------------------------------


@pytest.mark.redis
def test_on_redis_incr_is_atomic_and_get_many_is_one_call(run_demo, lab_redis):
    lab = run_demo("caching.api", backend=lab_redis)
    assert lab.get("backend").facts["available"] is True
    assert lab.get("threads").facts["count"] == 200
    step = lab.get("many_at_once")
    assert step.facts["got"] == {"a": 1, "b": 2}
    assert [op.op for op in step.cache_ops] == ["set_many", "get_many"]  # one MGET, no get() per key
    assert lab.get("incr_missing").error_type == "ValueError"
    assert lab.get("versions").facts["v3_after"] == "v2 value"


def test_on_local_memory_get_many_is_a_get_per_key(run_demo):
    step = run_demo("caching.api").get("many_at_once")
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
    assert timing.get("second_cached").facts["view_ran"] == 0
    stampede = run_demo("caching.stampede", backend=lab_redis, threads=8)
    assert stampede.get("get_or_set").facts["computed"] == 8
    assert stampede.get("add_lock").facts["computed"] == 1


# -- real Memcached ---------------------------------------------------------------------


@pytest.mark.memcached
def test_on_memcached_bad_keys_are_errors_not_warnings(run_demo, lab_memcached):
    lab = run_demo("caching.api", backend=lab_memcached)
    assert lab.get("space_key").error_type == "InvalidCacheKey"
    assert lab.get("long_key").error_type == "InvalidCacheKey"


@pytest.mark.memcached
def test_on_memcached_incr_is_native_and_atomic(run_demo, lab_memcached):
    lab = run_demo("caching.api", backend=lab_memcached)
    assert lab.get("threads").facts["count"] == 200
    assert lab.get("incr_missing").error_type == "ValueError"
    assert lab.get("count_up_and_down").facts["decr"] == 0  # memcached counters stop at 0
    step = lab.get("many_at_once")
    assert step.facts["failed"] == []
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


@pytest.mark.memcached
def test_the_timing_lab_and_the_stampede_run_on_memcached(run_demo, lab_memcached, transactional_db):
    timing = run_demo("caching.timing-lab", backend=lab_memcached, trials=3)
    assert timing.get("second_cached").facts["view_ran"] == 0
    stampede = run_demo("caching.stampede", backend=lab_memcached, threads=8)
    assert stampede.get("get_or_set").facts["computed"] == 8
    assert stampede.get("add_lock").facts["computed"] == 1


@pytest.fixture(params=["redis", "memcached"])
def real_server(request):
    """The lab alias of a real Redis, then a real Memcached (private servers started by the conftest fixtures)."""
    return request.getfixturevalue(f"lab_{request.param}")


def test_the_api_facts_hold_on_real_redis_and_memcached(run_demo, real_server):
    lab = run_demo("caching.api", backend=real_server)
    assert lab.get("zero_get").facts["value"] is None
    assert lab.get("add_twice").facts["second_add"] is False
    none = lab.get("none_or_miss").facts
    assert none["nothing_is_missing"] is False and none["missing_is_missing"] is True
    versions = lab.get("versions").facts
    assert versions["v2_after"] is None and versions["v3_after"] == "v2 value"
    assert lab.get("keep_forever").facts["touch_missing"] is False
    assert lab.get("other_learner").facts["value"] is None
    assert "clear" not in {op.op for op in lab.cache_ops}


def test_timeout_zero_on_real_servers_redis_deletes_and_memcached_hides(run_demo, lab_redis, lab_memcached):
    """Redis: Django sends DEL instead of storing; Memcached: an item that expired at once is just a miss."""
    facts = run_demo("caching.backends").get("timeout_zero").facts
    assert (facts["redis_written"], facts["redis_get"], facts["redis_left"]) == (False, None, False)
    assert (facts["memcached_written"], facts["memcached_get"]) == (None, None)
    step = run_demo("caching.api", backend="redis").get("zero_set")
    assert step.facts["written"] is False and step.facts["written_text"] == "no"
