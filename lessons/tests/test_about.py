"""The About page (issue 13 item 12): the concept page, shown safely, and every lesson that corrects it."""

from __future__ import annotations

from urllib.parse import urldefrag

import pytest

from lab.htmlfind import select
from lessons import about
from lessons.catalogue import get_catalogue

from .test_links import parse

EXAMPLES = {  # the concept page's five examples (DESIGN.md) and the lesson section that corrects each
    "/middleware/onion/": "CustomHeaderMiddleware",
    "/signals/dispatcher/": "post_save",
    "/orm/aggregation/": "Count",
    "/orm/f-and-q/": 'F("discounted_price")',
    "/caching/low-level-api/": "cache.set",
}


@pytest.fixture
def course(settings):
    settings.LAB_CONTENT_ROOT = None
    settings.LAB_CONTENT_DIRS = []
    return get_catalogue()


def test_the_about_page_shows_the_concept_page_as_written(client, course):
    html = client.get("/about/").content.decode()
    (shown,) = select(html, "data-concept-page")
    assert "Django Advanced Features: Middleware, Signals, and Advanced ORM Techniques" in shown.text
    assert "def init(self, getresponse)" in html  # its mistakes are kept: the lessons correct them
    assert "value = cache.get('my_key'\n" in about.concept_page_source()  # verbatim: the missing ")" too
    # Its headings sit below the About page's own.
    assert "<h1" not in shown_html(html)


def shown_html(html: str) -> str:
    start = html.index("data-concept-page")
    return html[start : html.index("</div>", start)]


def test_every_link_on_the_about_page_resolves_to_a_page_and_an_anchor(client, seeded, course):
    html = client.get("/about/").content.decode()
    (article,) = select(html, "data-about")
    internal = [href for href in article.links if href.startswith("/")]
    assert internal
    for href in internal:
        path, fragment = urldefrag(href)
        response = client.get(path)
        assert response.status_code == 200, href
        if fragment:
            assert fragment in parse(response.content.decode()).ids, href


def test_each_lesson_that_corrects_an_example_is_linked_at_the_section_that_shows_it(client, seeded, course):
    html = client.get("/about/").content.decode()
    (article,) = select(html, "data-about")
    for path, example in EXAMPLES.items():
        (link,) = [href for href in article.links if href.startswith(path + "#")]
        lesson = course.by_path(path.strip("/"))
        section = lesson.body.lower()
        assert "concept page" in section.replace("-", " ") and example.lower() in section, link


def test_every_lesson_that_names_the_concept_page_is_listed(client, course):
    html = client.get("/about/").content.decode()
    (listed,) = select(html, "data-about-mentions")
    named = [lesson.url for lesson in course.lessons if "concept page" in lesson.body.lower().replace("-", " ")]
    assert len(named) >= 5
    assert listed.links == named


def test_the_footer_links_the_about_page(client, course):
    assert '<a href="/about/">About this course</a>' in client.get("/").content.decode()
