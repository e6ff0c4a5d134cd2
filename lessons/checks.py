"""System checks for the course content: `manage.py check` names the file, the line, the problem and the fix.

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
lessons.E011  `/// exercise | slug` names no registered exercise
lessons.W001  a published lesson links to a draft (a DEBUG-off site has no such page)
lessons.E020  a course package's teaching code imports the lab (lessons.courses)
lessons.W002  a demo (or the teaching code it calls) uses a cache the lab does not record

The problems are found by the catalogue build (lessons.catalogue), so the
check, the lesson pages in local mode and the start-up log agree.

`manage.py check` reports content errors as errors: CI and `make lint` fail on
them. Every other command that runs the checks (runserver, migrate...) gets
them as warnings, so a broken lesson never stops the site: with DEBUG on its
page shows the problems, with DEBUG off it is left out and logged.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

from django.core.checks import ERROR, WARNING, CheckMessage, register

from . import courses
from .catalogue import build, content_roots
from .problems import recorded_caches, unrecorded_cache_uses, where


def _strict() -> bool:
    """True unless a command that serves or prepares the site (runserver, migrate...) runs the checks."""
    command = sys.argv[1] if len(sys.argv) > 1 and sys.argv[0].endswith("manage.py") else ""
    return command in {"", "check"}


def check_content(roots: list[Path] | None = None, *, strict: bool = True) -> list[CheckMessage]:
    catalogue = build(roots if roots is not None else content_roots(), preview=True)
    return [
        CheckMessage(
            (ERROR if strict else WARNING) if problem.is_error else WARNING,
            problem.message,
            hint=problem.hint or None,
            obj=where(path, problem.line),
            id=problem.id,
        )
        for path, problem in catalogue.problems
    ]


def check_courses() -> list[CheckMessage]:
    """A course package's teaching code is read by learners: like sandbox/, it imports nothing of the lab."""
    found = []
    for folder in courses.package_folders():
        for path in sorted((folder / "teaching").rglob("*.py")):
            for line, name in courses.lab_imports(path):
                found.append(
                    CheckMessage(
                        ERROR,
                        f"Teaching code imports '{name}': learners read this code, and it must run without the lab.",
                        hint="Keep the teaching function plain Django; record and measure in the demo that calls it.",
                        obj=where(path, line),
                        id="lessons.E020",
                    )
                )
    return found


def check_demo_caches() -> list[CheckMessage]:
    """A demo on `caches["default"]` would report "0 cache calls" and share its keys between learners."""
    from lab import registry

    found = []
    for demo in registry.all_demos():
        for obj in dict.fromkeys([demo.func, *demo.teaching_code]):
            for line, alias in unrecorded_cache_uses(obj):
                path = Path(inspect.getsourcefile(obj) or "?")
                message = (
                    f"Demo '{demo.slug}': {obj.__qualname__} uses the cache '{alias}', which the lab does not record:"
                    " its report would show 0 cache calls, and learners would share its keys."
                )
                aliases = ", ".join(sorted(recorded_caches()))
                hint = f"Use one of the recorded aliases ({aliases}), e.g. caches['locmem']; see docs/authoring.md."
                found.append(CheckMessage(WARNING, message, hint=hint, obj=where(path, line), id="lessons.W002"))
    return found


@register("lessons")
def lesson_content(app_configs=None, **kwargs) -> list[CheckMessage]:
    return check_content(strict=_strict()) + check_courses() + check_demo_caches()
