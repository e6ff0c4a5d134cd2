"""Predict, then run: grading the answers a learner committed on a demo card before pressing Run.

The card posts `predict-<n>` beside the demo's inputs (one per `Prediction`,
all optional). Each answer is graded here from the run's own recorder
(`Prediction.grade`), never from anything stored in a lesson, so the right
answer is whatever this run, with these inputs, measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string

from .registry import Demo

MAX_ANSWER = 40  # a choice or a number; anything longer is not an answer to grade


@dataclass(frozen=True)
class Graded:
    index: int
    question: str
    given: str
    actual: str
    right: bool
    explain: str
    see: str


def answers(demo: Demo, post: Any) -> dict[int, str]:
    """The predictions the learner made, by index: blank, unknown or over-long answers are left out."""
    made = {}
    for n, prediction in enumerate(demo.predictions):
        given = (post.get(f"predict-{n}") or "").strip()
        if not given or len(given) > MAX_ANSWER:
            continue
        if prediction.choices and given not in prediction.choices:
            continue
        made[n] = given
    return made


def grade(demo: Demo, recorder: Any, made: dict[int, str]) -> list[Graded]:
    """Each answer graded from `recorder`; a prediction the run could not measure (it failed) is skipped."""
    graded = []
    if recorder is None or getattr(recorder, "error", ""):
        return graded
    for n, given in sorted(made.items()):
        prediction = demo.predictions[n]
        try:
            right, actual = prediction.grade(recorder, given)
        except (KeyError, IndexError, AttributeError, TypeError, ValueError):
            continue  # the run did not reach the step this question reads
        graded.append(Graded(n, prediction.question, given, str(actual), right, prediction.explain, prediction.see))
    return graded


def render_results(demo: Demo, graded: list[Graded]) -> str:
    if not graded:
        return ""
    return render_to_string("lab/predictions.html", {"demo": demo, "graded": graded})
