"""Search from the header (issue 13 item 11): "/" focuses it, results are highlighted, no JavaScript needed."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]


def test_slash_focuses_the_search_box_and_enter_shows_highlighted_results(page, lab):
    page.goto(lab + "/orm/")
    page.keyboard.press("/")
    box = page.locator("[data-search]")
    assert page.evaluate("document.activeElement.hasAttribute('data-search')")
    box.fill("prefetch_related")
    box.press("Enter")
    page.wait_for_url("**/search/?q=prefetch_related")
    results = page.locator("[data-search-result]")
    assert results.count() > 0
    assert results.first.locator("mark").count() > 0
    # A "/" typed into the box is text, not the shortcut.
    box = page.locator("[data-search]")
    box.fill("a")
    box.press("/")
    assert box.input_value() == "a/"


def test_search_works_without_javascript_and_a_bad_query_gets_a_message(new_page, lab):
    page = new_page(java_script_enabled=False)
    page.goto(lab + "/")
    page.locator("[data-search]").fill("NEAR(")
    page.locator("[data-search]").press("Enter")
    assert page.locator("[data-search-count]").count() == 1
    page.locator("#search-page-q").fill('"')
    page.locator("#search-page-q").press("Enter")
    assert "no words" in page.locator("[data-search-error]").inner_text()
