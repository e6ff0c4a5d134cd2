"""Pages a learner reads at a glance (issue 13), in a real browser.

Every report, run with its default inputs, is checked in the one pass over every lesson
(tests/browser/test_lessons.py): its headline on top, at most two screens with its steps collapsed, nothing cut
off at 1280, 768 and 390 px. This module checks every other page a learner can reach: no console error, no failed
request (a missing favicon included), nothing cut off.
"""

from __future__ import annotations

import pytest

from lessons.catalogue import get_catalogue

from .pagechecks import check_widths, watch_responses

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]

LESSONS = get_catalogue().lessons
PAGES = [
    "/",
    "/demos/",
    "/demos/reset/?next=/",
    "/sandbox/caching/report/",
    "/sandbox/caching/report/?cached=1&backend=locmem",
    *[track.url for track in get_catalogue().tracks],
]


def test_no_page_a_learner_can_reach_logs_an_error_or_a_failed_request(page, lab):
    """Every page, and every page of the site a lesson links to (the bare report page too): no console error,
    no 404 (the favicon a bare page makes the browser ask for included), nothing cut off."""
    failed = watch_responses(page)
    linked: set[str] = set()
    for lesson in LESSONS:
        page.goto(lab + lesson.url)
        hrefs = page.locator("main a[href^='/']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        linked |= {h.split("#")[0] for h in hrefs if not h.startswith(("/admin", "/__debug__", "/static/"))}
    problems: list[str] = []
    lessons = {lesson.url for lesson in LESSONS}  # each checked, with its demos run, in test_lessons' one pass
    for path in sorted(set(PAGES) | linked - {""} - lessons):
        fetched = page.request.get(lab + path, max_redirects=5)
        if "text/html" not in fetched.headers.get("content-type", ""):  # a CSV download, a plain-text endpoint
            assert fetched.status < 400, f"{path}: {fetched.status}"
            continue
        response = page.goto(lab + path)
        assert response is not None and response.status < 400, f"{path}: {response and response.status}"
        page.wait_for_timeout(100)  # the favicon request of a page without a <link rel=icon>
        if page.locator("main").count():
            problems += check_widths(page, path)
    favicon = page.goto(lab + "/favicon.ico")
    assert favicon is not None and favicon.status == 200 and "svg" in favicon.headers["content-type"]
    assert failed == [], "failed requests"
    assert problems == [], "\n".join(problems)
