import re
from unittest import mock

import pytest
from django.test import Client

from lab.cards import CSRF_MARKER
from lessons import markdown

DEMO_LESSON = """---
title: Counting books
summary: Run a count.
objectives:
  - Count
minutes: 7
---

## Try it

/// demo | lessonstest.count-books
///
"""


@pytest.fixture
def demo_lesson(content):
    content("orm/02-counting.md", DEMO_LESSON)
    return "/orm/counting/"


def test_home_lists_every_track_with_its_summary(client, content):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "What the middleware track teaches." in html
    assert html.index("Middleware") < html.index("Advanced ORM")


def test_a_track_page_lists_its_lessons_with_summaries_and_minutes(client, content):
    html = client.get("/middleware/").content.decode()
    assert "The onion" in html and "A lesson about order." in html
    assert "10 min" in html
    assert "The middleware track&#x27;s introduction." in html or "The middleware track's introduction." in html


def test_a_lesson_page_has_objectives_toc_navigation_and_the_current_lesson_marked(client, content):
    html = client.get("/middleware/order/").content.decode()
    assert "Understand order" in html
    assert "about 10 minutes" in html
    assert '<a href="#first-section">First section</a>' in html
    assert '<a href="/middleware/order/" aria-current="page">' in html
    assert 'href="/middleware/onion/" rel="prev"' in html
    assert 'href="/orm/lazy/" rel="next"' in html


@pytest.mark.parametrize(
    "url",
    [
        "/nope/",
        "/orm/nope/",
        "/ORM/lazy/",
        "/orm/lazy%2F..%2F..%2Fsettings/",
        "/orm/..%2F..%2Fetc%2Fpasswd/",
        "/..%2Fconfig/",
        "/orm/01-lazy/",
        "/orm/lazy.md/",
        "/_track/",
    ],
)
def test_bad_lesson_urls_are_404(client, content, url):
    assert client.get(url).status_code == 404


def test_the_404_page_uses_the_site_layout(client, content, settings):
    response = client.get("/orm/nope/")
    assert response.status_code == 404
    assert b"There is no page here" in response.content
    assert b'aria-label="Course"' in response.content


def test_lesson_pages_only_accept_get(client, content):
    assert client.post("/orm/lazy/").status_code == 405


def test_a_lesson_page_runs_no_queries(db, client, demo_lesson, django_assert_num_queries):
    client.get(demo_lesson)  # the first view renders and caches
    with django_assert_num_queries(0):
        assert client.get(demo_lesson).status_code == 200


def test_markdown_runs_once_then_views_read_the_cache(client, demo_lesson):
    with mock.patch.object(markdown, "render", wraps=markdown.render) as render:
        client.get(demo_lesson)
        client.get(demo_lesson)
        client.get(demo_lesson)
    assert render.call_count == 1


def test_with_debug_on_the_page_shell_is_rebuilt_but_markdown_still_runs_once(client, demo_lesson, settings):
    settings.DEBUG = True
    with mock.patch.object(markdown, "render", wraps=markdown.render) as render:
        client.get(demo_lesson)
        client.get(demo_lesson)
    assert render.call_count == 1


def test_the_csrf_marker_is_replaced_by_the_learners_token(demo_lesson):
    client = Client(enforce_csrf_checks=True)
    response = client.get(demo_lesson)
    html = response.content.decode()
    assert CSRF_MARKER not in html
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
    assert len(tokens) == 1  # the demo form and the reset form share it
    assert "csrftoken" in response.cookies


def _run_without_js(client, lesson_url, lesson_path, **data):
    html = client.get(lesson_url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    return client.post(
        "/demos/lessonstest.count-books/run/",
        {"csrfmiddlewaretoken": token, "lesson": lesson_path, "min_price": "0", "with_publisher": "on", **data},
    )


def test_without_javascript_a_run_shows_the_report_inside_the_lesson_page(seeded, demo_lesson, settings):
    settings.LAB_RATE_LIMIT = 0
    client = Client(enforce_csrf_checks=True)
    response = _run_without_js(client, demo_lesson, "orm/counting")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Counting books</h1>" in html
    card = html[html.index('data-demo="lessonstest.count-books"') :]
    assert 'data-report-for="lessonstest.count-books"' in card
    assert 'data-report="sql"' in card
    assert CSRF_MARKER not in html


def test_without_javascript_bad_input_is_a_400_inside_the_lesson_page(seeded, demo_lesson, settings):
    settings.LAB_RATE_LIMIT = 0
    response = _run_without_js(Client(enforce_csrf_checks=True), demo_lesson, "orm/counting", min_price="-5")
    assert response.status_code == 400
    html = response.content.decode()
    assert "<h1>Counting books</h1>" in html
    assert 'data-status="400"' in html


@pytest.mark.parametrize("lesson_path", ["", "../../etc/passwd", "orm/nope", "orm/lazy"])
def test_without_javascript_an_unknown_lesson_path_shows_the_card_on_its_own_page(
    seeded, demo_lesson, settings, lesson_path
):
    settings.LAB_RATE_LIMIT = 0
    response = _run_without_js(Client(enforce_csrf_checks=True), demo_lesson, lesson_path)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Demo result" in html
    assert 'data-report-for="lessonstest.count-books"' in html
    assert CSRF_MARKER not in html


def test_with_htmx_a_run_returns_only_the_report(seeded, client, demo_lesson, settings):
    settings.LAB_RATE_LIMIT = 0
    response = client.post(
        "/demos/lessonstest.count-books/run/",
        {"lesson": "orm/counting", "min_price": "0"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div class="lab-report')


def test_the_reset_button_posts_back_to_the_page_it_was_pressed_on(client, content):
    html = client.get("/orm/lazy/").content.decode()
    assert 'action="/demos/reset/"' in html
    assert '<input type="hidden" name="next" value="/orm/lazy/">' in html
    asked = client.post("/demos/reset/", {"next": "/orm/lazy/"})  # it asks first: a confirm page, nothing reset
    assert asked.status_code == 200 and 'href="/orm/lazy/"' in asked.content.decode()
    response = client.post("/demos/reset/", {"next": "/orm/lazy/", "confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == "/orm/lazy/"


def test_the_demo_index_links_each_demo_to_the_lessons_that_use_it(client, demo_lesson):
    html = client.get("/demos/").content.decode()
    assert "Count the books over a price" in html
    assert 'href="/orm/counting/#demo-lessonstest-count-books"' in html


def test_a_lesson_that_requires_a_newer_django_says_so(client, content):
    content("orm/03-future.md", DEMO_LESSON.replace("minutes: 7", "minutes: 7\nrequires: django>=99.0"))
    html = client.get("/orm/future/").content.decode()
    assert "Needs django&gt;=99.0." in html
    assert "requires--unmet" in html


@pytest.mark.parametrize(
    "view,status,text", [("server_error", 500, "Something went wrong"), ("bad_request", 400, "could not be understood")]
)
def test_the_500_and_400_pages_render_without_any_context(rf, view, status, text):
    from django.views import defaults

    request = rf.get("/")
    response = defaults.server_error(request) if view == "server_error" else defaults.bad_request(request, Exception())
    assert response.status_code == status
    assert text in response.content.decode()
