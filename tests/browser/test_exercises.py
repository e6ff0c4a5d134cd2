"""Exercises in Chromium with the real runtime (Pyodide in a Web Worker, no mocks): an ORM exercise typed with
the keyboard, run, checked and passed; a syntax error; an infinite loop stopped; Django 5.2 and 6.1 side by side.

The runtime must be built (`make runtime`; `make test` does it first). Without it these tests skip locally
and fail in CI, like the other browser requirements.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from lab import exercises
from lessons.catalogue import get_catalogue

from .conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]

SLUG = "orm.titles-and-publishers"
CARD = f"[data-exercise='{SLUG}']"
READY = 240_000  # ms: a cold start on a busy 2-core machine downloads and starts Pyodide and Django
RUN = 60_000


@pytest.fixture
def runtime_built():
    from conftest import require

    built = (Path(settings.LAB_RUNTIME_DIR) / "build" / "manifest.json").exists()
    require(built, "the exercise runtime is not built: run `make runtime`")


def lesson_url(slug: str = SLUG) -> str:
    stem = exercises.get(slug).lesson.split("/", 1)[1]
    return next(lesson.url for lesson in get_catalogue().lessons if lesson.path.stem == stem)


def open_exercise(page, url, slug=SLUG):
    page.goto(url)
    page.evaluate(f"localStorage.removeItem('lab-exercise-code:{slug}'); localStorage.removeItem('lab-progress')")
    page.reload()
    card = page.locator(f"[data-exercise='{slug}']")
    card.scroll_into_view_if_needed()
    card.locator("[data-runtime=ready]").wait_for(timeout=READY)
    return card


def press(card, action):
    card.locator(f"[data-action={action}]").click()
    card.locator("[data-runtime=running]").wait_for(state="detached", timeout=RUN)


def replace_code(page, card, code):
    card.locator(".cm-content").click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)


def test_an_orm_exercise_is_typed_run_checked_and_passed(page, lab, runtime_built):
    card = open_exercise(page, lab + lesson_url())
    page.evaluate("window.__progress = []; addEventListener('lab:progress', (e) => __progress.push(e.detail))")

    press(card, "run")
    report = card.locator("[data-results] .lab-report")
    assert report.locator("[data-report=sql]").count() == 1
    assert "6 queries" in report.locator("[data-headline]").inner_text()

    press(card, "check")
    results = card.locator("[data-check-result]")
    assert [results.nth(i).get_attribute("data-check-result") for i in range(results.count())] == ["pass", "fail"]
    assert "the budget is 1" in card.locator("[data-check-result=fail]").inner_text()
    card.locator("[data-action=solution]").click()  # after a failed check: no confirm
    assert "select_related" in card.locator("[data-solution]").inner_text()
    card.locator("[data-action=hint]").click()
    assert card.locator("[data-hints] li").count() == 1
    assert axe_violations(page) == ""  # the card with its results, a hint and the solution
    page.locator("[data-theme-toggle]").click()
    assert axe_violations(page) == "", "in the dark theme"
    page.locator("[data-theme-toggle]").click()

    # The fix, typed: on line 5 (books = Book.objects.order_by("title")), before .order_by("title").
    card.locator(".cm-content").click()
    page.keyboard.press("ControlOrMeta+End")
    for key in ("ArrowUp", "ArrowUp", "End", *["ArrowLeft"] * len('.order_by("title")')):
        page.keyboard.press(key)
    page.keyboard.type('.select_related("publisher")')
    assert 'Book.objects.select_related("publisher").order_by("title")' in card.evaluate(
        "card => card.__labExercise.editor.get()"
    )
    page.keyboard.press("ControlOrMeta+Shift+Enter")  # Check, from the editor
    card.locator("[data-results] [data-check-result]").first.wait_for(timeout=RUN)
    card.locator("[data-runtime=running]").wait_for(state="detached", timeout=RUN)
    assert card.locator("[data-check-result=fail]").count() == 0
    assert card.locator("[data-check-result=pass]").count() == 2
    assert card.locator("[data-exercise-passed]").is_visible()
    progress = page.evaluate("JSON.parse(localStorage.getItem('lab-progress'))")
    assert progress["exercises"][SLUG]["passed"] is True
    assert page.evaluate("__progress") == [{"exercise": SLUG, "passed": True}]

    page.once("dialog", lambda dialog: dialog.accept())
    card.locator("[data-action=reset]").click()
    assert "select_related" not in card.evaluate("card => card.__labExercise.editor.get()")


def test_a_syntax_error_says_where(page, lab, runtime_built):
    card = open_exercise(page, lab + lesson_url())
    replace_code(page, card, "def book_list(:\n    return []\n")
    press(card, "check")
    error = card.locator("[data-results] [data-report=error]")
    assert "does not parse (line 1)" in error.inner_text()
    assert "SyntaxError" in error.inner_text()
    assert "File" in error.inner_text() and "lab/exercises.py" not in error.inner_text()
    assert axe_violations(page) == ""


def test_an_infinite_loop_is_stopped_and_the_next_run_works(page, lab, runtime_built):
    card = open_exercise(page, lab + lesson_url())
    replace_code(page, card, "def book_list():\n    while True:\n        pass\n")
    card.locator("[data-action=run]").click()
    card.locator("[data-runtime=running]").wait_for()
    card.locator("[data-action=stop]").click()
    assert card.locator("[data-runtime]").get_attribute("data-runtime") == "stopped"
    assert "Stopped" in card.locator("[data-results]").inner_text()

    page.once("dialog", lambda dialog: dialog.accept())
    card.locator("[data-action=reset]").click()
    press(card, "run")
    card.locator("[data-results] .lab-report [data-report=sql]").wait_for(state="attached")


def test_django_5_2_and_6_1_side_by_side(page, lab, runtime_built, settings):
    settings.ROOT_URLCONF = "tests.browser.exercise_urls"
    card = open_exercise(page, lab + f"/exercise-card-test/?slug={SLUG}")
    card.get_by_label("Both, side by side").check()
    card.locator("[data-runtime=ready]").wait_for(timeout=READY)
    press(card, "run")
    columns = card.locator("[data-results] .exercise-result")
    assert columns.count() == 2
    assert [columns.nth(i).get_attribute("data-version") for i in range(2)] == ["5.2", "6.1"]
    for i in range(2):
        assert columns.nth(i).locator(".lab-report [data-report=sql]").count() == 1
    left, right = columns.nth(0).bounding_box(), columns.nth(1).bounding_box()
    assert left["y"] == right["y"] and left["x"] < right["x"], "at desktop width the two runs sit side by side"
