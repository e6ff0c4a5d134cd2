"""What an instructor sees in a browser: a broken lesson's problems, drafts, a course folder's demo, an export.

Screenshots (1280 px) go to var/screens/ for a person to look at.
"""

from __future__ import annotations

import itertools
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from lessons import catalogue, courses
from lessons.tests.course_fixture import course_loaded, write_course

from .conftest import axe_violations

# See test_lessons.py: a harmless live-server thread warning with in-memory SQLite.
pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"
_names = itertools.count()


def shoot(page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=False)


@pytest.fixture
def course(tmp_path, settings):
    # These tests switch DEBUG on at run time; the toolbar (whose axe findings are its own) stays out of them.
    settings.TOOLBAR_ENABLED = False
    package = f"browsercourse{next(_names)}"
    with course_loaded(write_course(tmp_path / "my-course", package), package, settings) as root:
        yield root


def test_breaking_a_lesson_file_shows_every_problem_in_the_page_with_debug_on(page, lab, course, settings):
    settings.DEBUG = True
    lesson = course / "extra" / "01-counting.md"
    page.goto(lab + "/extra/counting/")
    assert page.locator("h1").inner_text() == "Counting books"
    assert page.locator("[data-problems]").count() == 0

    text = lesson.read_text()
    broken = text.replace("title: Counting books", 'title: "Counting books').replace("minutes: 5", "minutes: five")
    lesson.write_text(broken.replace("extra.count", "extra.cuont") + "\nSee [the next lesson](/extra/next/).\n")
    page.reload()
    panel = page.locator("[data-problems]")
    assert panel.get_attribute("data-problems") == "4"
    items = panel.locator("[data-problem]")
    assert items.evaluate_all("items => items.map(i => i.dataset.problem)") == [
        "lessons.E001",
        "lessons.E002",
        "lessons.E003",
        "lessons.E008",
    ]
    assert panel.locator(".problem__where").first.inner_text() == f"{lesson}:2"
    assert "Did you mean 'extra.count'?" in panel.inner_text()
    assert "Write a whole number of minutes, e.g. minutes: 15" in panel.inner_text()
    # The rest of the lesson still renders under the problems, the broken demo with its did-you-mean in place.
    assert "Did you mean 'extra.count'?" in page.locator(".directive-error").inner_text()
    page.locator("[data-lesson-key='extra/counting'] .badge--problem").wait_for()
    assert axe_violations(page) == ""
    shoot(page, "authoring-problems")

    lesson.write_text(text)  # fixed: the panel is gone
    page.reload()
    assert page.locator("[data-problems]").count() == 0
    assert page.locator("h1").inner_text() == "Counting books"


def test_a_draft_is_hidden_with_debug_off_and_badged_with_debug_on(page, lab, course, settings):
    draft = (course / "extra" / "01-counting.md").read_text().replace("minutes: 5", "minutes: 5\ndraft: true")
    (course / "extra" / "02-draft.md").write_text(draft.replace("Counting books", "Counting again"))
    catalogue.reset()

    settings.DEBUG = False
    page.goto(lab + "/extra/")
    assert page.locator("[data-lesson-key='extra/draft']").count() == 0
    assert page.request.get(lab + "/extra/draft/").status == 404
    page.goto(lab + "/extra/counting/")
    assert page.locator("a[href='/extra/draft/']").count() == 0  # no pager, no navigation entry

    settings.DEBUG = True
    page.goto(lab + "/extra/counting/")
    assert page.locator("a[rel=next]").get_attribute("href") == "/extra/draft/"
    page.goto(lab + "/extra/draft/")
    assert page.locator("h1 [data-badge=draft]").text_content() == "Draft"
    assert page.locator("#course-nav [data-lesson-key='extra/draft'] .badge--draft").is_visible()
    assert axe_violations(page) == ""
    shoot(page, "authoring-draft")


def test_a_course_folder_with_its_own_demo_renders_and_runs(page, lab, course):
    page.goto(lab + "/extra/counting/")
    card = page.locator("[data-demo='extra.count']")
    assert "def count_books()" in card.locator(".demo-card__code").text_content()
    card.locator("[data-action=run]").click()
    headline = card.locator("[data-headline]")
    headline.wait_for()
    assert "books counted with 1 query" in headline.inner_text()
    assert card.locator("[data-report=sql]").count() > 0


def test_a_scaffolded_demo_appears_in_its_lesson_and_runs(page, lab, course, settings):
    package = settings.LAB_COURSE_PACKAGES[0]
    call_command("new_demo", "extra", "shelf-count", "--package", package, stdout=StringIO())
    courses.load()  # what the restart does in runserver
    lesson = course / "extra" / "01-counting.md"
    lesson.write_text(lesson.read_text() + "\n/// demo | extra.shelf-count\n///\n")
    catalogue.reset()  # DEBUG is off here: the catalogue is read once, as a restart would
    page.goto(lab + "/extra/counting/")
    card = page.locator("[data-demo='extra.shelf-count']")
    card.locator("[data-action=run]").click()
    card.locator("[data-report-for='extra.shelf-count']").wait_for()
    assert card.locator("[data-report=sql]").count() > 0
    assert card.locator("[data-headline]").count() == 0  # no headline until the author writes one


def test_an_exported_lesson_opens_from_disk_and_prints_without_the_site_chrome(new_page, lab, course, tmp_path):
    target = tmp_path / "handout"
    call_command("export_course", str(target), stdout=StringIO(), stderr=StringIO())
    page = new_page()
    page.goto((target / "extra" / "counting" / "index.html").as_uri())
    assert page.locator("h1").inner_text() == "Counting books"
    # The stylesheet loaded from the relative path: the site's fonts and layout, not the browser's defaults.
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).position") == "sticky"
    card = page.locator("[data-demo='extra.count'][data-offline]")
    assert "make run" in card.inner_text() and card.locator("[data-action=run]").count() == 0
    shoot(page, "export-lesson")
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden() and page.locator("#course-nav").is_hidden()
    assert card.is_visible()
    shoot(page, "export-lesson-print")
    page.emulate_media(media="screen")
    page.locator("a.brand").click()  # relative links work from disk
    page.wait_for_url("**/handout/index.html")
    page.locator(".track-card a[href='extra/counting/index.html']").click()
    page.wait_for_url("**/extra/counting/index.html")
    assert page.errors == [], page.errors
