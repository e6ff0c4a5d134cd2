"""Progress that follows what the learner did (issue 13 item 10): predictions, demos run, exercises passed,
per lesson in the sidebar and on the track page, and export/import of the lot as a JSON file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lab import registry
from lessons.catalogue import get_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]

CARD = "[data-demo='orm.annotate-order']"


def fresh(page, lab, path):
    page.goto(lab + path)
    page.evaluate("localStorage.removeItem('lab-progress')")
    page.reload()


def test_a_graded_prediction_and_a_run_show_in_the_sidebar_the_question_and_the_track_page(page, lab):
    fresh(page, lab, "/orm/aggregation/")
    nav = page.locator("#course-nav [data-lesson-key='orm/aggregation'] [data-lesson-practice]")
    assert nav.is_hidden()
    card = page.locator(CARD)
    card.locator("[data-predict='0']").get_by_label("1", exact=True).check()
    card.locator("[data-action='run']").click()
    card.locator("[data-predict-result='right']").wait_for()
    nav.wait_for()
    assert nav.get_attribute("data-right") == "1" and nav.get_attribute("data-run") == "1"
    lesson = get_catalogue().by_path("orm/aggregation")
    asked = sum(len(registry.get(slug).predictions) for slug in lesson.demos)
    exercises = len(re.findall(r"^/// exercise \|", lesson.body, re.M))  # each counts once passed
    assert nav.locator("[aria-hidden]").inner_text() == f"1/{asked + exercises}"  # the sidebar is short...
    assert "predictions right" in nav.get_attribute("title")  # ...the full sentence is its title and hidden text
    # The check-yourself question graded by this demo reflects it.
    question = page.locator("[data-question-demo='orm.annotate-order']")
    assert question.locator("[data-question-result]").get_attribute("data-question-result") == "right"
    # A wrong one afterwards: the question says so.
    card.locator("[data-predict='0']").get_by_label("4", exact=True).check()
    card.locator("[data-action='run']").click()
    card.locator("[data-predict-result='wrong']").wait_for()
    expect(question.locator("[data-question-result]")).to_have_attribute("data-question-result", "wrong")
    page.goto(lab + "/orm/")
    full = page.locator(".lesson-list [data-lesson-key='orm/aggregation'] [data-lesson-practice]")
    # The latest answer counts: the one prediction made was last answered wrong; one demo was run (twice).
    assert full.inner_text() == (
        f"0 of {asked} predictions right · 0 of {exercises} exercises passed · 1 of {len(lesson.demos)} demos run"
    )


def test_an_exercise_passed_elsewhere_shows_at_once(page, lab):
    """exercise-card.js merges {"exercises": {slug: {passed, at}}} into lab-progress and sends lab:progress."""
    fresh(page, lab, "/orm/")
    page.evaluate(
        """() => {
        const p = JSON.parse(localStorage.getItem('lab-progress') || '{}');
        p.exercises = {'orm.titles-and-publishers': {passed: true, at: new Date().toISOString()}};
        localStorage.setItem('lab-progress', JSON.stringify(p));
        window.dispatchEvent(new CustomEvent('lab:progress', {detail: {exercise: 'orm.titles-and-publishers'}}));
    }"""
    )
    box = page.locator(".lesson-list [data-lesson-key='orm/seeing-the-sql'] [data-lesson-practice]")
    box.wait_for()
    assert "1 of 1 exercise passed" in box.inner_text()


def test_progress_exports_to_a_file_and_imports_back_and_a_bad_file_gets_a_clear_message(page, lab, tmp_path):
    fresh(page, lab, "/orm/")
    saved = {
        "orm/aggregation": 1765000000000,
        "exercises": {"orm.titles-and-publishers": {"passed": True, "at": "2026-12-01T10:00:00Z"}},
        "predictions": {"orm.annotate-order#0": {"right": True, "at": "2026-12-01T10:00:00Z"}},
        "demos": {"orm.annotate-order": {"runs": 3, "at": "2026-12-01T10:00:00Z"}},
    }
    page.evaluate("p => localStorage.setItem('lab-progress', JSON.stringify(p))", saved)
    page.reload()
    with page.expect_download() as download:
        page.locator("[data-progress-export]").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert exported["format"] == "django-lab-progress" and exported["version"] == 1
    assert exported["progress"] == saved

    page.evaluate("localStorage.removeItem('lab-progress')")
    page.reload()
    good = tmp_path / "progress.json"
    good.write_text(json.dumps(exported))
    page.locator("[data-progress-import]").set_input_files(str(good))
    status = page.locator("[data-progress-io-status]")
    expect(status).to_contain_text("Imported")
    assert page.evaluate("JSON.parse(localStorage.getItem('lab-progress'))") == saved
    assert "is-complete" in page.locator(".lesson-list [data-lesson-key='orm/aggregation']").get_attribute("class")

    for content, message in (
        ("not json", "not JSON"),
        (json.dumps({"hello": 1}), "not a Django Lab progress export"),
        (json.dumps({"format": "django-lab-progress", "version": 1, "progress": {"../etc": 1}}), "does not understand"),
    ):
        bad = tmp_path / "bad.json"
        bad.write_text(content)
        page.locator("[data-progress-import]").set_input_files(str(bad))
        expect(status).to_have_attribute("data-error", "")
        assert message in status.inner_text()
        assert page.evaluate("JSON.parse(localStorage.getItem('lab-progress'))") == saved  # nothing imported
        page.evaluate("document.querySelector('[data-progress-io-status]').removeAttribute('data-error')")
