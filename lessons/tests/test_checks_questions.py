"""Check-yourself questions (issue 13 item 9): the checks refuse a question nobody can answer."""

from lessons import problems, scan

BODY = """Intro.

/// demo | orm.annotate-order
///

## Check yourself

/// question | With distinct off, what is A's count?
demo: orm.annotate-order
Four: the second join doubles A's rows.
///

/// question | Why?
///

/// question | And here?
demo: orm.lazy
///

/// question | Graded by a demo that asks nothing?
demo: orm.concept-total-items-missing
///
"""


def test_questions_are_read_with_their_demo_answer_and_line():
    found = scan.questions(BODY, 10)
    assert [(q.text, q.demo, q.line) for q in found][:2] == [
        ("With distinct off, what is A's count?", "orm.annotate-order", 17),
        ("Why?", "", 22),
    ]
    assert found[0].answer == "Four: the second join doubles A's rows."


def test_a_question_without_answer_or_demo_and_a_demo_not_on_the_page_are_errors():
    found = problems.question_problems(BODY, 10)
    assert [(p.line, p.id) for p in found] == [(22, "lessons.E012"), (25, "lessons.E013"), (29, "lessons.E013")]
    assert "not on this lesson's page" in found[1].message
    assert "orm.annotate-order" in found[1].hint


def test_a_question_in_a_code_fence_is_an_example_not_a_question():
    assert scan.questions("```\n/// question | Shown, not asked\n///\n```\n") == []


def test_a_demo_without_predictions_cannot_grade_a_question(db):
    from lab.registry import all_demos

    quiet = next(d for d in all_demos() if not d.predictions)
    body = f"/// demo | {quiet.slug}\n///\n\n/// question | Q?\ndemo: {quiet.slug}\n///\n"
    (problem,) = problems.question_problems(body, 1)
    assert problem.id == "lessons.E013" and "asks no prediction" in problem.message
