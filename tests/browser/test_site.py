"""What only a browser shows: keyboard use, the theme toggle, phone width, JavaScript off, htmx reset."""

from __future__ import annotations

import pytest

from lessons.catalogue import get_catalogue

# See test_lessons.py: a harmless live-server thread warning with in-memory SQLite.
pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]


def first_lesson_with_a_demo():
    lesson = next((lesson for lesson in get_catalogue().lessons if lesson.demos), None)
    if lesson is None:
        pytest.skip("no lesson with a demo yet")
    return lesson


def test_a_demo_can_be_run_with_the_keyboard_only(page, lab):
    lesson = first_lesson_with_a_demo()
    slug = lesson.demos[0]
    page.goto(lab + lesson.url)
    for _ in range(400):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const el = document.activeElement;"
            " return el && el.matches('[data-action=run]') ? el.closest('[data-demo]').dataset.demo : null; }"
        )
        if focused == slug:
            break
    else:
        pytest.fail(f"Tab never reached the Run button of {slug}")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused Run button has no visible focus ring"
    page.keyboard.press("Enter")
    page.locator(f"[data-demo='{slug}'] [data-report-for='{slug}']").wait_for()


def test_the_skip_link_is_the_first_tab_stop_and_moves_to_the_content(page, lab):
    page.goto(lab + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_the_theme_toggle_switches_and_remembers(page, lab):
    page.goto(lab + "/")
    page.evaluate("localStorage.removeItem('lab-theme')")
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    toggle = page.locator("[data-theme-toggle]")
    toggle.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert toggle.get_attribute("aria-pressed") == "true"
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.locator("[data-theme-toggle]").click()
    assert page.evaluate("localStorage.getItem('lab-theme')") == "light"


def test_the_system_dark_preference_is_followed_without_a_saved_choice(new_page, lab):
    page = new_page(color_scheme="dark")
    page.goto(lab + "/")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.errors == []


def test_at_phone_width_nothing_scrolls_sideways_and_the_menu_opens(new_page, lab):
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    lesson = first_lesson_with_a_demo()
    for url in ("/", get_catalogue().tracks[0].url, lesson.url):
        page.goto(lab + url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
    nav = page.locator("#course-nav")
    assert not nav.is_visible()
    menu = page.locator("[data-menu-toggle]")
    menu.click()
    assert nav.is_visible()
    assert menu.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")
    assert not nav.is_visible()
    card = page.locator(f"[data-demo='{lesson.demos[0]}']")
    card.locator("[data-action=run]").click()
    card.locator("[data-report-for]").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.errors == []


def test_with_javascript_off_a_run_posts_the_form_and_shows_the_report_in_the_lesson(new_page, lab):
    lesson = first_lesson_with_a_demo()
    slug = lesson.demos[0]
    page = new_page(java_script_enabled=False)
    page.goto(lab + lesson.url)
    page.locator(f"[data-demo='{slug}'] [data-action=run]").click()
    page.wait_for_load_state()
    assert f"/demos/{slug}/run/" in page.url
    assert page.locator("h1").inner_text() == lesson.title
    page.locator(f"[data-demo='{slug}'] [data-report-for='{slug}']").wait_for()


def test_reset_my_sandbox_works_with_htmx(page, lab):
    page.goto(lab + "/")
    page.get_by_role("button", name="Reset my sandbox").click()
    page.get_by_role("button", name="Yes, reset it").click()  # it asks first
    page.locator("#reset-status .reset-done").wait_for()


def test_bad_input_shows_the_400_report_in_the_card_without_htmx_errors(page, lab):
    for lesson in get_catalogue().lessons:
        page.goto(lab + lesson.url)
        field = page.locator("[data-demo] input[type=number][max], [data-demo] input[type=number][min]").first
        if field.count():
            break
    else:
        pytest.skip("no demo with a bounded number input yet")
    slug = field.evaluate("el => el.closest('[data-demo]').dataset.demo")
    card = page.locator(f"[data-demo='{slug}']")
    field.evaluate(
        "el => { const v = el.max ? Number(el.max) + 1 : Number(el.min) - 1;"
        " el.removeAttribute('max'); el.removeAttribute('min'); el.value = v; }"
    )
    card.locator("[data-action=run]").click()
    report = card.locator(f"[data-report-for='{slug}'][data-status='400']")
    report.wait_for()
    assert report.locator(".lab-errors li").count() >= 1
    # Chromium itself logs every 4xx fetch ("Failed to load resource"); htmx must add nothing.
    page.errors[:] = [e for e in page.errors if "Failed to load resource" not in e]
