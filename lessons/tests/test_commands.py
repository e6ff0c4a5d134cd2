from io import StringIO

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command

from lessons.catalogue import get_catalogue
from lessons.checks import check_content


def test_new_lesson_scaffolds_the_next_numbered_file_that_passes_the_checks(content, settings):
    settings.DEBUG = True
    call_command("new_lesson", "middleware", "short-circuits", stdout=StringIO())
    path = content.root / "middleware" / "03-short-circuits.md"
    assert path.is_file()
    lesson = get_catalogue().lesson("middleware", "short-circuits")
    assert lesson.title == "Short circuits"
    assert "## Check yourself" in lesson.body
    assert check_content([content.root]) == []


def test_new_lesson_creates_a_draft_that_a_debug_off_site_leaves_out(content, settings):
    out = StringIO()
    call_command("new_lesson", "middleware", "short-circuits", stdout=out)
    assert "as a draft" in out.getvalue()
    settings.DEBUG = True
    assert get_catalogue().lesson("middleware", "short-circuits").draft
    assert get_catalogue().next(get_catalogue().lesson("middleware", "order")).slug == "short-circuits"
    settings.DEBUG = False
    assert get_catalogue().lesson("middleware", "short-circuits") is None
    assert get_catalogue().next(get_catalogue().lesson("middleware", "order")).key == "orm/lazy"


def test_new_lesson_in_an_empty_track_starts_at_01(content):
    content("caching/_track.md", "---\ntitle: Caching\nsummary: S\norder: 3\n---\n")
    call_command("new_lesson", "caching", "keys", stdout=StringIO())
    assert (content.root / "caching" / "01-keys.md").is_file()


@pytest.mark.parametrize(
    "track,slug,message",
    [
        ("nope", "fine", "Unknown track"),
        ("orm", "Bad Slug", "not a valid slug"),
        ("orm", "../escape", "not a valid slug"),
        ("../orm", "fine", "not a valid track"),
        ("orm", "lazy", "already has a lesson"),
    ],
)
def test_new_lesson_refuses_bad_names(content, track, slug, message):
    with pytest.raises(CommandError, match=message):
        call_command("new_lesson", track, slug, stdout=StringIO())


def test_clear_lessons_clears_only_the_lessons_cache():
    caches["lessons"].set("page", "html")
    caches["default"].set("other", "kept")
    call_command("clear_lessons", stdout=StringIO())
    assert caches["lessons"].get("page") is None
    assert caches["default"].get("other") == "kept"


def test_the_generated_pygments_css_passes_wcag_aa_in_both_themes():
    from lessons.management.commands.pygments_css import THEMES, contrast, theme_css

    for theme in THEMES.values():
        css = theme_css(theme["style"], theme["bg"], ".x")
        import re

        for color in re.findall(r"(?<![-\w])color: (#[0-9a-fA-F]{3,6})", css):
            assert contrast(color, theme["bg"]) >= 4.5, (theme["style"], color)
