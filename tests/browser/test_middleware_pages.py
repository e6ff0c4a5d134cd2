"""The middleware lessons at phone width: after every Run, nothing scrolls sideways."""

from __future__ import annotations

import pytest

from lessons.catalogue import get_catalogue

from .test_lessons import run_every_demo

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]

LESSONS = [lesson for lesson in get_catalogue().lessons if lesson.key.startswith("middleware/")]


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.key for lesson in LESSONS])
def test_at_phone_width_a_middleware_lesson_and_its_reports_fit(new_page, lab, lesson):
    # Identifiers such as process_template_response in titles and long <select> options used to widen the page.
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(lab + lesson.url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    run_every_demo(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.errors == []
