"""Caching track, lesson 1: what each backend stores and how fast, and the timing lab.

Every caching demo with a backend choice calls `require_backend` first: an
unavailable backend gives a clear report (why, and how to start it), never an
error. Sizes are bounded so one run's worst case is a few CPU-seconds: a
classroom's workers are shared by everyone.
"""

from __future__ import annotations

import os
import pickle
from functools import partial

from django import forms
from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.utils.html import format_html

from lab.backends import BACKENDS
from lab.caches import toolbar_paused
from lab.handler import build_request, send, view_runs
from lab.recorder import paused, source_code
from lab.registry import Prediction, demo
from sandbox.endpoints.caching import report, report_page, sales_report
from sandbox.models import OrderItem
from sandbox.teaching.caching import read, read_before_createcachetable, set_and_get, set_for_zero_seconds
from sandbox.teaching.caching_pages import forget_cached_page

from .caching_kit import (
    BackendForm,
    answer_of,
    backends_table,
    entry_stored,
    entry_text,
    ms,
    pages_stored,
    require_backend,
    send_in,
    show,
    views_code,
    yes_no,
)

ROUNDS = 20  # timed rounds per backend: enough for a median and a spread


class BenchmarkForm(forms.Form):
    ops = forms.IntegerField(
        label="set + get pairs per backend",
        min_value=ROUNDS,
        max_value=1000,
        initial=100,
        help_text="100 takes about a second in all; up to 1,000 for steadier medians.",
    )


def _pairs(cache, count: int) -> None:
    for i in range(count):
        set_and_get(cache, f"bench:{i}", i)


def _where(alias: str, cache, key: str) -> str:
    """Where the backend keeps `key`, looked up in the store itself (lab bookkeeping, unrecorded)."""
    location = settings.CACHES[alias]["LOCATION"]
    if alias == "file":
        path = cache._key_to_file(key)
        return f"the file {os.path.basename(path)} ({os.path.getsize(path)} bytes) in the cache folder (LOCATION)"
    if alias == "db":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(location)
            cursor.execute(f"SELECT expires FROM {table} WHERE cache_key = %s", [cache.make_key(key)])
            row = cursor.fetchone()
        return f"a row of the table {location} (expires {row[0]:%Y-%m-%d %H:%M:%S})" if row else "no row"
    if alias == "locmem":
        return f"a dict in this worker's memory (LOCATION {location!r}): other workers have their own"
    return f"the server at {location}"


@demo(
    "caching.backends",
    title="Backend switcher: the same set/get on every backend",
    form=BenchmarkForm,
    description="Times the same set and get on every available backend, shows where each keeps an entry, "
    "and what each does with timeout=0.",
    reports=("timing", "cache", "sql"),
    time_limit=20,
    predictions=(
        Prediction(
            "Which backend answers a set + get fastest?",
            tuple(BACKENDS),
            answer=lambda lab: min(
                (a for a in BACKENDS if f"{a}_ms" in lab.get("timings").facts),
                key=lambda a: lab.get("timings").facts[f"{a}_ms"],
            ),
            explain="Local memory is a dict in the worker's own memory: no network round trip, no file, no SQL.",
            see="#demo-the-same-calls-on-every-backend",
        ),
        Prediction(
            "After cache.set(key, value, timeout=0) on the database backend, is there a row for the key?",
            ("yes", "no"),
            answer=answer_of("timeout_zero", "db_written", yes_no),
            explain="Django writes the row with an expiry in the past; the next get() misses and deletes it.",
            see="#timeout0-writes-an-entry-that-is-already-expired",
        ),
    ),
)
def backends(lab, data):
    with lab.section("Which backends are available", key="backends") as step:
        usable = [s.alias for s in backends_table(step).values() if s.available]
    per_round = max(1, data["ops"] // ROUNDS)
    with lab.section(
        f"{per_round * ROUNDS} set + get pairs on each backend (ms per pair)",
        key="timings",
        code=source_code(set_and_get),
    ) as timings:
        timings.call = f"set_and_get(cache, 'bench:<i>', <i>) for {per_round} keys, {ROUNDS} rounds on each backend"
        for alias in usable:
            cache = caches[alias]
            with toolbar_paused() as paused_toolbar:
                series = lab.trials(timings, alias, partial(_pairs, cache, per_round), ROUNDS)
            series.samples[:] = [sample / per_round for sample in series.samples]
            timings.fact(f"{alias}_ms", round(series.median, 4), f"{alias}: median ms per pair")
            with paused():
                cache.delete_many([f"bench:{i}" for i in range(per_round)])
        if paused_toolbar:
            timings.fact("toolbar_paused", True, "debug toolbar's SQL and cache panels paused while timing")
    with lab.section("Where one entry lives", key="where", code=source_code(set_and_get)) as step:
        step.call = "set_and_get(cache, 'where', 'here') on each backend"
        rows = []
        for alias in usable:
            cache = caches[alias]
            set_and_get(cache, "where", "here")
            with paused():
                key = step.fact(f"{alias}_key", cache.make_key("where"), f"{alias}: stored as")
                where = step.fact(f"{alias}_where", _where(alias, cache, "where"), f"{alias}: lives in")
                cache.delete("where")
            rows.append([alias, key, where])
        step.table(["alias", "stored as", "where it lives"], rows)
    with lab.section(
        "timeout=0 on every backend: written, then missed",
        key="timeout_zero",
        code=source_code(set_for_zero_seconds) + "\n\n" + source_code(read),
    ) as step:
        step.call = "set_for_zero_seconds(cache, 'zero', 'v'), then read(cache, 'zero'), on each backend"
        rows = []
        for alias in usable:
            cache = caches[alias]
            set_for_zero_seconds(cache, "zero", "v")
            with paused():
                written = step.fact(f"{alias}_written", entry_stored(alias, cache, "zero"), f"{alias}: entry written")
            value = step.fact(f"{alias}_get", read(cache, "zero"), f"{alias}: get() returned")
            with paused():
                left = step.fact(f"{alias}_left", entry_stored(alias, cache, "zero"), f"{alias}: entry after get()")
            rows.append([alias, entry_text(written), repr(value), entry_text(left)])
        step.table(["alias", "entry after set(…, timeout=0)", "get()", "entry after get()"], rows)
    lab.step(
        "DatabaseCache before createcachetable",
        read_before_createcachetable,
        key="missing_table",
        expect=DatabaseError,
    )
    medians = {alias: timings.facts[f"{alias}_ms"] for alias in usable}
    fast, slow = min(medians, key=medians.get), max(medians, key=medians.get)
    ratio = medians[slow] / medians[fast] if medians[fast] else 0
    lab.headline(
        f"{fast} answers a set + get in {ms(medians[fast])}, {slow} in {ms(medians[slow])}: "
        f"{ratio:.0f}× slower (median)",
        focus=timings,
    )


# -- the timing lab ----------------------------------------------------------------


class TimingForm(BackendForm):
    trials = forms.IntegerField(label="Trials per variant", min_value=3, max_value=20, initial=10)


def _toolbar_link(url: str):
    """A link to the cached report, with what to expect when it opens in the learner's browser."""
    if settings.DEBUG and getattr(settings, "TOOLBAR_ENABLED", False):
        toolbar = "The debug toolbar shows its SQL, cache, timer and headers panels for each load."
    else:
        toolbar = "The debug toolbar appears only when the site runs locally with DEBUG=True."
    return format_html(
        '<p><a href="{}" target="_blank" rel="noopener">{}</a>: open it, then reload it. The host name is part of '
        "the page's key and your browser sends its own, so the first load is a miss and the reload a hit. {}</p>",
        url,
        url,
        toolbar,
    )


def _send_noting_hits(path: str, hits: list[bool]) -> None:
    hits.append("Age" in send([], path))  # only a response served from the cache carries Age


def _speedup_band(ratio: float) -> str:
    return "less than 2×" if ratio < 2 else "2× to 20×" if ratio <= 20 else "more than 20×"


def _speedup(ratio: float) -> str:
    if ratio < 1:
        return f"cached {1 / ratio:.1f}× slower (median)"
    return f"cached {ratio:.0f}× faster (median)" if ratio >= 10 else f"cached {ratio:.1f}× faster (median)"


@demo(
    "caching.timing-lab",
    title="Timing lab: an expensive report, uncached and cached",
    form=TimingForm,
    description="Sends the sales report request many times without a cache and through cache_page on the chosen "
    "backend, and compares the medians.",
    reports=("cache", "timing", "sql", "headers"),
    time_limit=20,
    shows=(sales_report, report, report_page, forget_cached_page),
    predictions=(
        Prediction(
            "The second request for the cached report: does report_page() run again?",
            ("yes", "no"),
            answer=answer_of("second_cached", "view_ran", yes_no),
            explain="cache_page answers a hit from the cache before calling the view: no view, no SQL.",
            see="#demo-the-timing-lab",
        ),
        Prediction(
            "How much faster is the cached median than the uncached one?",
            ("less than 2×", "2× to 20×", "more than 20×"),
            answer=answer_of("trials", "speedup", _speedup_band),
            explain="A hit costs two cache reads and unpickling a response; a miss costs the report's queries, "
            "which grow with the data. Load the large seed and compare.",
            see="#demo-the-timing-lab",
        ),
    ),
)
def timing_lab(lab, data):
    alias, trials = data["backend"], data["trials"]
    if not require_backend(lab, alias):
        return
    cache = caches[alias]
    uncached, cached = "/sandbox/caching/report/", f"/sandbox/caching/report/?cached=1&backend={alias}"
    with lab.section("One uncached request", key="uncached", code=views_code(report)) as step:
        response = send_in(step, [], uncached)
        with paused():
            step.fact("order_items", OrderItem.objects.count(), "order items the report aggregates")
        step.fact("status", response.status_code, "status")
        step.fact("queries", len(step.queries), "queries per uncached request")
    lab.step(
        "Start cold: delete this URL's cached page",
        partial(forget_cached_page, build_request(cached), cache),
        key="start_cold",
    )
    with lab.section(
        "First cached request: a miss, the view runs, the page is stored", key="first_cached", code=views_code(report)
    ) as step:
        response = send_in(step, [], cached, watch=[report_page])
        show(step, response)
        step.fact("view_ran", view_runs(step.trace, "report_page"), "report_page() ran")
        step.fact("queries", len(step.queries), "queries")
        step.fact("keys_stored", len({op.full_key for op in step.cache_ops if op.op == "set"}), "keys stored")
        for op in pages_stored(step.cache_ops):
            step.fact("stored_for", op.timeout, "page stored for (s)")
            with paused():
                step.fact("page_bytes", len(pickle.dumps(cache.get(op.key))), "page bytes (pickled)")
    with lab.section(
        "Second cached request: a hit, served without running the view", key="second_cached", code=views_code(report)
    ) as step:
        response = send_in(step, [], cached, watch=[report_page])
        show(step, response)
        step.fact("view_ran", view_runs(step.trace, "report_page"), "report_page() ran")
        step.fact("queries", len(step.queries), "queries")
        step.fact("age", response.get("Age"), "Age")
    with lab.section(f"{trials} trials each", key="trials") as step:
        step.call = f"GET {uncached} × {trials}, then GET {cached} × {trials}"
        hits: list[bool] = []
        with toolbar_paused() as paused_toolbar:
            slow = lab.trials(step, "uncached", partial(send, [], uncached), trials)
            fast = lab.trials(step, f"cached ({alias})", partial(_send_noting_hits, cached, hits), trials)
        if paused_toolbar:
            step.fact("toolbar_paused", True, "debug toolbar's SQL and cache panels paused while timing")
        step.fact("uncached_ms", round(slow.median, 3), "uncached median (ms)")
        step.fact("cached_ms", round(fast.median, 3), "cached median (ms)")
        ratio = step.fact(
            "speedup",
            round(slow.median / fast.median, 1) if fast.median else None,
            "speed-up (uncached median / cached median)",
        )
        step.fact("served_from_cache", sum(hits), f"cached trials served from the cache (of {trials})")
        step.figure("Open the same request in your browser", _toolbar_link(cached))
    if ratio:
        lab.headline(f"{_speedup(ratio)}: {ms(slow.median)} → {ms(fast.median)} on {alias}", focus=step)
