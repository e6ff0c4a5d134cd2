"""Search (issue 13 item 11): the database's own full-text search, on SQLite (FTS5) and PostgreSQL."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from lab.htmlfind import select
from lessons import search
from lessons.catalogue import get_catalogue
from lessons.models import Section


@pytest.fixture
def course(settings, db):
    settings.LAB_CONTENT_ROOT = None
    settings.LAB_CONTENT_DIRS = []
    return get_catalogue()


def hits(client, q):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    return response, select(response.content, "data-search-result")


def test_the_index_holds_every_lesson_the_site_serves(course):
    search.ensure_index(course)
    assert set(Section.objects.values_list("lesson_key", flat=True)) == {lesson.key for lesson in course.lessons}
    # Built once per content version: a second call finds it current.
    assert search.ensure_index(course) == 0


def test_a_word_finds_the_section_that_teaches_it_with_the_match_highlighted(client, course):
    response, found = hits(client, "select_related")
    assert found
    links = [r.links[0] for r in found]
    assert any(link.startswith("/orm/loading-related-data/") for link in links)
    assert b"<mark>" in response.content


def test_results_link_to_the_section_anchor_and_the_anchor_exists(client, course):
    _, found = hits(client, "MiddlewareNotUsed")
    link = found[0].links[0]
    path, _, anchor = link.partition("#")
    page = client.get(path).content.decode()
    assert anchor and f'id="{anchor}"' in page


def test_code_is_searched_too(client, course):
    search.ensure_index(course)
    section = Section.objects.exclude(code="").filter(code__contains="get_response").first()
    assert section is not None
    _, found = hits(client, "get_response")
    assert found


@pytest.mark.parametrize(
    "q, message",
    [
        ("", "Type a word"),
        ("   ", "Type a word"),
        ("x" * 1000, "1000 characters long"),
        ('"', "no words"),
        ("NEAR(", None),
        ('" OR * NEAR(a b) AND', None),
        ("select_related*", None),
        ("-", "no words"),
        ("'; DROP TABLE lessons_section; --", None),
    ],
)
def test_bad_queries_get_a_clear_message_never_a_500(client, course, q, message):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    html = response.content.decode()
    if message:
        (error,) = select(html, "data-search-error")
        assert message in error.text
    else:
        assert select(html, "data-search-count")
    assert Section.objects.exists() or message


def test_the_results_page_shows_the_sql_its_own_search_ran(client, course):
    response, _ = hits(client, "signals")
    (shown,) = select(response.content, "data-search-sql")
    if connection.vendor == "sqlite":
        assert "MATCH" in shown.text and "bm25" in shown.text and "snippet" in shown.text
    else:
        assert "to_tsvector" in shown.text and "plainto_tsquery" in shown.text and "ts_headline" in shown.text


def test_highlights_escape_the_lesson_text():
    assert search.highlighted("a <b> \x02c\x03 & d") == "a &lt;b&gt; <mark>c</mark> &amp; d"


def test_every_word_must_match(client, course):
    _, one = hits(client, "cache")
    _, both = hits(client, "cache stampede")
    assert 0 < len(both) < len(one)


def test_drafts_are_indexed_only_with_debug_on(settings, tmp_path, db):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "_track.md").write_text("---\ntitle: T\nsummary: S.\norder: 1\n---\nIntro.\n")
    lesson = "---\ntitle: {t}\nsummary: S.\nobjectives: [x]\nminutes: 5\n{extra}---\n\n## Part\n\nzebrafish {t}\n"
    (tmp_path / "t" / "01-shown.md").write_text(lesson.format(t="Shown", extra=""))
    (tmp_path / "t" / "02-hidden.md").write_text(lesson.format(t="Hidden", extra="draft: true\n"))
    settings.LAB_CONTENT_ROOT = tmp_path
    settings.LAB_CONTENT_DIRS = []
    settings.DEBUG = False
    search.ensure_index()
    assert [h["lesson_title"] for h in search.search("zebrafish").hits] == ["Shown"]
    settings.DEBUG = True
    search.ensure_index()
    assert sorted(h["lesson_title"] for h in search.search("zebrafish").hits) == ["Hidden", "Shown"]


def test_the_command_builds_the_index(course, capsys):
    call_command("index_lessons")
    assert "Indexed" in capsys.readouterr().out
    assert Section.objects.filter(built_from=course.digest).count() > len(course.lessons)
