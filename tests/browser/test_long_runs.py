"""A long run shows how long it has been running and can be cancelled; the default backends run is quick."""

from __future__ import annotations

import pytest

from lessons.catalogue import get_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]

SLUG = "caching.backends"


def lesson_url() -> str:
    return next(lesson.url for lesson in get_catalogue().lessons if SLUG in lesson.demos)


def test_a_run_shows_its_elapsed_time_and_cancel_stops_waiting_for_it(page, lab):
    page.goto(lab + lesson_url())
    card = page.locator(f"[data-demo='{SLUG}']")
    card.locator("input[name=ops]").fill("1000")  # the heavy setting, opt-in
    card.locator("[data-action=run]").click()
    elapsed = card.locator("[data-elapsed]")
    elapsed.wait_for(state="visible")
    page.wait_for_function(
        "el => /Running… [0-9.]+ s/.test(el.textContent) && parseFloat(el.textContent.split(' ')[1]) >= 0.3",
        arg=elapsed.element_handle(),
    )
    card.locator("[data-action=cancel]").click()
    card.locator("[data-cancelled]").wait_for()
    assert card.locator("[data-action=cancel]").is_hidden() and elapsed.is_hidden()
    page.wait_for_timeout(1500)
    assert card.locator(f"[data-report-for='{SLUG}']").count() == 0  # the aborted answer is never swapped in
    assert card.locator("[data-action=run]").is_enabled()


def test_without_a_long_run_neither_timer_nor_cancel_shows(page, lab):
    page.goto(lab + lesson_url())
    card = page.locator(f"[data-demo='{SLUG}']")
    assert card.locator("[data-elapsed]").is_hidden() and card.locator("[data-action=cancel]").is_hidden()
    card.locator("[data-action=run]").click()
    card.locator(f"[data-report-for='{SLUG}']").wait_for()
    assert card.locator("[data-action=cancel]").is_hidden()
