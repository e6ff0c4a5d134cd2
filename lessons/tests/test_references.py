"""`references` front matter: validated on its lines, rendered as the lesson's "Further reading" box."""

import pytest

from lessons.catalogue import get_catalogue
from lessons.checks import check_content

HEAD = """---
title: Refs
summary: A lesson with further reading.
objectives:
  - Learn
minutes: 5
"""
BODY = "---\n\n## Section\n\nText.\n"


def errors(content):
    return [(e.id, e.obj.rsplit("/", 1)[-1], e.msg) for e in check_content([content.root])]


def test_valid_references_pass_and_reach_the_catalogue(content):
    content(
        "orm/02-refs.md",
        HEAD
        + "references:\n"
        + "  - title: Aggregation\n    url: https://docs.djangoproject.com/en/5.2/topics/db/aggregation/\n"
        + "  - {title: QuerySet API, url: 'https://docs.djangoproject.com/en/5.2/ref/models/querysets/#annotate'}\n"
        + BODY,
    )
    assert errors(content) == []
    lesson = get_catalogue().lesson("orm", "refs")
    assert [(r.title, r.host) for r in lesson.references] == [
        ("Aggregation", "docs.djangoproject.com"),
        ("QuerySet API", "docs.djangoproject.com"),
    ]


def test_references_are_optional(content):
    assert errors(content) == []
    assert get_catalogue().lesson("orm", "lazy").references == ()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "references: https://example.com\n",
            "'references' must be a list of {title: ..., url: https://...} mappings.",
        ),
        ("references: []\n", "'references' must be a list of {title: ..., url: https://...} mappings."),
    ],
)
def test_references_that_are_not_a_list_are_reported_on_the_field_line(content, value, message):
    content("orm/02-refs.md", HEAD + value + BODY)
    assert errors(content) == [("lessons.E002", "02-refs.md:7", message)]


def test_each_bad_reference_is_reported_on_its_own_line(content):
    content(
        "orm/02-refs.md",
        HEAD
        + "references:\n"
        + "  - title: Fine\n    url: https://docs.djangoproject.com/en/5.2/\n"  # line 8
        + "  - title: Plain HTTP\n    url: http://docs.djangoproject.com/en/5.2/\n"  # line 10
        + "  - url: https://docs.djangoproject.com/en/5.2/topics/cache/\n"  # line 12
        + "  - title: Script\n    url: javascript:alert(1)\n"  # line 13
        + "  - just a string\n"  # line 15
        + "  - title: Extra\n    url: https://example.com/\n    note: hi\n"  # line 16
        + "  - title: No host\n    url: 'https:///path'\n"  # line 19
        + BODY,
    )
    assert errors(content) == [
        (
            "lessons.E002",
            "02-refs.md:10",
            "references item 2: 'url' must be an absolute https:// URL with a host and no spaces"
            " (got 'http://docs.djangoproject.com/en/5.2/').",
        ),
        ("lessons.E002", "02-refs.md:12", "references item 3: 'title' is required and must be a non-empty string."),
        (
            "lessons.E002",
            "02-refs.md:13",
            "references item 4: 'url' must be an absolute https:// URL with a host and no spaces"
            " (got 'javascript:alert(1)').",
        ),
        (
            "lessons.E002",
            "02-refs.md:15",
            "references item 5: 'references' must be a list of {title: ..., url: https://...} mappings.",
        ),
        ("lessons.E002", "02-refs.md:16", "references item 6: unknown key(s) note (known: title, url)."),
        (
            "lessons.E002",
            "02-refs.md:19",
            "references item 7: 'url' must be an absolute https:// URL with a host and no spaces (got 'https:///path').",
        ),
    ]


def test_a_lesson_with_references_ends_with_a_further_reading_box(client, content):
    content(
        "orm/02-refs.md",
        HEAD
        + "references:\n"
        + "  - title: Aggregation <guide>\n    url: https://docs.djangoproject.com/en/5.2/topics/db/aggregation/\n"
        + BODY,
    )
    html = client.get("/orm/refs/").content.decode()
    box = html.index('<section class="further-reading"')
    assert html.index('<div class="prose">') < box < html.index('<nav class="pager"')
    assert (
        '<a href="https://docs.djangoproject.com/en/5.2/topics/db/aggregation/">Aggregation &lt;guide&gt;</a>'
        in html[box:]
    )
    assert '<a href="#further-reading-title">Further reading</a>' in html  # listed in "On this page"


def test_a_lesson_without_references_has_no_further_reading_box(client, content):
    html = client.get("/orm/lazy/").content.decode()
    assert "further-reading" not in html


def test_the_complete_toggle_is_a_hidden_button_until_javascript_shows_it(client, content):
    html = client.get("/orm/lazy/").content.decode()
    assert '<div class="complete" data-progress-complete hidden>' in html
    assert 'data-complete-toggle data-lesson-key="orm/lazy" aria-pressed="false"' in html


def test_track_and_home_pages_carry_progress_hooks_but_no_learner_state(client, content):
    home = client.get("/").content.decode()
    assert home.count('data-track-progress="') == 2 and "data-continue" in home
    track = client.get("/orm/").content.decode()
    assert 'data-track-progress="orm" hidden' in track
    assert '<li class="lesson-item" data-lesson-key="orm/lazy"' in track
    assert "is-complete" not in home + track  # progress is drawn by site.js from localStorage, never by the server


def test_every_course_lesson_ends_with_further_reading_from_the_authority(settings):
    """The real course: 2-5 links each, to the Django 5.2 docs (or the debug toolbar's docs for its panels)."""
    settings.LAB_CONTENT_ROOT = None
    settings.LAB_CONTENT_DIRS = []
    lessons = get_catalogue().lessons
    assert lessons
    for lesson in lessons:
        assert 2 <= len(lesson.references) <= 5, lesson.key
        for reference in lesson.references:
            assert reference.url.startswith(
                ("https://docs.djangoproject.com/en/5.2/", "https://django-debug-toolbar.readthedocs.io/en/latest/")
            ), (lesson.key, reference.url)
