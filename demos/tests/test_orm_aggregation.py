"""ORM lesson 3: aggregation and annotation, with the numbers CURRICULUM.md §5 asserts."""

from decimal import Decimal

import django


def test_annotate_then_filter_counts_every_book_and_filter_first_counts_only_matches(run_demo):
    lab = run_demo("orm.annotate-order", distinct=True)
    assert lab.get("annotate_then_filter").facts["num_books"] == {"A": 2, "B": 2}
    assert lab.get("filter_then_annotate").facts["num_books"] == {"A": 2, "B": 1}


def test_annotate_then_filter_without_distinct_counts_through_the_second_join(run_demo):
    lab = run_demo("orm.annotate-order", distinct=False)
    assert lab.get("annotate_then_filter").facts["num_books"] == {"A": 4, "B": 2}
    # The second join to the book table is what multiplies the rows.
    assert lab.get("annotate_then_filter").queries[0].sql.count("JOIN") == 2
    assert lab.get("filter_then_annotate").queries[0].sql.count("JOIN") == 1


def test_two_counts_inflate_and_distinct_fixes_them(run_demo):
    lab = run_demo("orm.join-inflation")
    assert lab.get("authors_and_stores").facts["a1"] == {"na": 6, "ns": 6}
    assert lab.get("authors_and_stores_distinct").facts["a1"] == {"na": 2, "ns": 3}


def test_a_sum_over_the_join_is_inflated_and_a_subquery_fixes_it(run_demo):
    lab = run_demo("orm.join-inflation")
    assert lab.get("stars_and_stores_inflated").facts["a1"] == {"stars": 24, "ns": 6}
    assert lab.get("stars_and_stores").facts["a1"] == {"stars": 8, "ns": 3}


def test_aggregates_over_an_empty_set(run_demo):
    facts = run_demo("orm.empty-aggregates").get("aggregate_nothing").facts
    assert facts["total"] is None
    assert facts["average"] is None
    assert facts["n"] == 0
    assert facts["total_or_zero"] == Decimal("0")
    assert facts["coalesce"] is True


def test_conditional_aggregation_counts_high_and_low_in_one_query(run_demo):
    lab = run_demo("orm.conditional-aggregation", threshold=4)
    step = lab.get("count_high_and_low")
    assert step.facts["result"] == {"high": 3, "low": 2}
    assert len(step.queries) == 1
    assert step.facts["filter_where"] is True  # SQLite ≥ 3.30 and PostgreSQL both have FILTER


def test_values_before_annotate_groups_and_after_only_picks_columns(run_demo):
    lab = run_demo("orm.group-by", ordering="publisher__name")
    assert lab.get("books_per_publisher").tables[0].rows == [["A", 2], ["B", 2], ["C", 1]]
    assert len(lab.get("book_counts_then_values").tables[0].rows) == 5
    assert len(lab.get("your_ordering").tables[0].rows) == 3


def test_an_order_by_field_joins_the_group_by(run_demo):
    lab = run_demo("orm.group-by", ordering="title")
    step = lab.get("your_ordering")
    assert len(step.tables[0].rows) == 5  # one group per title now
    assert "title" in step.queries[0].sql.split("GROUP BY", 1)[1]


def test_meta_ordering_is_not_applied_to_group_by_queries(run_demo):
    lab = run_demo("orm.group-by", ordering="none")
    assert lab.get("books_per_author_age").facts["name_in_group_by"] is False


def test_concept_page_examples_run_corrected(run_demo):
    lab = run_demo("orm.concept-orders", min_items=10)
    assert lab.get("orders_with_many_items").facts["rows"] == 0
    assert "HAVING" in lab.get("orders_with_many_items").queries[0].sql
    lab = run_demo("orm.concept-orders", min_items=2)
    assert [r[0] for r in lab.get("orders_with_many_items").tables[0].rows] == [3]
    assert [r[0] for r in lab.get("discounted_orders").tables[0].rows] == [1, 3]


def test_averaging_a_datetime_fails_on_both_databases_but_at_different_places(run_demo):
    from django.db import connection

    lab = run_demo("orm.empty-aggregates")
    step = lab.get("average_review_date")
    if connection.vendor == "sqlite":  # Django refuses before any SQL is sent
        assert step.error_type == "NotSupportedError"
        # Django's own message: 5.2 "... on date/time fields in sqlite3 ...", 6.1 "... date or time fields ..."
        assert (
            "on date/time fields in sqlite3" if django.VERSION < (6, 1) else "Avg on date or time fields"
        ) in step.error
        assert step.facts["sql_sent"] == 0
    else:  # PostgreSQL receives the SQL and has no avg(timestamp with time zone)
        assert step.error_type == "ProgrammingError"
        assert "function avg(timestamp with time zone) does not exist" in step.error
        assert step.facts["sql_sent"] == 1
    assert lab.get("latest_review_date").facts["result"]["latest"] is not None


def test_the_concept_page_s_curly_quotes_are_not_python():
    import pytest

    with pytest.raises(SyntaxError):
        compile("Order.objects.annotate(totalitems=Count(‘items’))", "concept-page", "eval")


def test_count_refuses_a_default(run_demo):
    step = run_demo("orm.empty-aggregates").get("count_with_a_default")
    assert step.error_type == "TypeError"
    assert step.error == "Count does not allow default."


def test_alias_filters_by_the_count_without_selecting_it(run_demo):
    lab = run_demo("orm.concept-orders", min_items=2)
    annotated, aliased = lab.get("orders_with_many_items"), lab.get("order_ids_with_many_items")
    assert [r[0] for r in aliased.tables[0].rows] == [r[0] for r in annotated.tables[0].rows] == [3]
    assert annotated.facts["in_select"] is True and annotated.facts["having"] is True
    assert aliased.facts["in_select"] is False and aliased.facts["having"] is True


def test_the_comparison_marks_the_second_join_of_annotate_first(run_demo):
    step = run_demo("orm.annotate-order", distinct=False).get("diff")
    removed = [chunk.split("</del>", 1)[0] for chunk in step.figures[0].html.split("<del")[1:]]
    assert any("JOIN" in line and "T3" in line for line in removed)  # only annotate → filter joins book twice
    assert any("T3" in line and "rating" in line for line in removed)  # and filters on the second join


def _grade(lab, slug, given):
    from lab import registry

    (prediction,) = registry.get(slug).predictions
    return prediction.grade(lab, given)


def test_each_aggregation_headline_is_the_measured_point(run_demo):
    lab = run_demo("orm.annotate-order", distinct=True)
    assert lab.headline_text == "annotate → filter gives A=2, B=2; filter → annotate gives A=2, B=1"
    assert _grade(lab, "orm.annotate-order", "1") == (True, "1")
    lab = run_demo("orm.join-inflation")
    assert lab.headline_text == (
        "A1: two Counts give 6 and 6, distinct gives 2 and 3; a Sum over the join gives 24 stars, the Subquery 8"
    )
    assert _grade(lab, "orm.join-inflation", "6") == (True, "6")
    lab = run_demo("orm.empty-aggregates")
    assert lab.headline_text == "Over no rows: Sum gives None, Avg None, Count 0, Sum(default=0) Decimal('0')"
    assert _grade(lab, "orm.empty-aggregates", "None") == (True, "None")


def test_grouping_and_alias_predictions_are_measured(run_demo):
    assert _grade(run_demo("orm.group-by", ordering="title"), "orm.group-by", "5") == (True, "5")
    assert _grade(run_demo("orm.group-by", ordering="none"), "orm.group-by", "3") == (True, "3")
    assert _grade(run_demo("orm.concept-orders", min_items=2), "orm.concept-orders", "no") == (True, "no")
    lab = run_demo("orm.conditional-aggregation", threshold=4)
    assert lab.headline_text == "high=3, low=2 from 1 query"
    assert _grade(lab, "orm.conditional-aggregation", "1") == (True, "1")


def test_steps_show_the_named_querysets_they_called(run_demo):
    lab = run_demo("orm.annotate-order", distinct=False)
    assert lab.get("annotate_then_filter").call == "annotate_then_filter(False)"
    assert "def annotate_then_filter(distinct: bool = True) -> QuerySet:" in lab.get("annotate_then_filter").code
    step = run_demo("orm.group-by", ordering="title").get("your_ordering")
    assert step.call == "books_per_publisher(('title',))"
    assert step.code.startswith("def books_per_publisher(")
