"""What a run records: one dataclass per kind of event, plain data that tests and templates read.

The hooks create these (lab.hooks, lab.signals, lab.caches, lab.handler) and
the recorder files them under the step that is running.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any


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
    at: float = 0.0  # when it started, in ms since the run began (ms is how long it took)


@dataclass
class SignalEvent:
    """One line of a step's signal timeline.

    `kind` is "signal" (a send), "receiver" (a receiver ran), "skipped" (switched
    off), "deferred" (a `transaction.on_commit` callback registered), "on_commit"
    (that callback ran) or "note" (an email sent). Events are kept in causal
    order: each one comes after the event that caused it (`parent`, an `id` in
    the same step), and `depth` says how far down that chain it is.
    """

    kind: str
    name: str  # signal name, or receiver/callback name
    sender: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    ms: float = 0.0  # since the start of the run
    error: str = ""
    id: int = 0  # set by the recorder, unique in the run
    parent: int = 0  # the id of the event that caused this one; 0 for none
    depth: int = 0

    @property
    def indent(self) -> int:
        """How far the report indents it: the depth, up to 6 (deeper nesting stays readable on a phone)."""
        return min(self.depth, 6)


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
    at: float = 0.0  # ms since the run began
    timeout: float | None | str = ""  # seconds a write asked the backend for; None = forever; "" = not a write


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
    kind: str = ""  # "onion": a drawing of the step's trace, which then replaces the plain trace list
