"""Template tags that read the course catalogue."""

from django import template

from ..catalogue import Lesson, get_catalogue

register = template.Library()


@register.simple_tag
def lessons_using(demo_slug: str) -> list[Lesson]:
    """The lessons that embed a demo, in course order."""
    return get_catalogue().demo_uses(demo_slug)


@register.simple_tag
def track_title(name: str) -> str:
    track = get_catalogue().track(name)
    return track.title if track else name.title()
