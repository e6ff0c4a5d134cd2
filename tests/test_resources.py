"""Abuse of shared resources: huge work, runaway runs, shared rate limits, redirects, headers, forged ids."""

from __future__ import annotations

import dataclasses
import re
import threading
import time

import pytest
from django import forms
from django.core import signing
from django.core.cache import caches
from django.test import Client

from lab import learners, limits, registry
from lab.runner import run_demo

from .test_isolation import LEARNER, cleaned, runs

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def lab(seeded_tx, settings, tmp_path):
    settings.LAB_RATE_LIMIT = 0
    settings.MEDIA_ROOT = tmp_path


def heaviest(demo: registry.Demo) -> dict:
    """The defaults with every bounded number at its maximum and the slowest loading strategy."""
    data = runs(demo)[0]
    for name, field in demo.form().fields.items():
        if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
            assert field.max_value is not None, f"{demo.slug}.{name} has no upper bound"
            data[name] = field.max_value
    for name, value in (("books", "large"), ("strategy", "naive")):
        if name in data:
            data[name] = value
    return data


def test_every_number_a_demo_takes_has_an_upper_bound_and_text_a_max_length(db):
    for demo in registry.all_demos():
        for name, field in demo.form().fields.items():
            if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
                assert field.max_value is not None, f"{demo.slug}.{name}"
            elif type(field) is forms.CharField:
                assert field.max_length is not None and field.max_length <= 400, f"{demo.slug}.{name}"


def test_the_time_limit_holds_for_every_demo_at_its_heaviest_inputs(lab):
    limit = 0.1
    over = []

    def seconds(demo: registry.Demo) -> float:
        capped = dataclasses.replace(demo, time_limit=limit)
        started = time.perf_counter()
        recorder = run_demo(capped, cleaned(demo, heaviest(demo)), learner=LEARNER)
        assert "failed unexpectedly" not in recorder.error, (demo.slug, recorder.error)
        return time.perf_counter() - started

    for demo in registry.all_demos():
        # One statement, cache call or benchmark round past the deadline at most; a second try
        # tells a busy test machine from a demo that keeps going.
        if seconds(demo) > limit + 0.8 and (elapsed := seconds(demo)) > limit + 0.8:
            over.append((demo.slug, round(elapsed, 2)))
    assert over == []


# -- the rate limit -----------------------------------------------------------------------------


@pytest.mark.redis
def test_the_rate_limit_is_shared_by_workers_through_redis(redis_server, settings):
    """Two workers are two cache clients on one Redis: their counts add up."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_server},
    }
    settings.LAB_RATE_LIMIT = 5
    learner, now = "feedfacecafebeef", time.time()
    caches["default"].delete(f"lab:rate:{learner}:{int(now // 60)}")
    results: list[bool] = []

    def worker():  # each thread gets its own cache client, as each worker process would
        results.extend(limits.allow_run(learner, now)[0] for _ in range(4))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 3 + [True] * 5


def test_classroom_deploy_check_warns_when_the_rate_limit_cache_is_per_process(settings):
    from lab.checks import shared_rate_limit

    settings.DEBUG = False
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in shared_rate_limit(None)] == ["lab.W001"]
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"},
    }
    assert shared_rate_limit(None) == []


# -- redirects, downloads, learner ids -----------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "http:evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        " //evil.example",
        "javascript:alert(1)",
        "https://testserver.evil.example/",
        "\x00//evil.example",
        "/%0d%0aSet-Cookie:%20x=1",
    ],
)
def test_reset_never_redirects_off_the_site(db, target):
    response = Client().post("/demos/reset/", {"next": target, "confirm": "yes"})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert "\r" not in location and "\n" not in location


def test_reset_goes_back_to_the_lesson_it_came_from(db):
    assert Client().post("/demos/reset/", {"next": "/orm/lazy/", "confirm": "yes"})["Location"] == "/orm/lazy/"


@pytest.mark.parametrize(
    "query", ["report=revenue&year=2024%0d%0aSet-Cookie:x", 'report=revenue";x=".csv', "report=revenue&year=2024.5"]
)
def test_the_csv_filename_cannot_carry_injected_headers(seeded, query):
    response = Client().get(f"/sandbox/orm/sales-report.csv?{query}")
    assert response.status_code == 400
    assert "Content-Disposition" not in response


def test_the_csv_filename_is_built_only_from_validated_values(seeded):
    response = Client().get("/sandbox/orm/sales-report.csv?report=revenue&year=2024")
    assert response.status_code == 200
    assert re.fullmatch(r'attachment; filename="sales-revenue-2024\.csv"', response["Content-Disposition"])


def test_a_tampered_session_cookie_gets_a_new_learner_not_the_one_it_names(seeded, settings):
    settings.LAB_RATE_LIMIT = 0
    victim = "aaaaaaaaaaaaaaaa"
    forged = signing.dumps({learners.SESSION_KEY: victim}, key="not-the-secret-key", compress=True)
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = forged
    response = client.post("/demos/orm.explain-index/run/", **HTMX)
    assert response.status_code == 200
    mine = signing.loads(
        response.cookies[settings.SESSION_COOKIE_NAME].value, salt="django.contrib.sessions.backends.signed_cookies"
    )
    assert re.fullmatch(r"[0-9a-f]{16}", mine[learners.SESSION_KEY])
    assert mine[learners.SESSION_KEY] != victim


@pytest.mark.parametrize("stored", ["../../etc", "aaaaaaaaaaaaaaaa:x", "*", "", 42, ["a"], "A" * 16, "a" * 17])
def test_a_learner_id_from_the_session_is_used_only_if_it_has_the_shape_the_site_makes(rf, stored):
    request = rf.get("/")
    request.session = {learners.SESSION_KEY: stored}
    learner = learners.learner_id(request)
    assert re.fullmatch(r"[0-9a-f]{16}", learner)
    assert learner != stored
    assert request.session[learners.SESSION_KEY] == learner


def test_dropping_the_session_cookie_is_no_way_around_the_rate_limit(seeded, settings):
    """Each cookie-less run mints a new learner (a fresh limit); new learners per address are capped too."""
    settings.LAB_RATE_LIMIT = 1
    settings.LAB_NEW_LEARNER_LIMIT = 3
    caches["default"].clear()
    codes = [Client().post("/demos/orm.explain-index/run/", **HTMX).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert other.post("/demos/orm.explain-index/run/", **HTMX).status_code == 200


def test_a_learner_with_a_session_is_not_counted_as_new(seeded, settings):
    settings.LAB_RATE_LIMIT = 10
    settings.LAB_NEW_LEARNER_LIMIT = 1
    caches["default"].clear()
    client = Client()
    assert [client.post("/demos/orm.explain-index/run/", **HTMX).status_code for _ in range(3)] == [200] * 3


def test_a_time_out_inside_an_inner_request_stops_the_demo_not_just_that_request(lab):
    """The deadline strikes inside a view the demo sent a request to: Django turns it into a 500 for
    that request, and the demo must still stop instead of timing 100 failing requests."""
    demo = dataclasses.replace(registry.get("caching.timing-lab"), time_limit=0.05)
    started = time.perf_counter()
    recorder = run_demo(demo, cleaned(demo, {"backend": "locmem", "trials": 20}), learner=LEARNER)
    assert "time limit" in recorder.error
    assert time.perf_counter() - started < 1.0


def test_a_learner_runs_one_demo_at_a_time(seeded, settings):
    """A second run while the first is still going is a 429, so one learner cannot occupy every worker."""
    settings.LAB_RATE_LIMIT = 0
    client = Client()
    assert client.post("/demos/orm.explain-index/run/", **HTMX).status_code == 200
    learner = client.session[learners.SESSION_KEY]
    with limits.one_run_at_a_time(learner, 10) as started:  # the "first run", still going
        assert started
        busy = client.post("/demos/orm.explain-index/run/", **HTMX)
        assert busy.status_code == 429
        assert "previous run is still going" in busy.content.decode()
        assert Client().post("/demos/orm.explain-index/run/", **HTMX).status_code == 200  # others are not held up
    assert client.post("/demos/orm.explain-index/run/", **HTMX).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "cached=1&backend=locmem&x=1",
        "cached=1&backend=locmem&backend=locmem",
        "backend=locmem&cached=1",
        "cached=1&backend=lab%2Dlocmem",
        "cached=%31&backend=locmem",
    ],
)
def test_the_cached_report_stores_one_page_per_backend_not_one_per_spelling(seeded, query):
    """cache_page keys on the full URL: any other spelling of the query would store another copy."""
    caches["locmem"].clear()
    assert Client().get(f"/sandbox/caching/report/?{query}").status_code == 400
    assert Client().get("/sandbox/caching/report/?cached=1&backend=locmem").status_code == 200
    assert len(caches["locmem"]._cache) == 2  # one page and its headers key


def test_the_propagate_scenario_gives_its_child_process_only_the_run_s_remaining_time(lab):
    demo = dataclasses.replace(registry.get("middleware.errors"), time_limit=0.1)
    started = time.perf_counter()
    recorder = run_demo(demo, cleaned(demo, {"scenario": "propagate", "layer": "A"}), learner=LEARNER)
    assert "time limit" in recorder.error
    assert time.perf_counter() - started < 5
