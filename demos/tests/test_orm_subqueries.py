"""ORM lesson 4: Subquery, OuterRef, Exists, FilteredRelation, and the wrong shapes, per database."""

from django.db import connection


def test_latest_review_per_book(run_demo):
    lab = run_demo("orm.latest-review", mistake="none")
    assert dict(lab.get("latest").tables[0].rows) == {
        "A1": 3,
        "A2": None,
        "B1": 2,
        "B2": None,
        "C1": None,
    }


def test_a_subquery_without_the_slice_depends_on_the_database(run_demo):
    step = run_demo("orm.latest-review", mistake="no-slice").get("forgot_slice")
    if connection.vendor == "sqlite":
        # SQLite silently uses the first row: A1 gets its latest review's stars anyway.
        assert step.facts["raised"] is False
        assert dict(step.tables[0].rows)["A1"] == 3
    else:
        assert step.facts["raised"] is True
        assert "more than one row returned by a subquery used as an expression" in step.error


def test_a_two_column_subquery_cannot_resolve_its_type(run_demo):
    step = run_demo("orm.latest-review", mistake="two-columns").get("two_columns")
    assert step.error_type == "OutputFieldIsNoneError"
    assert step.error == "Cannot resolve expression type, unknown output_field"


def test_an_outerref_queryset_cannot_be_evaluated(run_demo):
    step = run_demo("orm.latest-review", mistake="evaluate").get("evaluate")
    assert step.error_type == "ValueError"
    assert step.error == ("This queryset contains a reference to an outer query and may only be used in a subquery.")


def test_not_exists_finds_the_books_without_reviews(run_demo):
    step = run_demo("orm.exists", negate=True).get("books_without_reviews")
    assert step.facts["titles"] == ["A2", "B2", "C1"]
    assert step.facts["exists_in_where"] is True
    assert step.facts["inner_selects_constant"] is True
    assert run_demo("orm.exists", negate=False).get("books_with_reviews").facts["titles"] == ["A1", "B1"]


def test_filtered_relation_keeps_publishers_without_cheap_books(run_demo):
    lab = run_demo("orm.filtered-relation", under="10")
    assert lab.get("publishers_by_cheap_books").facts["cheap_books"] == {"A": 0, "B": 2, "C": 0}
    assert lab.get("publishers_by_cheap_books").facts["condition_in_join"] is True
    assert lab.get("publishers_with_cheap_books").facts["cheap_books"] == {"B": 2}
    assert lab.get("publishers_with_cheap_books").facts["condition_in_join"] is False


def test_the_wrong_shapes_that_django_catches_send_no_sql(run_demo):
    # Django detects both while compiling, before anything reaches the database.
    assert run_demo("orm.latest-review", mistake="two-columns").get("two_columns").queries == []
    assert run_demo("orm.latest-review", mistake="evaluate").get("evaluate").queries == []


def _grade(lab, slug, given):
    from lab import registry

    (prediction,) = registry.get(slug).predictions
    return prediction.grade(lab, given)


def test_the_missing_slice_prediction_reads_what_this_database_did(run_demo):
    lab = run_demo("orm.latest-review", mistake="no-slice")
    raised = "yes" if connection.vendor == "postgresql" else "no"
    assert _grade(lab, "orm.latest-review", raised) == (True, raised)
    assert lab.focus_key == "forgot_slice"
    assert lab.headline_text.startswith(f"Forgot [:1]: {connection.vendor} ")
    # Without that step in the run there is nothing to grade against, and the answer says so.
    assert _grade(run_demo("orm.latest-review", mistake="none"), "orm.latest-review", "no")[0] is False


def test_the_mistakes_headlines_say_no_sql_was_sent(run_demo):
    lab = run_demo("orm.latest-review", mistake="two-columns")
    assert lab.headline_text == "Two columns: OutputFieldIsNoneError before any SQL was sent"
    lab = run_demo("orm.latest-review", mistake="evaluate")
    assert lab.headline_text == "Run the inner queryset on its own: ValueError before any SQL was sent"
    assert "def latest_review" in run_demo("orm.latest-review", mistake="none").get("latest").code


def test_exists_and_filtered_relation_predictions_are_measured(run_demo):
    lab = run_demo("orm.exists", negate=True)
    assert _grade(lab, "orm.exists", "no") == (True, "no")
    assert lab.headline_text == "~Exists: ['A2', 'B2', 'C1'], with no extra column in the SELECT"
    lab = run_demo("orm.filtered-relation", under="10")
    assert _grade(lab, "orm.filtered-relation", "1") == (True, "1")
    assert lab.headline_text == "FilteredRelation keeps 3 publishers (A 0, B 2, C 0); filter() keeps 1"
