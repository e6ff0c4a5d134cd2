"""Security headers on every page, and no CSRF token printed into a learner's own text.

The browser test that runs every demo under the policy and fails on any violation is
tests/browser/test_csp.py; classroom-only behaviour (admin, error logging) is in test_classroom.py.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from lab import registry
from lab.cards import CSRF_MARKER

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.parametrize("path", ["/", "/orm/", "/orm/seeing-the-sql/", "/demos/", "/no/such/page/", "/sandbox/orm/"])
def test_every_page_carries_a_strict_csp_and_a_permissions_policy(seeded, path):
    response = Client().get(path)
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in csp
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_a_demo_run_carries_the_policies_too(seeded, settings):
    settings.LAB_RATE_LIMIT = 0
    response = Client().post("/demos/orm.explain-index/run/", **HTMX)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == settings.LAB_CSP


def test_the_pages_hold_no_inline_script_or_style_for_the_policy_to_block(seeded):
    html = Client().get("/orm/seeing-the-sql/").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline <script>"
    assert "<style" not in html and " style=" not in html
    assert re.search(r'"includeIndicatorStyles": false', html)  # htmx adds no <style> of its own


def test_a_view_s_own_policy_is_left_alone(rf):
    from django.http import HttpResponse

    from sandbox.middleware import SecurityPolicyMiddleware

    def view(request):
        response = HttpResponse()
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    response = SecurityPolicyMiddleware(view)(rf.get("/"))
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["Permissions-Policy"] == settings.LAB_PERMISSIONS_POLICY


# -- the CSRF marker ---------------------------------------------------------------------------------


def masked_tokens(html: str) -> list[str]:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)


@pytest.mark.parametrize("typed", ["__LAB_CSRF_TOKEN__", str(CSRF_MARKER), f"A,{CSRF_MARKER},B"])
def test_a_no_js_post_echoing_the_marker_never_prints_the_learner_s_token_into_their_text(seeded, settings, typed):
    settings.LAB_RATE_LIMIT = 0
    client = Client(enforce_csrf_checks=True)
    page = client.get("/middleware/ordering/").content.decode()
    token = masked_tokens(page)[0]
    response = client.post(
        "/demos/middleware.compose/run/",
        {
            "csrfmiddlewaretoken": token,
            "order": typed,
            "path": "/sandbox/middleware/hooks/",
            "lesson": "middleware/ordering",
        },
    )
    assert response.status_code == 400  # an unknown middleware name: the form comes back with the text
    html = response.content.decode()
    tokens = masked_tokens(html)
    assert tokens and len(set(tokens)) == 1  # every form of the page has the learner's token...
    secret_uses = html.count(tokens[0])
    assert secret_uses == len(tokens)  # ...and it appears nowhere else, not in the echoed text
    assert "Unknown middleware" in html


def test_the_report_goes_into_the_page_after_the_token_so_nothing_in_it_is_rewritten(seeded, rf):
    """Even a report that carried the raw marker (it cannot: it is escaped) keeps it as it is."""
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    from lessons.views import lesson_with_report

    request = rf.post("/demos/middleware.compose/run/")
    request.session = SessionStore()
    request.META["CSRF_COOKIE"] = "a" * 32
    demo = registry.get("middleware.compose")
    report = f'<div class="lab-report">{CSRF_MARKER}</div>'
    for lesson in ("middleware/ordering", "no/such-lesson"):
        html = lesson_with_report(request, lesson, demo, report).content.decode()
        assert report in html, lesson
        assert masked_tokens(html), lesson


def test_the_favicon_browsers_ask_for_is_the_logo_not_a_404(db):
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".svg")


def test_no_template_comment_leaks_into_a_page(seeded):
    """Django's {# #} comments end at the line's end: a two-line one is printed as text."""
    for path in ("/", "/orm/seeing-the-sql/", "/no/such/page/"):
        assert "{#" not in Client().get(path).content.decode(), path
