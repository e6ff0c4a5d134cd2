"""ORM lesson 2: F(), Q(), Case/When, mixed types, multi-valued filters."""

import django
from django.db import connection


def test_read_modify_save_loses_updates_and_f_does_not(run_demo):
    lab = run_demo("orm.lost-update", tabs=2)
    naive = lab.get("2 tabs, read-modify-save").facts
    assert (naive["stock before"], naive["stock after"], naive["restocks lost"]) == (10, 11, 1)
    with_f = lab.get("2 tabs, F() update").facts
    assert (with_f["stock after"], with_f["restocks lost"]) == (12, 0)
    assert with_f["rows matched per update()"] == [1, 1]


def test_update_returns_the_number_of_matched_rows(run_demo):
    lab = run_demo("orm.lost-update", tabs=2)
    facts = lab.get("update() returns the number of rows matched").facts
    assert facts["returned"] == 2
    assert facts["returned when nothing changes"] == 2  # matched, not changed


def test_f_on_an_instance_is_applied_again_by_a_second_save_before_django_6(run_demo):
    facts = run_demo("orm.lost-update", tabs=2).get("F() assigned to an instance, saved twice").facts
    if django.VERSION < (6, 0):
        assert facts["type(b.stock) after save()"] == "CombinedExpression"
        assert facts["stock in the database after two saves"] == 10
    else:  # 6.0 refreshes the field after save() (RETURNING), so the second save writes 5 again
        assert facts["type(b.stock) after save()"] == "int"
        assert facts["stock in the database after two saves"] == 5


def test_lost_update_demo_leaves_the_canonical_stock_alone(run_demo):
    from sandbox.models import Book

    run_demo("orm.lost-update", tabs=3)
    assert Book.objects.get(pk=1).stock == 10


def test_case_when_bands_and_conditional_update(run_demo):
    lab = run_demo("orm.case-when", premium_from="15")
    bands = {row[0]: row[2] for row in lab.get("Price bands").tables[0].rows}
    assert bands == {"B1": "budget", "B2": "budget", "A1": "standard", "A2": "premium", "C1": "premium"}
    update = lab.get("Restock only the sold-out books, in one UPDATE")
    assert update.facts["rows matched"] == 5
    assert dict(update.tables[0].rows)["B1"] == 5


def test_dynamic_q_or_and_negation(run_demo):
    lab = run_demo("orm.dynamic-q", well_rated=True, cheap=True, connector="or")
    assert [r[0] for r in lab.get("Your filter").tables[0].rows] == ["A1", "A2", "B1", "B2"]
    lab = run_demo("orm.dynamic-q", well_rated=True, cheap=True, connector="or", negate=True)
    assert [r[0] for r in lab.get("Your filter").tables[0].rows] == ["C1"]
    lab = run_demo("orm.dynamic-q", well_rated=True, cheap=True, connector="and")
    assert [r[0] for r in lab.get("Your filter").tables[0].rows] == ["B2"]


def test_decimal_times_float_needs_an_output_field(run_demo):
    lab = run_demo("orm.mixed-types")
    step = lab.get("No output_field")
    assert step.error_type == "FieldError"
    assert step.error == (
        "Cannot infer type of '*' expression involving these types: DecimalField, FloatField. "
        "You must set output_field."
    )
    scores = dict(lab.get("ExpressionWrapper(output_field=FloatField())").tables[0].rows)
    assert scores["A1"] == 50.0
    cast_sql = lab.get("Cast: a real CAST in the SQL").queries[0].sql
    if connection.vendor == "postgresql":
        assert '"price")::double precision' in cast_sql
    else:
        assert 'CAST("sandbox_book"."price" AS real)' in cast_sql


def test_one_filter_matches_the_same_book_and_chained_filters_duplicate(run_demo):
    lab = run_demo("orm.multi-valued")
    assert [r[0] for r in lab.get("one filter()").tables[0].rows] == ["B"]
    assert [r[0] for r in lab.get("chained filter()").tables[0].rows] == ["B", "B"]
    diff = lab.get("one filter() vs chained filter()").facts
    assert diff["rows only in chained filter()"] == ["B"]
    assert diff["SQL lines that differ"] > 0


def test_xor_drops_the_book_that_meets_both_conditions(run_demo):
    both = run_demo("orm.dynamic-q", well_rated=True, cheap=True, connector="and").get("Your filter")
    either_not_both = run_demo("orm.dynamic-q", well_rated=True, cheap=True, connector="xor").get("Your filter")
    assert [r[0] for r in both.tables[0].rows] == ["B2"]
    assert [r[0] for r in either_not_both.tables[0].rows] == ["A1", "A2", "B1"]


def test_database_functions_compute_each_row_in_sql(run_demo):
    rows = {r[0]: r[1:] for r in run_demo("orm.expression-toolbox").get("Database functions").tables[0].rows}
    label, stars, bigger, initial = rows["A1"]
    assert (label, initial) == ("A1 from A", "A")
    assert stars == 4.0 and rows["A2"][1] == 0.0  # Coalesce turned A2's NULL average into 0.0
    from sandbox.models import Book

    a1 = Book.objects.get(title="A1")
    assert bigger == max(a1.pages, a1.stock)


def test_nulls_last_puts_the_books_without_reviews_at_the_end(run_demo):
    step = run_demo("orm.expression-toolbox").get("NULLs last")
    assert [r[0] for r in step.tables[0].rows] == ["A1", "B1", "A2", "B2", "C1"]
    assert [r[1] for r in step.tables[0].rows][2:] == [None, None, None]
    assert step.facts["NULLS LAST in the SQL"] is True


def test_a_lookup_can_be_annotated_as_a_boolean(run_demo):
    rows = run_demo("orm.expression-toolbox").get("A lookup as a value").tables[0].rows
    assert [r[0] for r in rows if r[3] is True] == [1, 3]  # the same orders as the concept page's F() filter


def test_where_nulls_sort_by_default_depends_on_the_database(run_demo):
    rows = run_demo("orm.expression-toolbox").get("desc() without nulls_last").tables[0].rows
    averages = [r[1] for r in rows]
    if connection.vendor == "postgresql":  # NULL counts as larger than any value
        assert averages == [None, None, None, 4.0, 2.0]
    else:  # SQLite: NULL counts as smaller
        assert averages == [4.0, 2.0, None, None, None]
