"""Scaffold an exercise: `manage.py new_exercise orm count-books`.

Writes two files and prints the line to paste into a lesson:

    exercises/orm_count_books.py               the exercise: prompt, starter, solution, hints, one check, Run
    exercises/tests/test_orm_count_books.py    its own test, which fails until the author writes it

The scaffold is a complete, working exercise (its reference passes, its starter fails), so the shared
tests in exercises/tests/test_exercises.py pass from the start. Its own test fails on purpose: it asks
for the mistakes learners make and for the fact Run shows, which only the author knows, and a test that
passes before they are written would be a test that cannot fail.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lab import exercises
from lessons.catalogue import SLUG_RE, get_catalogue

# @@name@@ placeholders (the code itself is full of braces).
EXERCISE = '''"""@@title@@: embed it in a lesson with `/// exercise | @@slug@@`.

This module is shipped to the learner's browser and runs there (Pyodide): import only Django,
`sandbox` and `lab.exercises`. SQLite and the local-memory cache only; no threads, no async_to_sync.
Checks test behaviour (rows, query counts, headers), never the text of the code.
See docs/authoring.md, "Exercises".
"""

from lab.exercises import Fail, exercise

ex = exercise(
    "@@slug@@",
    title="@@title@@",
    lesson="@@lesson@@",
    prompt=(
        "Write `@@function@@()`: it returns how many books the shop has, in **one** query. "
        "Replace this with your task, in Markdown."
    ),
    starter="""from sandbox.models import Book


def @@function@@():
    return 0
""",
    solution="""from sandbox.models import Book


def @@function@@():
    return Book.objects.count()
""",
    hints=(
        "A first hint: where to start.",
        "A second hint, closer to the answer: `Book.objects.count()`.",
    ),
    mistakes={
        # The wrong answers learners write, each with part of the message a check gives it:
        # """...wrong code...""": "the budget is 1",
    },
)


@ex.check("The same answer as the reference")
def same_answer(attempt):
    got = attempt.learner.@@function@@()
    want = attempt.reference.@@function@@()
    if got != want:
        raise Fail(f"`@@function@@()` returned {got!r}; the bookshop has {want!r} books.")


@ex.run
def show(lab, attempt):
    step = lab.step("@@function@@()", attempt.learner.@@function@@)
    lab.headline(f"{step.result} books, {len(step.queries)} quer{'y' if len(step.queries) == 1 else 'ies'}")
'''

TEST = '''"""@@slug@@ on CPython, through the same attempt() the learner's browser runs.

exercises/tests/test_exercises.py proves for every exercise that the reference passes, the starter fails
and each listed mistake fails with its message. This file asserts what is particular to this one.
"""

import pytest

from exercises.@@module@@ import ex
from lab import exercises


def test_@@function@@_lists_the_mistakes_learners_make(seeded):
    assert ex.mistakes, (
        "@@module_file@@ lists no mistakes yet: add the wrong answers learners write to mistakes={...},"
        " each with the part of the message your checks give it (docs/authoring.md, 'Exercises')."
    )


def test_@@function@@_run_shows_what_the_lesson_teaches(seeded):
    result = exercises.attempt(ex, ex.solution, "run")
    assert result.error is None, result.error
    (step,) = result.report["steps"]
    pytest.fail(
        "Now assert what Run shows for the reference solution, read from its report, in place of this line,"
        f" e.g. assert len(step['queries']) == 1 (it is {len(step['queries'])} in this run)."
    )
'''


class Command(BaseCommand):
    help = "Create an exercise module and a test of its own that fails until you write it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("track", help="the track the exercise belongs to, e.g. orm")
        parser.add_argument("slug", help="the exercise's name in its track, e.g. count-books")

    def handle(self, *args, track: str, slug: str, **options) -> None:
        for name, value in (("track", track), ("slug", slug)):
            if not SLUG_RE.match(value):
                raise CommandError(f"'{value}' is not a valid {name} (lowercase letters, digits, hyphens).")
        exercise_slug = f"{track}.{slug}"
        if exercises.get(exercise_slug) is not None:
            where = exercises.get(exercise_slug).defined_in[0]
            raise CommandError(f"An exercise '{exercise_slug}' is registered already ({where}).")
        root = Path(settings.BASE_DIR) / "exercises"
        module = f"{track}_{slug}".replace("-", "_")
        function = slug.replace("-", "_")
        module_file, test_file = root / f"{module}.py", root / "tests" / f"test_{module}.py"
        for path in (module_file, test_file):
            if path.exists():
                raise CommandError(f"{path} exists already: pick another slug, or edit that file.")
        values = {
            "slug": exercise_slug,
            "title": slug.replace("-", " ").capitalize(),
            "lesson": self._lesson(track),
            "function": function,
            "module": module,
            "module_file": self._shown(module_file),
        }
        for path, template in ((module_file, EXERCISE), (test_file, TEST)):
            path.parent.mkdir(parents=True, exist_ok=True)
            for parent in (path.parent, root):
                if not (parent / "__init__.py").exists():
                    (parent / "__init__.py").write_text("", encoding="utf-8")
            text = template
            for key, value in values.items():
                text = text.replace(f"@@{key}@@", value)
            path.write_text(text, encoding="utf-8")
            self.stdout.write(f"Created {self._shown(path)}")
        self._next_steps(exercise_slug, values["lesson"], test_file)

    def _lesson(self, track: str) -> str:
        """The track's last lesson (exercises close a lesson), as '<track>/<file stem>'; a placeholder without one."""
        found = get_catalogue().track(track)
        if found is None or not found.lessons:
            return f"{track}/01-your-lesson"
        return f"{track}/{Path(found.lessons[-1].path).stem}"

    def _shown(self, path: Path) -> str:
        path, base = path.resolve(), Path(settings.BASE_DIR).resolve()
        return str(path.relative_to(base)) if path.is_relative_to(base) else str(path)

    def _next_steps(self, slug: str, lesson: str, test_file: Path) -> None:
        self.stdout.write("")
        self.stdout.write(f"Paste this into the lesson ({lesson}.md), under a '## Your turn' heading:")
        self.stdout.write(self.style.SUCCESS(f"\n/// exercise | {slug}\n///\n"))
        self.stdout.write(
            "Then write the task, the starter, the solution and the checks, list the mistakes learners make,\n"
            "and make its test pass:\n"
            f"  .venv/bin/python -m pytest {self._shown(test_file)} exercises -k {slug}\n"
            "It fails until you do (docs/authoring.md, 'Exercises')."
        )
