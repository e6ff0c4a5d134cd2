"""What changed since your last run of the same demo: the reason to toggle a switch and press Run again.

After each run the view keeps a small `snapshot()` of it (the inputs, the SQL,
the signal and middleware sequences, response headers, cache hits and misses,
timing medians, facts and the headline), per learner and demo, in the default
cache (Redis in a classroom, so any app server finds it). The next run of the
same demo is compared with it (`compare()`), and the report shows the
differences under its headline. Nothing here is typed by hand: both sides are
what the recorder measured.

The lab's own keys are kept out of django-debug-toolbar's Cache panel
(`toolbar_paused`): the learner's page did not use the cache, the lab did.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass
from typing import Any

from django.core.cache import caches
from django.utils.safestring import SafeString

from .caches import toolbar_paused
from .events import Query
from .recorder import Recorder
from .sqldiff import diff_lines, sql_diff_figure, sql_lines

logger = logging.getLogger("lab.demos")

KEEP_SECONDS = 24 * 3600
MAX_QUERIES = 40  # per step, as the report lists them; a snapshot stays a few kilobytes
MAX_TEXT = 2000
# Values that change on every run whatever the learner did: comparing them would only be noise.
VOLATILE_HEADERS = {"date", "expires", "last-modified", "server-timing", "x-lab-time", "set-cookie", "age"}


def cache_key(learner: str, slug: str) -> str:
    return f"lab:last:{learner}:{slug}"


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def snapshot(recorder: Recorder, inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    """The parts of a run the next run is compared with, as plain JSON-able data."""
    steps = recorder.steps
    return {
        "inputs": {k: _text(getattr(v, "pk", v)) for k, v in (inputs or {}).items()},
        "headline": recorder.headline_text,
        "wall_ms": recorder.wall_ms,
        "sql": [q.sql[:MAX_TEXT] for s in steps for q in s.queries[:MAX_QUERIES]],
        "queries": len(recorder.queries),
        "signals": [_signal_line(e) for e in recorder.signals],
        "trace": [f"{e.layer} {e.phase}" + (f" {e.status}" if e.status else "") for e in recorder.trace],
        "headers": {s.key: {k: _text(v) for k, v in s.response_headers.items()} for s in steps if s.response_headers},
        "hits": sum(s.cache_hits for s in steps),
        "misses": sum(s.cache_misses for s in steps),
        "cache_calls": len(recorder.cache_ops),
        "timings": {f"{s.key}/{series.label}": series.median for s in steps for series in s.series if series.samples},
        "facts": {
            f"{s.key}/{k}": [s.fact_labels.get(k, k), _text(v)]
            for s in steps
            for k, v in s.facts.items()
            if not isinstance(v, float)  # measured durations and ratios differ on every run; timings cover them
        },
    }


def _signal_line(event: Any) -> str:
    name = event.name.rsplit(".", 1)[-1]  # a receiver's own name reads better than its dotted path here
    if event.kind == "signal":
        return f"{event.name} sent by {event.sender}"
    if event.kind == "receiver":
        return f"receiver {name} ran" + (f" and raised {event.error}" if event.error else "")
    if event.kind == "skipped":
        return f"receiver {name} switched off"
    return f"{event.kind} {name}"


@dataclass
class Change:
    kind: str  # inputs, headline, sql, signals, trace, headers, cache, timings, facts, time
    what: str  # a short label: "SQL", "Signals"
    text: str  # what changed, measured
    lines: tuple[str, ...] = ()  # a sequence diff, "− old" / "+ new" lines
    figure: SafeString | None = None  # the SQL diff


def compare(before: dict[str, Any] | None, after: dict[str, Any]) -> list[Change] | None:
    """What differs between the previous run `before` and this one; None when there is no previous run."""
    if not before:
        return None
    changes: list[Change] = []
    changed_inputs = [
        f"{name} {before['inputs'].get(name, '–')} → {value}"
        for name, value in after["inputs"].items()
        if before.get("inputs", {}).get(name) != value
    ]
    if changed_inputs:
        changes.append(Change("inputs", "You changed", "; ".join(changed_inputs)))
    if before.get("headline") and before["headline"] != after["headline"]:
        changes.append(Change("headline", "Last time", before["headline"]))
    if before.get("sql") != after["sql"] or before.get("queries") != after["queries"]:
        changes.append(_sql_change(before, after))
    for kind, what in (("signals", "Signals"), ("trace", "Middleware")):
        if before.get(kind, []) != after[kind]:
            lines = _sequence_diff(before.get(kind, []), after[kind])
            changes.append(Change(kind, what, f"{len(before.get(kind, []))} events → {len(after[kind])}", lines))
    header_lines = _header_diff(before.get("headers", {}), after["headers"])
    if header_lines:
        changes.append(Change("headers", "Response headers", f"{len(header_lines)} changed", tuple(header_lines)))
    if (before.get("hits"), before.get("misses"), before.get("cache_calls")) != (
        after["hits"],
        after["misses"],
        after["cache_calls"],
    ):
        changes.append(
            Change(
                "cache",
                "Cache",
                f"{before.get('hits', 0)} hits, {before.get('misses', 0)} misses → "
                f"{after['hits']} hits, {after['misses']} misses ({after['cache_calls']} calls)",
            )
        )
    fact_lines = [
        f"{label}: {before['facts'][key][1]} → {value}"
        for key, (label, value) in after["facts"].items()
        if key in before.get("facts", {}) and before["facts"][key][1] != value
    ]
    if fact_lines:
        changes.append(Change("facts", "Facts", f"{len(fact_lines)} changed", tuple(fact_lines)))
    timing_lines = [
        f"{key.split('/', 1)[1]}: median {_ms(before['timings'][key])} → {_ms(median)} ({_percent(before['timings'][key], median)})"
        for key, median in after["timings"].items()
        if key in before.get("timings", {})
    ]
    if timing_lines:
        changes.append(Change("timings", "Timings", timing_lines[0], tuple(timing_lines[1:])))
    changes.append(Change("time", "Ran in", f"{_ms(after['wall_ms'])} (last time {_ms(before.get('wall_ms', 0))})"))
    return changes


def _sql_change(before: dict[str, Any], after: dict[str, Any]) -> Change:
    def as_queries(sqls: list[str]) -> list[Query]:
        return [Query(sql, (), sql, "", "", 0.0) for sql in sqls]

    lines = diff_lines(sql_lines(as_queries(before.get("sql", []))), sql_lines(as_queries(after["sql"])))
    differ = sum(1 for line in lines if line.kind != "same")
    text = f"{before.get('queries', 0)} quer{'y' if before.get('queries') == 1 else 'ies'} → {after['queries']}"
    if differ:
        text += f", {differ} line{'s' if differ != 1 else ''} of SQL differ"
    figure = sql_diff_figure("last run", "this run", lines) if differ else None
    return Change("sql", "SQL", text, figure=figure)


def _sequence_diff(old: list[str], new: list[str]) -> tuple[str, ...]:
    """Both sequences in full when they are short (a reordered stack reads best whole), else the lines that differ."""
    if len(old) + len(new) <= 80:
        return (f"− last run: {' · '.join(old) or '(nothing)'}", f"+ this run: {' · '.join(new) or '(nothing)'}")
    out = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op != "equal":
            out += [f"− {line}" for line in old[a1:a2]] + [f"+ {line}" for line in new[b1:b2]]
    return tuple(out)


def _header_diff(old: dict[str, dict[str, str]], new: dict[str, dict[str, str]]) -> list[str]:
    lines = []
    for step in dict.fromkeys([*old, *new]):
        a, b = old.get(step, {}), new.get(step, {})
        for name in dict.fromkeys([*a, *b]):
            if name not in b:
                lines.append(f"− {name} ({step})")
            elif name not in a:
                lines.append(f"+ {name}: {b[name]} ({step})")
            elif a[name] != b[name] and name.lower() not in VOLATILE_HEADERS:
                lines.append(f"~ {name}: {a[name]} → {b[name]} ({step})")
    return lines


def _ms(value: float) -> str:
    from .templatetags.lab import ms

    return ms(value)


def _percent(old: float, new: float) -> str:
    if not old:
        return "new"
    change = (new - old) / old * 100
    return f"{change:+.0f}%"


def recall_and_remember(learner: str, slug: str, snap: dict[str, Any]) -> dict[str, Any] | None:
    """The learner's previous snapshot of this demo (or None), and keep `snap` in its place.

    A failing cache server costs the learner this block, never the run.
    """
    if not learner:
        return None
    key = cache_key(learner, slug)
    try:
        with toolbar_paused():
            cache = caches["default"]
            before = cache.get(key)
            cache.set(key, snap, KEEP_SECONDS)
    except Exception as exc:  # noqa: BLE001 (any cache client's error: the report still shows)
        logger.warning("Could not keep the last run of %s: %s", slug, exc)
        return None
    return before if isinstance(before, dict) else None
