"""Caching track, lesson 1: the lab's cache backends, what each stores, and the timing lab.

`availability()` says which lab backends this site can use right now, and if
one can't be used, why and how to start it. Every caching demo with a backend
choice calls `require_backend` first: an unavailable backend gives a clear
report, never an error.
"""

from __future__ import annotations

import pickle
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, connection, transaction
from django.utils.cache import get_cache_key
from django.utils.html import format_html

from lab.backends import availability, backend_choices
from lab.handler import build_request, send, view_runs
from lab.recorder import Recorder, paused
from lab.registry import demo
from sandbox.endpoints.caching import report_page
from sandbox.models import OrderItem


class BackendForm(forms.Form):
    backend = forms.ChoiceField(label="Cache backend", initial="locmem")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["backend"].choices = backend_choices()


def require_backend(lab: Recorder, alias: str) -> bool:
    """Report every backend's status; True if `alias` can be used."""
    statuses = availability()
    status = statuses[alias]
    with lab.step(f"Backend: {alias}") as step:
        step.table(
            ["alias", "backend", "available", "why not", "how to start it"],
            [[s.alias, s.label, "yes" if s.available else "no", s.why, s.how] for s in statuses.values()],
        )
        step.fact("available", status.available)
        if not status.available:
            step.note(f"{alias} is unavailable: {status.why}. To use it, {status.how}.")
    return status.available


# -- C1: what each backend stores ------------------------------------------------


class BenchmarkForm(forms.Form):
    ops = forms.IntegerField(label="set + get pairs per backend", min_value=100, max_value=2000, initial=1000)


@demo(
    "caching.backends",
    title="Backend switcher: the same set/get on every backend",
    form=BenchmarkForm,
    description="Times the same set and get on every available lab backend, then shows where each one keeps an entry.",
    reports=("timing", "cache", "sql"),
    time_limit=30,
)
def backends(lab, data):
    statuses = availability()
    rounds = 20
    per_round = max(1, data["ops"] // rounds)
    with lab.step("Which backends are available") as step:
        step.table(
            ["alias", "backend", "available", "why not", "how to start it"],
            [[s.alias, s.label, "yes" if s.available else "no", s.why, s.how] for s in statuses.values()],
        )
    usable = [s.alias for s in statuses.values() if s.available]
    with lab.step(
        f"{per_round * rounds} set + get pairs on each backend (ms per pair)",
        code="cache.set(f'bench:{i}', i)\ncache.get(f'bench:{i}')",
    ) as step:
        for alias in usable:
            cache = caches[alias]
            samples = []
            with paused():  # time the backend, not the lab's recording of 2,000 calls
                try:
                    for _ in range(rounds):
                        lab.check_time()  # paused() skips the per-call check: keep the time limit per round
                        started = time.perf_counter()
                        for i in range(per_round):
                            cache.set(f"bench:{i}", i)
                            cache.get(f"bench:{i}")
                        samples.append((time.perf_counter() - started) * 1000 / per_round)
                finally:
                    cache.delete_many([f"bench:{i}" for i in range(per_round)])
            step.timings(alias, samples)
    with lab.step("Where one entry lives", code="cache.set('where', 'here', 60)") as step:
        for alias in usable:
            cache = caches[alias]
            cache.set("where", "here", 60)
            step.fact(f"{alias} key", cache.make_key("where"))
        if "file" in usable:
            path = Path(caches["file"]._key_to_file("where"))
            step.fact("file file", f"{path.name} ({path.stat().st_size} bytes)")
        if "db" in usable:
            table = connection.ops.quote_name(settings.CACHES["db"]["LOCATION"])
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT cache_key, expires FROM {table} WHERE cache_key LIKE %s", [f"learner-{lab.learner}:%"]
                )
                step.table(["cache_key", "expires"], cursor.fetchall())
        for alias in usable:
            caches[alias].delete("where")
    with lab.step(
        "DatabaseCache before createcachetable",
        code="DatabaseCache('lab_missing_table', {}).get('k')",
        expect=DatabaseError,
    ):
        # A savepoint, so the failed query doesn't break the rest of the run (PostgreSQL).
        with transaction.atomic():
            DatabaseCache("lab_missing_table", {}).get("k")


# -- the timing lab ----------------------------------------------------------------


class TimingForm(BackendForm):
    trials = forms.IntegerField(label="Trials per variant", min_value=3, max_value=50, initial=10)


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


def _send_timed(path: str) -> tuple[float, object]:
    started = time.perf_counter()
    response = send([], path)
    return (time.perf_counter() - started) * 1000, response


@demo(
    "caching.timing-lab",
    title="Timing lab: an expensive report, uncached and cached",
    form=TimingForm,
    description="Sends the sales report request many times without a cache and through cache_page on the chosen "
    "backend, and compares the medians.",
    reports=("cache", "timing", "sql", "headers"),
    time_limit=60,
)
def timing_lab(lab, data):
    alias, trials = data["backend"], data["trials"]
    if not require_backend(lab, alias):
        return
    uncached, cached = "/sandbox/caching/report/", f"/sandbox/caching/report/?cached=1&backend={alias}"
    if True:
        cache = caches[alias]
        with lab.step("One uncached request", code=f"send([], {uncached!r})") as step:
            response = send([], uncached)
            with paused():
                step.fact("order items the report aggregates", OrderItem.objects.count())
            step.fact("status", response.status_code)
            step.fact("queries per uncached request", len(step.queries))
        with lab.step(
            "Start cold: delete this URL's cached page",
            code="key = get_cache_key(request, key_prefix, cache=cache)\nif key: cache.delete(key)",
        ) as step:
            request = build_request(cached)
            key = get_cache_key(request, cache=cache)
            step.fact("cached page key", key)
            if key:
                cache.delete(key)
        with lab.step("First cached request: a miss, so the view runs and the page is stored") as step:
            response = send([], cached, watch=[report_page])
            step.response_headers = dict(response.items())
            step.fact("view ran", view_runs(step.trace, "report_page"))
            step.fact("queries", len(step.queries))
            stored = {op.full_key for op in step.cache_ops if op.op == "set"}
            step.fact("keys stored", len(stored))
            page_key = next((op.key for op in step.cache_ops if op.op == "set" and ".cache_page." in op.key), None)
            if page_key:
                with paused():
                    step.fact("page bytes (pickled)", len(pickle.dumps(cache.get(page_key))))
        with lab.step("Second cached request: a hit, served without running the view") as step:
            response = send([], cached, watch=[report_page])
            step.response_headers = dict(response.items())
            step.fact("view ran", view_runs(step.trace, "report_page"))
            step.fact("queries", len(step.queries))
            step.fact("Age", response.get("Age"))
        with lab.step(f"{trials} trials each") as step:
            capture, lab.capture_sql = lab.capture_sql, False  # keep the report short: SQL is shown above
            try:
                slow = [_send_timed(uncached)[0] for _ in range(trials)]
                fast = [_send_timed(cached)[0] for _ in range(trials)]
            finally:
                lab.capture_sql = capture
            a = step.timings("uncached", slow)
            b = step.timings(f"cached ({alias})", fast)
            step.fact("uncached median (ms)", round(a.median, 3))
            step.fact("cached median (ms)", round(b.median, 3))
            step.fact("speedup (uncached median / cached median)", round(a.median / b.median, 1) if b.median else None)
            step.fact("cache hits", step.cache_hits)
            step.fact("cache misses", step.cache_misses)
            step.figure("Open the same request in your browser", _toolbar_link(cached))
            # One request's calls and trace are listed in the steps above; these are 2×trials more of the same.
            step.cache_ops.clear()
            step.trace.clear()
