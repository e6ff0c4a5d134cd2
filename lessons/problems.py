"""Problems in a lesson's body: directives that do not resolve, links to no lesson, HTML the sanitiser strips.

Found once, when the catalogue is built, for every content file; the same list
feeds `manage.py check`, the problems panel of a lesson page in local mode,
the decision to leave a lesson out of a DEBUG-off site, and the start-up log.
Each problem has its file line and, where there is one, the fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from django.conf import settings

from . import directives, sanitize, scan
from .frontmatter import Problem
from .markdown import convert

DIRECTIVE_IDS = {"demo": "lessons.E003", "source": "lessons.E004", "sql": "lessons.E005"}
DIRECTIVE_HINTS = {
    "demo": "Register it with @demo(...) in demos/ (manage.py new_demo <track> <slug> writes one).",
    "source": "Name an importable module, class or function, e.g. sandbox.middleware.RequestIDMiddleware.",
    "sql": "Register the queryset with @named_query(...) in sandbox/queries*.py.",
}


def where(path: Path, line: int) -> str:
    """`content/orm/01-x.md:12`: relative to the project when the file is in it."""
    try:
        path = path.relative_to(settings.BASE_DIR)
    except ValueError:
        pass
    return f"{path}:{line}"


def directive_problems(body: str, first_line: int) -> list[Problem]:
    problems = []
    for found in scan.directives(body, first_line):
        message = directives.check(found.kind, found.value)
        if message:
            hint = directives.suggest(found.kind, found.value) or DIRECTIVE_HINTS.get(found.kind, "")
            problems.append(Problem(found.line, message, DIRECTIVE_IDS.get(found.kind, "lessons.E003"), hint))
    return problems


def link_problems(
    body: str, first_line: int, tracks: set[str], lessons: Mapping[str, bool], *, from_draft: bool = False
) -> list[Problem]:
    """Links to /<track>/<slug>/ must name a lesson. `lessons` maps each lesson key to whether it is a draft."""
    problems = []
    for link in scan.links(body, first_line):
        segments = [s for s in link.value.split("/") if s]
        if not segments or segments[0] not in tracks:
            continue  # not a course link (/admin/, /demos/, /sandbox/...)
        key = "/".join(segments)
        slash = link.value.endswith("/")
        if (len(segments) == 1 and slash) or (len(segments) == 2 and key in lessons and slash):
            if lessons.get(key) and not from_draft:
                message = f"Link to '{link.value}', a draft: with DEBUG off that page does not exist."
                hint = "Publish it (remove 'draft: true') before this lesson, or remove the link."
                problems.append(Problem(link.line, message, "lessons.W001", hint))
            continue
        message = f"Link to '{link.value}' does not match a lesson (expected /<track>/<slug>/ with a trailing slash)."
        if len(segments) == 2 and key in lessons:
            hint = f"Add the trailing slash: /{key}/"
        else:
            in_track = [k for k in lessons if k.split("/")[0] == segments[0]]
            close = directives.closest(key, in_track)
            hint = f"Did you mean '/{close}/'?" if close else ""
        problems.append(Problem(link.line, message, "lessons.E008", hint))
    return problems


def html_problems(body: str, first_line: int) -> list[Problem]:
    problems = []
    for what, needle in sanitize.stripped(convert(body).html):
        line = scan.line_of(body, first_line, needle)
        message = f"Raw HTML the sanitiser would strip: {what}."
        problems.append(Problem(line, message, "lessons.E009", "Remove it, or set 'trusted_html: true'."))
    return problems
