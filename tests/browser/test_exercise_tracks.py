"""One exercise per track, solved the way a learner does: the solution typed into the card's editor, then Check.

test_every_exercise.py proves every solution passes in the worker; this proves the card gets it there and shows
it: the lesson page, the editor, the Check button, one result per check, all "pass". One page per lesson.
Needs `make runtime` (CI builds it).
"""

from __future__ import annotations

import pytest

from lab import exercises

from .test_exercises import RUN, lesson_url, open_exercise, press, replace_code, runtime_built  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]

# One per track; caching.test-a-cache runs the learner's own TestCase (it once closed the browser's database).
SLUGS = (
    "orm.running-total",
    "signals.review-count",
    "middleware.timing-header",
    "caching.test-a-cache",
    "capstone.cache-invalidation",
)


def test_one_exercise_per_track():
    assert sorted(slug.split(".")[0] for slug in SLUGS) == sorted({ex.track for ex in exercises.all_exercises()})


@pytest.mark.parametrize("slug", SLUGS)
def test_the_typed_solution_passes_every_check(page, lab, runtime_built, slug):  # noqa: F811
    ex = exercises.get(slug)
    card = open_exercise(page, lab + lesson_url(slug), slug)
    replace_code(page, card, ex.solution)
    assert card.evaluate("card => card.__labExercise.editor.get()").strip() == ex.solution.strip()

    press(card, "check")
    card.locator("[data-results] [data-check-result]").first.wait_for(timeout=RUN)
    results = card.locator("[data-check-result]")
    assert [results.nth(i).get_attribute("data-check-result") for i in range(results.count())] == ["pass"] * len(
        ex.checks
    ), card.locator("[data-results]").inner_text()
    assert card.locator("[data-exercise-passed]").is_visible()
