"""`manage.py new_demo`: a demo, its teaching function and a test that fails until the author writes it."""

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from lessons.courses import lab_imports

from .course_fixture import course_loaded, instructor_env, write_course

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict) -> subprocess.CompletedProcess:
    """A command as an instructor types it."""
    return subprocess.run(args, cwd=ROOT, env=instructor_env(**env), capture_output=True, text=True, timeout=300)


def test_new_demo_writes_the_teaching_function_the_demo_and_its_test_into_the_project(tmp_path, settings):
    settings.BASE_DIR = tmp_path  # where the project's sandbox/ and demos/ would be
    out = StringIO()
    call_command("new_demo", "scaffoldtest", "key-versions", stdout=out)
    teaching = tmp_path / "sandbox" / "teaching" / "scaffoldtest_key_versions.py"
    demo = tmp_path / "demos" / "scaffoldtest_key_versions.py"
    test = tmp_path / "demos" / "tests" / "test_scaffoldtest_key_versions.py"
    assert teaching.is_file() and demo.is_file() and test.is_file()
    assert (tmp_path / "sandbox" / "teaching" / "__init__.py").is_file()
    assert "from sandbox.teaching.scaffoldtest_key_versions import key_versions" in demo.read_text()
    assert '@demo(\n    "scaffoldtest.key-versions",' in demo.read_text()
    assert lab_imports(teaching) == []  # teaching code never imports the lab
    for path in (teaching, demo, test):
        compile(path.read_text(), str(path), "exec")
    printed = out.getvalue()
    assert "/// demo | scaffoldtest.key-versions\n///" in printed
    assert "pytest demos/tests/test_scaffoldtest_key_versions.py" in printed


@pytest.mark.parametrize(
    "args,message",
    [
        (("caching", "Key Versions"), "not a valid slug"),
        (("../caching", "keys"), "not a valid track"),
        (("lessonstest", "count-books"), "is registered already"),
        (("caching", "keys", "--package", "nowhere"), "not in LAB_COURSE_PACKAGES"),
    ],
)
def test_new_demo_refuses_bad_names(args, message, content):
    with pytest.raises(CommandError, match=message):
        call_command("new_demo", *args, stdout=StringIO())


def test_new_demo_writes_into_a_course_package(tmp_path, settings):
    root = write_course(tmp_path / "course", "scaffoldcourse")
    with course_loaded(root, "scaffoldcourse", settings):
        out = StringIO()
        call_command("new_demo", "extra", "key-versions", "--package", "scaffoldcourse", stdout=out)
    package = root / "scaffoldcourse"
    assert (package / "teaching" / "extra_key_versions.py").is_file()
    assert (
        "from scaffoldcourse.teaching.extra_key_versions import key_versions"
        in (package / "demos" / "extra_key_versions.py").read_text()
    )
    assert (package / "tests" / "test_extra_key_versions.py").is_file()
    assert f"pytest {package / 'tests' / 'test_extra_key_versions.py'}" in out.getvalue()


def test_the_scaffolded_test_fails_until_the_author_writes_the_headline_and_the_fact(tmp_path):
    root = write_course(tmp_path / "course", "draftcourse")
    env = {"LAB_CONTENT_DIRS": str(root), "LAB_COURSE_PACKAGES": "draftcourse"}
    made = run(sys.executable, "manage.py", "new_demo", "extra", "key-versions", "--package", "draftcourse", env=env)
    assert made.returncode == 0, made.stderr
    package = root / "draftcourse"
    test = package / "tests" / "test_extra_key_versions.py"
    pytest_args = (sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-c", "pyproject.toml", "--rootdir", ".")
    pytest_args += ("-p", "conftest", str(test))

    as_scaffolded = run(*pytest_args, env=env)
    assert as_scaffolded.returncode == 1
    assert "has no headline yet: call lab.headline(...)" in as_scaffolded.stdout

    demo = package / "demos" / "extra_key_versions.py"
    demo.write_text(demo.read_text().replace("    # lab.headline(", "    lab.headline("))
    with_headline = run(*pytest_args, env=env)
    assert with_headline.returncode == 1
    assert "Now assert the fact the lesson states" in with_headline.stdout
    assert "(it is 1 in this run)" in with_headline.stdout  # the measured value, to check against the lesson

    text = test.read_text()
    start = text.index("    pytest.fail(")
    test.write_text(text[:start] + '    assert step.facts["queries"] == 1\n')
    written = run(*pytest_args, env=env)
    assert written.returncode == 0, written.stdout
    assert "1 passed" in written.stdout

    # The line it printed, pasted into a lesson, passes the checks.
    lesson = root / "extra" / "01-counting.md"
    lesson.write_text(lesson.read_text() + "\n/// demo | extra.key-versions\n///\n")
    checked = run(sys.executable, "manage.py", "check", env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_lesson_tests_lists_the_test_files_that_run_a_lessons_demos(content):
    content("orm/02-counting.md", (content.root / "orm" / "01-lazy.md").read_text().replace("lazy", "counting"))
    content(
        "orm/03-demo.md",
        (content.root / "orm" / "01-lazy.md").read_text() + "\n/// demo | lessonstest.count-books\n///\n",
    )
    out = StringIO()
    call_command("lesson_tests", "orm/demo", stdout=out)
    assert "lessons/tests/test_views.py" in out.getvalue().splitlines()
    with pytest.raises(CommandError, match="embeds no demo"):
        call_command("lesson_tests", "orm/counting", stdout=StringIO())
    with pytest.raises(CommandError, match="No lesson 'orm/nope'"):
        call_command("lesson_tests", "orm/nope", stdout=StringIO())


def test_lesson_tests_finds_a_course_folders_own_tests(tmp_path, settings):
    root = write_course(tmp_path / "course", "testedcourse")
    with course_loaded(root, "testedcourse", settings):
        out = StringIO()
        call_command("lesson_tests", "extra/counting", stdout=out)
    assert str(root / "testedcourse" / "tests" / "test_extra_count.py") in out.getvalue().splitlines()
