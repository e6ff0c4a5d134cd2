"""Template filters for the practice features (issue 13 items 9-10): what a lesson lets a learner do."""

from __future__ import annotations

from django import template

from lab import registry

from .. import scan
from ..catalogue import Lesson

register = template.Library()


@register.filter
def lesson_exercises(lesson: Lesson) -> str:
    """The exercise slugs a lesson embeds, space-separated (for a data attribute)."""
    return " ".join(d.value for d in scan.directives(lesson.body, 1) if d.kind == "exercise")


@register.filter
def lesson_predictions(lesson: Lesson) -> int:
    """How many predictions the lesson's demos ask."""
    return sum(len(found.predictions) for slug in lesson.demos if (found := registry.get(slug)) is not None)
