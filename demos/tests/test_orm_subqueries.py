"""ORM lesson 4: Subquery, OuterRef, Exists, FilteredRelation, and the wrong shapes, per database."""

from django.db import connection


def test_latest_review_per_book(run_demo):
    lab = run_demo("orm.latest-review", mistake="none")
    assert dict(lab.get("One column, one row").tables[0].rows) == {
        "A1": 3,
        "A2": None,
        "B1": 2,
        "B2": None,
        "C1": None,
    }


def test_a_subquery_without_the_slice_depends_on_the_database(run_demo):
    step = run_demo("orm.latest-review", mistake="no-slice").get("Forgot [:1]")
    if connection.vendor == "sqlite":
        # SQLite silently uses the first row: A1 gets its latest review's stars anyway.
        assert step.facts["raised"] is False
        assert dict(step.tables[0].rows)["A1"] == 3
    else:
        assert step.facts["raised"] is True
        assert "more than one row returned by a subquery used as an expression" in step.error


def test_a_two_column_subquery_cannot_resolve_its_type(run_demo):
    step = run_demo("orm.latest-review", mistake="two-columns").get("Two columns")
    assert step.error_type == "OutputFieldIsNoneError"
    assert step.error == "Cannot resolve expression type, unknown output_field"


def test_an_outerref_queryset_cannot_be_evaluated(run_demo):
    step = run_demo("orm.latest-review", mistake="evaluate").get("Evaluate an OuterRef queryset")
    assert step.error_type == "ValueError"
    assert step.error == ("This queryset contains a reference to an outer query and may only be used in a subquery.")


def test_not_exists_finds_the_books_without_reviews(run_demo):
    step = run_demo("orm.exists", negate=True).get("~Exists")
    assert step.facts["titles"] == ["A2", "B2", "C1"]
    assert step.facts["EXISTS inside WHERE"] is True
    assert step.facts["inner query selects a constant"] is True
    assert run_demo("orm.exists", negate=False).get("Exists").facts["titles"] == ["A1", "B1"]


def test_filtered_relation_keeps_publishers_without_cheap_books(run_demo):
    lab = run_demo("orm.filtered-relation", under="10")
    assert lab.get("FilteredRelation").facts["cheap_books"] == {"A": 0, "B": 2, "C": 0}
    assert lab.get("FilteredRelation").facts["price condition inside the JOIN ... ON"] is True
    assert lab.get("filter() then Count").facts["cheap_books"] == {"B": 2}
    assert lab.get("filter() then Count").facts["price condition inside the JOIN ... ON"] is False


def test_the_wrong_shapes_that_django_catches_send_no_sql(run_demo):
    # Django detects both while compiling, before anything reaches the database.
    assert run_demo("orm.latest-review", mistake="two-columns").get("Two columns").queries == []
    assert run_demo("orm.latest-review", mistake="evaluate").get("Evaluate an OuterRef queryset").queries == []
