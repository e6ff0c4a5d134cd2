"""Local mode (DEBUG on) previews everything an instructor is writing; a DEBUG-off site shows only what is ready.

A lesson with problems keeps its URL in local mode and lists every problem
(file:line, what is wrong, the fix) at the top of its page; a draft is badged.
With DEBUG off both are left out of navigation, pagers and URLs, and the log
says why once per build, never per request.
"""

import logging
import re

import pytest
from django.core import checks

from lessons.catalogue import get_catalogue

from .conftest import LESSON

BROKEN = '---\ntitle: "Unclosed\nsummary: Fine.\nobjectives:\n  - Learn\nminutes: fifteen\ntitel: x\n---\n\n## Body\n\n/// demo | lessonstest.count-bookz\n///\n'
DRAFT = LESSON.format(title="Work in progress", slug="wip").replace("minutes: 10", "minutes: 10\ndraft: true")


def problems_on(html: str) -> list[tuple[str, str]]:
    """(where, id) of each problem the page lists."""
    return re.findall(
        r'data-problem="([^"]+)">\s*<p class="problem__head"><code class="problem__where">([^<]+)</code>', html
    )


@pytest.fixture
def broken(content):
    return content("orm/02-broken.md", BROKEN)


@pytest.fixture
def draft(content):
    return content("middleware/03-wip.md", DRAFT)


def test_with_debug_on_a_broken_lesson_keeps_its_url_and_lists_every_problem_with_its_fix(client, broken, settings):
    settings.DEBUG = True
    response = client.get("/orm/broken/")
    assert response.status_code == 200
    html = response.content.decode()
    where = str(broken)
    assert [(w, i) for i, w in problems_on(html)] == [
        (f"{where}:2", "lessons.E001"),
        (f"{where}:6", "lessons.E002"),
        (f"{where}:7", "lessons.E002"),
        (f"{where}:12", "lessons.E003"),
    ]
    assert "Close the quote this value opens (or remove it)." in html
    assert "Did you mean &#x27;title&#x27;?" in html
    assert "Did you mean &#x27;lessonstest.count-books&#x27;?" in html
    # The body still renders below the problems, the broken directive in place with its did-you-mean.
    assert '<h2 id="body">Body' in html
    assert 'class="directive-error__hint">Did you mean' in html
    # Its title falls back to the file name, and the navigation flags it.
    assert "<h1>02-broken.md" in html
    assert 'data-lesson-key="orm/broken"' in html and "(has problems)" in html


def test_with_debug_off_a_broken_lesson_is_left_out_and_its_url_is_a_404(client, broken, settings):
    settings.DEBUG = False
    assert client.get("/orm/broken/").status_code == 404
    html = client.get("/orm/").content.decode()
    assert "orm/broken" not in html and "data-problems" not in html


def test_a_lesson_whose_demo_is_unknown_is_left_out_with_debug_off(client, content, settings):
    content("orm/02-typo.md", LESSON.format(title="Typo", slug="typo") + "\n/// demo | lessonstest.count-bookz\n///\n")
    settings.DEBUG = False
    assert client.get("/orm/typo/").status_code == 404
    settings.DEBUG = True
    html = client.get("/orm/typo/").content.decode()
    assert [i for i, _ in problems_on(html)] == ["lessons.E003"]


def test_with_debug_off_the_log_says_why_a_lesson_is_left_out_once_per_build_not_per_request(
    client, broken, draft, settings, caplog
):
    settings.DEBUG = False
    with caplog.at_level(logging.INFO, logger="lessons"):
        for _ in range(3):
            client.get("/orm/")
    records = [r.getMessage() for r in caplog.records if r.name == "lessons"]
    assert len(records) == 2
    [drafted, left] = sorted(records)
    assert left.startswith("Left out lesson orm/broken (DEBUG is off): 4 problem(s)")
    assert f"{broken}:6: 'minutes' is required" in left
    assert drafted == "Left out lesson middleware/wip: it is a draft (draft: true)."


def test_with_debug_off_a_draft_is_out_of_navigation_pagers_and_urls(client, draft, settings):
    settings.DEBUG = False
    catalogue = get_catalogue()
    assert [lesson.slug for lesson in catalogue.track("middleware").lessons] == ["onion", "order"]
    assert catalogue.next(catalogue.lesson("middleware", "order")).key == "orm/lazy"
    assert client.get("/middleware/wip/").status_code == 404
    for url in ("/", "/middleware/", "/middleware/order/", "/orm/lazy/"):
        assert "wip" not in client.get(url).content.decode(), url


def test_with_debug_on_a_draft_is_shown_with_a_draft_badge(client, draft, settings):
    settings.DEBUG = True
    html = client.get("/middleware/wip/").content.decode()
    assert 'data-badge="draft">Draft</span>' in html and "data-draft" in html
    assert 'rel="prev"' in html and 'href="/middleware/order/" rel="prev"' in html
    track = client.get("/middleware/").content.decode()
    assert 'Work in progress <span class="badge badge--draft" data-badge="draft">Draft</span>' in track
    assert 'href="/middleware/wip/" rel="next"' in client.get("/middleware/order/").content.decode()


def test_a_published_lesson_linking_to_a_draft_gets_a_warning_not_an_error(client, content, draft, settings):
    content("orm/02-links.md", LESSON.format(title="Links", slug="links") + "\nSee [it](/middleware/wip/).\n")
    [warning] = checks.run_checks(tags=["lessons"])
    assert (warning.id, warning.level) == ("lessons.W001", checks.WARNING)
    settings.DEBUG = False
    assert client.get("/orm/links/").status_code == 200  # warnings do not unpublish


def test_a_broken_track_file_shows_its_problems_with_debug_on_and_leaves_the_track_out_with_debug_off(
    client, content, settings
):
    content("orm/_track.md", "---\ntitle: ORM\nsummary: S\norder: soon\n---\nIntro.\n")
    settings.DEBUG = True
    html = client.get("/orm/").content.decode()
    assert [i for i, _ in problems_on(html)] == ["lessons.E002"]
    assert "Write a whole number, e.g. order: 5" in html
    settings.DEBUG = False
    assert client.get("/orm/").status_code == 404
    assert client.get("/orm/lazy/").status_code == 404


def test_a_python_package_in_a_content_folder_is_not_a_track(content):
    content("mycourse/__init__.py", "")
    content("mycourse/README.md", "# not a lesson\n")
    assert get_catalogue().track("mycourse") is None
    assert get_catalogue().problems == ()


@pytest.mark.parametrize(
    "argv,level", [(["manage.py", "check"], checks.ERROR), (["manage.py", "runserver"], checks.WARNING)]
)
def test_content_errors_fail_manage_py_check_but_never_stop_runserver(content, monkeypatch, argv, level):
    content("orm/02-bad.md", "# no front matter\n")
    monkeypatch.setattr("sys.argv", argv)
    [found] = checks.run_checks(tags=["lessons"])
    assert (found.id, found.level) == ("lessons.E001", level)
