"""System checks for the course content: `manage.py check` names the file, the line and the problem.

lessons.E001  front matter missing or not valid YAML
lessons.E002  a front matter field missing or invalid
lessons.E003  `/// demo | slug` names no registered demo
lessons.E004  `/// source | dotted.path` cannot be imported or has no source
lessons.E005  `/// sql | slug` names no query, or it does not compile
lessons.E006  two lessons in a track share a number
lessons.E007  two lessons in a track share a slug
lessons.E008  a link to /<track>/<slug>/ that is not a lesson
lessons.E009  raw HTML the sanitiser would strip (opt out with `trusted_html: true`)
lessons.E010  a misnamed file or folder, or a track without _track.md
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register

from . import directives, sanitize, scan
from .catalogue import Catalogue, build, content_roots
from .markdown import convert

DIRECTIVE_IDS = {"demo": "lessons.E003", "source": "lessons.E004", "sql": "lessons.E005"}


def _where(path: Path, line: int) -> str:
    try:
        path = path.relative_to(settings.BASE_DIR)
    except ValueError:
        pass
    return f"{path}:{line}"


def _error(path: Path, line: int, message: str, id: str) -> Error:
    return Error(message, obj=_where(path, line), id=id)


def _link_errors(catalogue: Catalogue, body: str, path: Path, first_line: int) -> list[Error]:
    errors = []
    for link in scan.links(body, first_line):
        segments = [s for s in link.value.split("/") if s]
        if not segments or catalogue.track(segments[0]) is None:
            continue  # not a course link (/admin/, /demos/, /sandbox/...)
        if len(segments) == 2 and catalogue.lesson(*segments) is not None and link.value.endswith("/"):
            continue
        if len(segments) == 1 and link.value.endswith("/"):
            continue
        message = f"Link to '{link.value}' does not match a lesson (expected /<track>/<slug>/ with a trailing slash)."
        errors.append(_error(path, link.line, message, "lessons.E008"))
    return errors


def check_content(roots: list[Path] | None = None) -> list[Error]:
    catalogue = build(roots if roots is not None else content_roots())
    errors = [_error(path, p.line, p.message, p.id) for path, p in catalogue.problems]
    sources = [(t.path, t.intro, t.intro_line, False) for t in catalogue.tracks]
    sources += [(lesson.path, lesson.body, lesson.body_line, lesson.trusted_html) for lesson in catalogue.lessons]
    for path, body, first_line, trusted in sources:
        for found in scan.directives(body, first_line):
            problem = directives.check(found.kind, found.value)
            if problem:
                errors.append(_error(path, found.line, problem, DIRECTIVE_IDS[found.kind]))
        errors += _link_errors(catalogue, body, path, first_line)
        if not trusted:
            for what, needle in sanitize.stripped(convert(body).html):
                line = scan.line_of(body, first_line, needle)
                message = f"Raw HTML the sanitiser would strip: {what}. Remove it, or set 'trusted_html: true'."
                errors.append(_error(path, line, message, "lessons.E009"))
    return errors


@register("lessons")
def lesson_content(app_configs=None, **kwargs) -> list[Error]:
    return check_content()
