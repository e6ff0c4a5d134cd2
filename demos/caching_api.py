"""Caching track, lesson 2: the low-level cache API, one call per step, on any lab backend.

Every call goes through `caches[alias]`: the real backend, whose KEY_FUNCTION
keeps this learner's keys apart, so the report's "stored as" column shows the
exact key each backend received. The demo deletes its own keys at the end and
never calls clear(), which would wipe every learner's entries (and, on a shared
Redis, everyone else's too).
"""

from __future__ import annotations

import threading
import warnings

from django.core.cache import caches
from django.core.cache.backends.base import CacheKeyWarning, InvalidCacheKey

from lab.learners import as_learner
from lab.recorder import in_context
from lab.registry import demo

from .caching_backends import BackendForm, require_backend

KEYS = ["my_key", "missing", "nothing", "zero", "forever", "once", "lazy", "a", "b", "counter", "ver", "bump"]
THREADS, INCRS = 8, 25


@demo(
    "caching.api",
    title="The low-level cache API, call by call",
    form=BackendForm,
    description="Runs set, get, add, get_or_set, get_many, set_many, incr, delete, touch, timeouts and versions "
    "on the backend you choose, and shows each call's result and key.",
    reports=("cache",),
)
def api(lab, data):
    alias = data["backend"]
    if not require_backend(lab, alias):
        return
    cache = caches[alias]
    try:
        _basics(lab, cache, alias)
        _timeouts(lab, cache)
        _many_and_counters(lab, cache)
        _versions(lab, cache)
        _keys(lab, cache, alias)
        if alias == "db":
            with lab.step(f"{THREADS} threads × {INCRS} incr() at once") as step:
                step.note(
                    "Skipped on db: this demo runs in a transaction that is rolled back, and the threads' own "
                    "database connections cannot see its uncommitted rows. Try file for a backend that reads, "
                    "adds and writes back."
                )
        else:
            _concurrent_incr(lab, cache, alias)
    finally:
        with lab.step("Clean up: delete this run's keys (never clear())", code="cache.delete_many(keys)"):
            cache.delete_many(KEYS)
            cache.delete_many(["ver"], version=3)


def _basics(lab, cache, alias):
    with lab.step("How a key is made", code="cache.make_key('k')") as step:
        with as_learner(""):
            step.fact("settings' cache: make_key('k')", cache.make_key("k"))
        step.fact("this learner's view: make_key('k')", cache.make_key("k"))
    with lab.step(
        "The concept page's example, corrected",
        code="cache.set('my_key', 'my_value', timeout=60)\nvalue = cache.get('my_key')",
    ) as step:
        cache.set("my_key", "my_value", timeout=60)
        step.fact("value", cache.get("my_key"))
    with lab.step(
        "A cached None looks like a miss",
        code="cache.set('nothing', None)\ncache.get('nothing')\ncache.get('nothing', MISSING) is MISSING",
    ) as step:
        missing = object()  # a sentinel: no cached value can be this object
        cache.set("nothing", None)
        step.fact("get('missing')", cache.get("missing"))
        step.fact("get('nothing')", cache.get("nothing"))
        step.fact("get('missing', MISSING) is MISSING", cache.get("missing", missing) is missing)
        step.fact("get('nothing', MISSING) is MISSING", cache.get("nothing", missing) is missing)
    with lab.step("add() only stores a new key", code="cache.add('once', 1)\ncache.add('once', 2)") as step:
        step.fact("first add", cache.add("once", 1))
        step.fact("second add", cache.add("once", 2))
        step.fact("get('once')", cache.get("once"))
    with lab.step(
        "get_or_set(): get, compute, add, get",
        code="cache.get_or_set('lazy', compute, 60)  # twice",
    ) as step:
        computed = []

        def compute():
            computed.append(1)
            return "computed"

        step.fact("first call", cache.get_or_set("lazy", compute, 60))
        step.fact("second call", cache.get_or_set("lazy", compute, 60))
        step.fact("compute() ran", len(computed))


def _timeouts(lab, cache):
    with lab.step("timeout=0 stores nothing", code="cache.set('zero', 'v', 0)\ncache.get('zero')") as step:
        cache.set("zero", "v", 0)
        step.fact("get('zero')", cache.get("zero"))
    with lab.step("timeout=None keeps it until evicted", code="cache.set('forever', 'v', None)") as step:
        cache.set("forever", "v", None)
        step.fact("get('forever')", cache.get("forever"))
        step.fact("touch('forever', 120)", cache.touch("forever", 120))
        step.fact("touch('missing', 120)", cache.touch("missing", 120))


def _many_and_counters(lab, cache):
    with lab.step(
        "set_many() and get_many()",
        code="cache.set_many({'a': 1, 'b': 2})\ncache.get_many(['a', 'b', 'missing'])",
    ) as step:
        step.fact("set_many() returned (keys that failed)", cache.set_many({"a": 1, "b": 2}))
        step.fact("get_many()", cache.get_many(["a", "b", "missing"]))
    with lab.step(
        "incr() and decr()", code="cache.set('counter', 1)\ncache.incr('counter')\ncache.decr('counter', 5)"
    ) as step:
        cache.set("counter", 1)
        step.fact("incr('counter')", cache.incr("counter"))
        step.fact("decr('counter', 5)", cache.decr("counter", 5))
    with lab.step("incr() on a missing key", code="cache.incr('missing')", expect=ValueError):
        cache.incr("missing")
    with lab.step("delete()", code="cache.delete('a')  # twice") as step:
        step.fact("first delete", cache.delete("a"))
        step.fact("second delete", cache.delete("a"))


def _versions(lab, cache):
    with lab.step(
        "Versions",
        code="cache.set('ver', 'v2 value', version=2)\ncache.get('ver')\ncache.get('ver', version=2)\n"
        "cache.incr_version('ver', version=2)",
    ) as step:
        cache.set("ver", "v2 value", version=2)
        step.fact("get('ver')", cache.get("ver"))
        step.fact("get('ver', version=2)", cache.get("ver", version=2))
        step.fact("incr_version('ver', version=2)", cache.incr_version("ver", version=2))
        step.fact("get('ver', version=2) after", cache.get("ver", version=2))
        step.fact("get('ver', version=3) after", cache.get("ver", version=3))


def _keys(lab, cache, alias):
    with lab.step(
        "Another key prefix is another cache",
        code="with as_learner('someone-else'):\n    cache.get('my_key')",
    ) as step:
        step.fact("this learner: get('my_key')", cache.get("my_key"))
        with as_learner(f"{lab.learner}-other"):
            step.fact("another prefix: get('my_key')", cache.get("my_key"))
    for label, key in [("A key with a space", "my key"), ("A key longer than 250 characters", "k" * 251)]:
        with lab.step(label, code=f"cache.set({key!r}, 1)", expect=InvalidCacheKey) as step:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", CacheKeyWarning)
                cache.set(key, 1)
            step.fact("warnings", [str(w.message) for w in caught if w.category is CacheKeyWarning])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", CacheKeyWarning)
                cache.delete(key)


def _concurrent_incr(lab, cache, alias):
    with lab.step(
        f"{THREADS} threads × {INCRS} incr() at once",
        code="cache.set('bump', 0)\n# in each thread:\nfor _ in range(25): cache.incr('bump')",
    ) as step:
        cache.set("bump", 0)
        start = threading.Barrier(THREADS)

        def bump():
            # Each thread gets its own client, as caches[alias] does: a memcached client is not thread-safe.
            own = caches[alias]
            start.wait()
            for _ in range(INCRS):
                own.incr("bump")

        threads = [threading.Thread(target=in_context(bump)) for _ in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        step.fact("expected", THREADS * INCRS)
        step.fact("get('bump')", cache.get("bump"))
        # 200 calls are summed up by the two facts above.
        step.cache_ops[:] = step.cache_ops[:3]
