"""The site works under its strict Content-Security-Policy: no violation on any page (every lesson, with every demo
run, is checked in the one pass of tests/browser/test_lessons.py).

The browser reports each violation as a `securitypolicyviolation` event; an init script collects
them before any of the page's own scripts run. The first test proves the collector catches one.
"""

from __future__ import annotations

import pytest

from .pagechecks import COLLECT, violations

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]


@pytest.fixture
def csp_page(new_page):
    page = new_page()
    page.add_init_script(COLLECT)
    return page


def test_the_collector_catches_an_inline_style(csp_page, lab):
    response = csp_page.goto(lab + "/")
    assert "style-src 'self'" in response.headers["content-security-policy"]
    csp_page.evaluate("document.body.setAttribute('style', 'color: red')")
    assert any("style-src" in v for v in violations(csp_page))


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/demos/",
        "/orm/",
        "/no/such/page/",
        "/sandbox/middleware/books/",
        "/sandbox/caching/report/?cached=1&backend=locmem",
    ],
)
def test_no_violation_on_the_other_pages(csp_page, lab, path):
    csp_page.goto(lab + path)
    assert violations(csp_page) == []


def test_reset_my_sandbox_works_under_the_policy(csp_page, lab):
    csp_page.goto(lab + "/orm/")
    csp_page.get_by_role("button", name="Reset my sandbox").click()
    csp_page.get_by_role("button", name="Yes, reset it").click()  # it asks first
    csp_page.locator(".reset-done").wait_for()
    assert violations(csp_page) == []
