"""delete(), incr_version() and a version counter on the same stale prices (lesson 6)."""

import pytest

from lab import registry


@pytest.fixture
def versions(run_demo):
    return run_demo("caching.version-keys")


def test_delete_retires_only_the_keys_you_name(versions):
    assert versions.get("cut").result == 3  # one UPDATE, three books, no signal
    assert not versions.get("cut").signals
    facts = versions.get("after_delete").facts
    forgotten = versions.get("cache_prices").result
    assert facts == {"queries": 2, "stale": [list(forgotten)[2]]}


def test_incr_version_moves_the_old_value_instead_of_dropping_it(versions):
    step = versions.get("incr_version")
    old = list(versions.get("cache_prices").result.values())[2]
    assert (step.facts["current"], step.facts["moved"]) == (None, old)
    assert step.result > 0
    assert {"get", "set", "delete"} <= {op.op for op in step.cache_ops}  # a copy, then a delete
    assert versions.get("after_incr_version").facts == {"queries": 1, "stale": []}


def test_one_incr_of_the_version_counter_retires_every_price_key(versions):
    assert versions.get("counter").facts["ops"] == ["incr"]
    assert versions.get("after_counter").facts == {"queries": 3, "stale": []}
    assert versions.headline_text == (
        "delete() of 2 named keys left 1 of 3 prices stale; one incr() of the version re-read 3 of 3"
    )
    (prediction,) = registry.get("caching.version-keys").predictions
    assert prediction.grade(versions, "3") == (True, "3")


def test_prices_changed_survives_an_evicted_counter(db):
    from django.core.cache import caches

    from sandbox.teaching.caching_versions import PRICE_CACHE, PRICES_VERSION_KEY, prices_changed, prices_version

    caches[PRICE_CACHE].delete(PRICES_VERSION_KEY)
    prices_changed()  # no counter: nothing to bump, and no error
    first = prices_version()
    prices_changed()
    assert prices_version() == first + 1
