"""ORM lesson 5: window functions."""

from decimal import Decimal


def test_row_number_filter_gives_the_top_book_per_publisher(run_demo):
    step = run_demo("orm.windows", view="top").get("Top book per publisher")
    assert step.facts["titles"] == ["A2", "B2", "C1"]
    assert step.facts["wrapped in a subquery"] is True
    assert step.facts["OVER clause"].startswith("OVER (PARTITION BY")


def test_rank_within_publisher(run_demo):
    step = run_demo("orm.windows", view="rank").get("Price rank within publisher")
    assert {row[0]: row[3] for row in step.tables[0].rows} == {"A2": 1, "A1": 2, "B2": 1, "B1": 2, "C1": 1}


def test_running_total_of_price(run_demo):
    step = run_demo("orm.windows", view="running").get("Running total of price")
    totals = [round(Decimal(row[2]), 2) for row in step.tables[0].rows]
    assert totals == [Decimal("5.99"), Decimal("13.49"), Decimal("25.99"), Decimal("40.99"), Decimal("60.99")]


def test_moving_average_uses_a_rows_frame(run_demo):
    step = run_demo("orm.windows", view="moving").get("Moving average of order totals")
    assert "ROWS BETWEEN 6 PRECEDING AND CURRENT ROW" in step.facts["OVER clause"]
    assert step.facts["rows"] == 4


def test_the_first_order_s_moving_average_is_its_own_total(run_demo):
    rows = run_demo("orm.windows", view="moving").get("Moving average of order totals").tables[0].rows
    first = rows[0]
    assert Decimal(str(first[3])) == Decimal(first[2])  # a ROWS frame with no earlier row holds only this one
    assert any(Decimal(str(r[3])) != Decimal(r[2]) for r in rows[1:])


def test_the_default_frame_takes_in_ties_and_a_rows_frame_does_not(run_demo):
    step = run_demo("orm.windows", view="ties").get("Ties: the default RANGE frame vs a ROWS frame")
    rows = step.tables[0].rows
    assert [r[1] for r in rows] == [1.0, 1.0, 4.0, 4.0, 5.0]
    assert [r[2] for r in rows] == [2, 2, 4, 4, 5]  # tied books share the count of their whole tie group
    assert [r[3] for r in rows] == [1, 2, 3, 4, 5]
    range_over, rows_over = step.facts["OVER clauses"]
    assert "ROWS" not in range_over and "RANGE" not in range_over  # no frame written: the SQL default applies
    assert "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW" in rows_over
