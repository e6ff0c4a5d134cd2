"""Run Django tests in-process and record each one's outcome, for a demo (or an exercise check) to show.

    from lab.testrun import run_tests

    run = run_tests(RequestIDMiddlewareTests)            # a TestCase class: every test_* method
    run = run_tests(RequestIDMiddlewareTests, names=["test_it_echoes_a_valid_id"])   # only these
    run.passed            # True when every test passed (and at least one ran)
    run.counts            # {"passed": 2, "failed": 1, "error": 0, "skipped": 0}
    run.summary           # "2 passed, 1 failed"
    run.get("test_it_echoes_a_valid_id").status          # "passed" | "failed" | "error" | "skipped"
    run.get("test_it_echoes_a_valid_id").message         # the assertion's message ("" when it passed)
    run.outcomes          # [TestOutcome(name, status, message, detail, ms), ...] in the order they ran

In a demo, run it inside a step so the report shows the SQL, cache calls and
headers the test caused, and state its outcome as facts:

    step = lab.step("Run the test", partial(run_tests, QueryBudgetTests))
    step.fact("outcome", step.result.summary, "Test outcome")

`run_tests` is plain `unittest` (a `TestSuite` run into a `TestResult`), so a
Django `TestCase` does exactly what it does under `manage.py test`: its class
and test atomics become savepoints inside whatever transaction is open (a
demo's is rolled back afterwards), `setUpTestData` runs once, decorators such
as `override_settings` / `modify_settings` apply and are undone. No test
database is created: the tests run against the database the caller is using,
so write tests that make their own rows or read the canonical seed.

Process-wide state: `override_settings` replaces `django.conf.settings` for the
whole process while a test runs, and `SimpleTestCase` empties
`django.core.mail.outbox`. So runs are serialised by a lock (two overrides
interleaving would restore the wrong settings), and the outbox is put back
afterwards. The test Client's host, "testserver", is added to ALLOWED_HOSTS
while the tests run, as Django's test runner does. Override only settings that the rest of the site does not read per
request: `MIDDLEWARE` is read when a handler is built (the test `Client`
builds its own), never by the site's running handler, and the demos that send
the site's own stack read it once at start-up (demos.middleware_kit.site_stack).
Never override a setting a middleware reads in `__init__` (a feature switch):
a learner's stack built at that moment would get it. The test `Client` also
disconnects `close_old_connections` from `request_started` for the length of
each request, as it does under `manage.py test`. No threads are started,
so this also runs in Pyodide.

`TestCase.tearDownClass()` closes every database connection: in a test run,
the class is done and so is its transaction. Here the caller's transaction
goes on (a demo's, an exercise's), and on PostgreSQL or an SQLite file that
close would end it (and `close()` empties its on_commit callbacks). So while
the tests run, this thread's connections ignore `close()`. An exception of a
`propagate` type (a demo's time limit) is not a test's error: the run stops
and it is raised again to the caller.
"""

from __future__ import annotations

import threading
import time
import traceback
import unittest
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.test.utils import override_settings

from .recorder import DemoTimeout

__all__ = ["TestOutcome", "TestRun", "connections_kept_open", "run_tests"]

_lock = threading.Lock()
STATUSES = ("passed", "failed", "error", "skipped")


@dataclass
class TestOutcome:
    name: str  # the test method's name ("test_it_echoes_a_valid_id"), or "setUpClass" for a class-level error
    status: str  # one of STATUSES
    message: str = ""  # the exception's message (an assertion's text, or "ValueError: ..." for an error)
    detail: str = ""  # the traceback, unittest's own frames left out
    ms: float = 0.0


@dataclass
class TestRun:
    outcomes: list[TestOutcome] = field(default_factory=list)
    ms: float = 0.0

    @property
    def counts(self) -> dict[str, int]:
        return {status: sum(1 for o in self.outcomes if o.status == status) for status in STATUSES}

    @property
    def passed(self) -> bool:
        return bool(self.outcomes) and all(o.status in ("passed", "skipped") for o in self.outcomes)

    @property
    def summary(self) -> str:
        parts = [f"{n} {status}" for status, n in self.counts.items() if n]
        return ", ".join(parts) or "no tests ran"

    def get(self, name: str) -> TestOutcome:
        for outcome in self.outcomes:
            if outcome.name == name:
                return outcome
        raise KeyError(f"No test {name!r}; ran {[o.name for o in self.outcomes]}")


class _Result(unittest.TestResult):
    """Records one TestOutcome per test, with its time and its message."""

    def __init__(self, propagate: tuple[type[BaseException], ...] = ()) -> None:
        super().__init__()
        self.outcomes: list[TestOutcome] = []
        self._started = 0.0
        self.propagate = (DemoTimeout, *propagate)  # the demo's time is up: always the run's end, never a test's
        self.propagated: BaseException | None = None

    def startTest(self, test: unittest.TestCase) -> None:  # noqa: N802 (unittest's names)
        super().startTest(test)
        self._started = time.perf_counter()

    def _add(self, test: Any, status: str, err: Any = None, message: str = "") -> None:
        ms = (time.perf_counter() - self._started) * 1000 if self._started else 0.0
        name = getattr(test, "_testMethodName", None) or _holder_name(test)
        detail = ""
        if err is not None and issubclass(err[0], self.propagate):
            self.propagated = self.propagated or err[1]  # the caller's (a time limit), not the test's: stop
            self.stop()
            return
        if err is not None:
            exc_type, exc, tb = err
            while tb is not None and "__unittest" in tb.tb_frame.f_globals:  # unittest's own frames
                tb = tb.tb_next
            detail = "".join(traceback.format_exception(exc_type, exc, tb))
            text = str(exc)
            message = text if exc_type is AssertionError else f"{exc_type.__name__}: {text}"
        self.outcomes.append(TestOutcome(name, status, message, detail, ms))

    def addSuccess(self, test):  # noqa: N802
        super().addSuccess(test)
        self._add(test, "passed")

    def addFailure(self, test, err):  # noqa: N802
        super().addFailure(test, err)
        self._add(test, "failed", err)

    def addError(self, test, err):  # noqa: N802
        super().addError(test, err)
        self._add(test, "error", err)

    def addSkip(self, test, reason):  # noqa: N802
        super().addSkip(test, reason)
        self._add(test, "skipped", message=reason)

    def addSubTest(self, test, subtest, err):  # noqa: N802
        super().addSubTest(test, subtest, err)
        if err is not None:
            status = "failed" if issubclass(err[0], test.failureException) else "error"
            self._add(test, status, err)


def _holder_name(test: Any) -> str:
    # unittest reports a failing setUpClass as an _ErrorHolder described "setUpClass (module.Class)".
    return str(getattr(test, "description", test)).split(" ", 1)[0]


@contextmanager
def _test_client_host() -> Iterator[None]:
    """Let the test Client's host, "testserver", in, as Django's test runner does (setup_test_environment).

    Inside the site nothing set up a test environment. Adding one host keeps
    every host the site allows (with DEBUG and no ALLOWED_HOSTS, Django's
    implicit local ones), so the site's own concurrent requests are unaffected.
    """
    hosts = list(settings.ALLOWED_HOSTS)
    if "testserver" in hosts or "*" in hosts:
        yield
        return
    if settings.DEBUG and not hosts:
        hosts = [".localhost", "127.0.0.1", "[::1]"]
    with override_settings(ALLOWED_HOSTS=[*hosts, "testserver"]):
        yield


def _keep_open() -> None:
    """close() while tests run inside the caller's transaction: nothing (see the module's docstring)."""


@contextmanager
def connections_kept_open() -> Iterator[None]:
    """For code that runs a unittest suite itself: this thread's connections ignore close() (TestCase.tearDownClass)."""
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


def run_tests(
    *cases: type[unittest.TestCase],
    names: list[str] | tuple[str, ...] = (),
    propagate: tuple[type[BaseException], ...] = (),
) -> TestRun:
    """Run the tests of `cases` (TestCase classes), or only the methods in `names`; return their outcomes."""
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    for case in cases:
        if names:
            suite.addTests(case(name) for name in loader.getTestCaseNames(case) if name in names)
        else:
            suite.addTests(loader.loadTestsFromTestCase(case))
    result = _Result(propagate)
    from django.core import mail

    with _lock, _test_client_host(), connections_kept_open():
        had_outbox = hasattr(mail, "outbox")
        outbox = getattr(mail, "outbox", None)
        started = time.perf_counter()
        try:
            suite.run(result)
        finally:
            if had_outbox:
                mail.outbox = outbox
            elif hasattr(mail, "outbox"):
                del mail.outbox
    if result.propagated is not None:
        raise result.propagated
    run = TestRun(result.outcomes, (time.perf_counter() - started) * 1000)
    # A test that passed after a failing subtest is reported failed only: unittest calls addSuccess for it anyway.
    failed = {o.name for o in run.outcomes if o.status in ("failed", "error")}
    run.outcomes = [o for o in run.outcomes if not (o.status == "passed" and o.name in failed)]
    return run
