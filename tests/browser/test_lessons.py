"""Every lesson in a real browser: each Run button gives its report, read at a glance; no errors, no axe violations,
nothing cut off, nothing the Content-Security-Policy blocks."""

from __future__ import annotations

import pytest

from lessons.catalogue import get_catalogue

from .conftest import axe_violations
from .pagechecks import COLLECT, HEIGHTS, SCREEN, check_widths, run_every_demo, violations, watch_responses

# Django's live server threads close the shared in-memory SQLite connection after each
# response and pytest reports it as a thread warning; pages and runs are unaffected.
pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]

LESSONS = get_catalogue().lessons


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.key for lesson in LESSONS])
def test_every_demo_in_the_lesson_runs_and_the_page_holds_up(new_page, lab, lesson):
    """One pass per lesson, every demo run with its default inputs, and then everything a learner would notice:
    each report opens with its headline and needs at most two screens with its steps collapsed (the goal is one:
    `-s` prints those over it), axe finds nothing, no text is cut off at 1280, 768 and 390 px, the strict
    Content-Security-Policy blocks nothing (the theme switch included), and no request fails."""
    page = new_page()
    page.add_init_script(COLLECT)
    failed = watch_responses(page)
    response = page.goto(lab + lesson.url)
    assert "unsafe" not in response.headers["content-security-policy"]
    assert page.locator("h1").inner_text() == lesson.title
    slugs = run_every_demo(page)
    assert sorted(slugs) == sorted(lesson.demos)
    problems = []
    for slug in slugs:
        h = page.evaluate(HEIGHTS, slug)
        if not h["headline"]:
            problems.append(f"{slug}: no headline")
        if not h["headlineFirst"]:
            problems.append(f"{slug}: the headline is not above the steps")
        if h["read"] > 2 * SCREEN:
            problems.append(f"{slug}: {h['read']} px to read with its steps collapsed (over two screens)")
        if h["first"] > SCREEN:
            print(f"\n{slug}: its first collapsed step starts {h['first']} px down (one screen is {SCREEN})")
    assert axe_violations(page) == ""
    page.wait_for_timeout(150)
    problems += check_widths(page, lesson.url)
    page.locator("[data-theme-toggle]").click()  # site.js at work, and the theme script
    assert violations(page) == []
    assert list(page.errors) == []
    assert failed == [], "failed requests"
    assert problems == [], "\n".join(problems)


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
