"""Run real tests in-process and say what happened: for lessons about testing, and for exercises.

    run = run_tests(ReviewReceiverTests, "test_bulk_create_sends_no_post_save")
    run.ok                      # True when every test passed (or was skipped)
    run.outcomes[0].outcome     # "passed", "failed", "error", "skipped", ...
    run.outcomes[0].message     # "AssertionError: 0 != 1" for a failure
    run.output                  # what `manage.py test -v 2` would print for them

It is unittest's own machinery (a suite of the test methods, run into a
result), in this process and on this thread: no test runner, no test database,
no threads, so it works inside a demo run and in Pyodide. A Django `TestCase`
wraps the class and each test in atomic blocks that it rolls back, so whatever
the tests write is undone; inside a demo's own transaction those blocks are
savepoints. Two things a Django test runner does are not done here, on purpose:
`setup_test_environment()` (it swaps global settings for every thread) and
creating a test database. One global is put back afterwards: `SimpleTestCase`
empties `django.core.mail.outbox` before each test, and the outbox the caller
had is restored when the run ends.

`TestCase.tearDownClass()` closes every database connection: in a test run,
the class is done and so is its transaction. Here the caller's transaction
goes on (a demo's, an exercise's), and on PostgreSQL or an SQLite file that
close would end it (and `close()` empties its on_commit callbacks everywhere).
So while the tests run, this thread's connections ignore `close()`.
"""

from __future__ import annotations

import time
import traceback
import unittest
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

ErrInfo = tuple[type[BaseException], BaseException, TracebackType | None]


@dataclass
class TestOutcome:
    test: str  # "ReviewReceiverTests.test_bulk_create_sends_no_post_save"
    outcome: str  # passed | failed | error | skipped | expected failure | unexpected success
    message: str = ""  # the exception's own line ("AssertionError: 0 != 1"), or why it was skipped
    traceback: str = ""  # trimmed to the test's frames (unittest drops its own)
    ms: float = 0.0

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"


@dataclass
class TestRun:
    outcomes: list[TestOutcome] = field(default_factory=list)
    ms: float = 0.0

    @property
    def ok(self) -> bool:
        return all(o.outcome in ("passed", "skipped", "expected failure") for o in self.outcomes)

    def count(self, outcome: str) -> int:
        return sum(o.outcome == outcome for o in self.outcomes)

    def get(self, name: str) -> TestOutcome:
        """The outcome of the test whose method (or Class.method) is `name`."""
        for o in self.outcomes:
            if o.test == name or o.test.rsplit(".", 1)[-1] == name:
                return o
        raise KeyError(name)

    @property
    def summary(self) -> str:
        """unittest's last line: "OK", or "FAILED (failures=1)"."""
        bad = [(k, self.count(o)) for k, o in (("failures", "failed"), ("errors", "error"))]
        bad = [(k, n) for k, n in bad if n]
        if not bad:
            return "OK"
        return "FAILED (" + ", ".join(f"{k}={n}" for k, n in bad) + ")"

    @property
    def output(self) -> str:
        return self.text(tracebacks=True)

    def text(self, *, tracebacks: bool) -> str:
        """What `manage.py test -v 2` prints; without tracebacks, each failure's own line only (a page
        that shows server paths and frames gives away more than the lesson needs)."""
        words = {"passed": "ok", "failed": "FAIL", "error": "ERROR"}
        lines = [f"{o.test} ... {words.get(o.outcome, o.outcome)}" for o in self.outcomes]
        for o in self.outcomes:
            if o.traceback:
                shown = o.traceback.rstrip() if tracebacks else o.message
                lines += ["", "=" * 70, f"{words.get(o.outcome, o.outcome)}: {o.test}", "-" * 70, shown]
        n = len(self.outcomes)
        lines += ["", "-" * 70, f"Ran {n} test{'s' if n != 1 else ''} in {self.ms / 1000:.3f}s", "", self.summary]
        return "\n".join(lines)


class _Result(unittest.TestResult):
    """Keeps one TestOutcome per test, in the order they ran."""

    def __init__(self, propagate: tuple[type[BaseException], ...] = ()) -> None:
        super().__init__()
        self.run_outcomes: list[TestOutcome] = []
        self._started = 0.0
        self.propagate = propagate
        self.propagated: BaseException | None = None

    def startTest(self, test: unittest.TestCase) -> None:  # noqa: N802 (unittest's name)
        super().startTest(test)
        self._started = time.perf_counter()

    def _add(self, test: Any, outcome: str, message: str = "", tb: str = "") -> None:
        # A class-level failure (setUpClass) comes with unittest's _ErrorHolder, whose id() names the class.
        name = test.id().split(" ", 1)[-1] if not isinstance(test, unittest.TestCase) else _name(test)
        ms = (time.perf_counter() - self._started) * 1000 if self._started else 0.0
        self.run_outcomes.append(TestOutcome(name, outcome, message, tb, ms))

    def _err(self, test: Any, err: ErrInfo, outcome: str) -> None:
        if self.propagate and issubclass(err[0], self.propagate) and self.propagated is None:
            self.propagated = err[1]  # not the test's outcome: the caller's (a time limit); stop here
            self.stop()
        text = self._exc_info_to_string(err, test)
        self._add(test, outcome, "".join(traceback.format_exception_only(err[0], err[1])).strip(), text)

    def addSuccess(self, test: unittest.TestCase) -> None:  # noqa: N802
        super().addSuccess(test)
        self._add(test, "passed")

    def addFailure(self, test: unittest.TestCase, err: ErrInfo) -> None:  # noqa: N802
        super().addFailure(test, err)
        self._err(test, err, "failed")

    def addError(self, test: unittest.TestCase, err: ErrInfo) -> None:  # noqa: N802
        super().addError(test, err)
        self._err(test, err, "error")

    def addSkip(self, test: unittest.TestCase, reason: str) -> None:  # noqa: N802
        super().addSkip(test, reason)
        self._add(test, "skipped", reason)

    def addExpectedFailure(self, test: unittest.TestCase, err: ErrInfo) -> None:  # noqa: N802
        super().addExpectedFailure(test, err)
        self._add(test, "expected failure")

    def addUnexpectedSuccess(self, test: unittest.TestCase) -> None:  # noqa: N802
        super().addUnexpectedSuccess(test)
        self._add(test, "unexpected success")

    def addSubTest(self, test: Any, subtest: Any, err: ErrInfo | None) -> None:  # noqa: N802
        super().addSubTest(test, subtest, err)
        if err is not None:
            failed = issubclass(err[0], test.failureException)
            self._err(subtest, err, "failed" if failed else "error")


def _name(test: unittest.TestCase) -> str:
    return f"{type(test).__name__}.{test._testMethodName}"


def _keep_open() -> None:
    """close() while tests run in someone else's transaction: nothing (see the module's docstring)."""


@contextmanager
def _connections_kept_open() -> Iterator[None]:
    from django.db import connections

    # Connections are per thread, so an attribute on this thread's wrappers changes no other thread's.
    kept = list(connections.all())
    for conn in kept:
        conn.close = _keep_open
    try:
        yield
    finally:
        for conn in kept:
            del conn.close


def run_tests(case: type[unittest.TestCase], *names: str, propagate: tuple[type[BaseException], ...] = ()) -> TestRun:
    """Run the test methods `names` of `case` (all of its tests when none are named), in order.

    An exception of a `propagate` type raised in a test (a demo's time limit) is not that test's
    error: the run stops and it is raised again here, once the class is torn down.
    """
    from django.core import mail

    if names:
        suite = unittest.TestSuite(case(name) for name in names)
    else:
        suite = unittest.defaultTestLoader.loadTestsFromTestCase(case)
    result = _Result(propagate)
    had_outbox = hasattr(mail, "outbox")
    outbox = getattr(mail, "outbox", None)
    started = time.perf_counter()
    try:
        with _connections_kept_open():
            result.startTestRun()
            suite.run(result)
            result.stopTestRun()
    finally:
        if had_outbox:
            mail.outbox = outbox
        elif hasattr(mail, "outbox"):
            del mail.outbox
    if result.propagated is not None:
        raise result.propagated
    return TestRun(result.run_outcomes, (time.perf_counter() - started) * 1000)
