"""Problems in a lesson's body: directives that do not resolve, links to no lesson, HTML the sanitiser strips.

Found once, when the catalogue is built, for every content file; the same list
feeds `manage.py check`, the problems panel of a lesson page in local mode,
the decision to leave a lesson out of a DEBUG-off site, and the start-up log.
Each problem has its file line and, where there is one, the fix.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

from django.conf import settings

from . import directives, sanitize, scan
from .frontmatter import Problem
from .markdown import convert

DIRECTIVE_IDS = {"demo": "lessons.E003", "source": "lessons.E004", "sql": "lessons.E005", "exercise": "lessons.E011"}
DIRECTIVE_HINTS = {
    "demo": "Register it with @demo(...) in demos/ (manage.py new_demo <track> <slug> writes one).",
    "source": "Name an importable module, class or function, e.g. sandbox.middleware.RequestIDMiddleware.",
    "sql": "Register the queryset with @named_query(...) in sandbox/queries*.py.",
    "exercise": "Declare it with exercise(...) in a module of exercises/ (see exercises/orm_sample.py).",
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
            # Compare slugs within the track, so '/extra/next/' does not match '/extra/counting/' on 'extra/' alone.
            in_track = {k.split("/")[1]: k for k in lessons if k.split("/")[0] == segments[0]}
            close = directives.closest(segments[-1], list(in_track))
            hint = f"Did you mean '/{in_track[close]}/'?" if close else ""
        problems.append(Problem(link.line, message, "lessons.E008", hint))
    return problems


def html_problems(body: str, first_line: int) -> list[Problem]:
    problems = []
    for what, needle in sanitize.stripped(convert(body).html):
        line = scan.line_of(body, first_line, needle)
        message = f"Raw HTML the sanitiser would strip: {what}."
        problems.append(Problem(line, message, "lessons.E009", "Remove it, or set 'trusted_html: true'."))
    return problems


# Demos that use a cache the lab does not record (lessons.W002).


def recorded_caches() -> set[str]:
    """The cache aliases whose calls the lab records: the caching track's backends (lab.caches)."""
    found = {alias for alias, config in settings.CACHES.items() if config["BACKEND"].startswith("lab.caches.")}
    return found | {"redis", "memcached"}  # recorded whenever they are configured


def unrecorded_cache_uses(obj: Callable | type) -> list[tuple[int, str]]:
    """(file line, alias) where `obj`'s source uses a cache the lab does not record.

    Found in the source: `caches["default"]` (any literal alias that is not
    recorded) and the name `cache` when it is `django.core.cache.cache`, the
    default cache. An alias held in a variable cannot be read this way.
    """
    from django.core import cache as cache_module

    try:
        lines, first = inspect.getsourcelines(obj)
    except (OSError, TypeError):
        return []
    if inspect.isfunction(obj):
        names = inspect.getclosurevars(obj)
        namespace = {**names.globals, **names.nonlocals}
    else:
        namespace = vars(inspect.getmodule(obj) or cache_module)
    recorded, found = recorded_caches(), []
    for node in ast.walk(ast.parse(textwrap.dedent("".join(lines)))):
        if isinstance(node, ast.Subscript) and getattr(node.value, "id", getattr(node.value, "attr", "")) == "caches":
            alias = node.slice.value if isinstance(node.slice, ast.Constant) else None
            if isinstance(alias, str) and alias not in recorded:
                found.append((first + node.lineno - 1, alias))
        elif isinstance(node, ast.Name) and node.id == "cache" and namespace.get("cache") is cache_module.cache:
            found.append((first + node.lineno - 1, "default"))
    return sorted(set(found))
