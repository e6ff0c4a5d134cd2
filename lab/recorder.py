"""The lab recorder: what really ran during one demo run.

One `Recorder` per run lives in a ContextVar (never module state), so two
learners' runs in two threads record separately. The hooks that feed it (SQL
execute wrapper, signal tracer, cache backends, middleware tracer) are cheap
no-ops when no recorder is active.

A run is a list of `Step`s. Each step is one thing the demo did ("the naive
loop", "with select_related") and collects the queries, signals, cache calls,
middleware trace and facts that happened while it was the current step. Tests
assert on the same objects the report templates render.
"""

from __future__ import annotations

import contextvars
import logging
import statistics
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

current: contextvars.ContextVar[Recorder | None] = contextvars.ContextVar("lab_recorder", default=None)


class DemoTimeout(Exception):
    """The run used up its time limit (LAB_RUN_TIME_LIMIT)."""


def active() -> Recorder | None:
    return current.get()


@dataclass
class Query:
    sql: str
    params: Any
    display: str  # SQL with params interpolated by the backend, for reading only
    alias: str
    vendor: str
    ms: float
    many: bool = False
    error: str = ""
    plan: list[str] | None = None


@dataclass
class SignalEvent:
    kind: str  # "signal" (sent), "receiver" (ran), "skipped", "on_commit", "note"
    name: str  # signal name, or receiver name
    sender: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    ms: float = 0.0  # since the start of the run
    error: str = ""


@dataclass
class CacheOp:
    alias: str
    backend: str
    op: str
    key: str
    full_key: str
    hit: bool | None  # None where the operation has no hit or miss (set, delete)
    ms: float
    result: str = ""
    depth: int = 0  # nested calls, e.g. get_or_set -> get, add


@dataclass
class TraceEvent:
    layer: str
    phase: str  # "init", "in", "out", "process_view", "process_exception", ...
    status: int | None = None
    added: dict[str, str] = field(default_factory=dict)
    changed: dict[str, tuple[str, str]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    note: str = ""
    ms: float = 0.0


@dataclass
class Series:
    """Repeated-trial timings (milliseconds) for one variant."""

    label: str
    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else 0.0

    @property
    def low(self) -> float:
        return min(self.samples) if self.samples else 0.0

    @property
    def high(self) -> float:
        return max(self.samples) if self.samples else 0.0

    def quantile(self, q: float) -> float:
        if len(self.samples) < 2:
            return self.median
        ordered = sorted(self.samples)
        pos = q * (len(ordered) - 1)
        lo = int(pos)
        hi = min(lo + 1, len(ordered) - 1)
        return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Any]]


@dataclass
class Figure:
    """A server-drawn picture of what ran (an SVG), shown full width in the step."""

    label: str
    html: str  # a SafeString from a template or lab.render


@dataclass
class Step:
    label: str
    code: str = ""
    queries: list[Query] = field(default_factory=list)
    signals: list[SignalEvent] = field(default_factory=list)
    cache_ops: list[CacheOp] = field(default_factory=list)
    trace: list[TraceEvent] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    request_headers: dict[str, str] = field(default_factory=dict)
    response_headers: dict[str, str] = field(default_factory=dict)
    error: str = ""  # an exception the step expected (the lesson's point)
    error_type: str = ""
    ms: float = 0.0

    # Small helpers so demos read well: step.fact("rows", 3)
    def fact(self, label: str, value: Any) -> Any:
        self.facts[label] = value
        return value

    def table(self, columns: list[str], rows: list[list[Any]] | list[tuple[Any, ...]]) -> Table:
        table = Table(list(columns), [list(r) for r in rows])
        self.tables.append(table)
        return table

    def note(self, line: str) -> None:
        self.log.append(line)

    def figure(self, label: str, html: str) -> Figure:
        figure = Figure(label, html)
        self.figures.append(figure)
        return figure

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
        self.capture_sql = True
        self.disabled_receivers: set[str] = set(self.options.get("disabled_receivers", ()))
        # Nesting of cache calls (get_or_set -> get, add), per thread: a ContextVar,
        # since in_context gives each thread its own copy of the context.
        self.cache_depth: contextvars.ContextVar[int] = contextvars.ContextVar("lab_cache_depth", default=0)

    # -- steps ---------------------------------------------------------------
    @property
    def step_now(self) -> Step:
        if self._current is None:
            self._current = Step(label="Run")
            self.steps.append(self._current)
        return self._current

    @contextmanager
    def step(self, label: str, code: str = "", expect: type[BaseException] | tuple = ()) -> Iterator[Step]:
        """Group what happens in the block under `label`.

        Exceptions of the `expect` types are caught and stored on the step:
        when an error is the lesson's point, the report shows Django's own message.
        """
        previous = self._current
        step = Step(label=label, code=code)
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

    def fact(self, label: str, value: Any) -> Any:
        return self.step_now.fact(label, value)

    def note(self, line: str) -> None:
        self.step_now.note(line)

    def now_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000

    def check_time(self) -> None:
        if self.deadline is not None and time.perf_counter() > self.deadline:
            raise DemoTimeout("The demo ran past its time limit and was stopped.")

    # -- hooks call these ----------------------------------------------------
    def record_query(self, query: Query) -> None:
        self.step_now.queries.append(query)

    def record_signal(self, event: SignalEvent) -> None:
        event.ms = self.now_ms()
        self.step_now.signals.append(event)

    def record_cache(self, op: CacheOp) -> None:
        self.step_now.cache_ops.append(op)

    def record_trace(self, event: TraceEvent) -> None:
        event.ms = self.now_ms()
        self.step_now.trace.append(event)

    def receiver_enabled(self, name: str) -> bool:
        return name not in self.disabled_receivers

    def finish(self) -> None:
        self.wall_ms = (time.perf_counter() - self.started) * 1000
        self.cpu_ms = (time.process_time() - self.cpu_started) * 1000

    # -- reading the report --------------------------------------------------
    def get(self, label: str) -> Step:
        """The step called `label` (tests use this)."""
        for step in self.steps:
            if step.label == label:
                return step
        raise KeyError(f"No step {label!r}; steps are {[s.label for s in self.steps]}")

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
    """Do lab bookkeeping (e.g. setting up fixtures for a demo) without recording it."""
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
