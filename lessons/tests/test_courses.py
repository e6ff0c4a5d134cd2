"""A course is a folder: lessons plus a Python package of demos, kept outside this repository, with the same checks."""

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks

from lessons.catalogue import get_catalogue

from .course_fixture import course_loaded, instructor_env, write_course

ROOT = Path(__file__).resolve().parents[2]
_names = itertools.count()


class Course:
    def __init__(self, root: Path, package: str) -> None:
        self.root, self.package = root, package


@pytest.fixture
def course(tmp_path, settings):
    package = f"extcourse{next(_names)}"  # a new name each test: Python caches imported modules by name
    with course_loaded(write_course(tmp_path / "my-course", package), package, settings) as root:
        yield Course(root, package)


def test_an_external_course_renders_its_lesson_with_its_own_demo_and_teaching_code(client, course, seeded):
    html = client.get("/extra/counting/").content.decode()
    assert 'data-demo="extra.count"' in html
    # The card and the source directive show the course's own teaching function, from its own folder.
    assert f"{course.package}.teaching.counting.count_books" in html
    assert str(course.root / course.package / "teaching" / "counting.py") in html


def test_an_external_course_demo_runs_and_its_report_is_measured(client, course, seeded):
    response = client.post("/demos/extra.count/run/", {"lesson": "extra/counting"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-headline" in html and "books counted with 1 query" in html


def test_an_external_course_passes_the_same_checks(course):
    assert checks.run_checks(tags=["lessons"]) == []
    assert get_catalogue().lesson("extra", "counting").demos == ("extra.count",)


def test_an_external_course_gets_the_same_content_checks(course):
    (course.root / "extra" / "02-typo.md").write_text(
        (course.root / "extra" / "01-counting.md").read_text().replace("extra.count", "extra.cuont")
    )
    [error] = checks.run_checks(tags=["lessons"])
    assert (error.id, error.obj) == ("lessons.E003", f"{course.root}/extra/02-typo.md:16")
    assert error.hint == "Did you mean 'extra.count'?"


def test_teaching_code_of_a_course_that_imports_the_lab_is_an_error(course):
    teaching = course.root / course.package / "teaching" / "counting.py"
    teaching.write_text("from lab.recorder import active\n" + teaching.read_text())
    [error] = checks.run_checks(tags=["lessons"])
    assert (error.id, error.obj) == ("lessons.E020", f"{teaching}:1")


def test_a_course_package_that_is_nowhere_is_a_clear_configuration_error(settings, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    from lessons import courses

    settings.LAB_CONTENT_DIRS = [tmp_path]
    settings.LAB_COURSE_PACKAGES = ["nosuchcourse"]
    with pytest.raises(ImproperlyConfigured, match="no content folder holds nosuchcourse/__init__.py"):
        courses.load()


def test_a_bad_course_package_name_refuses_to_start():
    env = {**os.environ, "LAB_COURSE_PACKAGES": "my-course", "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "LAB_COURSE_PACKAGES must list importable package names (comma-separated), not 'my-course'." in result.stderr


def test_the_course_tests_run_with_the_labs_fixtures_as_the_authoring_guide_says(tmp_path):
    """docs/authoring.md: `make test-course` (pytest -c pyproject.toml -p conftest <course folder>)."""
    root = write_course(tmp_path / "my-course", "extcoursecli")
    env = instructor_env(LAB_CONTENT_DIRS=str(root), LAB_COURSE_PACKAGES="extcoursecli")
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", "install-dev", "test-course", f"PY={sys.executable}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
