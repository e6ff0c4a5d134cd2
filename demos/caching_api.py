"""Caching track, lesson 2: the low-level cache API, one experiment per step, on any lab backend.

Every call goes through `caches[alias]`: the real backend, whose KEY_FUNCTION
keeps this learner's keys apart, so the report's "stored as" column shows the
exact key each backend received. The demo deletes its own keys at the end and
never calls clear(), which would wipe every learner's entries (and, on a shared
Redis, everyone else's too).
"""

from __future__ import annotations

import warnings
from functools import partial

from django.core.cache import caches
from django.core.cache.backends.base import CacheKeyWarning, InvalidCacheKey

from lab.learners import as_learner
from lab.recorder import paused, source_code
from lab.registry import Prediction, demo
from sandbox.teaching import caching as api

from .caching_kit import (
    BackendForm,
    all_at_once,
    answer_of,
    entry_stored,
    entry_text,
    facts_from,
    require_backend,
    yes_no,
)

KEYS = ["my_key", "missing", "nothing", "zero", "forever", "once", "lazy", "a", "b", "counter", "ver", "bump"]
THREADS, INCRS = 8, 25


@demo(
    "caching.api",
    title="The low-level cache API, call by call",
    form=BackendForm,
    description="Runs set, get, add, get_or_set, get_many, set_many, incr, delete, touch, timeouts and versions "
    "on the backend you choose, and shows each call's result and key.",
    reports=("cache",),
    predictions=(
        Prediction(
            "cache.add('once', 2) when 'once' is already cached: what does it return?",
            ("True", "False"),
            answer=answer_of("add_twice", "second_add"),
            explain="add() stores only when the key is absent, and returns whether it stored.",
            see="#the-calls",
        ),
        Prediction(
            f"{THREADS} threads each call incr() {INCRS} times on one key. Does the count reach "
            f"{THREADS * INCRS} on the backend you chose?",
            ("yes", "no"),
            answer=answer_of("threads", "count", lambda count: yes_no(count == THREADS * INCRS)),
            explain="Redis and Memcached increment on the server and local memory takes a lock; the file and "
            "database backends read, add and write back, and lose updates that overlap.",
            see="#counters-and-atomicity",
        ),
    ),
)
def api_demo(lab, data):
    alias = data["backend"]
    if not require_backend(lab, alias):
        return
    cache = caches[alias]
    try:
        _basics(lab, cache)
        _timeouts(lab, cache, alias)
        _counters(lab, cache)
        _keys(lab, cache)
        _concurrent_incr(lab, cache, alias)
    finally:
        lab.step("Clean up: delete this run's keys (never clear())", partial(api.forget, cache, KEYS), key="clean_up")
        with paused():
            cache.delete("ver", version=3)


def _basics(lab, cache):
    with as_learner(""):  # outside every learner: Django's own key format
        step = lab.step("How a key is made (Django's default)", partial(api.key_for, cache, "k"), key="key_default")
    step.fact("key", step.result, "make_key('k')")
    step = lab.step("How a key is made (your learner space)", partial(api.key_for, cache, "k"), key="key_learner")
    step.fact("key", step.result, "make_key('k')")
    step = lab.step("The concept page's example, corrected", partial(api.concept_page_example, cache))
    step.fact("value", step.result, "value")
    step = lab.step("A cached None looks like a miss", partial(api.none_or_miss, cache))
    facts_from(
        step,
        {
            "get_nothing": "get('nothing')",
            "get_missing": "get('missing')",
            "nothing_is_missing": "get('nothing', MISSING) is MISSING",
            "missing_is_missing": "get('missing', MISSING) is MISSING",
        },
    )
    step = lab.step("add() only stores a new key", partial(api.add_twice, cache))
    facts_from(step, {"first_add": "add('once', 1)", "second_add": "add('once', 2)", "value": "get('once')"})
    step = lab.step("get_or_set(): get, compute, add, get", partial(api.get_or_set_twice, cache))
    facts_from(step, {"first": "first get_or_set()", "second": "second get_or_set()", "computed": "compute() ran"})


def _timeouts(lab, cache, alias):
    step = lab.step("timeout=0: set()", partial(api.set_for_zero_seconds, cache, "zero", "v"), key="zero_set")
    with paused():
        step.fact("written", entry_stored(alias, cache, "zero"), "an entry is in the store after set()")
        step.fact("written_text", entry_text(step.facts["written"]), "looked up in the store itself")
    step = lab.step("timeout=0: get()", partial(api.read, cache, "zero"), key="zero_get")
    step.fact("value", step.result, "get('zero')")
    with paused():
        step.fact("left", entry_stored(alias, cache, "zero"), "entry in the store after get()")
    step = lab.step("timeout=None keeps it until evicted", partial(api.keep_forever, cache))
    facts_from(
        step,
        {"value": "get('forever')", "touch": "touch('forever', 120)", "touch_missing": "touch('missing', 120)"},
    )


def _counters(lab, cache):
    step = lab.step("set_many() and get_many()", partial(api.many_at_once, cache))
    facts_from(step, {"failed": "set_many({'a': 1, 'b': 2})", "got": "get_many(['a', 'b', 'missing'])"})
    step = lab.step("incr() and decr()", partial(api.count_up_and_down, cache))
    facts_from(step, {"incr": "incr('counter')", "decr": "decr('counter', 5)"})
    lab.step("incr() on a missing key", partial(api.incr_missing, cache), expect=ValueError)
    step = lab.step("delete() twice", partial(api.delete_twice, cache))
    facts_from(step, {"first": "first delete('a')", "second": "second delete('a')"})
    step = lab.step("Versions", partial(api.versions, cache))
    facts_from(
        step,
        {
            "plain": "get('ver')",
            "v2": "get('ver', version=2)",
            "incr_version": "incr_version('ver', version=2)",
            "v2_after": "get('ver', version=2) after",
            "v3_after": "get('ver', version=3) after",
        },
    )


def _keys(lab, cache):
    with as_learner(f"{lab.learner}-other"):
        step = lab.step("Another learner reads my_key", partial(api.read, cache, "my_key"), key="other_learner")
    step.fact("value", step.result, "another learner's get('my_key')")
    for key, label, odd in [("space", "A key with a space", "my key"), ("long", "A key of 251 characters", "k" * 251)]:
        step = lab.step(
            label, partial(api.set_and_catch_key_warnings, cache, odd), key=f"{key}_key", expect=InvalidCacheKey
        )
        step.fact("warnings", step.result or [], "CacheKeyWarnings")
        if not step.error:  # stored (the memcached backends refused the key instead)
            with paused(), warnings.catch_warnings():
                warnings.simplefilter("ignore", CacheKeyWarning)
                cache.delete(odd)


def _count_up_in_thread(alias):
    api.count_up(caches[alias], "bump", INCRS)  # each thread its own client: a memcached client is not thread-safe


def _concurrent_incr(lab, cache, alias):
    if alias == "db":
        with lab.section(f"{THREADS} threads × {INCRS} incr() at once", key="threads") as step:
            step.fact(
                "skipped",
                "this run is a transaction that is rolled back: the threads' own connections can't see its rows",
                "skipped on db",
            )
        zero = (
            lab.get("zero_set").facts["written"],
            lab.get("zero_get").facts["value"],
            lab.get("zero_get").facts["left"],
        )
        lab.headline(
            f"timeout=0 on db: row written: {yes_no(zero[0])}; get() returned {zero[1]!r}; row left after it: "
            f"{yes_no(zero[2])}",
            focus=lab.get("zero_set"),
        )
        return
    lab.step("Start the counter at 0", partial(api.set_and_get, cache, "bump", 0), key="bump_start")
    with lab.section(
        f"{THREADS} threads × {INCRS} incr() at once", key="threads", code=source_code(api.count_up)
    ) as step:
        step.call = f"count_up(cache, 'bump', {INCRS}) in {THREADS} threads released together"
        step.fact("raised", len(all_at_once(THREADS, partial(_count_up_in_thread, alias))), "threads that raised")
        with paused():
            step.fact("count", cache.get("bump"), "get('bump')")
        step.fact("expected", THREADS * INCRS, "expected")
        # 200 calls are summed up by the facts above; the first few show what each thread did.
        step.cache_ops[:] = step.cache_ops[:3]
    lab.headline(
        f"{THREADS} threads × {INCRS} incr() on {alias}: the count reached {step.facts['count']} of "
        f"{THREADS * INCRS}" + ("" if step.facts["count"] == THREADS * INCRS else ": updates were lost"),
        focus=step,
    )
