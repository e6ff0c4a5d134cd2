"""Predict, then run (issue 13 item 8), in a real browser: with htmx and without JavaScript."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]

CARD = "[data-demo='orm.annotate-order']"


def predict_and_run(page, choice):
    card = page.locator(CARD)
    card.locator("[data-predict='0']").get_by_label(choice, exact=True).check()
    card.locator("[data-action='run']").click()
    return card.locator("[data-predict-result]")


def test_a_wrong_prediction_shows_the_measured_answer_and_the_way_back_to_the_lesson(page, lab):
    page.goto(lab + "/orm/aggregation/")
    result = predict_and_run(page, "4")
    result.wait_for()
    assert result.get_attribute("data-predict-result") == "wrong"
    text = result.inner_text()
    assert "the run measured 1" in text
    assert "only B's book rated above 3" in text
    result.get_by_role("link").click()
    assert page.evaluate("location.hash") == "#the-order-of-annotate-and-filter-matters"


def test_a_right_prediction_is_graded_right(page, lab):
    page.goto(lab + "/orm/aggregation/")
    result = predict_and_run(page, "1")
    result.wait_for()
    assert result.get_attribute("data-predict-result") == "right"
    assert page.locator(f"{CARD} [data-headline]").is_visible()


def test_predictions_work_without_javascript(new_page, lab):
    page = new_page(java_script_enabled=False)
    page.goto(lab + "/orm/aggregation/")
    result = predict_and_run(page, "2")
    assert result.get_attribute("data-predict-result") == "wrong"
    # The lesson page again (posted to the run URL), with the graded report in the card.
    assert page.locator("article[data-lesson='orm/aggregation']").count() == 1
    assert "only B's book rated above 3" in result.inner_text()
