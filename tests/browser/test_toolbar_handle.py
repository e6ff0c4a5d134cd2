"""The debug toolbar's handle never covers the page: not the hero text, a demo's form or "On this page"."""

from __future__ import annotations

import pytest

from lessons.catalogue import get_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]

COVERABLE = "main h1, main .lead, .demo-card__form, .toc, .toc-inline, .header-actions, .breadcrumbs"


def overlaps(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def covered(page) -> list[str]:
    handle = page.locator("#djDebugToolbarHandle").bounding_box()
    assert handle is not None
    found = []
    for element in page.locator(COVERABLE).all():
        box = element.bounding_box()
        if box and box["width"] and element.is_visible() and overlaps(handle, box):
            found.append(f"{element.evaluate('e => e.className || e.tagName')} at {box} under the handle {handle}")
    return found


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 900}])
def test_the_toolbar_handle_covers_no_hero_text_form_or_table_of_contents(new_page, lab, settings, viewport):
    settings.DEBUG = True
    settings.ROOT_URLCONF = "lessons.tests.toolbar_urls"  # the toolbar's routes, as when DEBUG is on at start-up
    lesson = next(lesson for lesson in get_catalogue().lessons if lesson.demos)
    page = new_page(viewport=viewport)
    page.goto(lab + lesson.url)
    page.locator("#djDebugToolbarHandle").wait_for()
    page.wait_for_function(
        "() => { const l = document.getElementById('djDebugRoot').shadowRoot.querySelector('link[data-lab-handle]');"
        " return l && l.sheet; }"
    )
    problems = covered(page)
    for form in page.locator(".demo-card__form").all()[:3]:  # scrolled to, each form stays clear of it too
        form.scroll_into_view_if_needed()
        problems += covered(page)
    page.locator("#djDebugToolbarHandle").hover()  # under the pointer it opens out to its usual size
    assert page.locator("#djDebugToolbarHandle").bounding_box()["width"] > 20
    assert problems == []
    assert list(page.errors) == []
