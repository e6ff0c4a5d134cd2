"""Every lesson in a real browser: each Run button gives its report, no errors, no axe violations."""

from __future__ import annotations

import pytest

from lab import registry
from lessons.catalogue import get_catalogue

from .conftest import axe_violations

# Django's live server threads close the shared in-memory SQLite connection after each
# response and pytest reports it as a thread warning; pages and runs are unaffected.
pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]

LESSONS = get_catalogue().lessons


def run_every_demo(page) -> list[str]:
    """Press Run in each demo card; wait for its report and check the sections the demo declares."""
    slugs = page.locator("[data-demo]").evaluate_all("cards => cards.map(c => c.dataset.demo)")
    for slug in slugs:
        card = page.locator(f"[data-demo='{slug}']")
        card.locator("[data-action=run]").click()
        report = card.locator(f"[data-report-for='{slug}']")
        report.wait_for()
        assert report.get_attribute("data-status") == "200", f"{slug}: {report.inner_text()[:500]}"
        demo = registry.get(slug)
        for section in demo.reports:
            assert card.locator(f"[data-report='{section}']").count() > 0, f"{slug}: no {section} section"
    return slugs


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.key for lesson in LESSONS])
def test_every_demo_in_the_lesson_runs_and_the_page_passes_axe(page, lab, lesson):
    page.goto(lab + lesson.url)
    assert page.locator("h1").inner_text() == lesson.title
    slugs = run_every_demo(page)
    assert sorted(slugs) == sorted(lesson.demos)
    assert axe_violations(page) == ""


@pytest.mark.parametrize("path", ["/", "/demos/", *[t.url for t in get_catalogue().tracks[:1]]])
def test_home_demos_and_track_pages_pass_axe(page, lab, path):
    page.goto(lab + path)
    assert axe_violations(page) == ""


def test_the_dark_theme_passes_axe_too(page, lab):
    lesson = next((lesson for lesson in LESSONS if lesson.demos), None)
    if lesson is None:
        pytest.skip("no lesson with a demo yet")
    page.goto(lab + lesson.url)
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    run_every_demo(page)
    assert axe_violations(page) == ""
    page.evaluate("localStorage.removeItem('lab-theme')")
