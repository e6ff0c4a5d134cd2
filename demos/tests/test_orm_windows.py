"""ORM lesson 5: window functions, frames (Django 5.1's exclusion= and offsets), and what Django refuses."""

from decimal import Decimal

from django.db import connection


def test_row_number_filter_gives_the_top_book_per_publisher(run_demo):
    lab = run_demo("orm.windows", view="top")
    step = lab.get("top_book_per_publisher")
    assert step.facts["titles"] == ["A2", "B2", "C1"]
    assert step.facts["wrapped"] is True
    assert step.facts["over"][0].startswith("OVER (PARTITION BY")
    assert lab.headline_text == "Top book per publisher: ['A2', 'B2', 'C1'], filtered in a wrapping subquery"
    assert lab.focus_key == "top_book_per_publisher"


def test_rank_within_publisher(run_demo):
    lab = run_demo("orm.windows", view="rank")
    step = lab.get("price_rank_within_publisher")
    assert {row[0]: row[3] for row in step.tables[0].rows} == {"A2": 1, "A1": 2, "B2": 1, "B1": 2, "C1": 1}
    assert lab.headline_text == "Rank 1 within each publisher (its dearest book): ['A2', 'B2', 'C1']"


def test_running_total_of_price(run_demo):
    step = run_demo("orm.windows", view="running").get("running_total_of_price")
    totals = [round(Decimal(row[2]), 2) for row in step.tables[0].rows]
    assert totals == [Decimal("5.99"), Decimal("13.49"), Decimal("25.99"), Decimal("40.99"), Decimal("60.99")]


def test_the_running_total_and_aggregate_sum_agree_and_the_digits_are_explained(run_demo):
    # Issue 14.6: SQLite shows 60.9900000000000, and so does aggregate(Sum()) there; PostgreSQL shows 60.99.
    lab = run_demo("orm.windows", view="running")
    last = lab.get("running_total_of_price").facts["last_running_total"]
    total = lab.get("total_price_of_books")
    assert total.facts["total"] == last == Decimal("60.99")
    assert total.facts["same_value"] is True
    if connection.vendor == "sqlite":
        # Floating-point sums, turned into a Decimal of 15 significant digits: not rounded to decimal_places.
        assert str(last) == str(total.facts["total"]) == "60.9900000000000"
        assert "15 significant digits" in total.log[0]
        assert "Decimal('60.9900000000000') == Decimal('60.99') is True" in total.log[0]
    else:  # numeric is exact on PostgreSQL
        assert str(last) == str(total.facts["total"]) == "60.99"
        assert total.log == []
    assert lab.headline_text.endswith(": the same value")


def test_moving_average_uses_a_rows_frame_and_exclude_current_row(run_demo):
    lab = run_demo("orm.windows", view="moving")
    step = lab.get("moving_average_of_orders")
    moving, others = step.facts["over"]
    assert "ROWS BETWEEN 6 PRECEDING AND CURRENT ROW" in moving
    assert moving.endswith("CURRENT ROW)") and "EXCLUDE" not in moving
    assert "ROWS BETWEEN 6 PRECEDING AND CURRENT ROW EXCLUDE CURRENT ROW" in others
    assert step.facts["rows"] == 4
    # The first order's frame holds only itself; without itself the frame is empty, so AVG is NULL.
    assert Decimal(str(step.facts["first_moving_avg"])) == Decimal("45")
    assert step.facts["first_others_avg"] is None
    first = step.facts["first_moving_avg"]  # 45 on SQLite, 45.0000000000000000 (numeric AVG) on PostgreSQL
    assert lab.headline_text == (
        f"The first order's moving average is its own total ({first}); with EXCLUDE CURRENT ROW its frame is "
        "empty, so the average is None"
    )


def test_the_first_order_s_moving_average_is_its_own_total(run_demo):
    rows = run_demo("orm.windows", view="moving").get("moving_average_of_orders").tables[0].rows
    first = rows[0]
    assert Decimal(str(first[3])) == Decimal(first[2])  # a ROWS frame with no earlier row holds only this one
    assert any(Decimal(str(r[3])) != Decimal(r[2]) for r in rows[1:])
    # Without the current row, the second order's average is the first order's total.
    assert Decimal(str(rows[1][4])) == Decimal(rows[0][2])


def test_a_frame_can_end_before_the_row_or_start_after_it(run_demo):
    lab = run_demo("orm.windows", view="frames")
    step = lab.get("orders_around_each_order")
    previous, following = step.facts["over"]
    assert "ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING" in previous
    assert "ROWS BETWEEN 1 FOLLOWING AND 2 FOLLOWING" in following
    rows = step.tables[0].rows
    assert [r[2] for r in rows][0] is None  # nothing before the first order
    assert [Decimal(str(r[2])) for r in rows[1:]] == [Decimal("45"), Decimal("60"), Decimal("107.5")]
    assert [r[3] for r in rows] == [2, 2, 1, 0]  # the last order has nothing after it


def test_value_range_runs_on_sqlite_and_django_refuses_it_on_postgresql(run_demo):
    step = run_demo("orm.windows", view="frames").get("orders_with_similar_totals")
    if connection.vendor == "sqlite":
        assert not step.error
        assert "RANGE BETWEEN 10 PRECEDING AND 10 FOLLOWING" in step.facts["over"][0]
        # totals 15, 45, 47.50, 60: within 10 of each other are 45 and 47.50
        assert [row[2] for row in step.tables[0].rows] == [1, 2, 2, 1]
    else:
        assert step.error_type == "NotSupportedError"
        assert step.error == "PostgreSQL only supports UNBOUNDED together with PRECEDING and FOLLOWING."
        assert step.queries == []  # Django refused while compiling


def test_or_ing_a_window_condition_with_a_plain_one_in_an_aggregating_query_is_not_implemented(run_demo):
    lab = run_demo("orm.windows", view="or")
    works = lab.get("top_or_small_publishers")
    assert [(r[0], r[1], r[2]) for r in works.tables[0].rows] == [("A", 2, 1), ("B", 2, 1), ("C", 1, 3)]
    refused = lab.get("top_publishers_or_named")
    assert refused.error_type == "NotImplementedError"
    assert refused.error == (
        "Heterogeneous disjunctive predicates against window functions are not implemented when performing "
        "conditional aggregation."
    )
    assert refused.queries == []
    assert lab.focus_key == "top_publishers_or_named"
    assert lab.headline_text.endswith("OR a plain column in the same aggregating query: NotImplementedError")


def test_the_default_frame_takes_in_ties_and_a_rows_frame_does_not(run_demo):
    step = run_demo("orm.windows", view="ties").get("running_count_by_rating")
    rows = step.tables[0].rows
    assert [r[1] for r in rows] == [1.0, 1.0, 4.0, 4.0, 5.0]
    assert [r[2] for r in rows] == [2, 2, 4, 4, 5]  # tied books share the count of their whole tie group
    assert [r[3] for r in rows] == [1, 2, 3, 4, 5]
    range_over, rows_over = step.facts["over"]
    assert "ROWS" not in range_over and "RANGE" not in range_over  # no frame written: the SQL default applies
    assert "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW" in rows_over


def test_the_window_steps_show_the_named_querysets(run_demo):
    step = run_demo("orm.windows", view="moving").get("moving_average_of_orders")
    assert "exclusion=WindowFrameExclusion.CURRENT_ROW" in step.code
    assert step.call == "moving_average_of_orders()"


def test_a_cast_does_not_round_a_computed_decimal_on_sqlite_and_numeric_is_exact_on_postgresql(seeded):
    # The lesson says a Cast or an output_field does not change the 15-digit Decimal on SQLite.
    from django.db.models import DecimalField, F, Sum, Window
    from django.db.models.functions import Cast

    from sandbox.models import Book

    window = Window(Sum("price"), order_by=[F("price").asc(), F("pk").asc()])
    casted = Book.objects.annotate(total=Cast(window, DecimalField(max_digits=8, decimal_places=2)))
    typed = Book.objects.annotate(
        total=Window(
            Sum("price"),
            order_by=[F("price").asc(), F("pk").asc()],
            output_field=DecimalField(max_digits=8, decimal_places=2),
        )
    )
    expected = "60.9900000000000" if connection.vendor == "sqlite" else "60.99"
    for qs in (casted, typed):
        assert str(list(qs.order_by("price", "pk"))[-1].total) == expected
    if connection.vendor == "sqlite":
        assert 'CAST(SUM("sandbox_book"."price") OVER' in str(Book.objects.annotate(total=window).query)


def test_and_ed_window_and_column_conditions_are_split_between_where_and_the_wrapping_query(seeded):
    from django.db.models import Q

    from sandbox.teaching.orm_windows import publishers_ranked_by_books

    qs = publishers_ranked_by_books().filter(Q(rank=1) & Q(name="A"))
    assert [p.name for p in qs] == ["A"]
    inner, outer = str(qs.query).split(' "qualify" ')
    assert 'WHERE "sandbox_publisher"."name" = A GROUP BY' in inner  # before grouping
    assert outer.startswith('WHERE "rank" = 1')  # in the wrapping query


def test_postgresql_itself_accepts_range_offsets_on_a_numeric_column(seeded):
    # The lesson says Django refuses ValueRange offsets on PostgreSQL although PostgreSQL accepts them.
    if connection.vendor != "postgresql":
        return  # SQLite runs them through Django too: the demo test above covers it
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) OVER (ORDER BY total_price RANGE BETWEEN 10 PRECEDING AND 10 FOLLOWING) "
            "FROM sandbox_order ORDER BY total_price, id"
        )
        assert [n for (n,) in cursor.fetchall()] == [1, 2, 2, 1]


def test_the_frames_and_ties_headlines_list_the_measured_values(run_demo):
    lab = run_demo("orm.windows", view="frames")
    assert lab.headline_text.startswith("previous_3: None, 45")
    assert "; next_2: 2, 2, 1, 0; ValueRange(-10, 10): " in lab.headline_text
    lab = run_demo("orm.windows", view="ties")
    assert lab.headline_text == (
        "Running counts by rating: the RANGE frame gives 2, 2, 4, 4, 5 (ties share a value), the ROWS frame 1, 2, 3, 4, 5"
    )
