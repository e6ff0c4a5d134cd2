"""Caching track, lesson 6: a cache stampede, and an add() lock that stops it.

Several threads are released at the same moment on one cold key. On the db
backend every thread holds a database connection of its own for the run, so
the threads are capped there (DB_THREADS): eight learners running this at
once must stay far below PostgreSQL's max_connections.
"""

from __future__ import annotations

import secrets
from functools import partial

from django import forms
from django.core.cache import caches

from lab.recorder import paused, source_code
from lab.registry import Prediction, demo
from sandbox.teaching.caching_stampede import expensive_report, get_or_compute_with_lock, report_with_get_or_set

from .caching_kit import BackendForm, Counted, all_at_once, fact_of, require_backend

DB_THREADS = 4  # at most this many threads on db: with the run's own, 5 connections per run


class StampedeForm(BackendForm):
    threads = forms.IntegerField(
        label="Threads missing at once",
        min_value=2,
        max_value=16,
        initial=8,
        help_text=f"On db at most {DB_THREADS}: each thread holds a database connection.",
    )


def _times(computed: int, threads: int) -> str:
    return "once" if computed == 1 else "once per thread" if computed >= threads else "a few times"


def _in_thread(fn, alias: str, key: str, compute) -> None:
    fn(caches[alias], key, compute)  # each thread its own cache object, as caches[alias] gives (pymemcache)


@demo(
    "caching.stampede",
    title="A cache stampede, and an add() lock that stops it",
    form=StampedeForm,
    description="Starts several threads at the same moment on one cold key, first with get_or_set(), then with an "
    "add()-based lock, and counts how many times the expensive function ran.",
    commits=True,  # no model writes; threads need a cache outside the demo's transaction (db)
    reports=("cache",),
    time_limit=20,
    shows=(expensive_report, report_with_get_or_set, get_or_compute_with_lock),
    predictions=(
        Prediction(
            "The threads all miss the same cold key with get_or_set(). How many times does expensive_report() run?",
            ("once", "a few times", "once per thread"),
            answer=lambda lab: _times(
                fact_of("get_or_set", "computed", 0)(lab), fact_of("get_or_set", "threads", 0)(lab)
            ),
            explain="get_or_set() is get, compute, add, get: nothing stops callers that missed together from "
            "computing together.",
            see="#stampedes",
        ),
    ),
)
def stampede(lab, data):
    alias, asked = data["backend"], data["threads"]
    if not require_backend(lab, alias):
        return
    n = min(asked, DB_THREADS) if alias == "db" else asked
    variants = [
        ("get_or_set", "get_or_set()", report_with_get_or_set),
        ("add_lock", "an add() lock", get_or_compute_with_lock),
    ]
    keys: list[str] = []
    try:
        for key, label, fn in variants:
            cold = f"stampede:{secrets.token_hex(4)}"  # a new, cold key per run
            keys += [cold, f"{cold}:lock"]
            compute = Counted(expensive_report)
            with lab.section(f"{n} threads, {label}", key=key, code=source_code(fn)) as step:
                step.call = f"{fn.__name__}(caches[{alias!r}], {cold!r}, expensive_report) in {n} threads at once"
                failed = all_at_once(n, partial(_in_thread, fn, alias, cold, compute))
                step.fact("computed", compute.calls, "expensive_report() ran")
                step.fact("threads", n, "threads")
                if n < asked:
                    step.fact("asked", asked, f"threads asked for (db runs at most {DB_THREADS})")
                if failed:  # e.g. SQLite refusing concurrent writers to the cache table
                    step.fact("raised", len(failed), "threads that raised")
                    step.fact("error", f"{type(failed[0]).__name__}: {failed[0]}", "a thread raised")
    finally:
        with paused():
            caches[alias].delete_many(keys)
    plain, locked = lab.get("get_or_set").facts, lab.get("add_lock").facts
    lab.headline(
        f"{n} threads missing at once: get_or_set() computed {plain['computed']}×, the add() lock "
        f"{locked['computed']}×",
        focus=lab.get("add_lock"),
    )
