from html.parser import HTMLParser
from unittest import mock

import pytest
from django.db import connection
from django.test.html import parse_html

from lab.cards import CSRF_MARKER, report_marker
from lab.registry import get as get_demo
from lessons import markdown


class Tags(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_headings_get_ids_permalinks_and_a_toc():
    result = markdown.render("## Why *this*\n\ntext\n\n### How\n")
    assert parse_html(result.html) == parse_html(
        '<h2 id="why-this">Why <em>this</em><a class="headerlink" href="#why-this" title="Link to this section">#</a></h2>'
        "<p>text</p>"
        '<h3 id="how">How<a class="headerlink" href="#how" title="Link to this section">#</a></h3>'
    )
    assert [(e.level, e.id, e.title) for e in result.toc] == [(2, "why-this", "Why this"), (3, "how", "How")]


def test_fenced_code_is_highlighted_by_pygments_with_the_highlight_class():
    html = markdown.render("```python\nx = 1\n```\n").html
    tags = Tags(html).tags
    assert tags[0] == ("div", {"class": "highlight"})
    assert ("span", {"class": "n"}) in tags


def test_admonitions_details_tabs_and_tables_render():
    text = (
        '!!! note "Why"\n    Because.\n\n'
        "/// details | More\nHidden.\n///\n\n"
        '=== "A"\n    one\n\n=== "B"\n    two\n\n'
        "| a | b |\n|:--|--:|\n| 1 | 2 |\n"
    )
    tags = [t for t, _ in Tags(markdown.render(text).html).tags]
    for tag in ("details", "summary", "table", "label", "input"):
        assert tag in tags
    assert 'class="admonition note"' in markdown.render(text).html


def test_raw_html_is_sanitised_unless_the_lesson_is_trusted():
    text = '<script>alert(1)</script>\n\n<p onclick="x()">Hi <a href="javascript:x()">there</a></p>\n'
    cleaned = markdown.render(text).html
    assert parse_html(cleaned) == parse_html("<p>Hi <a>there</a></p>")
    assert "<script>" in markdown.render(text, trusted=True).html


def test_a_demo_directive_embeds_the_card_with_the_csrf_and_report_markers():
    html = markdown.render("/// demo | lessonstest.count-books\n///\n", lesson_path="orm/lazy").html
    demo = get_demo("lessonstest.count-books")
    tags = Tags(html).tags
    assert tags[1][0] == "section" and tags[1][1]["data-demo"] == "lessonstest.count-books"
    assert CSRF_MARKER in html
    assert report_marker(demo) in html
    assert ("input", {"type": "hidden", "name": "lesson", "value": "orm/lazy"}) in tags


def test_a_demo_card_survives_sanitising_because_directives_go_in_after_it():
    html = markdown.render("/// demo | lessonstest.count-books\n///\n").html
    assert any(t == "form" and a.get("hx-post") for t, a in Tags(html).tags)


def test_a_source_directive_shows_the_real_source_with_path_and_line():
    html = markdown.render("/// source | lessons.tests.demo_fixture.count_books\n///\n").html
    assert "lessons/tests/demo_fixture.py, line " in html
    assert "def</span>" in html and "count_books" in html


def test_a_source_directive_reaches_methods_of_classes():
    html = markdown.render("/// source | sandbox.middleware.RequestIDMiddleware.__call__\n///\n").html
    assert "sandbox/middleware.py" in html
    assert "__call__" in html
    assert "class RequestIDMiddleware" not in html


def test_an_sql_directive_shows_the_compiled_sql_params_and_vendor():
    html = markdown.render("/// sql | lessonstest.books-per-publisher\n///\n").html
    assert "HAVING" in html and "GROUP" in html
    assert "params: <code>(1,)</code>" in html
    assert f"({connection.vendor})" in html


@pytest.mark.parametrize(
    "directive,problem",
    [
        ("demo | nope.nothing", "No demo"),
        ("source | nosuchpackage.module.thing", "No module"),
        ("source | sandbox.no_such_module", "has no attribute"),
        ("source | sandbox.middleware.NoSuchClass", "has no attribute"),
        ("sql | nope.nothing", "No named query"),
    ],
)
def test_a_broken_directive_shows_its_problem_in_place(directive, problem):
    html = markdown.render(f"/// {directive}\n///\n").html
    assert 'class="directive-error"' in html
    assert problem in html


def test_directive_syntax_inside_fenced_code_is_left_alone():
    html = markdown.render("```text\n/// demo | lessonstest.count-books\n///\n```\n").html
    assert "data-demo" not in html


def test_rendered_caches_by_content_so_markdown_runs_once():
    with mock.patch.object(markdown, "render", wraps=markdown.render) as render:
        first = markdown.rendered("## Hi\n")
        second = markdown.rendered("## Hi\n")
        markdown.rendered("## Changed\n")
    assert first == second
    assert render.call_count == 2


def test_the_cache_key_has_the_django_version_and_for_sql_the_database():
    import django

    assert django.get_version() in markdown.cache_key("text", "", False)
    assert f":{connection.vendor}:" in markdown.cache_key("/// sql | x\n///\n", "", False)
    assert markdown.cache_key("a", "", False) != markdown.cache_key("b", "", False)
