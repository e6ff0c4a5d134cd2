"""ORM lesson 2: F(), Q(), Case/When, mixed types, multi-valued filters."""

import django
from django.db import connection


def test_read_modify_save_loses_updates_and_f_does_not(run_demo):
    lab = run_demo("orm.lost-update", tabs=2)
    naive = lab.get("read_modify_save").facts
    assert (naive["stock_before"], naive["stock_after"], naive["lost"]) == (10, 11, 1)
    with_f = lab.get("f_update").facts
    assert (with_f["stock_after"], with_f["lost"]) == (12, 0)
    assert with_f["matched"] == [1, 1]


def test_update_returns_the_number_of_matched_rows(run_demo):
    lab = run_demo("orm.lost-update", tabs=2)
    assert lab.get("restock_publisher").facts["returned"] == 2
    assert lab.get("rewrite_publisher_stock").facts["returned"] == 2  # matched, not changed


def test_f_on_an_instance_is_applied_again_by_a_second_save_before_django_6(run_demo):
    lab = run_demo("orm.lost-update", tabs=2)
    saved, again = lab.get("add_stock_with_f").facts, lab.get("save_again").facts
    if django.VERSION < (6, 0):
        assert saved["type_after_save"] == "CombinedExpression"
        assert again["stock_in_db"] == 10
    else:  # 6.0 refreshes the field after save() (RETURNING), so the second save writes 5 again
        assert saved["type_after_save"] == "int"
        assert again["stock_in_db"] == 5


def test_lost_update_demo_leaves_the_canonical_stock_alone(run_demo):
    from sandbox.models import Book

    run_demo("orm.lost-update", tabs=3)
    assert Book.objects.get(pk=1).stock == 10


def test_case_when_bands_and_conditional_update(run_demo):
    lab = run_demo("orm.case-when", premium_from="15")
    bands = {row[0]: row[2] for row in lab.get("bands").tables[0].rows}
    assert bands == {"B1": "budget", "B2": "budget", "A1": "standard", "A2": "premium", "C1": "premium"}


def test_dynamic_q_or_and_negation(run_demo):
    lab = run_demo("orm.dynamic-q", well_rated=True, cheap=True, connector="or")
    assert [r[0] for r in lab.get("filter").tables[0].rows] == ["A1", "A2", "B1", "B2"]
    lab = run_demo("orm.dynamic-q", well_rated=True, cheap=True, connector="or", negate=True)
    assert [r[0] for r in lab.get("filter").tables[0].rows] == ["C1"]
    lab = run_demo("orm.dynamic-q", well_rated=True, cheap=True, connector="and")
    assert [r[0] for r in lab.get("filter").tables[0].rows] == ["B2"]


def test_decimal_times_float_needs_an_output_field(run_demo):
    lab = run_demo("orm.mixed-types")
    step = lab.get("scores_without_output_field")
    assert step.error_type == "FieldError"
    assert step.error == (
        "Cannot infer type of '*' expression involving these types: DecimalField, FloatField. "
        "You must set output_field."
    )
    scores = dict(lab.get("scores_with_expression_wrapper").tables[0].rows)
    assert scores["A1"] == 50.0
    cast_sql = lab.get("scores_with_cast").queries[0].sql
    if connection.vendor == "postgresql":
        assert '"price")::double precision' in cast_sql
    else:
        assert 'CAST("sandbox_book"."price" AS real)' in cast_sql


def test_one_filter_matches_the_same_book_and_chained_filters_duplicate(run_demo):
    lab = run_demo("orm.multi-valued")
    assert [r[0] for r in lab.get("one_filter").tables[0].rows] == ["B"]
    assert [r[0] for r in lab.get("chained").tables[0].rows] == ["B", "B"]
    diff = lab.get("diff").facts
    assert diff["only_b"] == ["B"]
    assert diff["sql_lines_differ"] > 0


def test_xor_drops_the_book_that_meets_both_conditions(run_demo):
    both = run_demo("orm.dynamic-q", well_rated=True, cheap=True, connector="and").get("filter")
    either_not_both = run_demo("orm.dynamic-q", well_rated=True, cheap=True, connector="xor").get("filter")
    assert [r[0] for r in both.tables[0].rows] == ["B2"]
    assert [r[0] for r in either_not_both.tables[0].rows] == ["A1", "A2", "B1"]


def test_database_functions_compute_each_row_in_sql(run_demo):
    rows = {r[0]: r[1:] for r in run_demo("orm.expression-toolbox").get("books_with_computed_columns").tables[0].rows}
    label, stars, bigger, initial = rows["A1"]
    assert (label, initial) == ("A1 from A", "A")
    assert stars == 4.0 and rows["A2"][1] == 0.0  # Coalesce turned A2's NULL average into 0.0
    from sandbox.models import Book

    a1 = Book.objects.get(title="A1")
    assert bigger == max(a1.pages, a1.stock)


def test_nulls_last_puts_the_books_without_reviews_at_the_end(run_demo):
    step = run_demo("orm.expression-toolbox").get("books_by_review_average_nulls_last")
    assert [r[0] for r in step.tables[0].rows] == ["A1", "B1", "A2", "B2", "C1"]
    assert [r[1] for r in step.tables[0].rows][2:] == [None, None, None]
    assert step.facts["nulls_last_in_sql"] is True


def test_a_lookup_can_be_annotated_as_a_boolean(run_demo):
    rows = run_demo("orm.expression-toolbox").get("orders_with_discount_flag").tables[0].rows
    assert [r[0] for r in rows if r[3] is True] == [1, 3]  # the same orders as the concept page's F() filter


def test_where_nulls_sort_by_default_depends_on_the_database(run_demo):
    rows = run_demo("orm.expression-toolbox").get("books_by_review_average").tables[0].rows
    averages = [r[1] for r in rows]
    if connection.vendor == "postgresql":  # NULL counts as larger than any value
        assert averages == [None, None, None, 4.0, 2.0]
    else:  # SQLite: NULL counts as smaller
        assert averages == [4.0, 2.0, None, None, None]


def _grade(lab, slug, given, index=0):
    from lab import registry

    return registry.get(slug).predictions[index].grade(lab, given)


def test_restocking_the_sold_out_books_matches_only_them(run_demo):
    # Issue 14.5: a Case/When over every row rewrote all five; filter() picks the one sold-out book.
    lab = run_demo("orm.case-when", premium_from="15")
    sold_out = lab.get("restock_sold_out")
    assert sold_out.facts["matched"] == 1
    assert dict(sold_out.tables[0].rows)["B1"] == 5
    assert sold_out.queries[0].sql.startswith("UPDATE") and "WHERE" in sold_out.queries[0].sql
    assert len(sold_out.queries) == 1
    assert _grade(lab, "orm.case-when", "1") == (True, "1")
    assert lab.focus_key == "restock_sold_out"


def test_case_when_gives_different_rows_different_values_in_one_update(run_demo):
    step = run_demo("orm.case-when").get("top_up_low_stock")
    assert step.facts["matched"] == 2  # A2 (3) and C1 (2); B1 is no longer below 5 after the restock
    stocks = dict(step.tables[0].rows)
    assert (stocks["A2"], stocks["C1"], stocks["B1"], stocks["A1"]) == (8, 12, 5, 10)
    assert len(step.queries) == 1 and "CASE WHEN" in step.queries[0].sql


def test_the_lost_update_headline_and_prediction_come_from_the_run(run_demo):
    lab = run_demo("orm.lost-update", tabs=3)
    assert lab.headline_text == "Read-modify-save lost 2 of 3 restocks; F() lost 0"
    assert _grade(lab, "orm.lost-update", "only one") == (True, "only one")
    assert lab.get("read_modify_save").call == "restock_in_python(1, 3)"
    assert lab.get("read_modify_save").code.startswith("def restock_in_python(book_id: int, tabs: int) -> None:")


def test_the_q_you_built_is_shown_from_the_query(run_demo):
    step = run_demo("orm.dynamic-q", well_rated=True, cheap=True, connector="xor").get("filter")
    assert step.call == "books_matching(['well_rated', 'cheap'], 'xor', False)"
    assert step.facts["q"] == "<Q: (XOR: ('rating__gte', 4), ('price__lt', 10))>"
    assert "def combined_condition" in step.code and "def books_matching" in step.code


def test_expression_wrapper_adds_no_cast_and_cast_does(run_demo):
    lab = run_demo("orm.mixed-types")
    assert lab.get("scores_with_expression_wrapper").facts["casts"] is False
    assert lab.get("scores_with_cast").facts["casts"] is True
    assert _grade(lab, "orm.mixed-types", "no") == (True, "no")
    assert lab.headline_text.startswith("Without output_field: FieldError.")


def test_multi_valued_and_toolbox_predictions_are_measured(run_demo):
    assert _grade(run_demo("orm.multi-valued"), "orm.multi-valued", "2") == (True, "2")
    lab = run_demo("orm.expression-toolbox")
    where = "first" if connection.vendor == "postgresql" else "last"
    assert _grade(lab, "orm.expression-toolbox", where) == (True, where)
    assert lab.headline_text.startswith(f"With desc() the books without reviews sort {where}")
