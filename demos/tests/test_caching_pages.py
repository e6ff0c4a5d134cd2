"""Whole-page caching and HTTP caching demos: the facts the lessons state, read from the lab report."""

import pytest

from lab import registry


@pytest.fixture
def per_view(run_demo):
    return run_demo("caching.per-view")


def test_two_gets_give_one_view_run_identical_bodies_and_an_age_header(per_view):
    first = per_view.get("first_get")
    second = per_view.get("second_get")
    assert first.facts["view_runs"] == 1
    assert "max-age=60" in first.response_headers["Cache-Control"] and "Expires" in first.response_headers
    assert "Age" not in first.response_headers
    assert second.facts["same_body"] is True
    assert second.facts["age"] is not None
    assert second.facts["view_runs"] == 1
    assert per_view.headline_text == "2nd GET: a hit, the view did not run (Age: 0, stamp() ran 1× for 2 requests)"


def test_without_vary_on_cookie_bob_receives_alices_page(per_view):
    facts = per_view.get("no_vary").facts
    assert facts["alice_sees"].startswith("hello alice")
    assert facts["bob_sees"] == facts["alice_sees"]
    assert facts["view_runs"] == 1


def test_with_vary_on_cookie_each_visitor_gets_their_own_page(per_view):
    step = per_view.get("vary_on_cookie")
    assert step.facts["bob_sees"].startswith("hello bob")
    assert step.facts["bob_got_alices_page"] is False
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
    table = lab.get("never_stored").tables[0]
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
    step = run_demo("caching.site-wide").get("right_order")
    assert step.facts["bob_sees"].startswith("hello bob")
    assert step.facts["alice_again_age"] is not None
    assert step.facts["view_runs"] == 2


def test_site_wide_wrong_order_serves_alices_page_to_bob(run_demo):
    lab = run_demo("caching.site-wide")
    step = lab.get("wrong_order")
    assert step.facts["bob_sees"].startswith("hello alice")
    assert step.facts["bob_got_alices_page"] is True
    assert step.facts["view_runs"] == 1
    assert lab.headline_text == "Wrong order: Bob got Alice's page; right order: his own page"
    assert lab.focus_key == "wrong_order"


@pytest.fixture
def conditional(run_demo):
    return run_demo("caching.conditional")


def test_conditional_get_middleware_answers_304_with_an_empty_body_but_runs_the_view(conditional):
    first = conditional.get("etag_first")
    second = conditional.get("etag_match")
    assert first.facts["status"] == 200 and first.response_headers["ETag"]
    assert (second.facts["status"], second.facts["body_bytes"]) == (304, 0)
    assert first.facts["view_ran"] == second.facts["view_ran"] == 1  # 2 runs for 2 requests


def test_an_old_etag_gets_the_full_page(conditional):
    assert conditional.get("etag_old").facts["status"] == 200


def test_condition_answers_304_without_running_the_view(conditional):
    first = conditional.get("condition_first")
    second = conditional.get("modified_since")
    assert first.response_headers["Last-Modified"]
    assert (second.facts["status"], second.facts["body_bytes"]) == (304, 0)
    assert (first.facts["view_ran"], second.facts["view_ran"]) == (1, 0)  # 1 run for 2 requests
    assert second.response_headers["Cache-Control"] == "max-age=60, public"


def test_condition_refuses_an_unsafe_request_with_a_failed_precondition(conditional):
    step = conditional.get("unmodified_since")
    assert step.facts["status"] == 412
    assert step.facts["view_ran"] == 0


def test_site_wide_middleware_does_not_store_a_max_age_0_response(run_demo):
    step = run_demo("caching.site-wide").get("max_age_0")
    assert step.facts["stored"] is False
    assert step.facts["view_runs"] == 2


def test_the_right_order_learns_to_vary_on_cookie_and_the_wrong_order_learns_nothing(run_demo):
    lab = run_demo("caching.site-wide")

    def header_lists(label):
        step = lab.get(label)
        return {op.result for op in step.cache_ops if op.op == "get" and op.hit and ".cache_header." in op.key}

    assert header_lists("right_order") == {"['HTTP_COOKIE']"}
    assert header_lists("wrong_order") == {"[]"}


def test_cache_page_ignores_the_cache_middleware_alias_and_prefix_settings(settings):
    from django.middleware.cache import CacheMiddleware

    settings.CACHE_MIDDLEWARE_ALIAS, settings.CACHE_MIDDLEWARE_KEY_PREFIX = "locmem", "site"
    # cache_page(60) builds its middleware with exactly these arguments.
    layer = CacheMiddleware(lambda request: None, page_timeout=60, cache_alias=None, key_prefix=None)
    assert (layer.cache_alias, layer.key_prefix) == ("default", "")


def test_in_the_wrong_order_the_page_is_stored_before_session_middleware_adds_vary_cookie(run_demo):
    step = run_demo("caching.site-wide").get("wrong_order")
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
    step = per_view.get("first_get")
    stored = [op.key for op in step.cache_ops if op.op == "set"]
    assert len(stored) == 2
    assert stored[0].startswith("views.decorators.cache.cache_header..")  # no key_prefix
    assert stored[1].startswith("views.decorators.cache.cache_page..GET.")
    assert all(key.endswith(".en-us.UTC") for key in stored)  # USE_I18N and USE_TZ are on


def test_only_the_condition_view_tells_downstream_caches_how_long_to_keep_it(conditional):
    assert "Cache-Control" not in conditional.get("etag_first").response_headers
    assert conditional.get("condition_first").response_headers["Cache-Control"] == "max-age=60, public"
    assert "Cache-Control" not in conditional.get("etag_match").response_headers


def test_cache_page_stores_a_max_age_0_page_for_its_own_60_seconds(per_view):
    row = _never_stored(per_view)["GET, Cache-Control: max-age=0"]
    assert row["stored for (s)"] == 60


def test_the_per_view_predictions_are_graded_from_the_run(per_view):
    again, whose = registry.get("caching.per-view").predictions
    assert again.grade(per_view, "no") == (True, "no")
    assert whose.grade(per_view, "his own") == (False, "Alice's")


def test_a_request_step_shows_the_view_it_reached_and_the_request_it_sent(per_view):
    step = per_view.get("no_vary")
    assert step.code.startswith("@cache_page(PAGE_TIMEOUT, cache=PAGE_ALIAS)\ndef hello_cached(request")
    lines = step.call.split(" · ")
    assert len(lines) == 2 and lines[0].startswith("GET /sandbox/caching/who/?run=") and "(Bob's cookie)" in lines[1]


def test_a_site_wide_step_shows_the_middleware_setting_it_built(run_demo):
    step = run_demo("caching.site-wide").get("wrong_order")
    assert step.code.splitlines() == [
        "MIDDLEWARE = [",
        "    'django.contrib.sessions.middleware.SessionMiddleware',",
        "    'django.middleware.cache.UpdateCacheMiddleware',",
        "    'django.middleware.cache.FetchFromCacheMiddleware',",
        "]",
        "CACHE_MIDDLEWARE_ALIAS = 'locmem'",
        "CACHE_MIDDLEWARE_SECONDS = 60",
    ]


def test_the_conditional_headline_and_predictions_come_from_the_run(conditional):
    assert conditional.headline_text == (
        "If-None-Match → 304, and the view ran 1× (ConditionalGetMiddleware); "
        "If-Modified-Since → 304, and it ran 0× (condition())"
    )
    ran, status = registry.get("caching.conditional").predictions
    assert ran.grade(conditional, "yes") == (True, "yes")
    assert status.grade(conditional, "412") == (True, "412")


def test_with_use_i18n_the_page_cache_ignores_vary_accept_language(run_demo, settings):
    """Django leaves Accept-Language out of the key when USE_I18N is on: the active language is in it instead."""
    facts = run_demo("caching.per-view").get("accept_language").facts
    assert (facts["use_i18n"], facts["vary"], facts["french_got_english"]) == (True, "Accept-Language", True)
    assert facts["french_sees"].startswith("hello ")


def test_without_i18n_vary_accept_language_splits_the_page(run_demo, settings):
    settings.USE_I18N = False
    facts = run_demo("caching.per-view").get("accept_language").facts
    assert (facts["use_i18n"], facts["french_got_english"]) == (False, False)
    assert facts["french_sees"].startswith("bonjour ")


def test_with_locale_middleware_each_language_gets_its_own_page(db):
    """The lesson's fix: LocaleMiddleware activates the header's language, and the page key holds it."""
    import secrets

    from lab.handler import send

    stack = ["django.contrib.sessions.middleware.SessionMiddleware", "django.middleware.locale.LocaleMiddleware"]
    page = f"/sandbox/caching/who-language/?run={secrets.token_hex(4)}"
    english = send(stack, page, "GET", headers={"Accept-Language": "en"})
    french = send(stack, page, "GET", headers={"Accept-Language": "fr"})
    assert english.content.decode().startswith("hello ") and french.content.decode().startswith("bonjour ")


def test_a_french_request_leaves_the_thread_in_its_own_language(run_demo, db):
    """LocaleMiddleware activates French for the thread and nothing switches it back: the lab does, after each
    request it sends and each run, or the thread's next run (another learner's) shows French messages."""
    from django.utils import translation

    from lab.handler import send

    before = translation.get_language()
    stack = ["django.contrib.sessions.middleware.SessionMiddleware", "django.middleware.locale.LocaleMiddleware"]
    french = send(stack, "/sandbox/caching/who-language/", "GET", headers={"Accept-Language": "fr"})
    assert french.content.decode().startswith("bonjour ")
    assert translation.get_language() == before
    run_demo("caching.per-view")
    assert translation.get_language() == before
