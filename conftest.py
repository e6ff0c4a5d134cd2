"""Shared pytest fixtures: the canonical seed, running demos, real Redis and Memcached servers.

Services: tests that need Redis or Memcached start their own server on a free
loopback port. Without the binary they skip locally; with CI=true a missing
service is a failure, never a skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.test import override_settings

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, why: str) -> None:
    """Skip locally, fail in CI: a missing service must never pass silently there."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{why} (CI=true: a missing service is a failure, not a skip)")
    pytest.skip(why)


@pytest.fixture
def seeded(db) -> None:
    """The canonical seed: the numbers lessons assert."""
    from sandbox.seed import load_canonical

    load_canonical()


@pytest.fixture
def seeded_tx(transactional_db) -> None:
    """The canonical seed, committed: for tests whose threads open their own connections."""
    from sandbox.seed import load_canonical

    load_canonical()


@pytest.fixture
def run_demo(seeded, settings):
    """Run a demo the way the Run button does (form validation included) and return the recorder.

    lab = run_demo("orm.annotate-order", order="filter-first")
    assert lab.get("filter → annotate").facts["A"] == 2
    """
    from lab import registry
    from lab.runner import run_demo as _run

    settings.LAB_RATE_LIMIT = 0

    def runner(slug: str, learner: str = "0123456789abcdef", options: dict[str, Any] | None = None, **inputs: Any):
        demo = registry.get(slug)
        assert demo is not None, f"no demo {slug!r}"
        form = demo.form(demo.post_data(**inputs))
        assert form.is_valid(), form.errors.as_json()
        if options is None and "disabled_receivers" in inputs:  # the run view reads them from POST like this
            options = {"disabled_receivers": list(inputs["disabled_receivers"])}
        lab = _run(demo, form.cleaned_data, learner=learner, options=options)
        assert not lab.error, lab.error
        return lab

    return runner


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """A private redis-server on a free loopback port; yields its URL."""
    from lab.services import ServiceUnavailable, redis_server

    require(shutil.which("redis-server") is not None, "redis-server is not installed")
    try:
        with redis_server() as url:
            yield url
    except ServiceUnavailable as exc:
        require(False, f"redis-server did not start: {exc}")


@pytest.fixture(scope="session")
def memcached_server() -> Iterator[str]:
    """A private memcached on a free loopback port; yields its LOCATION."""
    from lab.services import ServiceUnavailable, memcached_server

    require(shutil.which("memcached") is not None, "memcached is not installed")
    try:
        with memcached_server() as location:
            yield location
    except ServiceUnavailable as exc:
        require(False, f"memcached did not start: {exc}")


@pytest.fixture
def lab_redis(redis_server, settings) -> Iterator[str]:
    """The redis cache alias pointed at the private Redis server."""
    with override_settings(
        CACHES={
            **settings.CACHES,
            "redis": {
                "BACKEND": "lab.caches.RedisCache",
                "LOCATION": redis_server,
                "KEY_FUNCTION": "lab.caches.learner_key",
            },
        }
    ):
        yield "redis"
        caches["redis"].clear()


@pytest.fixture
def lab_memcached(memcached_server, settings) -> Iterator[str]:
    """The memcached cache alias pointed at the private Memcached server."""
    with override_settings(
        CACHES={
            **settings.CACHES,
            "memcached": {
                "BACKEND": "lab.caches.PyMemcacheCache",
                "LOCATION": memcached_server,
                "KEY_FUNCTION": "lab.caches.learner_key",
                "OPTIONS": {"connect_timeout": 0.5, "timeout": 1},
            },
        }
    ):
        yield "memcached"
        caches["memcached"].clear()


@pytest.fixture(autouse=True)
def _lab_email_backend(settings) -> None:
    """pytest-django swaps in plain locmem mail; keep the lab's (a locmem subclass) so reports show emails."""
    if hasattr(settings, "MAILERS"):  # Django 6.1
        settings.MAILERS = {"default": {"BACKEND": "lab.mail.EmailBackend"}}
    else:
        settings.EMAIL_BACKEND = "lab.mail.EmailBackend"


@pytest.fixture(autouse=True)
def _fresh_local_caches() -> Iterator[None]:
    """Django does not clear caches between tests; the local-memory ones are cleared here."""
    yield
    from django.core.cache.backends.locmem import LocMemCache

    for alias in ("default", "locmem"):
        if isinstance(caches[alias], LocMemCache):  # never clear a shared server
            caches[alias].clear()
