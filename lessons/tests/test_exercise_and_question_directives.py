"""The `exercise` and `question` directives: what they put on the page, and what the checks say about them."""

from lessons import directives, problems
from lessons.markdown import render


def test_an_exercise_directive_renders_its_card(db):
    html = render("/// exercise | orm.titles-and-publishers\n///\n").html
    assert 'data-exercise="orm.titles-and-publishers"' in html
    assert "Every book with its publisher, in one query" in html
    assert "select_related" not in html.split("exercise-card__hints")[0], "the solution is not on the page"


def test_an_unknown_exercise_gets_a_did_you_mean():
    assert (
        directives.check("exercise", "orm.titles-and-publisher")
        == "No exercise 'orm.titles-and-publisher' is registered."
    )
    assert directives.suggest("exercise", "orm.titles-and-publisher") == "Did you mean 'orm.titles-and-publishers'?"
    found = problems.directive_problems("text\n\n/// exercise | orm.nope\n///\n", 10)
    assert [(p.line, p.id) for p in found] == [(12, "lessons.E011")]


def test_a_question_keeps_its_model_answer_behind_a_reveal():
    html = render("/// question | Why is `count()` cheap here?\nBecause the result cache is **full**.\n///\n").html
    assert '<div class="question" data-question="">' in html
    assert '<p class="question__text">Why is <code>count()</code> cheap here?</p>' in html
    assert '<details class="question__answer">\n<summary>Show the model answer</summary>' in html
    assert "<strong>full</strong>" in html


def test_a_question_can_name_the_demo_that_grades_it():
    html = render("/// question | How many queries?\ndemo: orm.lazy\nTwo: one per evaluation.\n///\n").html
    assert 'data-question-demo="orm.lazy"' in html
    assert 'href="#demo-orm-lazy"' in html
    assert "demo:" not in html
    assert "Two: one per evaluation." in html
