"""A new learner's path through the course, at three widths and both themes: nothing overflows, nothing is lost."""

from __future__ import annotations

import pytest

from lessons.catalogue import get_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]

WIDTHS = {"desktop": (1280, 900), "tablet": (768, 1024), "phone": (390, 844)}


def course_pages():
    catalogue = get_catalogue()
    # The home page, the demos index, and each track page with its first lesson.
    return ["/", "/demos/", *(url for t in catalogue.tracks for url in (t.url, t.lessons[0].url))]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", WIDTHS)
def test_no_course_page_scrolls_sideways(new_page, lab, size, scheme):
    width, height = WIDTHS[size]
    page = new_page(viewport={"width": width, "height": height}, color_scheme=scheme, has_touch=width < 800)
    for url in course_pages():
        page.goto(lab + url)
        assert page.evaluate("document.documentElement.dataset.theme") == scheme
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{url} overflows at {width}px"
    assert page.errors == []


def test_previous_and_next_walk_a_track_in_order(page, lab):
    track = get_catalogue().tracks[1]
    page.goto(lab + track.lessons[0].url)
    for lesson in track.lessons[1:3]:
        page.locator(".pager a[rel=next]").click()
        page.wait_for_url(lab + lesson.url)
        assert page.locator("h1").inner_text() == lesson.title
    page.locator(".pager a[rel=prev]").click()
    page.wait_for_url(lab + track.lessons[1].url)


def test_the_sidebar_opens_at_the_current_lesson(page, lab):
    lesson = get_catalogue().lessons[-1]
    page.goto(lab + lesson.url)
    visible = page.evaluate(
        """() => {
            const nav = document.getElementById('course-nav').getBoundingClientRect();
            const link = document.querySelector('#course-nav [aria-current=page]').getBoundingClientRect();
            return link.top >= nav.top && link.bottom <= nav.bottom;
        }"""
    )
    assert visible, "the current lesson is scrolled out of the sidebar"


def test_the_table_of_contents_jumps_to_its_section_and_to_further_reading(page, lab):
    lesson = get_catalogue().lessons[0]
    page.goto(lab + lesson.url)
    page.locator(".toc a[href='#further-reading-title']").click()
    assert page.evaluate("location.hash") == "#further-reading-title"
    top = page.evaluate("document.getElementById('further-reading-title').getBoundingClientRect().top")
    assert 0 <= top < 900, "the Further reading heading is not on screen after following the TOC link"
    header = page.evaluate("document.querySelector('.site-header').getBoundingClientRect().bottom")
    assert top >= header, "the sticky header covers the heading the TOC jumped to"


def test_below_1200px_the_contents_fold_into_the_top_of_the_lesson(new_page, lab):
    from .conftest import axe_violations

    lesson = get_catalogue().lessons[0]
    page = new_page(viewport={"width": 768, "height": 1024})
    page.goto(lab + lesson.url)
    assert not page.locator(".toc").is_visible()
    inline = page.locator(".toc-inline")
    assert inline.is_visible()
    inline.locator("summary").click()
    inline.locator("a[href='#further-reading-title']").click()
    assert page.evaluate("location.hash") == "#further-reading-title"
    assert axe_violations(page) == ""
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.locator(".toc").is_visible() and not inline.is_visible()
    assert page.errors == []


def test_on_a_phone_without_javascript_the_lesson_comes_before_the_course_list(new_page, lab):
    page = new_page(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page.goto(lab + get_catalogue().lessons[0].url)
    main_top = page.evaluate("document.getElementById('main').getBoundingClientRect().top")
    nav_top = page.evaluate("document.getElementById('course-nav').getBoundingClientRect().top")
    assert main_top < nav_top
    assert page.locator("#course-nav").is_visible()  # still there, below the lesson
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


POKES_OUT = """() => [...document.querySelectorAll('main *')]
    .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > innerWidth - 8; })
    .filter(e => !e.closest('pre, table, [data-scroll-focus], .lab-table-wrap, .lab-plan, .lab-figure, .tabbed-labels'))
    .map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 60))"""


@pytest.mark.parametrize("key", ["middleware/onion", "middleware/ordering", "orm/f-and-q"])
def test_on_a_phone_long_identifiers_in_reports_wrap_instead_of_being_clipped(new_page, lab, key):
    lesson = get_catalogue().by_path(key)
    if lesson is None:
        pytest.skip(f"no lesson {key}")
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(lab + lesson.url)
    for slug in lesson.demos:
        page.locator(f"[data-demo='{slug}'] [data-action=run]").click()
        page.locator(f"[data-demo='{slug}'] [data-report-for='{slug}']").wait_for()
    assert page.evaluate(POKES_OUT) == []
    assert page.errors == []
