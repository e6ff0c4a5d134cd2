"""The test files that run one lesson's demos: `manage.py lesson_tests caching/per-view`.

`make test-lesson LESSON=caching/per-view` runs them. A lesson's facts are
asserted by the tests of the demos it embeds, which name each demo by its slug
(`run_demo("caching.per-view")`), so a test file belongs to a lesson when it
names one of the lesson's demos.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lessons.catalogue import build, content_roots
from lessons.courses import package_folders

SKIP = frozenset({".venv", "node_modules", "var", ".git", "__pycache__"})


def test_files() -> list[Path]:
    found = []
    for root in [Path(settings.BASE_DIR), *package_folders()]:
        for path in sorted(root.rglob("test_*.py")):
            if not SKIP & set(path.relative_to(root).parts):
                found.append(path)
    return found


def tests_of(demos: tuple[str, ...]) -> list[Path]:
    quoted = [f'"{slug}"' for slug in demos] + [f"'{slug}'" for slug in demos]
    return [path for path in test_files() if any(q in path.read_text(encoding="utf-8") for q in quoted)]


class Command(BaseCommand):
    help = "List the test files that run a lesson's demos (track/slug), one per line."

    def add_arguments(self, parser) -> None:
        parser.add_argument("lesson", help="track/slug, as in the lesson's URL: caching/per-view")

    def handle(self, *args, lesson: str, **options) -> None:
        catalogue = build(content_roots(), preview=True)  # drafts too: they are being written
        found = catalogue.by_path(lesson)
        if found is None:
            raise CommandError(f"No lesson '{lesson}' (write it as track/slug, as in its URL).")
        if not found.demos:
            raise CommandError(f"Lesson '{lesson}' embeds no demo, so it has no tests of its own.")
        files = tests_of(found.demos)
        if not files:
            raise CommandError(f"No test names the demos of '{lesson}' ({', '.join(found.demos)}): write one.")
        for path in files:
            self.stdout.write(
                str(path.relative_to(settings.BASE_DIR)) if path.is_relative_to(settings.BASE_DIR) else str(path)
            )
