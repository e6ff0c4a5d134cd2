"""Each content check names the file, the line and the problem."""

from django.core import checks

from lessons.checks import check_content

GOOD = """---
title: Good
summary: Fine.
objectives:
  - Learn
minutes: 5
---

## Section
"""


def errors(content):
    return [(e.id, e.obj.rsplit("/", 1)[-1], e.msg) for e in check_content([content.root])]


def test_good_content_has_no_errors(content):
    assert errors(content) == []


def test_the_check_is_registered_with_django(content):
    content("orm/02-bad.md", "no front matter\n")
    found = checks.run_checks(tags=["lessons"])
    assert [e.id for e in found] == ["lessons.E001"]


def test_missing_front_matter_is_reported_on_line_1(content):
    content("orm/02-bad.md", "# Just a heading\n")
    assert errors(content) == [("lessons.E001", "02-bad.md:1", "The file must start with '---' and YAML front matter.")]


def test_a_yaml_error_is_reported_on_its_line_with_the_fix(content):
    content("orm/02-bad.md", "---\ntitle: ok\nsummary: [not closed\nobjectives: [a]\nminutes: 3\n---\n")
    [error] = check_content([content.root])
    assert (error.id, error.obj.rsplit("/", 1)[-1]) == ("lessons.E001", "02-bad.md:3")
    assert "not valid YAML" in error.msg
    assert error.hint == "Close the bracket this value opens, or quote the value."


def test_a_yaml_error_does_not_hide_the_other_problems(content):
    text = '---\ntitle: "unclosed\nsummary: Fine.\nobjectives:\n- Learn\nminutes: fifteen\ntitel: x\n---\nBody\n'
    content("orm/02-bad.md", text + "\n/// demo | lessonstest.count-bookz\n///\n")
    found = check_content([content.root])
    assert [(e.id, e.obj.rsplit("/", 1)[-1], e.hint) for e in found] == [
        ("lessons.E001", "02-bad.md:2", "Close the quote this value opens (or remove it)."),
        ("lessons.E002", "02-bad.md:6", "Write a whole number of minutes, e.g. minutes: 15"),
        ("lessons.E002", "02-bad.md:7", "Did you mean 'title'?"),
        ("lessons.E003", "02-bad.md:11", "Did you mean 'lessonstest.count-books'?"),
    ]
    assert found[1].msg == "'minutes' is required and must be a whole number between 1 and 240, not 'fifteen'."


def test_missing_and_invalid_fields_are_reported_on_their_lines(content):
    content("orm/02-bad.md", "---\ntitle: T\nsummary: S\nobjectives: not a list\nminutes: soon\nfavourite: 1\n---\n")
    assert errors(content) == [
        ("lessons.E002", "02-bad.md:4", "'objectives' is required and must be a list of strings, not 'not a list'."),
        (
            "lessons.E002",
            "02-bad.md:5",
            "'minutes' is required and must be a whole number between 1 and 240, not 'soon'.",
        ),
        (
            "lessons.E002",
            "02-bad.md:6",
            "Unknown front matter field 'favourite' (known: draft, minutes, objectives, references, requires, summary, title, trusted_html).",
        ),
    ]


def test_an_unknown_demo_is_reported_on_its_line(content):
    content("orm/02-x.md", GOOD + "\n/// demo | orm.does-not-exist\n///\n")
    assert errors(content) == [("lessons.E003", "02-x.md:11", "No demo 'orm.does-not-exist' is registered.")]


def test_an_unknown_source_target_is_reported(content):
    content("orm/02-x.md", GOOD + "\n/// source | sandbox.middleware.Nope\n///\n")
    [(id, where, message)] = errors(content)
    assert (id, where) == ("lessons.E004", "02-x.md:11")
    assert "has no attribute path 'Nope'" in message


def test_a_source_target_without_source_is_reported(content):
    content("orm/02-x.md", GOOD + "\n/// source | sandbox.middleware.REQUEST_ID_HEADER\n///\n")
    [(id, where, message)] = errors(content)
    assert (id, where) == ("lessons.E004", "02-x.md:11")
    assert "No source is available" in message


def test_an_unknown_sql_slug_is_reported(content):
    content("orm/02-x.md", GOOD + "\nText.\n\n/// sql | orm.nope\n///\n")
    [(id, where, message)] = errors(content)
    assert (id, where) == ("lessons.E005", "02-x.md:13")


def test_known_directives_pass(content):
    body = "\n/// demo | lessonstest.count-books\n///\n\n/// sql | lessonstest.books-per-publisher\n///\n"
    content("orm/02-x.md", GOOD + body + "\n/// source | sandbox.middleware.RequestIDMiddleware.__call__\n///\n")
    assert errors(content) == []


def test_directives_shown_inside_fenced_code_are_not_checked(content):
    content("orm/02-x.md", GOOD + "\n```text\n/// demo | not.real\n///\n```\n")
    assert errors(content) == []


def test_duplicate_lesson_numbers_are_reported(content):
    content("orm/01-other.md", GOOD)
    assert [(id, where) for id, where, _ in errors(content)] == [("lessons.E006", "01-other.md:1")]


def test_duplicate_slugs_across_content_dirs_are_reported(content, tmp_path, settings):
    from .conftest import write

    extra = tmp_path / "extra"
    write(extra / "orm" / "05-lazy.md", GOOD)
    found = check_content([content.root, extra])
    assert [(e.id, e.obj.rsplit("/", 1)[-1]) for e in found] == [("lessons.E007", "05-lazy.md:1")]


def test_links_to_missing_lessons_are_reported_on_their_line(content):
    content("orm/02-x.md", GOOD + "\nSee [lazy](/orm/lazy/) and [gone](/orm/gone/) and [admin](/admin/).\n")
    [(id, where, message)] = errors(content)
    assert (id, where) == ("lessons.E008", "02-x.md:11")
    assert "'/orm/gone/'" in message


def test_raw_html_the_sanitiser_would_strip_is_reported(content):
    content("orm/02-x.md", GOOD + '\nFine.\n\n<span onclick="go()">x</span>\n\n<script>alert(1)</script>\n')
    assert [(id, where) for id, where, _ in errors(content)] == [
        ("lessons.E009", "02-x.md:13"),
        ("lessons.E009", "02-x.md:15"),
    ]


def test_trusted_html_opts_a_lesson_out_of_the_raw_html_check(content):
    trusted = GOOD.replace("minutes: 5", "minutes: 5\ntrusted_html: true")
    content("orm/02-x.md", trusted + "\n<script>alert(1)</script>\n")
    assert errors(content) == []


def test_badly_named_files_and_tracks_without_track_file_are_reported(content):
    content("orm/lesson.md", GOOD)
    content("extra/01-a.md", GOOD)
    assert sorted((id, where) for id, where, _ in errors(content)) == [
        ("lessons.E010", "_track.md:1"),
        ("lessons.E010", "lesson.md:1"),
    ]


def _uses_the_default_cache(lab, data):
    from django.core.cache import caches

    caches["default"].set("k", 1)


def _uses_a_recorded_cache(lab, data):
    from django.core.cache import caches

    caches["locmem"].set("k", 1)


def test_a_demo_on_a_cache_the_lab_does_not_record_gets_a_warning(content):
    from lab.testing import temporary_demo

    with temporary_demo("lessonstest.default-cache", _uses_the_default_cache):
        with temporary_demo("lessonstest.recorded-cache", _uses_a_recorded_cache):
            found = [e for e in checks.run_checks(tags=["lessons"]) if e.id == "lessons.W002"]
    [warning] = found
    assert warning.level == checks.WARNING
    assert warning.msg.startswith("Demo 'lessonstest.default-cache': _uses_the_default_cache uses the cache 'default'")
    assert "0 cache calls" in warning.msg
    assert warning.obj.endswith(
        "lessons/tests/test_checks.py:" + str(_uses_the_default_cache.__code__.co_firstlineno + 3)
    )


def test_the_default_cache_object_is_found_too():
    from django.core.cache import cache

    from lessons.problems import unrecorded_cache_uses

    def teaching():
        return cache.get("k")

    assert unrecorded_cache_uses(teaching) == [(teaching.__code__.co_firstlineno + 1, "default")]
    assert cache is not None
