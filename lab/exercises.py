"""Exercises: Django code a learner writes, run and checked in their own browser.

The server never runs learner code. An exercise module (in the `exercises`
package, shipped to the browser's Pyodide worker with Django, the bookshop and
this module) declares what the learner edits and how it is checked:

    from lab.exercises import Fail, exercise

    ex = exercise(
        "orm.sample",
        title="Books rated 4 or more",
        lesson="orm/01-seeing-the-sql",
        prompt="Write `good_books()` returning the books rated 4 or more, best first.",
        starter='''from sandbox.models import Book\n\ndef good_books():\n    return Book.objects.all()\n''',
        solution='''...''',
        hints=["Filter with a field lookup: rating__gte.", "Order with order_by('-rating')."],
        mistakes={"<a wrong answer the instructor expects>": "<text its failed check says>"},
    )

    @ex.check("Only books rated 4 or more")
    def rated(attempt):
        rows, sql = attempt.queries(lambda: list(attempt.learner.good_books()))
        if any(book.rating < 4 for book in rows):
            raise Fail("A book rated below 4 is in your result: filter(rating__gte=4)?")

    @ex.run
    def show(lab, attempt):
        lab.step("good_books()", lambda: list(attempt.learner.good_books()))

`attempt(exercise, code, mode)` is the one entry point, the same on CPython
(pytest checks every reference solution, starter and listed mistake) and in
the browser. It imports the learner's code as the module `learner` (so a
middleware is `learner.TimingMiddleware` in MIDDLEWARE) and the solution as
`reference`, then either runs `@ex.run` under a lab Recorder (mode "run": the
same report as a demo) or every check in order (mode "check"). Nothing
persists: the whole attempt, and each check, runs in a transaction that is
rolled back; receivers the learner's code connects are disconnected; the
default cache is cleared when it is local memory; `mail.outbox` starts empty.

The result is plain data (`Result.as_dict()`) that the worker posts to the
page: whether it passed, each check's message, the learner's traceback
trimmed to their own lines, what they printed, and the lab report.

One module, past the usual 300 lines: it is the whole contract between an exercise's author, the
browser worker and pytest, and it ships to the browser as one file.
"""

from __future__ import annotations

import contextlib
import io
import linecache
import sys
import traceback
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

LEARNER_FILE = "<your code>"
REFERENCE_FILE = "<reference solution>"
MODES = ("run", "check")


class Fail(AssertionError):
    """A check's verdict: the message teaches what is wrong and how to fix it."""


@dataclass(frozen=True)
class Check:
    key: str
    name: str
    fn: Callable[[Attempt], Any]


@dataclass
class Exercise:
    slug: str
    title: str
    lesson: str  # "<track>/<file stem>": where its card belongs
    prompt: str  # Markdown
    starter: str
    solution: str
    hints: tuple[str, ...] = ()
    mistakes: dict[str, str] = field(default_factory=dict)  # wrong code -> the message a failed check gives
    versions: tuple[str, ...] = ("5.2",)  # the Django versions the card offers
    checks: list[Check] = field(default_factory=list)
    runner: Callable[..., Any] | None = None
    defined_in: tuple[str, int] = ("", 0)  # file and line of the exercise() call, for checks' messages

    @property
    def track(self) -> str:
        return self.slug.split(".", 1)[0]

    @property
    def dom_id(self) -> str:
        return "exercise-" + self.slug.replace(".", "-")

    def check(self, name: str) -> Callable[[Callable[[Attempt], Any]], Callable[[Attempt], Any]]:
        """Register a check; checks run in the order they are declared."""

        def register(fn: Callable[[Attempt], Any]) -> Callable[[Attempt], Any]:
            self.checks.append(Check(fn.__name__, name, fn))
            return fn

        return register

    def run(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Register what Run shows: `fn(lab, attempt)` takes steps on the lab Recorder."""
        self.runner = fn
        return fn


_EXERCISES: dict[str, Exercise] = {}


def exercise(slug: str, **fields: Any) -> Exercise:
    caller = sys._getframe(1)
    found = Exercise(slug=slug, defined_in=(caller.f_code.co_filename, caller.f_lineno), **fields)
    found.hints = tuple(found.hints)
    found.versions = tuple(found.versions)
    _EXERCISES[slug] = found
    return found


def get(slug: str) -> Exercise | None:
    return _EXERCISES.get(slug)


def all_exercises() -> list[Exercise]:
    return sorted(_EXERCISES.values(), key=lambda ex: ex.slug)


def unregister(slug: str) -> None:
    _EXERCISES.pop(slug, None)


def problems(ex: Exercise) -> list[str]:
    """What is wrong with an exercise's declaration (manage.py check reports each with file:line)."""
    found = []
    track, _, name = ex.slug.partition(".")
    if not track or not name:
        found.append(f"Exercise slug '{ex.slug}' is not '<track>.<name>'.")
    if "/" not in ex.lesson:
        found.append(f"Exercise '{ex.slug}': lesson '{ex.lesson}' is not '<track>/<lesson file stem>'.")
    if not ex.checks:
        found.append(f"Exercise '{ex.slug}' has no checks: add one with @ex.check(...).")
    if ex.runner is None:
        found.append(f"Exercise '{ex.slug}' shows nothing on Run: add one with @ex.run.")
    if not ex.hints:
        found.append(f"Exercise '{ex.slug}' has no hints.")
    for label, code in (("starter", ex.starter), ("solution", ex.solution), *(("mistake", m) for m in ex.mistakes)):
        try:
            compile(code, f"<{label}>", "exec")
        except SyntaxError as exc:
            found.append(f"Exercise '{ex.slug}': its {label} code does not compile (line {exc.lineno}: {exc.msg}).")
    return found


# Running an attempt.


@dataclass
class CheckResult:
    key: str
    name: str
    passed: bool
    message: str = ""


@dataclass
class Result:
    slug: str
    mode: str
    ok: bool = False
    checks: list[CheckResult] = field(default_factory=list)
    error: dict[str, Any] | None = None
    stdout: str = ""
    report: dict[str, Any] | None = None
    report_html: str = ""

    def as_dict(self) -> dict[str, Any]:
        import django

        return {
            "slug": self.slug,
            "mode": self.mode,
            "django": django.get_version(),
            "ok": self.ok,
            "checks": [vars(check) for check in self.checks],
            "error": self.error,
            "stdout": self.stdout,
            "report": self.report,
            "report_html": self.report_html,
        }

    @property
    def messages(self) -> list[str]:
        return [check.message for check in self.checks if not check.passed]


class Attempt:
    """What a check sees: the learner's and the reference's modules, and ways to measure them."""

    def __init__(self, ex: Exercise, learner: types.ModuleType, reference: types.ModuleType):
        self.exercise = ex
        self.learner = learner
        self.reference = reference

    def queries(self, fn: Callable[[], Any]) -> tuple[Any, list[str]]:
        """Run fn; return its result and the SQL statements it ran (evaluate querysets inside fn)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            result = fn()
        return result, [q["sql"] for q in captured.captured_queries]

    def client(self, **defaults: Any):
        from django.test import Client

        return Client(**defaults)

    def outbox(self) -> list[Any]:
        from django.core import mail

        return getattr(mail, "outbox", [])


def load(name: str, code: str, filename: str) -> types.ModuleType:
    """Import `code` as the module `name` (replacing an earlier attempt's)."""
    module = types.ModuleType(name)
    module.__file__ = filename
    # Registered with linecache, the code has source lines: tracebacks quote them, the report shows them.
    linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
    sys.modules[name] = module
    exec(compile(code, filename, "exec"), module.__dict__)  # noqa: S102 (the learner's own code, in their browser)
    return module


def error_of(exc: BaseException) -> dict[str, Any]:
    """The learner's error: its type, message, line in their code and a traceback of their frames only."""
    if isinstance(exc, SyntaxError) and exc.filename == LEARNER_FILE:
        text = (exc.text or "").rstrip("\n")
        caret = " " * max((exc.offset or 1) - 1, 0) + "^"
        shown = f'  File "{LEARNER_FILE}", line {exc.lineno}\n    {text}\n    {caret}\nSyntaxError: {exc.msg}'
        return {"type": "SyntaxError", "message": exc.msg, "line": exc.lineno, "traceback": shown}
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == LEARNER_FILE]
    lines = traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc)
    return {
        "type": type(exc).__name__,
        "message": str(exc),
        "line": frames[-1].lineno if frames else None,
        "traceback": "".join(lines).rstrip("\n"),
    }


@contextlib.contextmanager
def _rolled_back() -> Iterator[None]:
    from django.db import transaction

    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@contextlib.contextmanager
def _tracked_receivers() -> Iterator[None]:
    """Disconnect, afterwards, every receiver connected meanwhile (the learner's @receiver functions)."""
    from django.dispatch import Signal

    connected: list[tuple[Signal, Any, Any, Any]] = []
    original = Signal.connect

    def connect(self, receiver, sender=None, weak=True, dispatch_uid=None):
        connected.append((self, receiver, sender, dispatch_uid))
        return original(self, receiver, sender=sender, weak=weak, dispatch_uid=dispatch_uid)

    Signal.connect = connect
    try:
        yield
    finally:
        Signal.connect = original
        for signal, receiver, sender, uid in connected:
            signal.disconnect(receiver, sender=sender, dispatch_uid=uid)


def _fresh_state() -> None:
    from django.conf import settings
    from django.core import mail
    from django.core.cache import caches

    if "locmem" in settings.CACHES.get("default", {}).get("BACKEND", "").lower():
        caches["default"].clear()
    mail.outbox = []


def attempt(ex: Exercise, code: str, mode: str = "check") -> Result:
    """Run the learner's `code` for exercise `ex`: mode "run" shows it, mode "check" grades it."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    result = Result(ex.slug, mode)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), _tracked_receivers(), _rolled_back():
        _fresh_state()
        try:
            learner = load("learner", code, LEARNER_FILE)
        except Exception as exc:  # the learner's module failed to import: that is the whole answer
            result.error = error_of(exc)
        else:
            reference = load("reference", ex.solution, REFERENCE_FILE)
            work = Attempt(ex, learner, reference)
            if mode == "run":
                _run(ex, work, result)
            else:
                _check(ex, work, result)
    result.stdout = out.getvalue()[-20_000:]
    return result


def _run(ex: Exercise, work: Attempt, result: Result) -> None:
    from .recorder import Recorder, recording

    lab = Recorder(learner="browser")
    try:
        with recording(lab):
            ex.runner(lab, work)
    except Exception as exc:
        result.error = error_of(exc)
    lab.finish()
    result.ok = result.error is None and not lab.error
    result.report = report_data(lab)
    result.report_html = report_html(ex, lab)


def _check(ex: Exercise, work: Attempt, result: Result) -> None:
    for check in ex.checks:
        try:
            with _rolled_back():
                _fresh_state()
                check.fn(work)
        except AssertionError as exc:  # Fail, or a plain assert in a check
            result.checks.append(CheckResult(check.key, check.name, False, str(exc) or "This check failed."))
        except Exception as exc:  # the learner's code raised while being checked
            result.checks.append(CheckResult(check.key, check.name, False, f"Your code raised {exc!r}."))
            result.error = result.error or error_of(exc)
        else:
            result.checks.append(CheckResult(check.key, check.name, True))
    result.ok = all(check.passed for check in result.checks)


def report_data(lab: Any) -> dict[str, Any]:
    """The report as plain data: the same facts a demo card shows."""
    return {
        "headline": lab.headline_text,
        "wall_ms": lab.wall_ms,
        "error": lab.error,
        "steps": [
            {
                "key": step.key,
                "label": step.label,
                "result": repr(step.result)[:2000],
                "queries": [q.sql for q in step.queries],
                "signals": [f"{event.kind} {event.name}" for event in step.signals],
                "cache_ops": [{"op": op.op, "key": op.key, "hit": op.hit, "alias": op.alias} for op in step.cache_ops],
                "headers": step.response_headers,
                "facts": {key: repr(value) for key, value in step.facts.items()},
            }
            for step in lab.steps
        ],
    }


def report_html(ex: Exercise, lab: Any) -> str:
    """The report rendered by the demos' own template, so a learner's run looks like a demo's."""
    from django.template.loader import render_to_string

    context = {"lab": lab, "status": 200, "demo": {"slug": ex.slug, "dom_id": ex.dom_id}, "request": None}
    return render_to_string("lab/report.html", context)
