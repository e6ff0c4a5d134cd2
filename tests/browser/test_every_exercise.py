"""Every registered exercise in real Pyodide: its reference solution passes every check and its starter does not.

CPython's exercises/tests prove the same on the server; this proves it where learners run them (a Web Worker in
Chromium, config.browser_settings, SQLite file, no threads). One page for the module: each Django version's
runtime (5.2 and 6.1) loads once and the attempts run one after another on it. Slugs and code come from `lab.exercises` in this process,
so a new exercise is covered the moment it is registered. Needs `make runtime` (CI builds it).
"""

from __future__ import annotations

import pytest

from lab import exercises

from .test_exercise_runtime import ATTEMPT, runtime_page  # noqa: F401 (the module-scoped page fixture)

pytestmark = [pytest.mark.browser]

# Every shipped version, not only each card's `versions`: an exercise that breaks on the next Django shows here first.
VERSIONS = ("5.2", "6.1")
CASES = [(version, ex.slug) for version in VERSIONS for ex in exercises.all_exercises()]


def describe(result: dict) -> str:
    if result.get("error"):
        return f"{result['error']['type']}: {result['error']['message']}\n{result['error'].get('traceback', '')}"
    return "; ".join(f"{c['key']}: {c['message']}" for c in result["checks"] if not c["passed"])


def test_every_exercise_on_every_version_the_site_ships(runtime_page):  # noqa: F811
    assert runtime_page.evaluate("LabRuntime.versions()") == list(VERSIONS)
    assert len(exercises.all_exercises()) >= 40
    assert all(set(ex.versions) <= set(VERSIONS) for ex in exercises.all_exercises())


@pytest.mark.parametrize(("version", "slug"), CASES, ids=[f"{v}-{s}" for v, s in CASES])
def test_the_solution_passes_and_the_starter_does_not(runtime_page, version, slug):  # noqa: F811
    ex = exercises.get(slug)
    solved = runtime_page.evaluate(ATTEMPT, [slug, ex.solution, "check", version, {"timeLimit": 60_000}])
    assert solved["django"].startswith(version), solved
    assert solved["ok"] is True, f"{slug} solution on {version}: {describe(solved)}"
    assert [check["key"] for check in solved["checks"]] == [check.key for check in ex.checks]
    assert all(check["passed"] for check in solved["checks"])

    started = runtime_page.evaluate(ATTEMPT, [slug, ex.starter, "check", version, {"timeLimit": 60_000}])
    assert started["ok"] is False, f"{slug}: the starter passes on {version}"
    assert started.get("stopped") is not True, f"{slug}: the starter was stopped on {version}: {describe(started)}"
    assert started["error"] is None or started["error"]["type"] != "RuntimeError", describe(started)


def test_the_next_attempt_works_after_the_learners_code_closes_the_connection(runtime_page):  # noqa: F811
    ex = exercises.get("orm.titles-and-publishers")
    closing = ex.solution + "\nfrom django.db import connection\nconnection.close()\n"
    runtime_page.evaluate(ATTEMPT, [ex.slug, closing, "check", "5.2", {}])  # its own outcome is not the point
    again = runtime_page.evaluate(ATTEMPT, [ex.slug, ex.solution, "check", "5.2", {}])
    assert again["ok"] is True, describe(again)
