"""The low-level cache API demo (caching.api): every fact the lesson states, read from the lab report."""

import pytest

from lab import registry

CACHING_DEMOS = sorted(d.slug for d in registry.all_demos() if d.track == "caching")


@pytest.fixture
def api(run_demo):
    return run_demo("caching.api")


def test_the_concept_page_example_stores_and_reads_my_value(api):
    assert api.get("concept_page_example").facts["value"] == "my_value"


def test_make_key_is_prefix_version_key(api):
    assert api.get("key_default").facts["key"] == ":1:k"
    assert api.get("key_learner").facts["key"] == "learner-0123456789abcdef::1:k"


def test_timeout_zero_writes_an_entry_that_get_misses_and_deletes(api):
    assert api.get("zero_set").facts["written"] is True  # local memory keeps the expired entry...
    after = api.get("zero_get").facts
    assert after["value"] is None and after["left"] is False  # ...until the next get() finds it expired


@pytest.mark.parametrize("backend", ["file", "db"])
def test_timeout_zero_leaves_a_djcache_file_or_a_db_row_until_the_next_get(run_demo, backend):
    lab = run_demo("caching.api", backend=backend)
    assert lab.get("zero_set").facts["written"] is True
    assert (lab.get("zero_get").facts["value"], lab.get("zero_get").facts["left"]) == (None, False)


def test_timeout_none_keeps_the_value_and_touch_reports_missing_keys(api):
    facts = api.get("keep_forever").facts
    assert (facts["value"], facts["touch"], facts["touch_missing"]) == ("v", True, False)


def test_a_cached_none_is_only_told_apart_from_a_miss_with_a_sentinel(api):
    facts = api.get("none_or_miss").facts
    assert facts["get_nothing"] is None and facts["get_missing"] is None
    assert facts["missing_is_missing"] is True
    assert facts["nothing_is_missing"] is False


def test_add_returns_false_on_an_existing_key(api):
    facts = api.get("add_twice").facts
    assert (facts["first_add"], facts["second_add"], facts["value"]) == (True, False, 1)


def test_get_or_set_computes_once_for_one_caller(api):
    step = api.get("get_or_set_twice")
    assert step.facts["computed"] == 1
    assert [op.op for op in step.cache_ops if op.depth == 1][:3] == ["get", "add", "get"]


def test_set_many_and_get_many_skip_missing_keys(api):
    facts = api.get("many_at_once").facts
    assert facts["failed"] == [] and facts["got"] == {"a": 1, "b": 2}


def test_incr_on_a_missing_key_raises_value_error(api):
    step = api.get("incr_missing")
    assert step.error_type == "ValueError"
    assert "not found" in step.error


def test_incr_version_moves_the_value_and_deletes_the_old_version(api):
    facts = api.get("versions").facts
    assert facts["plain"] is None
    assert facts["v2"] == "v2 value"
    assert facts["incr_version"] == 3
    assert facts["v2_after"] is None
    assert facts["v3_after"] == "v2 value"


def test_keys_with_spaces_or_over_250_characters_only_warn_on_local_memory(api):
    space = api.get("space_key")
    assert space.error == ""
    assert "will cause errors if used with memcached" in space.facts["warnings"][0]
    assert "longer than 250" in api.get("long_key").facts["warnings"][0]


def test_incr_is_atomic_on_local_memory_and_the_headline_says_so(api):
    step = api.get("threads")
    assert step.facts["count"] == step.facts["expected"] == 200
    assert api.headline_text == "8 threads × 25 incr() on locmem: the count reached 200 of 200"
    assert api.focus_key == "threads"


def test_the_file_backend_loses_concurrent_increments_and_the_prediction_says_no(run_demo):
    lab = run_demo("caching.api", backend="file")
    count = lab.get("threads").facts["count"]
    _, atomic = registry.get("caching.api").predictions
    assert atomic.grade(lab, "yes" if count == 200 else "no")[0] is True
    assert f"the count reached {count} of 200" in lab.headline_text


def test_the_add_prediction_is_graded_from_the_run(api):
    add, _ = registry.get("caching.api").predictions
    assert add.grade(api, "False") == (True, "False")
    assert add.grade(api, "True") == (False, "False")


def test_two_learners_cannot_read_each_others_entries(run_demo):
    ann = run_demo("caching.api", learner="ann00000000000000")
    assert ann.get("other_learner").facts["value"] is None
    assert ann.get("key_learner").facts["key"].startswith("learner-ann")


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
def test_every_caching_demo_has_a_headline_and_its_reports_and_clears_no_cache(
    run_demo, slug, transactional_db, settings
):
    settings.DEBUG = slug == "caching.static-files"  # WhiteNoise serves the app folders' files without collectstatic
    lab = run_demo(slug)
    assert "clear" not in {op.op for op in lab.cache_ops}
    demo = registry.get(slug)
    assert set(demo.reports) <= lab.sections
    assert lab.headline_text and lab.focus_key in {s.key for s in lab.steps}
    for prediction in demo.predictions:  # each graded from this run, with one of its own choices
        assert prediction.answer(lab) in prediction.choices, prediction.question


def test_the_caching_track_has_the_demos_its_lessons_embed():
    assert {
        "caching.backends",
        "caching.timing-lab",
        "caching.api",
        "caching.per-view",
        "caching.csrf-form",
        "caching.site-wide",
        "caching.opt-out",
        "caching.fragment",
        "caching.invalidation",
        "caching.invalidation-commit",
        "caching.generations",
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
    step = api.get("get_or_set_twice")
    assert [(op.op, op.hit) for op in step.cache_ops if op.depth == 0] == [("get_or_set", False), ("get_or_set", True)]
    assert (step.cache_hits, step.cache_misses) == (1, 1)


def test_on_the_database_backend_the_threads_step_says_why_it_is_skipped(run_demo):
    lab = run_demo("caching.api", backend="db")
    assert "can't see its rows" in lab.get("threads").facts["skipped"]
    assert lab.headline_text == "timeout=0 on db: row written: yes; get() returned None; row left after it: no"


def test_a_write_records_the_timeout_it_asked_for(api):
    ops = api.get("concept_page_example").cache_ops
    assert [(op.op, op.timeout) for op in ops] == [("set", 60), ("get", "")]
    assert api.get("keep_forever").cache_ops[0].timeout is None  # timeout=None: forever


def test_a_step_calls_the_cache_by_its_alias():
    from django.core.cache import caches

    assert repr(caches["locmem"]) == "caches['locmem']"
