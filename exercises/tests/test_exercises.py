"""Every exercise, on CPython: the reference passes, the starter does not, each expected mistake fails as intended.

The same `lab.exercises.attempt()` runs in the learner's browser; here it proves the checks themselves.
"""

import pytest

from lab import exercises

ALL = exercises.all_exercises()
MISTAKES = [(ex, code, message) for ex in ALL for code, message in ex.mistakes.items()]


def ids(ex):
    return ex.slug


def test_there_are_exercises():
    assert ALL, "no exercise registered: is 'exercises' in INSTALLED_APPS?"


@pytest.mark.parametrize("ex", ALL, ids=ids)
def test_declaration_is_complete(ex):
    assert exercises.problems(ex) == []


@pytest.mark.parametrize("ex", ALL, ids=ids)
def test_reference_solution_passes_every_check(seeded, ex):
    result = exercises.attempt(ex, ex.solution, "check")
    assert result.error is None, result.error
    assert [c.key for c in result.checks if not c.passed] == [], result.messages
    assert result.ok


@pytest.mark.parametrize("ex", ALL, ids=ids)
def test_starter_fails_a_check(seeded, ex):
    result = exercises.attempt(ex, ex.starter, "check")
    assert not result.ok
    assert any(not c.passed for c in result.checks) or result.error


@pytest.mark.parametrize("ex", ALL, ids=ids)
def test_run_shows_a_report(seeded, ex):
    result = exercises.attempt(ex, ex.solution, "run")
    assert result.error is None, result.error
    assert result.report["steps"], "Run recorded no step"
    assert 'data-report-for="' + ex.slug + '"' in result.report_html


@pytest.mark.parametrize(("ex", "code", "message"), MISTAKES, ids=[f"{m[0].slug}-{i}" for i, m in enumerate(MISTAKES)])
def test_each_expected_mistake_fails_with_its_message(seeded, ex, code, message):
    result = exercises.attempt(ex, code, "check")
    assert not result.ok
    assert any(message in text for text in result.messages), result.messages


def test_every_lesson_has_an_exercise_and_each_exercise_sits_in_its_lesson():
    import re

    from django.conf import settings

    content = settings.BASE_DIR / "content"
    embedded = {}
    for path in sorted(content.glob("*/[0-9]*.md")):
        slugs = re.findall(r"^/// exercise \| (\S+)$", path.read_text(), re.M)
        assert slugs, f"{path.relative_to(content)} has no exercise"
        for slug in slugs:
            embedded.setdefault(slug, []).append(f"{path.parent.name}/{path.stem}")
    assert len(ALL) >= 40
    for ex in ALL:
        assert embedded.get(ex.slug) == [ex.lesson], (ex.slug, embedded.get(ex.slug), ex.lesson)
