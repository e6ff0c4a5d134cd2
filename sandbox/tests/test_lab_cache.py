"""Recorded cache backends and per-learner key prefixes."""

from django.core.cache import caches

from sandbox.lab.cache import learner_cache
from sandbox.lab.recorder import Recorder, recording


def test_every_call_is_recorded_with_hit_or_miss():
    cache = learner_cache("lab-locmem", "learner1")
    lab = Recorder()
    with recording(lab):
        cache.set("k", "v")
        cache.get("k")
        cache.get("absent")
    ops = [(op.op, op.key, op.hit) for op in lab.cache_ops]
    assert ops == [("set", "k", None), ("get", "k", True), ("get", "absent", False)]
    assert lab.cache_ops[0].full_key == "lab:learner1:1:k"


def test_a_cached_none_is_a_hit_for_the_recorder_but_looks_like_a_miss_to_get():
    cache = learner_cache("lab-locmem", "learner1")
    lab = Recorder()
    with recording(lab):
        cache.set("none", None)
        value = cache.get("none", "default")
    assert value is None
    assert lab.cache_ops[-1].hit is True


def test_get_or_set_shows_the_calls_it_is_made_of():
    cache = learner_cache("lab-locmem", "learner1")
    lab = Recorder()
    with recording(lab):
        cache.get_or_set("g", 1)
    assert [(op.op, op.depth) for op in lab.cache_ops] == [("get", 1), ("add", 1), ("get", 1), ("get_or_set", 0)]


def test_learners_cannot_read_or_delete_each_others_entries():
    ann, bob = learner_cache("lab-locmem", "ann"), learner_cache("lab-locmem", "bob")
    ann.set("shared-name", "ann's")
    assert bob.get("shared-name") is None
    bob.delete("shared-name")
    assert ann.get("shared-name") == "ann's"


def test_learner_views_share_the_backend_storage():
    learner_cache("lab-locmem", "ann").set("x", 1)
    assert caches["lab-locmem"].get("lab:ann:1:x".removeprefix(":1:")) is None  # different prefix
    assert learner_cache("lab-locmem", "ann").get("x") == 1


def test_nothing_is_recorded_without_an_active_recorder():
    cache = learner_cache("lab-locmem", "learner1")
    cache.set("quiet", 1)
    assert cache.get("quiet") == 1


def test_learner_prefix_on_real_redis(lab_redis):
    ann, bob = learner_cache(lab_redis, "ann"), learner_cache(lab_redis, "bob")
    ann.set("k", "ann's")
    assert bob.get("k") is None
    assert ann.get("k") == "ann's"


def test_learner_prefix_on_real_memcached(lab_memcached):
    ann, bob = learner_cache(lab_memcached, "ann"), learner_cache(lab_memcached, "bob")
    ann.set("k", "ann's")
    assert bob.get("k") is None
    assert ann.get("k") == "ann's"
