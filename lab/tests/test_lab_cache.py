"""Recorded cache backends, and the key function that keeps each learner's keys apart."""

from django.core.cache import caches

from lab.learners import as_learner
from lab.testing import recorded


def test_every_call_is_recorded_with_hit_or_miss():
    cache = caches["locmem"]
    with recorded(learner="learner1") as lab:
        cache.set("k", "v")
        cache.get("k")
        cache.get("absent")
    ops = [(op.op, op.key, op.hit) for op in lab.cache_ops]
    assert ops == [("set", "k", None), ("get", "k", True), ("get", "absent", False)]
    assert lab.cache_ops[0].full_key == "learner-learner1::1:k"


def test_a_cached_none_is_a_hit_for_the_recorder_but_looks_like_a_miss_to_get():
    cache = caches["locmem"]
    with recorded(learner="learner1") as lab:
        cache.set("none", None)
        value = cache.get("none", "default")
    assert value is None
    assert lab.cache_ops[-1].hit is True


def test_get_or_set_shows_the_calls_it_is_made_of():
    with recorded(learner="learner1") as lab:
        caches["locmem"].get_or_set("g", 1)
    assert [(op.op, op.depth) for op in lab.cache_ops] == [("get", 1), ("add", 1), ("get", 1), ("get_or_set", 0)]


def learners_cannot_read_or_delete_each_others_entries(alias: str) -> None:
    cache = caches[alias]
    with as_learner("ann"):
        cache.set("shared-name", "ann's")
    with as_learner("bob"):
        assert cache.get("shared-name") is None
        cache.delete("shared-name")
    with as_learner("ann"):
        assert cache.get("shared-name") == "ann's"


def test_learners_cannot_read_or_delete_each_others_entries():
    learners_cannot_read_or_delete_each_others_entries("locmem")


def test_outside_a_learner_the_key_is_djangos_own():
    with as_learner("ann"):
        assert caches["locmem"].make_key("x") == "learner-ann::1:x"
    assert caches["locmem"].make_key("x") == ":1:x"


def test_nothing_is_recorded_without_an_active_recorder():
    cache = caches["locmem"]
    cache.set("quiet", 1)
    assert cache.get("quiet") == 1


def test_learner_keys_on_real_redis(lab_redis):
    learners_cannot_read_or_delete_each_others_entries(lab_redis)


def test_learner_keys_on_real_memcached(lab_memcached):
    learners_cannot_read_or_delete_each_others_entries(lab_memcached)
