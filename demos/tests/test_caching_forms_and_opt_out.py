"""What the caching lessons used to state only in prose, now run: a cached form's 403, and opting out of page caches."""

import pytest

from lab import registry


@pytest.fixture
def csrf(run_demo):
    return run_demo("caching.csrf-form")


def test_the_first_visitor_gets_a_csrf_cookie_and_the_page_is_stored_with_her_token(csrf):
    facts = csrf.get("alice_get").facts
    assert facts == {"view_runs": 1, "sets_cookie": True, "stored": True}
    assert "Set-Cookie" in csrf.get("alice_get").response_headers


def test_the_next_visitor_gets_the_cached_page_with_her_token_and_no_cookie(csrf):
    facts = csrf.get("bob_get").facts
    assert facts == {"view_runs": 0, "sets_cookie": False, "alices_token": True}
    assert "Set-Cookie" not in csrf.get("bob_get").response_headers


def test_the_next_visitors_post_is_refused_with_403_before_the_view(csrf):
    facts = csrf.get("bob_post").facts
    assert (facts["status"], facts["reason"], facts["view_runs"]) == (403, "CSRF cookie not set.", 0)
    assert "log django.security.csrf: Forbidden (CSRF cookie not set.)" in csrf.get("bob_post").log[0]
    assert csrf.get("alice_post").facts["status"] == 200  # her own cookie matches the token in the page
    assert csrf.headline_text == "Bob's POST: 403 Forbidden (CSRF cookie not set.)"
    (status,) = registry.get("caching.csrf-form").predictions
    assert status.grade(csrf, "403") == (True, "403")


@pytest.fixture
def opt_out(run_demo):
    return run_demo("caching.opt-out")


def test_site_wide_cache_control_max_age_shortens_the_stay_and_never_cache_opts_out(opt_out):
    facts = opt_out.get("site_wide").facts
    assert (facts["plain_stored_for"], facts["plain_runs"], facts["plain_cache_control"]) == (600, 1, "max-age=600")
    assert (facts["max_age_30_stored_for"], facts["max_age_30_runs"]) == (30, 1)
    assert facts["max_age_30_cache_control"] == "max-age=30"
    assert (facts["never_cache_stored_for"], facts["never_cache_runs"]) == (None, 2)
    assert "no-store" in facts["never_cache_cache_control"] and "private" in facts["never_cache_cache_control"]


def test_under_cache_page_its_own_timeout_wins_over_max_age_but_never_cache_still_opts_out(opt_out):
    facts = opt_out.get("cache_page").facts
    assert (facts["plain_stored_for"], facts["plain_runs"]) == (60, 1)
    # Stored for cache_page's 60 s, while browsers are told the smaller max-age.
    assert (facts["max_age_30_stored_for"], facts["max_age_30_cache_control"]) == (60, "max-age=30")
    assert (facts["never_cache_stored_for"], facts["never_cache_runs"]) == (None, 2)
    assert opt_out.headline_text == (
        "cache_control(max_age=30): stored 30 s site-wide, 60 s under cache_page(60); never_cache: never stored"
    )
    (stay,) = registry.get("caching.opt-out").predictions
    assert stay.grade(opt_out, "30 s") == (False, "60 s")


def test_above_cache_page_the_decorators_only_change_what_browsers_are_told(opt_out):
    facts = opt_out.get("above_cache_page").facts
    # never_cache written above cache_page: the page is stored all the same and the view ran once for 2 GETs,
    # while every response (the hit too) tells browsers not to store it.
    assert (facts["never_cache_above_stored_for"], facts["never_cache_above_runs"]) == (60, 1)
    assert facts["never_cache_above_cache_control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert (facts["max_age_30_above_stored_for"], facts["max_age_30_above_runs"]) == (60, 1)
    assert facts["max_age_30_above_cache_control"] == "max-age=30"


def test_csrf_protect_under_cache_page_stores_nothing_and_every_visitor_can_post(csrf):
    facts = csrf.get("fix_csrf_protect").facts
    assert (facts["stored"], facts["bob_view_ran"], facts["bob_sets_cookie"], facts["bob_alices_token"]) == (
        False,
        True,
        True,
        False,
    )
    assert facts["statuses"] == {"alice": 200, "bob": 200, "carol": 200}
    assert csrf.get("fix_csrf_protect").response_headers["Vary"] == "Cookie"


def test_vary_on_cookie_alone_still_gives_a_cookieless_second_visitor_the_first_ones_token(csrf):
    facts = csrf.get("fix_vary_on_cookie").facts
    assert (facts["stored"], facts["bob_view_ran"], facts["bob_sets_cookie"], facts["bob_alices_token"]) == (
        True,
        False,
        False,
        True,
    )
    assert facts["carol_view_ran"] is True  # a different Cookie header is a different page
    assert facts["statuses"] == {"alice": 200, "bob": 403, "carol": 200}
