"""`manage.py new_exercise`: an exercise module and a test of its own that fails until the author writes it."""

import subprocess
import sys
import uuid
from functools import partial
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from .course_fixture import instructor_env, project_copy

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """A command as an instructor types it."""
    return subprocess.run(args, cwd=cwd, env=instructor_env(), capture_output=True, text=True, timeout=300)


def test_new_exercise_writes_the_module_and_its_test_and_prints_the_line(tmp_path, settings):
    settings.BASE_DIR = tmp_path
    out = StringIO()
    call_command("new_exercise", "orm", "count-books", stdout=out)
    module = tmp_path / "exercises" / "orm_count_books.py"
    test = tmp_path / "exercises" / "tests" / "test_orm_count_books.py"
    assert module.is_file() and test.is_file()
    assert (tmp_path / "exercises" / "tests" / "__init__.py").is_file()
    for path in (module, test):
        compile(path.read_text(), str(path), "exec")
    text = module.read_text()
    assert 'ex = exercise(\n    "orm.count-books",' in text
    assert "@ex.check(" in text and "@ex.run" in text
    assert "from exercises.orm_count_books import ex" in test.read_text()
    printed = out.getvalue()
    assert "/// exercise | orm.count-books\n///" in printed
    assert "pytest exercises/tests/test_orm_count_books.py" in printed


def test_the_scaffold_belongs_to_the_tracks_last_lesson(tmp_path, settings):
    from lessons.catalogue import get_catalogue

    settings.BASE_DIR = tmp_path
    last = get_catalogue().track("orm").lessons[-1]
    call_command("new_exercise", "orm", "count-books", stdout=StringIO())
    assert f'lesson="orm/{last.path.stem}"' in (tmp_path / "exercises" / "orm_count_books.py").read_text()


@pytest.mark.parametrize(
    "args,message",
    [
        (("orm", "Count Books"), "not a valid slug"),
        (("../orm", "count"), "not a valid track"),
        (("orm", "titles-and-publishers"), "is registered already"),
    ],
)
def test_new_exercise_refuses_bad_names(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("new_exercise", *args, stdout=StringIO())


def test_new_exercise_never_overwrites_a_file(tmp_path, settings):
    settings.BASE_DIR = tmp_path
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "orm_count_books.py").write_text("# mine\n")
    with pytest.raises(CommandError, match="exists already"):
        call_command("new_exercise", "orm", "count-books", stdout=StringIO())
    assert (tmp_path / "exercises" / "orm_count_books.py").read_text() == "# mine\n"


def test_the_scaffolded_test_fails_until_the_author_writes_it(tmp_path):
    """In the exercises/ package of a copy of the project (the generated test imports it from there)."""
    project = project_copy(tmp_path / "project")
    slug = "scaffold" + uuid.uuid4().hex[:8]
    module = project / "exercises" / f"orm_{slug}.py"
    test = project / "exercises" / "tests" / f"test_orm_{slug}.py"
    pytest_args = (sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(test))
    run_here = partial(run, cwd=project)
    made = run_here(sys.executable, "manage.py", "new_exercise", "orm", slug)
    assert made.returncode == 0, made.stderr

    as_scaffolded = run_here(*pytest_args)
    assert as_scaffolded.returncode == 1
    assert "lists no mistakes yet" in as_scaffolded.stdout
    assert "Now assert what Run shows" in as_scaffolded.stdout
    assert "(it is 1 in this run)" in as_scaffolded.stdout  # the measured value, to check against the lesson

    # The shared tests hold for the scaffold as generated: the reference passes, the starter fails.
    shared = run_here(
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        "exercises/tests/test_exercises.py",
        "-k",
        slug,
    )
    assert shared.returncode == 0, shared.stdout

    text = module.read_text()
    mistake = '"""from sandbox.models import Book\\n\\ndef ' + slug + '():\\n    return Book.objects.all()\\n"""'
    module.write_text(text.replace("    mistakes={\n", f'    mistakes={{\n        {mistake}: "the bookshop has",\n', 1))
    text = test.read_text()
    test.write_text(text[: text.index("    pytest.fail(")] + "    assert len(step['queries']) == 1\n")
    written = run_here(*pytest_args)
    assert written.returncode == 0, written.stdout
    assert "2 passed" in written.stdout

    # The exercise is registered under the slug of the printed line (the directive resolves it).
    checked = run_here(
        sys.executable,
        "manage.py",
        "shell",
        "-c",
        f"from lab import exercises; print(exercises.get('orm.{slug}').slug)",
    )
    assert checked.stdout.strip().splitlines()[-1] == f"orm.{slug}", checked.stderr
