"""Scaffold a demo: `manage.py new_demo caching key-versions [--package mycourse]`.

Writes three files and prints the line to paste into a lesson:

    sandbox/teaching/caching_key_versions.py    the teaching function learners read (plain Django)
    demos/caching_key_versions.py               the demo: one lab.step per teaching function
    demos/tests/test_caching_key_versions.py    a test that runs it, and fails until written

With `--package`, the same three go into a course package of LAB_COURSE_PACKAGES
(<package>/teaching/, <package>/demos/, <package>/tests/). The generated test
fails on purpose: a scaffold measures nothing yet, and a test that passes
before the demo states its fact would be a test that cannot fail.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lab import registry
from lessons.catalogue import SLUG_RE, get_catalogue
from lessons.courses import import_package

TEACHING = '''"""{title}: the code learners read ({slug}). Plain Django: nothing here imports the lab.

The demo in {demo_file} calls these functions one step at a time; its card
shows their source and its report shows what they caused. Replace the body
with the code the lesson teaches.
"""

from sandbox.models import Book


def {function}() -> int:
    """What this function shows, in one sentence (learners read it on the demo card)."""
    return Book.objects.count()
'''

DEMO = '''"""{title}: embed it in a lesson with `/// demo | {slug}`.

Each step calls one teaching function ({teaching_module}); the lab records
what it caused (SQL, signals, cache calls, middleware) and shows its source.
Pass arguments with functools.partial, never a lambda: lab.step("...", partial(fn, book)).
See docs/authoring.md, "Writing a demo".
"""

from __future__ import annotations

from lab.registry import demo
from {teaching_module} import {function}


@demo(
    "{slug}",
    title="{title}",
    description="What the learner sees when they press Run, in one sentence.",
    reports=("sql",),  # the report sections a run shows: sql, signals, headers, cache, timing
)
def {function}_demo(lab, data):
    step = lab.step("{title}", {function})
    step.fact("queries", len(step.queries), "queries")
    # Next: the one measured fact this demo teaches, computed from the run (never typed in), e.g.
    # lab.headline(f"{{len(step.queries)}} query", focus=step)
'''

TEST = '''"""{slug}: the fact its lesson states, asserted from the demo's own report (by key, never by label)."""

import pytest


def test_{function}_states_its_fact(run_demo):
    lab = run_demo("{slug}")
    step = lab.get("{function}")
    assert lab.headline_text, (
        "{demo_file} has no headline yet: call lab.headline(...) with the one measured fact this demo teaches,"
        " computed from the run, e.g. lab.headline(f'{{len(step.queries)}} query', focus=step)."
    )
    pytest.fail(
        "Now assert the fact the lesson states, read from the report by its key, in place of this line, e.g."
        f" assert step.facts['queries'] == 1 (it is {{step.facts.get('queries')!r}} in this run)."
    )
'''

PACKAGE_DOCS = {
    "teaching": "Teaching code: what learners read on demo cards. Plain Django: nothing here imports the lab.",
    "demos": "Demos: each step calls a teaching function, and the lab records what it caused.",
    "tests": "Tests: the facts each demo teaches, asserted from its report.",
}


class Command(BaseCommand):
    help = "Create a demo module, its teaching function and a test that fails until you write it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("track", help="the track the demo belongs to, e.g. caching")
        parser.add_argument("slug", help="the demo's name in its track, e.g. key-versions")
        parser.add_argument("--package", help="a course package of LAB_COURSE_PACKAGES to write into")

    def handle(self, *args, track: str, slug: str, package: str | None = None, **options) -> None:
        for name, value in (("track", track), ("slug", slug)):
            if not SLUG_RE.match(value):
                raise CommandError(f"'{value}' is not a valid {name} (lowercase letters, digits, hyphens).")
        demo_slug = f"{track}.{slug}"
        if registry.get(demo_slug) is not None:
            raise CommandError(
                f"A demo '{demo_slug}' is registered already ({registry.get(demo_slug).func.__module__})."
            )
        teaching_dir, demos_dir, tests_dir, teaching_package = self._folders(package)
        module = f"{track}_{slug}".replace("-", "_")
        function = slug.replace("-", "_") if slug.replace("-", "_").isidentifier() else module
        teaching, demo_file, test = (
            teaching_dir / f"{module}.py",
            demos_dir / f"{module}.py",
            tests_dir / f"test_{module}.py",
        )
        for path in (teaching, demo_file, test):
            if path.exists():
                raise CommandError(f"{path} exists already: pick another slug, or edit that file.")
        values = {
            "slug": demo_slug,
            "title": slug.replace("-", " ").capitalize(),
            "function": function,
            "teaching_module": f"{teaching_package}.{module}",
            "demo_file": self._shown(demo_file),
        }
        for path, template in ((teaching, TEACHING), (demo_file, DEMO), (test, TEST)):
            self._package(path.parent)
            path.write_text(template.format(**values), encoding="utf-8")
            self.stdout.write(f"Created {self._shown(path)}")
        self._next_steps(track, demo_slug, test)

    def _folders(self, package: str | None) -> tuple[Path, Path, Path, str]:
        """Where the teaching module, the demo and its test go, and the teaching package's import name."""
        if package is None:
            root = Path(settings.BASE_DIR)
            return root / "sandbox" / "teaching", root / "demos", root / "demos" / "tests", "sandbox.teaching"
        if package not in settings.LAB_COURSE_PACKAGES:
            known = ", ".join(settings.LAB_COURSE_PACKAGES) or "it is empty"
            raise CommandError(f"'{package}' is not in LAB_COURSE_PACKAGES ({known}).")
        root = Path(list(import_package(package).__path__)[0])
        return root / "teaching", root / "demos", root / "tests", f"{package}.teaching"

    def _package(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        init = folder / "__init__.py"
        if not init.exists():
            init.write_text(f'"""{PACKAGE_DOCS.get(folder.name, folder.name)}"""\n', encoding="utf-8")

    def _shown(self, path: Path) -> str:
        path = path.resolve()
        base = Path(settings.BASE_DIR).resolve()
        return str(path.relative_to(base)) if path.is_relative_to(base) else str(path)

    def _next_steps(self, track: str, demo_slug: str, test_file: Path) -> None:
        test = self._shown(test_file)
        self.stdout.write("")
        self.stdout.write("Paste this into a lesson of the track:")
        self.stdout.write(self.style.SUCCESS(f"\n/// demo | {demo_slug}\n///\n"))
        if get_catalogue().track(track) is None:
            self.stdout.write(f"(There is no track '{track}' yet: `manage.py new_lesson` needs its _track.md.)")
        self.stdout.write(
            f"Then write the teaching function, give the demo its headline, and make its test pass:\n"
            f"  .venv/bin/python -m pytest {test}\n"
            "It fails until you assert the fact your lesson states (docs/authoring.md, 'Writing a demo')."
        )
