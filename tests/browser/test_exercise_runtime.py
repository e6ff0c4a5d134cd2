"""The exercise runtime in a real Chromium with real Pyodide: Django runs in a Web Worker, on 5.2 and 6.1.

One page per module loads the runtime once (Pyodide starts in seconds, not milliseconds); every request it makes is
routed through a guard that fails the test for any URL outside the live server. Needs `make runtime` (CI builds it).
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings

from exercises.orm_sample import ex as sample

from .conftest import DESKTOP

pytestmark = [pytest.mark.browser]

SLUG = sample.slug
ATTEMPT = "async ([slug, code, mode, version, options]) => LabRuntime.get(version).attempt(slug, code, mode, options)"
# Django 6.0 made StringAgg a general aggregate in django.db.models (5.2 has it only in contrib.postgres).
STRINGAGG = sample.solution + "\nfrom django.db.models import StringAgg\n"


@pytest.fixture(scope="module")
def runtime_page(browser, live_server, django_db_blocker):
    from conftest import require

    require((settings.LAB_RUNTIME_DIR / "build" / "manifest.json").exists(), "No exercise runtime: run make runtime")
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(180_000)  # a cold Pyodide on a shared 2-core machine
    outside: list[str] = []

    def guard(route):
        if route.request.url.startswith(live_server.url + "/"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    # The live server's thread may touch the database (request_started/finished close old connections); the
    # module's tests hold no database fixture of their own, so let it, for the module's lifetime.
    with django_db_blocker.unblock():
        page.goto(live_server.url + "/runtime/manifest.json")  # a page of this site that needs no database
        page.add_script_tag(url=live_server.url + "/static/js/lab-runtime.js")
        page.outside, page.errors = outside, errors
        yield page
        context.close()
    assert outside == [], f"requests left the site: {outside}"
    assert errors == []


def attempt(page, code: str, mode: str, version: str = "5.2", **options) -> dict:
    return page.evaluate(ATTEMPT, [SLUG, code, mode, version, options])


def test_the_runtime_becomes_ready(runtime_page):
    state = runtime_page.evaluate("async () => { const rt = LabRuntime.get('5.2'); await rt.ready; return rt.state; }")
    assert state == "ready"


def test_the_solution_passes_every_check(runtime_page):
    result = attempt(runtime_page, sample.solution, "check")
    assert result["django"] == "5.2.19"
    assert result["ok"] is True, result
    assert [check["key"] for check in result["checks"]] == [check.key for check in sample.checks]
    assert all(check["passed"] for check in result["checks"])


def test_the_starter_fails_with_a_message_that_teaches(runtime_page):
    result = attempt(runtime_page, sample.starter, "check")
    assert result["ok"] is False
    failed = [check for check in result["checks"] if not check["passed"]]
    assert [check["key"] for check in failed] == ["one_query"]
    assert "the budget is 1" in failed[0]["message"]


def test_run_shows_the_lab_report_measured_in_the_browser(runtime_page):
    result = attempt(runtime_page, sample.starter, "run")
    assert result["ok"] is True and result["error"] is None
    step = result["report"]["steps"][0]
    assert step["key"] and len(step["queries"]) > 1  # the N+1 the exercise is about, counted in Pyodide
    assert "SELECT" in result["report_html"]


def test_a_syntax_error_gives_a_clear_message(runtime_page):
    result = attempt(runtime_page, "def book_list(:\n    return []\n", "check")
    assert result["ok"] is False
    assert result["error"]["type"] == "SyntaxError"
    assert result["error"]["line"] == 1
    assert '"<your code>", line 1' in result["error"]["traceback"]


def test_an_endless_loop_is_stopped_within_the_time_limit_and_the_next_run_works(runtime_page):
    runtime_page.evaluate("() => LabRuntime.get('5.2').ready")
    started = time.monotonic()
    result = attempt(runtime_page, "while True:\n    pass\n", "run", timeLimit=2000)
    elapsed = time.monotonic() - started
    assert result["stopped"] is True
    assert result["error"]["type"] == "Stopped"
    assert "Stopped after 2 s" in result["error"]["message"]
    assert elapsed < 4, f"stopped after {elapsed:.1f} s"
    assert runtime_page.evaluate("LabRuntime.get('5.2').state") == "stopped"
    again = attempt(runtime_page, sample.solution, "check")  # a fresh worker
    assert again["ok"] is True, again
    assert runtime_page.evaluate("LabRuntime.get('5.2').state") == "ready"


def test_stop_ends_a_running_attempt_at_once(runtime_page):
    runtime_page.evaluate("() => LabRuntime.get('5.2').ready")
    result = runtime_page.evaluate(
        """async ([slug]) => {
             const rt = LabRuntime.get("5.2");
             const pending = rt.attempt(slug, "while True:\\n    pass\\n", "run");
             setTimeout(() => rt.stop(), 300);
             return pending;
           }""",
        [SLUG],
    )
    assert result["stopped"] is True and result["error"]["message"] == "Stopped."


def test_the_state_is_announced_on_the_document(runtime_page):
    states = runtime_page.evaluate(
        """async ([slug, code]) => {
             const seen = [];
             document.addEventListener("lab-runtime:state", (e) => seen.push(e.detail.version + ":" + e.detail.state));
             await LabRuntime.get("5.2").ready;
             await LabRuntime.get("5.2").attempt(slug, code, "check");
             return seen;
           }""",
        [SLUG, sample.solution],
    )
    assert states[-2:] == ["5.2:running", "5.2:ready"]


def test_the_same_code_runs_on_django_6_1_and_shows_the_difference(runtime_page):
    on_52 = attempt(runtime_page, STRINGAGG, "run", "5.2")
    on_61 = attempt(runtime_page, STRINGAGG, "run", "6.1")
    assert on_52["django"] == "5.2.19" and on_61["django"] == "6.1.3"
    assert on_52["error"]["type"] == "ImportError" and "StringAgg" in on_52["error"]["message"]
    assert on_61["ok"] is True and on_61["error"] is None
    assert runtime_page.evaluate("LabRuntime.versions()") == ["5.2", "6.1"]
