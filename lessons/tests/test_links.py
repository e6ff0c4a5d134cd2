"""A learner never meets a dead end: every internal link on every course page answers 200, and its #anchor exists."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin

import pytest

from lessons.catalogue import get_catalogue


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.repeated: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if attrs.get("id"):
            if attrs["id"] in self.ids:
                self.repeated.add(attrs["id"])
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])


def parse(html: str) -> Links:
    links = Links()
    links.feed(html)
    return links


@pytest.fixture
def course(settings):
    """The real course in content/, not the engine tests' fixture course."""
    settings.LAB_CONTENT_ROOT = None
    settings.LAB_CONTENT_DIRS = []
    return get_catalogue()


def test_every_internal_link_on_every_course_page_resolves(seeded, client, course):
    pages = ["/", "/demos/", "/about/", *(t.url for t in course.tracks), *(lesson.url for lesson in course.lessons)]
    assert len(pages) == 3 + len(course.tracks) + len(course.lessons) and course.lessons
    parsed: dict[str, Links] = {}

    def fetch(url: str) -> Links:
        if url not in parsed:
            response = client.get(url)
            assert response.status_code == 200, f"{url} answered {response.status_code}"
            parsed[url] = parse(response.content.decode())
        return parsed[url]

    broken = []
    for page in pages:
        for href in fetch(page).hrefs:
            url = urljoin(f"http://testserver{page}", href)
            if not url.startswith("http://testserver/"):
                continue  # external: the docs links are checked against Django's docs source, not fetched here
            path, fragment = urldefrag(url.removeprefix("http://testserver"))
            if path.startswith("/static/"):
                continue
            try:
                target = fetch(path)
            except AssertionError as exc:
                broken.append(f"{page} -> {href}: {exc}")
                continue
            if fragment and fragment not in target.ids:
                broken.append(f"{page} -> {href}: no element with id {fragment!r}")
    assert len(parsed) >= len(pages)  # every page was fetched, plus any link target outside them
    assert broken == []


def test_the_demos_index_is_marked_as_the_current_page_in_the_top_navigation(seeded, client, course):
    html = client.get("/demos/").content.decode()
    assert '<a href="/demos/" aria-current="page">All demos</a>' in html
    assert 'aria-current="page">All demos' not in client.get("/").content.decode()


def test_the_pager_says_when_it_crosses_into_the_next_track_and_the_last_lesson_leads_home(client, course):
    last_of_first_track = course.tracks[0].lessons[-1]
    html = client.get(last_of_first_track.url).content.decode()
    assert f'href="{course.tracks[1].lessons[0].url}" rel="next"><span class="pager__dir">Next track →</span>' in html
    html = client.get(course.lessons[-1].url).content.decode()
    assert '<a class="pager__link pager__link--next" href="/"><span class="pager__dir">The end of the course →' in html


def test_no_course_page_repeats_an_element_id(seeded, client, course):
    """Two demo cards on one lesson may have fields of the same name; their ids (and labels) must still differ."""
    repeated = {}
    for url in ["/", "/demos/", *(lesson.url for lesson in course.lessons)]:
        found = parse(client.get(url).content.decode()).repeated
        if found:
            repeated[url] = sorted(found)
    assert repeated == {}
