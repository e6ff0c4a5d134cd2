"""The middleware lessons at phone width: after every Run, nothing scrolls sideways."""

from __future__ import annotations

import pytest

from lessons.catalogue import get_catalogue

from .conftest import axe_violations
from .pagechecks import run_every_demo

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]

LESSONS = [lesson for lesson in get_catalogue().lessons if lesson.key.startswith("middleware/")]


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.key for lesson in LESSONS])
def test_at_phone_width_a_middleware_lesson_and_its_reports_fit(new_page, lab, lesson):
    # Identifiers such as process_template_response in titles and long <select> options used to widen the page.
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(lab + lesson.url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    run_every_demo(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.errors == []


def compose_card(page, lab):
    page.goto(lab + get_catalogue().by_path("middleware/ordering").url)
    return page.locator("[data-demo='middleware.compose']")


def stack(card) -> str:
    return card.locator("input[name=order]").input_value()


def test_the_stack_editor_reorders_removes_and_adds_from_the_keyboard_alone(page, lab):
    card = compose_card(page, lab)
    assert card.locator("input[name=order]").is_hidden()  # the list edits it now
    assert stack(card) == "Security,Session,Common,Csrf,Auth,Messages,XFrame"
    names = card.locator(".stack-editor__name")
    assert names.all_inner_texts() == ["Security", "Session", "Common", "Csrf", "Auth", "Messages", "XFrame"]

    # Move Auth above Session with Enter on its "up" button, twice; focus stays on the moved layer's button.
    card.get_by_role("button", name="Move Auth up (outwards)").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert stack(card) == "Security,Session,Auth,Common,Csrf,Messages,XFrame"
    page.keyboard.press("Enter")
    assert stack(card) == "Security,Auth,Session,Common,Csrf,Messages,XFrame"
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Move Auth up (outwards)"

    # Remove Security with Space; focus moves to the next layer's remove button.
    card.get_by_role("button", name="Remove Security").focus()
    page.keyboard.press(" ")
    assert stack(card) == "Auth,Session,Common,Csrf,Messages,XFrame"
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Remove Auth"
    assert card.get_by_role("button", name="Move Auth up (outwards)").is_disabled()  # already outermost

    # Add WhoAmI as the innermost layer: Tab to the picker, choose, Tab to the button, Enter.
    picker = card.get_by_label("Add a layer")
    picker.focus()
    picker.select_option("WhoAmI")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert stack(card) == "Auth,Session,Common,Csrf,Messages,XFrame,WhoAmI"
    assert "Added WhoAmI" in card.locator("[aria-live=polite]").first.inner_text()

    # The run uses the edited stack: Auth above Session is Django's ImproperlyConfigured.
    card.locator("[data-action=run]").click()
    card.locator("[data-report-for='middleware.compose']").wait_for()
    assert (
        card.locator("[data-headline]").inner_text()
        == "500 Internal Server Error through 7 layers: ImproperlyConfigured"
    )
    assert axe_violations(page) == ""


def test_a_bad_stack_gets_its_message_next_to_the_field_and_a_good_run_clears_it(page, lab):
    card = compose_card(page, lab)
    while card.locator("[data-action=stack-remove]").count():
        card.locator("[data-action=stack-remove]").first.click()
    assert stack(card) == ""
    card.locator("[data-action=run]").click()
    message = card.locator("#demo-middleware-compose-order-error")
    message.wait_for()
    assert message.inner_text() == "MIDDLEWARE, outermost first: List at least one middleware."
    assert message.get_attribute("role") == "alert"
    # Chromium logs every 4xx answer to a fetch as a console error; this one is the demo's own "fix your input".
    page.errors[:] = [e for e in page.errors if "status of 400" not in e]
    assert message.locator("xpath=ancestor::div[contains(@class, 'demo-field')]").count() == 1  # beside its input
    card.get_by_label("Add a layer").select_option("CustomHeader")
    card.get_by_role("button", name="Add innermost").click()
    card.locator("[data-action=run]").click()
    card.locator("[data-headline]").wait_for()
    assert card.locator("#demo-middleware-compose-order-error").inner_text().strip() == ""


def test_without_javascript_the_stack_is_a_text_field_and_errors_come_back_labelled(new_page, lab):
    page = new_page(java_script_enabled=False)
    card = compose_card(page, lab)
    field = card.locator("input[name=order]")
    assert field.is_visible()
    assert card.locator(".stack-editor__list").count() == 0
    field.fill("Session,NoSuchLayer")
    card.locator("[data-action=run]").click()
    page.wait_for_load_state()
    card = page.locator("[data-demo='middleware.compose']")
    assert "MIDDLEWARE, outermost first: Unknown middleware: NoSuchLayer." in card.locator(".lab-errors").inner_text()
