"""Progress a learner keeps in their own browser: mark a lesson complete, see it everywhere, nothing on the server."""

from __future__ import annotations

import pytest

from lessons.catalogue import get_catalogue

from .conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]


def fresh(page, lab, path="/"):
    page.goto(lab + path)
    page.evaluate("localStorage.removeItem('lab-progress')")
    page.reload()


def test_marking_a_lesson_complete_survives_a_reload_and_shows_on_the_track_and_home_pages(page, lab):
    catalogue = get_catalogue()
    track = catalogue.tracks[0]
    first, second = track.lessons[0], track.lessons[1]
    fresh(page, lab, first.url)
    toggle = page.locator("[data-complete-toggle]")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert (
        f"1 of {len(track.lessons)} lessons in this track complete"
        in page.locator("[data-complete-status]").inner_text()
    )

    page.reload()
    assert page.locator("[data-complete-toggle]").get_attribute("aria-pressed") == "true"
    nav_item = page.locator(f"#course-nav [data-lesson-key='{first.key}']")
    assert "is-complete" in nav_item.get_attribute("class")
    assert "(completed)" in nav_item.locator("a").inner_text()

    page.goto(lab + track.url)
    assert "is-complete" in page.locator(f".lesson-list [data-lesson-key='{first.key}']").get_attribute("class")
    assert (
        page.locator("[data-track-progress] .progress__text").inner_text()
        == f"1 of {len(track.lessons)} lessons complete"
    )

    page.goto(lab + "/")
    card = page.locator(f"[data-track-progress='{track.name}']")
    assert card.is_visible()
    assert card.locator(".progress__text").inner_text() == f"1 of {len(track.lessons)} lessons complete"
    other = page.locator(f"[data-track-progress='{catalogue.tracks[1].name}'] .progress__text").inner_text()
    assert other.startswith("0 of ")
    cont = page.locator("[data-continue]")
    assert cont.inner_text() == f"Continue with “{second.title}”"
    assert cont.get_attribute("href") == second.url
    assert axe_violations(page) == ""


def test_the_toggle_works_from_the_keyboard_and_unmarks_too(page, lab):
    lesson = get_catalogue().lessons[0]
    fresh(page, lab, lesson.url)
    toggle = page.locator("[data-complete-toggle]")
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-pressed") == "true"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Space")
    assert toggle.get_attribute("aria-pressed") == "false"
    assert page.evaluate("JSON.parse(localStorage.getItem('lab-progress'))") == {}
    assert axe_violations(page) == ""


def test_running_a_demo_counts_the_run_but_marks_no_lesson_complete(page, lab):
    lesson = next((lesson for lesson in get_catalogue().lessons if lesson.demos), None)
    if lesson is None:
        pytest.skip("no lesson with a demo yet")
    fresh(page, lab, lesson.url)
    slug = lesson.demos[0]
    page.locator(f"[data-demo='{slug}'] [data-action=run]").click()
    page.locator(f"[data-demo='{slug}'] [data-report-for='{slug}']").wait_for()
    # issue 13 item 10: progress follows what the learner did, so the run is counted; completion stays theirs to tick.
    stored = page.evaluate("JSON.parse(localStorage.getItem('lab-progress'))")
    assert list(stored) == ["demos"] and stored["demos"][slug]["runs"] == 1
    assert page.locator("[data-complete-toggle]").get_attribute("aria-pressed") == "false"


def test_without_javascript_the_toggle_and_progress_bars_stay_hidden(new_page, lab):
    page = new_page(java_script_enabled=False)
    lesson = get_catalogue().lessons[0]
    page.goto(lab + lesson.url)
    assert not page.locator("[data-complete-toggle]").is_visible()
    page.goto(lab + "/")
    assert page.locator("[data-track-progress]").first.is_hidden()
    assert page.locator("[data-continue]").inner_text().startswith("Start with")


def test_when_the_browser_keeps_no_site_data_the_toggle_says_so_instead_of_failing(new_page, lab):
    page = new_page()
    page.add_init_script(
        "Storage.prototype.setItem = function () { throw new DOMException('blocked', 'SecurityError'); };"
    )
    page.goto(lab + get_catalogue().lessons[0].url)
    toggle = page.locator("[data-complete-toggle]")
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "false"
    assert "cannot be saved" in page.locator("[data-complete-status]").inner_text()
    assert page.errors == []
