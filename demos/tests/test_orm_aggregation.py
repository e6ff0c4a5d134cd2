"""ORM lesson 3: aggregation and annotation, with the numbers CURRICULUM.md §5 asserts."""

from decimal import Decimal


def test_annotate_then_filter_counts_every_book_and_filter_first_counts_only_matches(run_demo):
    lab = run_demo("orm.annotate-order", distinct=True)
    assert lab.get("annotate → filter").facts["num_books"] == {"A": 2, "B": 2}
    assert lab.get("filter → annotate").facts["num_books"] == {"A": 2, "B": 1}


def test_annotate_then_filter_without_distinct_counts_through_the_second_join(run_demo):
    lab = run_demo("orm.annotate-order", distinct=False)
    assert lab.get("annotate → filter").facts["num_books"] == {"A": 4, "B": 2}
    # The second join to the book table is what multiplies the rows.
    assert lab.get("annotate → filter").queries[0].sql.count("JOIN") == 2
    assert lab.get("filter → annotate").queries[0].sql.count("JOIN") == 1


def test_two_counts_inflate_and_distinct_fixes_them(run_demo):
    lab = run_demo("orm.join-inflation")
    assert lab.get("two Counts").facts["A1"] == {"na": 6, "ns": 6}
    assert lab.get("Count(distinct=True)").facts["A1"] == {"na": 2, "ns": 3}


def test_a_sum_over_the_join_is_inflated_and_a_subquery_fixes_it(run_demo):
    lab = run_demo("orm.join-inflation")
    assert lab.get("Sum over the join").facts["A1"] == {"stars": 24, "ns": 6}
    assert lab.get("Sum in a Subquery").facts["A1"] == {"stars": 8, "ns": 3}


def test_aggregates_over_an_empty_set(run_demo):
    facts = run_demo("orm.empty-aggregates").get("aggregate() over an empty queryset").facts
    assert facts["total"] is None
    assert facts["average"] is None
    assert facts["n"] == 0
    assert facts["total_or_zero"] == Decimal("0")
    assert facts["SQL uses COALESCE for default="] is True


def test_conditional_aggregation_counts_high_and_low_in_one_query(run_demo):
    lab = run_demo("orm.conditional-aggregation", threshold=4)
    step = lab.get("Count(filter=...)")
    assert step.facts["result"] == {"high": 3, "low": 2}
    assert len(step.queries) == 1
    assert step.facts["SQL uses FILTER (WHERE ...)"] is True  # SQLite ≥ 3.30 and PostgreSQL both have FILTER


def test_values_before_annotate_groups_and_after_only_picks_columns(run_demo):
    lab = run_demo("orm.group-by", ordering="publisher__name")
    assert lab.get("values() → annotate()").tables[0].rows == [["A", 2], ["B", 2], ["C", 1]]
    assert len(lab.get("annotate() → values()").tables[0].rows) == 5
    assert len(lab.get("values() → annotate() with your ordering").tables[0].rows) == 3


def test_an_order_by_field_joins_the_group_by(run_demo):
    lab = run_demo("orm.group-by", ordering="title")
    step = lab.get("values() → annotate() with your ordering")
    assert len(step.tables[0].rows) == 5  # one group per title now
    assert "title" in step.queries[0].sql.split("GROUP BY", 1)[1]


def test_meta_ordering_is_not_applied_to_group_by_queries(run_demo):
    lab = run_demo("orm.group-by", ordering="none")
    assert lab.get("Author's Meta.ordering and GROUP BY").facts["name in GROUP BY"] is False


def test_concept_page_examples_run_corrected(run_demo):
    lab = run_demo("orm.concept-orders", min_items=10)
    assert lab.get("Orders with more than 10 items").facts["rows"] == 0
    assert "HAVING" in lab.get("Orders with more than 10 items").queries[0].sql
    lab = run_demo("orm.concept-orders", min_items=2)
    assert [r[0] for r in lab.get("Orders with more than 2 items").tables[0].rows] == [3]
    assert [r[0] for r in lab.get("Orders that got a discount").tables[0].rows] == [1, 3]


def test_averaging_a_datetime_fails_on_both_databases_but_at_different_places(run_demo):
    from django.db import connection

    lab = run_demo("orm.empty-aggregates")
    step = lab.get("Avg of a datetime field")
    if connection.vendor == "sqlite":  # Django refuses before any SQL is sent
        assert step.error_type == "NotSupportedError"
        assert "on date/time fields in sqlite3" in step.error
        assert step.facts["SQL sent"] == 0
    else:  # PostgreSQL receives the SQL and has no avg(timestamp with time zone)
        assert step.error_type == "ProgrammingError"
        assert "function avg(timestamp with time zone) does not exist" in step.error
        assert step.facts["SQL sent"] == 1
    assert lab.get("Max of a datetime field").facts["result"]["latest"] is not None


def test_the_concept_page_s_curly_quotes_are_not_python():
    import pytest

    with pytest.raises(SyntaxError):
        compile("Order.objects.annotate(totalitems=Count(‘items’))", "concept-page", "eval")


def test_count_refuses_a_default(run_demo):
    step = run_demo("orm.empty-aggregates").get("Count has no default=")
    assert step.error_type == "TypeError"
    assert step.error == "Count does not allow default."


def test_alias_filters_by_the_count_without_selecting_it(run_demo):
    lab = run_demo("orm.concept-orders", min_items=2)
    annotated, aliased = lab.get("Orders with more than 2 items"), lab.get("alias() instead of annotate()")
    assert [r[0] for r in aliased.tables[0].rows] == [r[0] for r in annotated.tables[0].rows] == [3]
    assert annotated.facts["total_items in SELECT"] is True and annotated.facts["HAVING"] is True
    assert aliased.facts["total_items in SELECT"] is False and aliased.facts["HAVING"] is True


def test_the_comparison_marks_the_second_join_of_annotate_first(run_demo):
    step = run_demo("orm.annotate-order", distinct=False).get("annotate → filter vs filter → annotate")
    removed = [chunk.split("</del>", 1)[0] for chunk in step.figures[0].html.split("<del")[1:]]
    assert any("JOIN" in line and "T3" in line for line in removed)  # only annotate → filter joins book twice
    assert any("T3" in line and "rating" in line for line in removed)  # and filters on the second join
