"""The low-level cache API demo (caching.api): every fact the lesson states, read from the lab report."""

import pytest

from lab import registry

CACHING_DEMOS = sorted(d.slug for d in registry.all_demos() if d.track == "caching")


@pytest.fixture
def api(run_demo):
    return run_demo("caching.api")


def test_the_concept_page_example_stores_and_reads_my_value(api):
    assert api.get("The concept page's example, corrected").facts["value"] == "my_value"


def test_make_key_is_prefix_version_key(api):
    step = api.get("How a key is made")
    assert step.facts["settings' cache: make_key('k')"] == ":1:k"
    assert step.facts["this learner's view: make_key('k')"] == "learner-0123456789abcdef::1:k"


def test_timeout_zero_stores_nothing(api):
    assert api.get("timeout=0 stores nothing").facts["get('zero')"] is None


def test_timeout_none_keeps_the_value_and_touch_reports_missing_keys(api):
    facts = api.get("timeout=None keeps it until evicted").facts
    assert facts["get('forever')"] == "v"
    assert facts["touch('forever', 120)"] is True
    assert facts["touch('missing', 120)"] is False


def test_a_cached_none_is_only_told_apart_from_a_miss_with_a_sentinel(api):
    facts = api.get("A cached None looks like a miss").facts
    assert facts["get('missing')"] is None and facts["get('nothing')"] is None
    assert facts["get('missing', MISSING) is MISSING"] is True
    assert facts["get('nothing', MISSING) is MISSING"] is False


def test_add_returns_false_on_an_existing_key(api):
    facts = api.get("add() only stores a new key").facts
    assert (facts["first add"], facts["second add"], facts["get('once')"]) == (True, False, 1)


def test_get_or_set_computes_once_for_one_caller(api):
    step = api.get("get_or_set(): get, compute, add, get")
    assert step.facts["compute() ran"] == 1
    assert [op.op for op in step.cache_ops if op.depth == 1][:3] == ["get", "add", "get"]


def test_set_many_and_get_many_skip_missing_keys(api):
    facts = api.get("set_many() and get_many()").facts
    assert facts["set_many() returned (keys that failed)"] == []
    assert facts["get_many()"] == {"a": 1, "b": 2}


def test_incr_on_a_missing_key_raises_value_error(api):
    step = api.get("incr() on a missing key")
    assert step.error_type == "ValueError"
    assert "not found" in step.error


def test_incr_version_moves_the_value_and_deletes_the_old_version(api):
    facts = api.get("Versions").facts
    assert facts["get('ver')"] is None
    assert facts["get('ver', version=2)"] == "v2 value"
    assert facts["incr_version('ver', version=2)"] == 3
    assert facts["get('ver', version=2) after"] is None
    assert facts["get('ver', version=3) after"] == "v2 value"


def test_keys_with_spaces_or_over_250_characters_only_warn_on_local_memory(api):
    space = api.get("A key with a space")
    assert space.error == ""
    assert "will cause errors if used with memcached" in space.facts["warnings"][0]
    assert "longer than 250" in api.get("A key longer than 250 characters").facts["warnings"][0]


def test_incr_is_atomic_on_local_memory(api):
    step = api.get("8 threads × 25 incr() at once")
    assert step.facts["get('bump')"] == step.facts["expected"] == 200


def test_two_learners_cannot_read_each_others_entries(run_demo):
    ann = run_demo("caching.api", learner="ann00000000000000")
    assert ann.get("Another key prefix is another cache").facts["another prefix: get('my_key')"] is None
    assert ann.get("How a key is made").facts["this learner's view: make_key('k')"].startswith("learner-ann")


def test_the_demo_deletes_its_keys_and_leaves_other_learners_entries_alone(run_demo):
    from django.core.cache import caches

    from lab.learners import as_learner

    with as_learner("bob"):
        caches["locmem"].set("my_key", "bob's")
    run_demo("caching.api", learner="ann")
    with as_learner("ann"):
        assert caches["locmem"].get("my_key") is None
    with as_learner("bob"):
        assert caches["locmem"].get("my_key") == "bob's"


@pytest.mark.parametrize("slug", CACHING_DEMOS)
def test_no_caching_demo_clears_a_cache_and_each_produces_its_declared_reports(run_demo, slug, transactional_db):
    lab = run_demo(slug)
    assert "clear" not in {op.op for op in lab.cache_ops}
    demo = registry.get(slug)
    assert set(demo.reports) <= lab.sections


def test_the_caching_track_has_the_demos_its_lessons_embed():
    assert {
        "caching.backends",
        "caching.timing-lab",
        "caching.api",
        "caching.per-view",
        "caching.site-wide",
        "caching.fragment",
        "caching.invalidation",
        "caching.invalidation-commit",
        "caching.stampede",
        "caching.conditional",
    } <= set(CACHING_DEMOS)


def test_learner_keys_hold_when_the_debug_toolbar_has_patched_the_shared_cache():
    from django.core.cache import caches

    from lab.learners import as_learner

    shared = caches["locmem"]
    shared.set = shared.set  # what the toolbar's cache panel does: a method bound to the shared instance
    try:
        with as_learner("ann"):
            shared.set("k", "ann's")
        assert shared.get("k") is None
        with as_learner("ann"):
            assert shared.get("k") == "ann's"
    finally:
        del shared.set


def test_get_or_set_counts_as_one_miss_then_one_hit_in_the_report(api):
    step = api.get("get_or_set(): get, compute, add, get")
    assert [(op.op, op.hit) for op in step.cache_ops if op.depth == 0] == [("get_or_set", False), ("get_or_set", True)]
    assert (step.cache_hits, step.cache_misses) == (1, 1)


def test_on_the_database_backend_the_threads_step_says_why_it_is_skipped(run_demo):
    step = run_demo("caching.api", backend="db").get("8 threads × 25 incr() at once")
    assert step.facts == {} and "cannot see its uncommitted rows" in step.log[0]
