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


@register.simple_tag
def demos_by_track(demos) -> list[tuple[str, str, list]]:
    """(track name, title, demos) in course order; demos of tracks without lessons come last."""
    groups: dict[str, list] = {}
    for demo in demos:
        groups.setdefault(demo.track, []).append(demo)
    catalogue = get_catalogue()
    ordered = [t.name for t in catalogue.tracks if t.name in groups]
    ordered += sorted(name for name in groups if name not in ordered)
    return [(name, track_title(name), groups[name]) for name in ordered]
