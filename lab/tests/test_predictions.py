"""Predict, then run (issue 13 item 8): the card asks, the run's own recorder grades."""

import pytest

from lab import registry
from lab.cards import render_card
from lab.htmlfind import select
from lab.registry import Prediction

HTMX = {"HTTP_HX_REQUEST": "true"}


def _results(html):
    return select(html, "data-predict-result")


def test_the_card_asks_each_prediction_before_run():
    demo = registry.get("orm.annotate-order")
    html = render_card(demo, "orm/aggregation")
    (form,) = select(html, "method", "post")
    (question,) = select(html, "data-predict")
    assert "how many books does publisher B count?" in question.text
    assert [(i["name"], i["value"]) for i in question.inputs] == [("predict-0", c) for c in ("1", "2", "4")]
    # Before Run, in the same form: the answer travels with the run.
    (run,) = select(html, "data-action", "run")
    assert form.line < question.line < run.line
    assert any(i.get("name") == "predict-0" for i in form.inputs)


def test_a_right_prediction_is_graded_right(client, seeded):
    response = client.post("/demos/orm.annotate-order/run/", {"distinct": "on", "predict-0": "1"}, **HTMX)
    (result,) = _results(response.content)
    assert result.attrs["data-predict-result"] == "right"
    assert "the run measured it" in result.text
    assert "Read the part" not in result.text


def test_a_wrong_prediction_gets_the_measured_answer_the_explanation_and_the_lesson_anchor(client, seeded):
    response = client.post("/demos/orm.annotate-order/run/", {"distinct": "on", "predict-0": "2"}, **HTMX)
    (result,) = _results(response.content)
    assert result.attrs["data-predict-result"] == "wrong"
    assert "the run measured 1" in result.text
    assert "only B's book rated above 3 is joined" in result.text
    assert result.links == ["#the-order-of-annotate-and-filter-matters"]


def test_no_prediction_means_no_grade(client, seeded):
    response = client.post("/demos/orm.annotate-order/run/", {"distinct": "on"}, **HTMX)
    assert response.status_code == 200
    assert _results(response.content) == []


@pytest.mark.parametrize("given", ["7", "x" * 1000, "<script>"])
def test_an_answer_that_is_not_a_choice_is_not_graded(client, seeded, given):
    response = client.post("/demos/orm.annotate-order/run/", {"distinct": "on", "predict-0": given}, **HTMX)
    assert response.status_code == 200
    assert _results(response.content) == []


def test_the_grade_comes_from_this_runs_inputs(client, seeded):
    """The same answer is right or wrong depending on what the run measured with the learner's inputs."""
    # orm.lazy: count() after list() reads the result cache (0 queries); after repr() it asks again (1).
    demo = registry.get("orm.lazy")
    grades = {}
    for trigger in ("list", "repr"):
        data = demo.post_data(trigger=trigger, **{"predict-0": "0"})
        grades[trigger] = _results(client.post("/demos/orm.lazy/run/", data, **HTMX).content)[0].attrs[
            "data-predict-result"
        ]
    assert grades == {"list": "right", "repr": "wrong"}


def test_without_javascript_the_graded_result_is_in_the_lesson_page(client, seeded):
    response = client.post(
        "/demos/orm.annotate-order/run/", {"distinct": "on", "predict-0": "4", "lesson": "orm/aggregation"}
    )
    assert response.status_code == 200
    assert select(response.content, "data-lesson", "orm/aggregation")
    assert _results(response.content)[0].attrs["data-predict-result"] == "wrong"


def test_a_number_prediction_compares_numbers():
    prediction = Prediction("How many?", (), answer=lambda lab: "6")
    assert prediction.grade(None, "6.0") == (True, "6")
    assert prediction.grade(None, " 6 ") == (True, "6")
    assert prediction.grade(None, "7") == (False, "6")
    assert prediction.grade(None, "six") == (False, "6")


def test_every_wrong_answer_links_to_a_section_that_exists_on_each_lesson_showing_the_demo(client, seeded, settings):
    from lessons.catalogue import get_catalogue

    settings.LAB_CONTENT_ROOT = None
    settings.LAB_CONTENT_DIRS = []
    missing = []
    for lesson in get_catalogue().lessons:
        ids = {el.attrs["id"] for el in select(client.get(lesson.url).content, "id")}
        for slug in lesson.demos:
            for prediction in registry.get(slug).predictions:
                if prediction.see and prediction.see.lstrip("#") not in ids:
                    missing.append(f"{lesson.key}: {slug} -> {prediction.see}")
    assert missing == []
