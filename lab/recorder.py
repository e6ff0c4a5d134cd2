"""The lab recorder: what really ran during one demo run.

One `Recorder` per run lives in a ContextVar (never module state), so two
learners' runs in two threads record separately. The hooks that feed it (SQL
execute wrapper, signal tracer, cache backends, middleware tracer) are cheap
no-ops when no recorder is active.

A run is a list of `Step`s. Each step is one thing the demo did, usually one
call of a named teaching function:

    s = lab.step("Save the book again", partial(save_book, book))
    s.result            # what save_book returned
    s.code              # save_book's source: the code the learner is shown
    s.queries, s.signals, s.cache_ops, s.trace   # what it caused

Only what happens inside a step is recorded: a demo's own set-up and the
observations it makes afterwards (reading a row back to state a fact) are not
the lesson's SQL. Inside a step, `paused()` is the one way to do bookkeeping
without recording it. Steps and facts have stable keys (`lab.get("save_book")`,
`step.facts["created"]`); their labels are only for reading.

One module, past the usual 300 lines: Recorder and Step are one data model that every hook, template
and test reads; split, a reader would chase it across files.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import logging
import re
import textwrap
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import async_to_sync

from .events import CacheOp, Figure, Query, Series, SignalEvent, Table, TraceEvent

__all__ = [
    "CacheOp",
    "DemoTimeout",
    "Figure",
    "Query",
    "Recorder",
    "Series",
    "SignalEvent",
    "Step",
    "Table",
    "TraceEvent",
    "active",
    "in_context",
    "paused",
    "recording",
    "source_code",
]

current: contextvars.ContextVar[Recorder | None] = contextvars.ContextVar("lab_recorder", default=None)


class DemoTimeout(Exception):
    """The run used up its time limit (LAB_RUN_TIME_LIMIT)."""


def active() -> Recorder | None:
    return current.get()


def source_code(fn: Callable[..., Any]) -> str:
    """The source of a teaching function (decorators included, as the learner would write it)."""
    target = fn.func if isinstance(fn, functools.partial) else fn
    return _source_of(inspect.unwrap(target))


@functools.lru_cache(maxsize=1024)
def _source_of(target: Callable[..., Any]) -> str:
    # inspect.getsource() re-reads and re-tokenizes the file (about 0.3 ms a call); a function's source does not
    # change while the process runs (the development server restarts on every edit).
    try:
        return textwrap.dedent(inspect.getsource(target)).rstrip() + "\n"
    except (OSError, TypeError):
        return ""


def call_text(fn: Callable[..., Any]) -> str:
    """How `fn` was called, as a reader would write it: `save_book(<Book: A1>)`."""
    if not isinstance(fn, functools.partial):
        return f"{getattr(fn, '__name__', 'fn')}()"
    args = [_short(a) for a in fn.args] + [f"{k}={_short(v)}" for k, v in fn.keywords.items()]
    return f"{getattr(inspect.unwrap(fn.func), '__name__', 'fn')}({', '.join(args)})"


def _short(value: Any, limit: int = 60) -> str:
    model = getattr(value, "model", None)
    if model is not None and hasattr(value, "query"):
        # A queryset argument: its repr() would run a query inside the step (and count in its report).
        text = f"<{type(value).__name__} of {model.__name__}>"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "step"


@dataclass
class Step:
    label: str
    key: str = ""
    code: str = ""  # the source of the teaching function the step called, or code generated from its values
    call: str = ""  # how it was called, with the values it got
    result: Any = None  # what the teaching function returned
    queries: list[Query] = field(default_factory=list)
    signals: list[SignalEvent] = field(default_factory=list)
    cache_ops: list[CacheOp] = field(default_factory=list)
    trace: list[TraceEvent] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # stable key -> value
    fact_labels: dict[str, str] = field(default_factory=dict)  # stable key -> what the report shows
    tables: list[Table] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    request_headers: dict[str, str] = field(default_factory=dict)
    response_headers: dict[str, str] = field(default_factory=dict)
    error: str = ""  # an exception the step expected (the lesson's point)
    error_type: str = ""
    ms: float = 0.0

    def fact(self, key: str, value: Any, label: str = "") -> Any:
        """Record a measured fact under a stable `key` (tests read it); `label` is what the report shows."""
        self.facts[key] = value
        if label:
            self.fact_labels[key] = label
        return value

    @property
    def fact_rows(self) -> list[tuple[str, Any]]:
        return [(self.fact_labels.get(key, key), value) for key, value in self.facts.items()]

    def table(self, columns: list[str], rows: list[list[Any]] | list[tuple[Any, ...]]) -> Table:
        table = Table(list(columns), [list(r) for r in rows])
        self.tables.append(table)
        return table

    def note(self, line: str) -> None:
        self.log.append(line)

    def figure(self, label: str, html: str, kind: str = "") -> Figure:
        figure = Figure(label, html, kind)
        self.figures.append(figure)
        return figure

    @property
    def draws_trace(self) -> bool:
        """A figure draws this step's trace (the onion), so the report shows no second list of it."""
        return any(f.kind == "onion" for f in self.figures)

    def timings(self, label: str, samples: list[float]) -> Series:
        series = Series(label, list(samples))
        self.series.append(series)
        return series

    @property
    def query_ms(self) -> float:
        return sum(q.ms for q in self.queries)

    @property
    def cache_hits(self) -> int:
        return sum(1 for op in self.cache_ops if op.hit is True and op.depth == 0)

    @property
    def cache_misses(self) -> int:
        return sum(1 for op in self.cache_ops if op.hit is False and op.depth == 0)

    @property
    def sections(self) -> set[str]:
        """Which report sections this step has data for (data-report hooks)."""
        names = set()
        if self.queries:
            names.add("sql")
        if self.signals:
            names.add("signals")
        if self.cache_ops:
            names.add("cache")
        if self.trace or self.response_headers:
            names.add("headers")
        if self.series:
            names.add("timing")
        return names


class Recorder:
    """Collects what one demo run did. Create with `Recorder(...)`, activate with `recording()`."""

    def __init__(self, learner: str = "", time_limit: float | None = None, options: dict[str, Any] | None = None):
        self.learner = learner
        self.options = options or {}
        self.steps: list[Step] = []
        self._current: Step | None = None
        self.started = time.perf_counter()
        self.cpu_started = time.process_time()
        self.deadline = self.started + time_limit if time_limit else None
        self.wall_ms = 0.0
        self.cpu_ms = 0.0
        self.error = ""  # the run as a whole failed (time limit, unexpected error)
        self.headline_text = ""  # the one measured fact the run teaches, computed from it (report's first line)
        self.focus_key = ""  # the step that shows it: open in the report, the others collapsed
        self.disabled_receivers: set[str] = set(self.options.get("disabled_receivers", ()))
        self._signal_lock = threading.Lock()
        self._signal_ids = 0
        # Nesting of cache calls (get_or_set -> get, add), per thread: a ContextVar,
        # since in_context gives each thread its own copy of the context.
        self.cache_depth: contextvars.ContextVar[int] = contextvars.ContextVar("lab_cache_depth", default=0)

    # -- steps ---------------------------------------------------------------
    def step(
        self,
        label: str,
        fn: Callable[[], Any],
        *,
        key: str = "",
        expect: type[BaseException] | tuple[type[BaseException], ...] = (),
    ) -> Step:
        """Call the teaching function `fn` (use functools.partial for its arguments) as one recorded step.

        The step's code is `fn`'s source. Exceptions of the `expect` types are
        caught and stored on the step: when an error is the lesson's point, the
        report shows Django's own message.
        """
        target = fn.func if isinstance(fn, functools.partial) else fn
        with self.section(
            label,
            key=key or getattr(inspect.unwrap(target), "__name__", "") or slug(label),
            code=source_code(fn),
            expect=expect,
        ) as step:
            step.call = call_text(fn)
            # An `async def` teaching function runs to completion here, as a sync view would run it.
            step.result = async_to_sync(fn)() if inspect.iscoroutinefunction(fn) else fn()
        return step

    @contextmanager
    def section(
        self,
        label: str,
        *,
        key: str = "",
        code: str = "",
        expect: type[BaseException] | tuple[type[BaseException], ...] = (),
    ) -> Iterator[Step]:
        """Record what happens in the block as one step, for steps that are not one call of a teaching function.

        A section sends requests, times trials or sums up earlier steps. Its
        `code`, if any, is generated from the values the block uses (a
        MIDDLEWARE setting, a request line), never typed by hand.
        """
        previous = self._current
        step = Step(label=label, key=self._unique(key or slug(label)), code=code)
        self.steps.append(step)
        self._current = step
        started = time.perf_counter()
        try:
            yield step
        except DemoTimeout:
            raise
        except expect as exc:  # type: ignore[misc]
            step.error_type = type(exc).__name__
            step.error = str(exc)
        finally:
            step.ms = (time.perf_counter() - started) * 1000
            self._current = previous if previous is not None and previous is not step else None

    def headline(self, text: str, focus: Step | None = None) -> None:
        """The point of the run, measured: "6 queries → 1 with select_related". `focus` is the step that shows it."""
        self.headline_text = text
        if focus is not None:
            self.focus_key = focus.key

    def _unique(self, key: str) -> str:
        taken = {s.key for s in self.steps}
        if key not in taken:
            return key
        n = 2
        while f"{key}-{n}" in taken:
            n += 1
        return f"{key}-{n}"

    def trials(self, step: Step, label: str, fn: Callable[[], Any], count: int) -> Series:
        """Time `fn` `count` times, unrecorded (time the work, not the lab's recording of it), into `step`.

        The time limit is checked before each trial, since nothing is recorded to check it.
        """
        samples = []
        with paused():
            for _ in range(count):
                self.check_time()
                started = time.perf_counter()
                fn()
                samples.append((time.perf_counter() - started) * 1000)
        return step.timings(label, samples)

    def now_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000

    def check_time(self) -> None:
        if self.deadline is not None and time.perf_counter() > self.deadline:
            raise DemoTimeout("The demo ran past its time limit and was stopped.")

    # -- hooks call these (outside a step, nothing is recorded) ----------------
    def record_query(self, query: Query) -> None:
        if self._current is not None:
            query.at = self.now_ms()
            self._current.queries.append(query)

    def record_signal(self, event: SignalEvent) -> None:
        """File `event` in causal order: right after the last event its parent already caused.

        Time order is not causal order: under `asend()` an async receiver can
        start before the thread that runs the sync ones, and a receiver's own
        sends can interleave with a sibling's. So an event goes after its parent
        (`event.parent`, set by lab.signals) and that parent's earlier
        descendants, never before the send that caused it.
        """
        if self._current is None:
            return
        with self._signal_lock:  # async receivers and the sync_to_async thread record at once
            event.ms = self.now_ms()
            self._signal_ids += 1
            event.id = self._signal_ids
            events = self._current.signals
            at = len(events)
            for i, earlier in enumerate(events):
                if earlier.id == event.parent:
                    event.depth = earlier.depth + 1
                    at = i + 1
                    while at < len(events) and events[at].depth > earlier.depth:
                        at += 1
                    break
            events.insert(at, event)

    def record_cache(self, op: CacheOp) -> None:
        if self._current is not None:
            op.at = self.now_ms()
            self._current.cache_ops.append(op)

    def record_trace(self, event: TraceEvent) -> None:
        if self._current is not None:
            event.ms = self.now_ms()
            self._current.trace.append(event)

    def record_log(self, line: str) -> None:
        if self._current is not None:
            self._current.log.append(line)

    def receiver_enabled(self, name: str) -> bool:
        return name not in self.disabled_receivers

    def finish(self) -> None:
        self.wall_ms = (time.perf_counter() - self.started) * 1000
        self.cpu_ms = (time.process_time() - self.cpu_started) * 1000

    # -- reading the report --------------------------------------------------
    def get(self, key: str) -> Step:
        """The step with this stable key (tests use this)."""
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(f"No step {key!r}; steps are {[s.key for s in self.steps]}")

    @property
    def queries(self) -> list[Query]:
        return [q for s in self.steps for q in s.queries]

    @property
    def signals(self) -> list[SignalEvent]:
        return [e for s in self.steps for e in s.signals]

    @property
    def cache_ops(self) -> list[CacheOp]:
        return [op for s in self.steps for op in s.cache_ops]

    @property
    def trace(self) -> list[TraceEvent]:
        return [e for s in self.steps for e in s.trace]

    @property
    def sections(self) -> set[str]:
        return set().union(*(s.sections for s in self.steps)) if self.steps else set()


@contextmanager
def recording(recorder: Recorder) -> Iterator[Recorder]:
    """Make `recorder` the active one for this context (and threads started with `in_context`)."""
    from .learners import current as current_learner

    token = current.set(recorder)
    learner_token = current_learner.set(recorder.learner)
    try:
        yield recorder
    finally:
        current_learner.reset(learner_token)
        current.reset(token)
        recorder.finish()


@contextmanager
def paused() -> Iterator[None]:
    """Do lab bookkeeping inside a step (a savepoint, timed trials) without recording it."""
    token = current.set(None)
    try:
        yield
    finally:
        current.reset(token)


def in_context(func):
    """Wrap `func` to run in a copy of the caller's context, for a thread a demo starts.

    Call it once per thread, in the parent: each call takes its own copy, so the
    thread records into the same run.
    """
    ctx = contextvars.copy_context()

    def runner(*args, **kwargs):
        return ctx.run(func, *args, **kwargs)

    return runner


class OutsideLabRuns(logging.Filter):
    """A logging filter that drops records emitted while a lab run is recording.

    A demo's inner requests fail on purpose (that is the lesson); the report
    shows their log records, so the server console and admin emails don't.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return current.get() is None


def format_exception_line(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()
