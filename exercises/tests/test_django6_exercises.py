"""The version-switch exercises of middleware/04 and caching/05 show, on the running Django, what the lessons' notes say."""

from hashlib import md5

import django

from exercises.caching_django6 import PAIRS
from exercises.middleware_django6 import BUILT_IN, BUILT_IN_CODE, POLICY
from lab import exercises

AT_LEAST_6_0 = django.VERSION >= (6, 0)
AT_LEAST_6_1 = django.VERSION >= (6, 1)


def facts(result, key):
    (step,) = [step for step in result.report["steps"] if step["key"] == key]
    return step["facts"]


def test_csp_run_shows_the_built_in_header_on_6_and_the_failed_import_on_5_2(seeded):
    ex = exercises.get("middleware.csp-header")
    result = exercises.attempt(ex, ex.solution, "run")
    assert result.error is None
    assert facts(result, "yours")["csp"] == repr(POLICY)  # your own middleware: the same on every version
    built_in = facts(result, "built_in")
    assert built_in["django"] == repr(django.get_version())
    headline = result.report["headline"]
    if AT_LEAST_6_0:
        assert built_in["csp"] == repr(POLICY)
        assert f"Django's built-in: {POLICY!r}" in headline
    else:
        assert "No module named 'django.middleware.csp'" in built_in["csp"]
        assert "no such middleware (ModuleNotFoundError)" in headline


def test_csp_the_built_in_passes_on_6_and_fails_naming_the_version_on_5_2(seeded):
    ex = exercises.get("middleware.csp-header")
    result = exercises.attempt(ex, BUILT_IN_CODE, "check")
    if AT_LEAST_6_0:
        assert result.ok, result.messages
    else:
        assert not result.ok
        assert result.error is None  # the ImportError became the checks' message, not a crash
        assert f"{BUILT_IN} is new in Django 6.0; this run is Django {django.get_version()}" in result.messages[0]


def test_fragment_keys_are_netstrings_on_6_1_and_colon_joined_on_5_2(seeded):
    ex = exercises.get("caching.fragment-pairs")
    result = exercises.attempt(ex, ex.solution, "run")
    assert result.error is None
    keys = facts(result, "keys")
    first, second = PAIRS
    if AT_LEAST_6_1:
        hashed = "".join(f"{len(value)}:{value}," for value in first)
        assert keys["same_key"] == "False"
        assert keys["hashed_a"] == repr(f"netstring: {hashed!r}")
        assert "get different fragment keys" in result.report["headline"]
    else:
        hashed = "".join(f"{value}:" for value in first)
        assert keys["same_key"] == "True"
        assert keys["key_a"] == keys["key_b"]
        assert keys["hashed_a"] == repr(f"colon-joined: {hashed!r}")
        assert "share one fragment key" in result.report["headline"]
    assert keys["key_a"] == repr("template.cache.also_liked." + md5(hashed.encode()).hexdigest())
    # The reference varies on the pks: each pair renders its own text on both versions.
    assert "Messiah:Emma" in facts(result, "second")["html"]


def test_fragment_varying_on_the_titles_collides_on_5_2_only(seeded):
    ex = exercises.get("caching.fragment-pairs")
    by_title = ex.solution.replace("book.pk other.pk", "book.title other.title")
    assert by_title != ex.solution
    checked = exercises.attempt(ex, by_title, "check")
    second = facts(exercises.attempt(ex, by_title, "run"), "second")["html"]
    if AT_LEAST_6_1:
        assert checked.ok, checked.messages
        assert "Readers of Dune also liked Messiah:Emma" in second
    else:
        assert not checked.ok
        assert "share one fragment key on Django 5.2" in checked.messages[0]
        assert "Readers of Dune:Messiah also liked Emma" in second  # the first pair's fragment, served for the second
