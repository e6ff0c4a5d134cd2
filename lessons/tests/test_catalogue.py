from pathlib import Path

import pytest

from lessons.catalogue import build, get_catalogue


def test_tracks_are_ordered_by_their_order_field(content):
    assert [t.name for t in get_catalogue().tracks] == ["middleware", "orm"]


def test_lessons_are_ordered_by_number_and_keep_the_slug_without_the_number(content):
    track = get_catalogue().track("middleware")
    assert [(lesson.number, lesson.slug) for lesson in track.lessons] == [(1, "onion"), (2, "order")]
    assert track.lessons[0].url == "/middleware/onion/"


def test_front_matter_becomes_lesson_fields(content):
    lesson = get_catalogue().lesson("orm", "lazy")
    assert lesson.title == "Lazy querysets"
    assert lesson.objectives == ("Understand lazy",)
    assert lesson.minutes == 10


def test_previous_and_next_run_across_the_whole_course(content):
    cat = get_catalogue()
    onion, order, lazy = cat.lessons
    assert cat.previous(onion) is None
    assert cat.next(onion) == order
    assert cat.next(order) == lazy  # into the next track
    assert cat.previous(lazy) == order
    assert cat.next(lazy) is None


@pytest.mark.parametrize(
    "track,slug", [("..", "lazy"), ("orm", ".."), ("orm", "lazy/../x"), ("ORM", "lazy"), ("orm", "")]
)
def test_lookups_reject_names_that_are_not_slugs(content, track, slug):
    assert get_catalogue().lesson(track, slug) is None


def test_by_path_finds_a_lesson_from_track_slash_slug(content):
    assert get_catalogue().by_path("orm/lazy").title == "Lazy querysets"
    assert get_catalogue().by_path("../orm/lazy") is None
    assert get_catalogue().by_path("") is None


def test_extra_content_dirs_add_tracks(content, tmp_path, settings):
    from .conftest import LESSON, TRACK, write

    extra = tmp_path / "extra"
    write(extra / "caching" / "_track.md", TRACK.format(title="Caching", name="caching", order=3))
    write(extra / "caching" / "01-keys.md", LESSON.format(title="Keys", slug="keys"))
    settings.LAB_CONTENT_DIRS = [extra]
    assert get_catalogue().lesson("caching", "keys").title == "Keys"


def test_with_debug_off_invalid_lessons_are_left_out_and_listed_as_problems(content, settings):
    settings.DEBUG = False
    path = content("orm/02-broken.md", "---\ntitle: [unclosed\nsummary: S\nobjectives: [o]\nminutes: 5\n---\nBody\n")
    cat = get_catalogue()
    assert cat.lesson("orm", "broken") is None
    assert [(p, problem.id, problem.line) for p, problem in cat.problems] == [(path, "lessons.E001", 2)]
    assert [what for what, _ in cat.left_out] == ["lesson orm/broken"]
    assert [lesson.slug for lesson in cat.track("orm").lessons] == ["lazy"]


def test_the_catalogue_is_built_once_when_debug_is_off(content, settings):
    settings.DEBUG = False
    first = get_catalogue()
    content("orm/02-new.md", (Path(content.root) / "orm" / "01-lazy.md").read_text())
    # content() resets on purpose; writing behind the catalogue's back must not be noticed:
    again = get_catalogue()
    (Path(content.root) / "orm" / "03-later.md").write_text((Path(content.root) / "orm" / "01-lazy.md").read_text())
    assert get_catalogue() is again
    assert first is not again


def test_with_debug_on_a_changed_file_shows_on_the_next_access(content, settings):
    settings.DEBUG = True
    before = get_catalogue()
    lazy = Path(content.root) / "orm" / "01-lazy.md"
    lazy.write_text(lazy.read_text().replace("title: Lazy querysets", "title: Lazy, revised"))
    import os

    os.utime(lazy, ns=(lazy.stat().st_atime_ns, lazy.stat().st_mtime_ns + 1_000_000_000))
    after = get_catalogue()
    assert after is not before
    assert after.lesson("orm", "lazy").title == "Lazy, revised"
    assert get_catalogue() is after  # unchanged files: no rebuild


def test_demo_uses_lists_the_lessons_that_embed_a_demo(content):
    content(
        "orm/02-demo.md",
        (Path(content.root) / "orm" / "01-lazy.md").read_text() + "\n/// demo | lessonstest.count-books\n///\n",
    )
    assert [lesson.slug for lesson in get_catalogue().demo_uses("lessonstest.count-books")] == ["demo"]


def test_build_reads_only_the_given_roots(tmp_path):
    assert build([tmp_path / "missing"]).tracks == ()
