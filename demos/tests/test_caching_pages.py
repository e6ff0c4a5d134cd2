"""Whole-page caching and HTTP caching demos: the facts the lessons state, read from the lab report."""

import pytest


@pytest.fixture
def per_view(run_demo):
    return run_demo("caching.per-view")


def test_two_gets_give_one_view_run_identical_bodies_and_an_age_header(per_view):
    first = per_view.get("First GET: a miss, the view runs, the page is stored")
    second = per_view.get("Second GET: a hit, with an Age header")
    assert first.facts["view runs so far"] == 1
    assert "max-age=60" in first.response_headers["Cache-Control"] and "Expires" in first.response_headers
    assert "Age" not in first.response_headers
    assert second.facts["same body"] is True
    assert second.facts["Age"] is not None
    assert second.facts["view runs so far"] == 1


def test_without_vary_on_cookie_bob_receives_alices_page(per_view):
    facts = per_view.get("Alice, then Bob: cache_page without vary_on_cookie").facts
    assert facts["Alice sees"].startswith("hello alice")
    assert facts["Bob sees"] == facts["Alice sees"]


def test_with_vary_on_cookie_each_visitor_gets_their_own_page(per_view):
    step = per_view.get("Alice, then Bob: cache_page above vary_on_cookie")
    assert step.facts["Bob sees"].startswith("hello bob")
    assert step.facts["Bob got Alice's page"] is False
    assert step.response_headers["Vary"] == "Cookie"


@pytest.mark.parametrize(
    "case, stored",
    [
        ("GET, 200", True),
        ("GET with Authorization", True),
        ("POST", False),
        ("GET, 404", False),
        ("GET, Cache-Control: Private", False),  # private is matched in any letter case
        ("GET, sets a cookie, Vary: Cookie", False),
        ("GET, form with {% csrf_token %}", False),
        ("GET, Vary: *", False),
        ("GET, streaming response", False),
        # cache_page's own timeout wins over the response's max-age, even max-age=0.
        ("GET, Cache-Control: max-age=0", True),
    ],
)
def test_what_cache_page_stores_on_django_5_2(per_view, case, stored):
    row = _never_stored(per_view)[case]
    assert row["stored"] == ("yes" if stored else "no")
    assert row["view runs (2 requests)"] == (1 if stored else 2)


def _never_stored(lab) -> dict[str, dict]:
    table = lab.get("What cache_page never stores: each request sent twice").tables[0]
    return {row[0]: dict(zip(table.columns, row)) for row in table.rows}


def test_a_request_with_authorization_makes_the_page_vary_on_it(per_view):
    row = _never_stored(per_view)["GET with Authorization"]
    assert row["Vary"] == "Authorization"
    assert row["view runs (2 requests)"] == 1  # the second request was a hit


def test_private_in_any_letter_case_and_max_age_0_show_their_headers(per_view):
    rows = _never_stored(per_view)
    assert rows["GET, Cache-Control: Private"]["Cache-Control"] == "Private"
    # Stored for cache_page's 60 seconds, yet browsers are still told max-age=0: patch_cache_control keeps the minimum.
    assert rows["GET, Cache-Control: max-age=0"]["Cache-Control"] == "max-age=0"
    assert rows["GET, 404"]["status"] == 404
    assert rows["GET, form with {% csrf_token %}"]["Vary"] == "Cookie"


def test_page_cache_keys_carry_the_learner_prefix(run_demo):
    ann = run_demo("caching.per-view", learner="ann")
    keys = {op.full_key for op in ann.cache_ops if ".cache_page." in op.key}
    assert keys and all(key.startswith("learner-ann:") for key in keys)


def test_site_wide_right_order_gives_each_user_their_page(run_demo):
    step = run_demo("caching.site-wide").get("Right order: Update first, Fetch last")
    assert step.facts["Bob sees"].startswith("hello bob")
    assert step.facts["Alice again: Age"] is not None
    assert step.facts["view runs (3 requests)"] == 2


def test_site_wide_wrong_order_serves_alices_page_to_bob(run_demo):
    step = run_demo("caching.site-wide").get("Wrong order: SessionMiddleware above UpdateCacheMiddleware")
    assert step.facts["Bob sees"].startswith("hello alice")
    assert step.facts["Bob got Alice's page"] is True
    assert step.facts["view runs (3 requests)"] == 1


@pytest.fixture
def conditional(run_demo):
    return run_demo("caching.conditional")


def test_conditional_get_middleware_answers_304_with_an_empty_body_but_runs_the_view(conditional):
    first = conditional.get("ConditionalGetMiddleware: first GET")
    second = conditional.get("ConditionalGetMiddleware: If-None-Match with that ETag")
    assert first.facts["status"] == 200 and first.response_headers["ETag"]
    assert (second.facts["status"], second.facts["body bytes"]) == (304, 0)
    assert second.facts["view runs (2 requests)"] == 2


def test_an_old_etag_gets_the_full_page(conditional):
    assert conditional.get("ConditionalGetMiddleware: If-None-Match with an old ETag").facts["status"] == 200


def test_condition_answers_304_without_running_the_view(conditional):
    first = conditional.get("condition(): first GET")
    second = conditional.get("condition(): If-Modified-Since with that date")
    assert first.response_headers["Last-Modified"]
    assert (second.facts["status"], second.facts["body bytes"]) == (304, 0)
    assert second.facts["view runs (2 requests)"] == 1
    assert second.response_headers["Cache-Control"] == "max-age=60, public"


def test_condition_refuses_an_unsafe_request_with_a_failed_precondition(conditional):
    step = conditional.get("condition(): a POST with If-Unmodified-Since in the past")
    assert step.facts["status"] == 412
    assert step.facts["view runs (3 requests)"] == 1


def test_site_wide_middleware_does_not_store_a_max_age_0_response(run_demo):
    step = run_demo("caching.site-wide").get("Right order, a response with Cache-Control: max-age=0")
    assert step.facts["stored"] is False
    assert step.facts["view runs (2 requests)"] == 2


def test_the_right_order_learns_to_vary_on_cookie_and_the_wrong_order_learns_nothing(run_demo):
    lab = run_demo("caching.site-wide")

    def header_lists(label):
        step = lab.get(label)
        return {op.result for op in step.cache_ops if op.op == "get" and op.hit and ".cache_header." in op.key}

    assert header_lists("Right order: Update first, Fetch last") == {"['HTTP_COOKIE']"}
    assert header_lists("Wrong order: SessionMiddleware above UpdateCacheMiddleware") == {"[]"}


def test_cache_page_ignores_the_cache_middleware_alias_and_prefix_settings(settings):
    from django.middleware.cache import CacheMiddleware

    settings.CACHE_MIDDLEWARE_ALIAS, settings.CACHE_MIDDLEWARE_KEY_PREFIX = "locmem", "site"
    # cache_page(60) builds its middleware with exactly these arguments.
    layer = CacheMiddleware(lambda request: None, page_timeout=60, cache_alias=None, key_prefix=None)
    assert (layer.cache_alias, layer.key_prefix) == ("default", "")


def test_in_the_wrong_order_the_page_is_stored_before_session_middleware_adds_vary_cookie(run_demo):
    step = run_demo("caching.site-wide").get("Wrong order: SessionMiddleware above UpdateCacheMiddleware")
    outs = [e for e in step.trace if e.phase == "out"]
    first_request = outs[: [e.layer for e in outs].index("SessionMiddleware") + 1]
    assert [e.layer for e in first_request] == [
        "view",
        "FetchFromCacheMiddleware",
        "UpdateCacheMiddleware",
        "SessionMiddleware",
    ]
    assert {"Expires", "Cache-Control"} <= set(first_request[2].added)  # stored here...
    assert first_request[3].added == {"Vary": "Cookie"}  # ...before the cookie is known to matter
    assert [e.layer for e in step.trace if e.phase == "init"] == [
        "FetchFromCacheMiddleware",
        "UpdateCacheMiddleware",
        "SessionMiddleware",
    ]  # built once for the three requests


def test_a_page_is_two_entries_whose_keys_end_with_the_language_and_time_zone(per_view):
    step = per_view.get("First GET: a miss, the view runs, the page is stored")
    stored = [op.key for op in step.cache_ops if op.op == "set"]
    assert len(stored) == 2
    assert stored[0].startswith("views.decorators.cache.cache_header..")  # no key_prefix
    assert stored[1].startswith("views.decorators.cache.cache_page..GET.")
    assert all(key.endswith(".en-us.UTC") for key in stored)  # USE_I18N and USE_TZ are on


def test_only_the_condition_view_tells_downstream_caches_how_long_to_keep_it(conditional):
    assert "Cache-Control" not in conditional.get("ConditionalGetMiddleware: first GET").response_headers
    first = conditional.get("condition(): first GET").response_headers
    assert first["Cache-Control"] == "max-age=60, public"
    assert (
        "Cache-Control"
        not in conditional.get("ConditionalGetMiddleware: If-None-Match with that ETag").response_headers
    )
