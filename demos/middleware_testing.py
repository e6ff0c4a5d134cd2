"""Middleware demos, part 6: testing a middleware, alone and through a stack (M7).

The tests are plain Django tests (sandbox.teaching.middleware_testing); the
demo runs them in-process with lab.testrun and reports each one's outcome.
Choosing the copy with the mistake shows which tests catch it.
"""

from __future__ import annotations

from django import forms

from lab.recorder import source_code
from lab.registry import Prediction, demo
from lab.testrun import TestRun, run_tests
from sandbox.middleware import RequestIDMiddleware
from sandbox.teaching import middleware_testing as t

UNDER_TEST = {
    "site": ("RequestIDMiddleware (the site's)", t.RequestIDUnitTests, t.RequestIDStackTests),
    "trusting": (
        "TrustingRequestIDMiddleware (keeps any incoming id)",
        t.TrustingRequestIDUnitTests,
        t.TrustingRequestIDStackTests,
    ),
}
FAILURES = ("0", "1", "2", "3 or more")


class TestingForm(forms.Form):
    under_test = forms.ChoiceField(
        choices=[(k, v[0]) for k, v in UNDER_TEST.items()], initial="site", label="Middleware under test"
    )
    unit = forms.BooleanField(required=False, initial=True, label="Run the unit tests (RequestFactory)")
    stack = forms.BooleanField(required=False, initial=True, label="Run the stack tests (test Client)")


def _failures(lab) -> str:
    failed = sum(lab.get(key).facts["failed"] for key in ("unit", "stack") if _ran(lab, key))
    return FAILURES[min(failed, 3)]


def _unit_queries(lab) -> str:
    if not _ran(lab, "unit"):
        return ""  # not run: the unit tests were not ticked
    return FAILURES[min(lab.get("unit").facts["queries"], 3)]


def _ran(lab, key: str) -> bool:
    return any(s.key == key for s in lab.steps)


@demo(
    "middleware.testing",
    title="Test a middleware alone with RequestFactory, then through a stack with the test Client",
    form=TestingForm,
    reports=("sql",),
    shows=(RequestIDMiddleware, t.TrustingRequestIDMiddleware, t.RequestIDUnitTests, t.RequestIDStackTests),
    predictions=(
        Prediction(
            "How many of the tests fail?",
            FAILURES,
            answer=_failures,
            explain="The site's middleware passes every test. The trusting copy keeps 'two words' as the id: the "
            "unit test that sends it fails, and so does the stack test that sends it through the Client.",
            see="#catch-a-mistake",
        ),
        Prediction(
            "How many SQL queries do the RequestFactory tests run?",
            FAILURES,
            answer=_unit_queries,
            explain="A fake get_response stands in for the stack and the view: nothing below the middleware runs, "
            "so nothing touches the database (a SimpleTestCase would refuse if it did).",
            see="#alone-requestfactory-and-a-fake-get_response",
        ),
    ),
)
def testing(lab, data):
    """Run the middleware's tests in-process: the unit tests, the stack tests, or both."""
    label, unit_case, stack_case = UNDER_TEST[data["under_test"]]
    factory = lab.step("What a RequestFactory request carries", t.a_factory_request, key="factory")
    factory.fact("has_session", factory.result["has session"], "request.session exists")
    factory.fact("has_user", factory.result["has user"], "request.user exists")
    factory.fact("resolver_match", repr(factory.result["resolver_match"]), "request.resolver_match")
    if data["unit"]:
        _run(lab, "unit", f"Unit tests: {label} alone, with RequestFactory", unit_case, t.RequestIDUnitTests)
    if data["stack"]:
        _run(lab, "stack", f"Stack tests: {label} in a stack, with the test Client", stack_case, t.RequestIDStackTests)
    ran = [lab.get(k) for k in ("unit", "stack") if _ran(lab, k)]
    if ran:
        lab.headline(_headline(ran), focus=next((s for s in ran if s.facts["failed"]), ran[-1]))


def _run(lab, key: str, label: str, case, base) -> None:
    code = source_code(base) if case is base else source_code(base) + "\n\n" + source_code(case)
    with lab.section(label, key=key, code=code) as step:
        step.result = run = run_tests(case)
    _outcome_facts(step, run)


def _outcome_facts(step, run: TestRun) -> None:
    for outcome in run.outcomes:
        step.fact(outcome.name, outcome.status, outcome.name)
    step.fact("summary", run.summary, "Outcome")
    step.fact("failed", run.counts["failed"] + run.counts["error"], "Tests that failed")
    step.fact("queries", len(step.queries), "SQL statements the tests ran (savepoints included)")
    first = next((o for o in run.outcomes if o.status != "passed"), None)
    if first is not None:
        step.fact("first_failure", f"{first.name}: {first.message}", "First failure")
    step.table(
        ["Test", "Outcome", "Message", "ms"], [[o.name, o.status, o.message, round(o.ms, 1)] for o in run.outcomes]
    )


def _headline(steps) -> str:
    parts = [f"{s.key} tests: {s.facts['summary']}" for s in steps]
    failures = [s.facts["first_failure"] for s in steps if "first_failure" in s.facts]
    text = "; ".join(parts)
    if failures:
        text += f". Caught: {failures[0]}"
    return text
