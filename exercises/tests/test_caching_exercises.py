"""The caching exercises run in the learner's browser: they import only what is shipped there, and use no threads."""

import ast
import sys
import types
from pathlib import Path

import pytest

from lab import exercises

HERE = Path(__file__).resolve().parents[1]
MODULES = sorted(HERE.glob("caching_*.py"))
CACHING = [ex for ex in exercises.all_exercises() if ex.track == "caching"]


def imported(code: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names.add(node.module)
    return names


def shipped(name: str) -> bool:
    root = name.split(".")[0]
    return (
        root in {"django", "sandbox", "exercises"}
        or name in ("lab.exercises", "lab.testrun")
        or root in sys.stdlib_module_names
    )


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_a_caching_exercise_module_imports_only_what_the_browser_has(path):
    names = imported(path.read_text())
    assert {name for name in names if not shipped(name)} == set()
    assert "threading" not in names and "concurrent.futures" not in names  # Pyodide cannot start a thread


@pytest.mark.parametrize("ex", CACHING, ids=lambda ex: ex.slug)
def test_a_caching_exercises_code_imports_only_what_the_browser_has(ex):
    for code in (ex.starter, ex.solution, *ex.mistakes):
        assert {name for name in imported(code) if not shipped(name)} == set()


def test_every_caching_lesson_has_an_exercise_and_there_are_at_least_ten():
    lessons = {ex.lesson for ex in CACHING}
    assert all((HERE.parent / "content" / f"{lesson}.md").exists() for lesson in lessons), lessons
    assert sorted({lesson.split("/")[1][:2] for lesson in lessons}) == [f"0{n}" for n in range(1, 9)]
    assert len(CACHING) >= 10


@pytest.mark.django_db
def test_running_the_learners_tests_leaves_the_connection_open(monkeypatch):
    """TestCase.tearDownClass closes connections; in the browser (an SQLite file) that ended the attempt.

    Here the test database is in memory, whose close() is already a no-op, so the close itself is watched."""
    from django.db import connections

    from exercises.caching_kit import run_testcases

    closed = []
    for wrapper in {type(conn) for conn in connections.all()}:
        monkeypatch.setattr(wrapper, "close", lambda self: closed.append(self.alias))
    learner = types.ModuleType("learner")
    exec(compile(exercises.get("caching.test-a-cache").solution, "<your code>", "exec"), learner.__dict__)
    assert run_testcases(learner) == (1, [])
    assert closed == []


def test_a_run_counts_the_learners_cache_calls(seeded):
    """The exercises' default cache is recorded: the fragment exercise's Run shows a miss and a set, then a hit."""
    result = exercises.attempt(
        exercises.get("caching.fragment-key"), exercises.get("caching.fragment-key").solution, "run"
    )
    steps = result.report["steps"]
    first, again = ([(op["op"], op["hit"], op["alias"]) for op in step["cache_ops"]] for step in steps[:2])
    assert first == [("get", False, "default"), ("set", None, "default")]
    assert again == [("get", True, "default")]
