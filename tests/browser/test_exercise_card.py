"""The exercise card in Chromium, on a page holding a made-up exercise (tests/browser/exercise_urls.py):
the CodeMirror editor by keyboard, one hint at a time, the solution and reset behind a confirm, code kept
in the browser, the no-JavaScript fallback, phone width, dark mode, axe and the CSP. No Python runtime:
what needs one is in test_exercises.py."""

from __future__ import annotations

import pytest

from .conftest import axe_violations
from .pagechecks import COLLECT, violations

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]

SLUG = "test.count-books"
CARD = f"[data-exercise='{SLUG}']"
URL = "/exercise-card-test/?runtime=none"


@pytest.fixture
def card_url(lab, settings) -> str:
    settings.ROOT_URLCONF = "tests.browser.exercise_urls"
    return lab + URL


def open_card(page, url):
    page.goto(url)
    page.evaluate(f"localStorage.removeItem('lab-exercise-code:{SLUG}')")
    page.reload()
    page.locator(f"{CARD} [data-editor] .cm-content").wait_for()
    return page.locator(CARD)


def editor_text(card) -> str:
    return card.evaluate("card => card.__labExercise.editor.get()")


def test_the_editor_is_typed_into_with_the_keyboard_tab_indents_and_esc_tab_leaves(page, card_url):
    card = open_card(page, card_url)
    assert card.locator("[data-exercise-static]").is_hidden()
    content = card.locator(".cm-content")
    assert content.get_attribute("aria-label").startswith("Your code")
    assert content.get_attribute("aria-describedby") == card.locator(".exercise-card__help").get_attribute("id")
    assert "Esc" in card.locator(".exercise-card__help").inner_text()
    content.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.type("def count_books():\n")
    page.keyboard.press("Tab")  # the editor had already indented the body by 4: Tab adds 4 more
    page.keyboard.type("return 1")
    assert editor_text(card) == "def count_books():\n        return 1"
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("!document.activeElement.closest('.cm-editor')"), "Esc then Tab did not leave the editor"
    assert editor_text(card) == "def count_books():\n        return 1"  # that Tab inserted nothing


def test_the_code_is_kept_in_the_browser_and_reset_asks_first(page, card_url):
    card = open_card(page, card_url)
    starter = card.evaluate("card => card.__labExercise.starter")
    assert editor_text(card) == starter
    card.locator(".cm-content").click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.type("# mine")
    page.reload()
    card.locator(".cm-content").wait_for()
    assert editor_text(card) == starter + "# mine"

    page.once("dialog", lambda dialog: dialog.dismiss())
    card.locator("[data-action=reset]").click()
    assert editor_text(card) == starter + "# mine"
    page.once("dialog", lambda dialog: dialog.accept())
    card.locator("[data-action=reset]").click()
    assert editor_text(card) == starter
    assert page.evaluate(f"localStorage.getItem('lab-exercise-code:{SLUG}')") is None


def test_hints_come_one_at_a_time(page, card_url):
    card = open_card(page, card_url)
    hint = card.locator("[data-action=hint]")
    hints = card.locator("[data-hints] li")
    assert hints.count() == 0
    hint.click()
    assert hints.count() == 1
    assert hints.nth(0).locator("code").inner_text() == "Book.objects"
    assert "1 of 2" in hint.inner_text()
    hint.click()
    assert hints.count() == 2
    assert hint.is_disabled()


def test_the_solution_is_shown_on_request_only_after_a_confirm(page, card_url):
    card = open_card(page, card_url)
    solution = card.locator("[data-solution]")
    page.once("dialog", lambda dialog: dialog.dismiss())
    card.locator("[data-action=solution]").click()
    assert solution.is_hidden()
    page.once("dialog", lambda dialog: dialog.accept())
    card.locator("[data-action=solution]").click()
    assert "Book.objects.count()" in solution.inner_text()
    card.locator("[data-action=use-solution]").click()
    assert "return Book.objects.count()" in editor_text(card)


def test_without_the_runtime_the_card_says_exercises_cannot_run(page, card_url):
    card = open_card(page, card_url)
    state = card.locator("[data-runtime]")
    assert state.get_attribute("data-runtime") == "error"
    assert "Python is not installed on this site" in state.inner_text()
    assert card.locator("[data-action=run]").is_disabled()


def test_the_version_switch_offers_each_version_and_both(page, card_url):
    card = open_card(page, card_url)
    switch = card.locator("[data-version-switch]")
    assert switch.get_by_label("Django 5.2").is_checked()
    assert switch.get_by_label("Django 6.1").count() == 1
    assert switch.get_by_label("Both, side by side").count() == 1


def test_without_javascript_the_card_shows_the_starter_and_the_hints(new_page, card_url):
    page = new_page(java_script_enabled=False)
    page.goto(card_url)
    card = page.locator(CARD)
    assert "needs JavaScript" in card.inner_text()
    assert "def count_books" in card.locator("[data-exercise-static] .codeblock").inner_text()
    assert card.locator("[data-exercise-live]").is_hidden()
    card.locator("details summary").click()
    assert "Book.objects" in card.locator("details").inner_text()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_card_has_no_axe_violations(new_page, card_url, scheme):
    page = new_page(color_scheme=scheme)
    page.goto(card_url)
    card = page.locator(CARD)
    card.locator(".cm-content").wait_for()
    card.locator("[data-action=hint]").click()
    page.once("dialog", lambda dialog: dialog.accept())
    card.locator("[data-action=solution]").click()
    assert page.evaluate("document.documentElement.dataset.theme") == scheme
    assert axe_violations(page) == ""
    assert page.errors == []


def test_at_phone_width_the_card_fits(new_page, card_url):
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(card_url)
    page.locator(f"{CARD} .cm-content").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.errors == []


def test_the_card_and_its_editor_work_under_the_csp(new_page, card_url):
    page = new_page()
    page.add_init_script(COLLECT)
    response = page.goto(card_url)
    assert "unsafe" not in response.headers["content-security-policy"]
    card = page.locator(CARD)
    card.locator(".cm-content").click()
    page.keyboard.type("x = 1\n")
    card.locator("[data-action=hint]").click()
    page.locator("[data-theme-toggle]").click()
    assert violations(page) == []
    assert page.errors == []
