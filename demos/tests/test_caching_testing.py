"""Lesson 8, testing cached code: real TestCases run in-process; each outcome the lesson states, asserted."""

import pytest

from lab import registry


@pytest.fixture
def testing(run_demo):
    return run_demo("caching.testing")


def test_a_cache_cleared_in_setup_lets_assert_num_queries_pin_the_hit(testing):
    facts = testing.get("with_clear").facts
    assert facts["summary"] == "2 passed"
    assert facts["test_the_second_call_runs_no_query"] == "passed"
    assert facts["test_a_new_book_shows_once_the_count_is_forgotten"] == "passed"


def test_without_a_clear_per_test_the_second_test_finds_the_first_ones_entry(testing):
    facts = testing.get("without_clear").facts
    assert (facts["test_1_fills_the_cache"], facts["test_2_expects_a_miss"]) == ("passed", "failed")
    assert facts["test_2_expects_a_miss_message"] == "0 != 1 : 0 queries executed, 1 expected"
    assert testing.headline_text == (
        "With clear() in setUp: 2 passed; without it: 1 passed, 1 failed "
        "(test_2: 0 != 1 : 0 queries executed, 1 expected)"
    )
    (prediction,) = registry.get("caching.testing").predictions
    assert prediction.grade(testing, "no") == (True, "no")


def test_the_dummy_cache_makes_every_call_a_miss(testing):
    assert testing.get("dummy").facts == {"summary": "1 passed", "test_every_call_queries": "passed"}


def test_cache_page_headers_are_testable_with_the_test_client(testing):
    facts = testing.get("page").facts
    assert facts == {"summary": "1 passed", "test_the_second_response_comes_from_the_cache": "passed"}


def test_the_tests_fail_against_code_that_caches_nothing(testing, monkeypatch):
    """The tests can fail: with the cache taken out of book_count, the hit test does."""
    from lab.testrun import run_tests
    from sandbox.models import Book
    from sandbox.teaching import caching_testing

    monkeypatch.setattr(caching_testing, "book_count", Book.objects.count)
    run = run_tests(caching_testing.BookCountTests)
    assert run.get("test_the_second_call_runs_no_query").status == "failed"


def test_the_page_test_fails_when_the_page_is_not_cached(db, monkeypatch):
    from django.test import override_settings

    from lab.testrun import run_tests
    from sandbox.teaching.caching_testing import CachedPageTests

    dummy = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    from django.conf import settings

    with override_settings(CACHES={**settings.CACHES, "locmem": dummy}):
        run = run_tests(CachedPageTests)
    assert run.get("test_the_second_response_comes_from_the_cache").status == "failed"


def test_running_the_demo_twice_gives_the_same_outcomes(run_demo):
    first, second = run_demo("caching.testing"), run_demo("caching.testing")
    assert [s.facts for s in first.steps] == [s.facts for s in second.steps]


def test_overriding_caches_with_one_alias_takes_the_others_away(db):
    """Why the lesson's tests keep {**settings.CACHES, ...}: the override replaces the whole setting."""
    from django.core.cache import caches
    from django.core.cache.backends.base import InvalidCacheBackendError
    from django.test import override_settings

    from sandbox.teaching.caching_testing import LOCMEM, with_catalogue

    with override_settings(CACHES={"catalogue": LOCMEM}), pytest.raises(InvalidCacheBackendError):
        caches["default"]
    with with_catalogue(LOCMEM):
        assert caches["default"] is not None and caches["catalogue"] is not None
