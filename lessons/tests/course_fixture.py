"""A course kept in its own folder, as an instructor's repository would hold it: lessons and a package of demos.

Used by the course-folder tests (lessons/tests/test_courses.py) and the browser
test that runs its demo (tests/browser/test_authoring.py).
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FILES = {
    "extra/_track.md": """
        ---
        title: Extra topics
        summary: A course kept in its own repository.
        order: 9
        ---
        Lessons that are not part of Django Lab itself.
        """,
    "extra/01-counting.md": """
        ---
        title: Counting books
        summary: One query, however many books there are.
        objectives:
          - Count rows with one query.
        minutes: 5
        ---

        ## The code

        /// source | {package}.teaching.counting.count_books
        ///

        ## Try it

        /// demo | extra.count
        ///
        """,
    "{package}/__init__.py": "",
    "{package}/teaching/__init__.py": "",
    "{package}/teaching/counting.py": '''
        """The code learners read: plain Django."""

        from sandbox.models import Book


        def count_books() -> int:
            """One COUNT(*) query, however many books there are."""
            return Book.objects.count()
        ''',
    "{package}/demos/__init__.py": "",
    "{package}/demos/extra_count.py": """
        from lab.registry import demo

        from {package}.teaching.counting import count_books


        @demo("extra.count", title="Count the books", reports=("sql",))
        def count(lab, data):
            step = lab.step("Count the books", count_books)
            step.fact("queries", len(step.queries), "queries")
            lab.headline(f"{{step.result}} books counted with {{len(step.queries)}} query", focus=step)
        """,
    "{package}/tests/__init__.py": "",
    "{package}/tests/test_extra_count.py": """
        def test_counting_the_books_takes_one_query(run_demo):
            lab = run_demo("extra.count")
            assert lab.get("count_books").facts["queries"] == 1
        """,
}


def write_course(root: Path, package: str) -> Path:
    for relative, text in FILES.items():
        path = root / relative.format(package=package)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text.format(package=package)).lstrip(), encoding="utf-8")
    return root


@contextmanager
def course_loaded(root: Path, package: str, settings) -> Iterator[Path]:
    """Point the settings at the course folder and load its package as start-up does; undo it all after."""
    from lab import registry
    from lessons import catalogue, courses

    settings.LAB_CONTENT_DIRS = [root]
    settings.LAB_COURSE_PACKAGES = [package]
    before = {d.slug for d in registry.all_demos()}
    courses.load()
    catalogue.reset()
    try:
        yield root
    finally:
        for slug in {d.slug for d in registry.all_demos()} - before:
            registry.unregister(slug)
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]
        if str(root) in sys.path:
            sys.path.remove(str(root))
        catalogue.reset()


PROJECT = Path(__file__).resolve().parents[2]
NOT_COPIED = (".git", ".venv*", "var", "node_modules", "__pycache__", "*.pyc", ".pytest_cache", ".ruff_cache")


def project_copy(destination: Path) -> Path:
    """A copy of this project's code (no virtualenvs, var/ or .git) for a test that writes into the project's own
    packages, as `new_exercise` does: the checkout a test run reads, and any other test run sharing it, never sees
    a half-written module."""
    import shutil

    shutil.copytree(PROJECT, destination, ignore=shutil.ignore_patterns(*NOT_COPIED), symlinks=True)
    return destination


def instructor_env(**extra: str) -> dict[str, str]:
    """The environment of a command an instructor types: none of this test run's DJANGO_SETTINGS_MODULE (pytest-django
    set it), DATABASE_URL (a pytest the command starts would create and then drop the test database this run is
    using) or LAB_VAR_DIR."""
    skip = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "LAB_VAR_DIR"}
    return {**{k: v for k, v in os.environ.items() if k not in skip}, **extra}
