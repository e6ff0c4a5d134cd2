"""ORM use cases: the sales report (and its CSV view), the catalogue search, selective retrieval."""

import csv
import io
from decimal import Decimal

import pytest


def test_revenue_per_publisher_per_month(run_demo):
    rows = run_demo("orm.sales-report").get("revenue_per_publisher_per_month").tables[0].rows
    assert [(r[0], r[1], r[2], Decimal(r[3]), r[4]) for r in rows] == [
        ("2025-11-01 00:00", "C", 5, Decimal("100"), 1),
        ("2025-11-01 00:00", "A", 5, Decimal("67.5"), 2),
    ]


def test_best_seller_per_store(run_demo):
    rows = run_demo("orm.sales-report").get("best_seller_per_store").tables[0].rows
    assert rows == [["Airport", "C1", 5], ["Downtown", "A1", 3], ["Harbour", "A1", 3]]


def test_the_demo_downloads_the_csv_through_the_real_view(run_demo):
    step = run_demo("orm.sales-report", year=2025).get("csv")
    assert step.facts["status"] == 200
    assert step.response_headers["Content-Disposition"] == 'attachment; filename="sales-revenue-2025.csv"'
    assert step.facts["lines"] == 3
    assert step.queries  # the view's query ran inside the demo


def test_sales_report_csv_view(client, seeded):
    response = client.get("/sandbox/orm/sales-report.csv", {"report": "best-sellers"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="sales-best-sellers.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["store", "best_seller", "units"],
        ["Airport", "C1", "5"],
        ["Downtown", "A1", "3"],
        ["Harbour", "A1", "3"],
    ]


def test_sales_report_for_a_year_without_orders_is_just_the_header(client, seeded):
    response = client.get("/sandbox/orm/sales-report.csv", {"report": "revenue", "year": "2024"})
    assert response.content.decode().splitlines() == ["month,publisher,units,revenue,rank_in_month"]


@pytest.mark.parametrize(
    "params",
    [
        {"report": "users"},
        {"report": "revenue", "year": "20x5"},
        {"report": "revenue", "year": "1"},
        {"report": "revenue", "year": "9" * 40},
        {"report": "revenue", "year": "nan"},
        {"report": "x" * 10000},
        {"report": "best-sellers", "year": "2025"},  # best sellers are all-time: a year would be ignored
        {},
    ],
)
def test_sales_report_rejects_bad_parameters_with_a_400(client, seeded, params):
    response = client.get("/sandbox/orm/sales-report.csv", params)
    assert response.status_code == 400
    assert response.content.decode().startswith("Bad parameters.")


def test_sales_report_is_get_only(client, seeded):
    assert client.post("/sandbox/orm/sales-report.csv", {"report": "revenue"}).status_code == 405


def test_each_catalogue_filter_narrows_the_rows_and_changes_the_sql(run_demo):
    lab = run_demo("orm.catalogue-search", min_price="6", max_price="16", min_rating=4, in_stock=True, sort="-price")
    assert [s.key for s in lab.steps] == ["no_filters", "min_price", "max_price", "min_rating", "in_stock"]
    assert [s.facts["rows"] for s in lab.steps] == [5, 4, 3, 3, 3]
    assert [r[0] for r in lab.get("in_stock").tables[0].rows] == ["A2", "A1", "B2"]
    step = lab.get("min_rating")
    assert step.facts["sql_lines_differ"] > 0
    # The figure marks the line the filter added as an <ins>.
    added = [chunk.split("</ins>", 1)[0] for chunk in step.figures[0].html.split("<ins")[1:]]
    assert any("&quot;rating&quot; &gt;= %s" in line for line in added)


def test_catalogue_author_filter(run_demo):
    lab = run_demo("orm.catalogue-search", author=1, min_price="", min_rating="", in_stock=False)
    assert [r[0] for r in lab.get("author").tables[0].rows] == ["A1", "C1"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"sort": "password"}, "Select a valid choice."),
        ({"sort": "title", "min_price": "cheap"}, "Enter a number."),
        ({"sort": "title", "author": "999"}, "Select a valid choice."),
        ({"sort": "title", "min_price": "20", "max_price": "5"}, "The lowest price is above the highest price."),
    ],
)
def test_catalogue_rejects_bad_input_with_a_400(client, seeded, settings, data, message):
    settings.LAB_RATE_LIMIT = 0
    response = client.post("/demos/orm.catalogue-search/run/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_selective_retrieval_selects_fewer_columns_and_smaller_rows(run_demo):
    lab = run_demo("orm.selective", trials=1)
    full, only, values = lab.get("full_objects"), lab.get("only"), lab.get("values")
    assert full.facts["columns"] == 13
    assert only.facts["columns"] == 3  # only() always adds the primary key
    assert values.facts["columns"] == 2
    assert full.facts["bytes"] > only.facts["bytes"]
    assert only.facts["bytes"] > values.facts["bytes"]
    assert full.tables[0].rows == values.tables[0].rows


def test_selective_retrieval_times_each_shape_under_a_short_chart_label(run_demo):
    series = run_demo("orm.selective", trials=2).get("timings").series
    assert [s.label for s in series] == ["full objects", "only()", "values()", "values_list()"]
    assert all(len(s.samples) == 2 for s in series)


def _grade(lab, slug, given):
    from lab import registry

    (prediction,) = registry.get(slug).predictions
    return prediction.grade(lab, given)


def test_the_sales_report_headline_and_prediction_are_measured(run_demo):
    lab = run_demo("orm.sales-report")
    assert lab.headline_text == (
        "2 revenue rows; best sellers (Airport C1, Downtown A1, Harbour A1) from 1 query; the CSV has 3 lines"
    )
    assert _grade(lab, "orm.sales-report", "1") == (True, "1")
    csv_step = lab.get("csv")
    assert csv_step.code.startswith("@require_GET\ndef sales_report_csv(")
    assert csv_step.call == "GET /sandbox/orm/sales-report.csv?report=revenue"


def test_the_catalogue_steps_after_the_first_show_only_the_call(run_demo):
    lab = run_demo("orm.catalogue-search", min_price="6", min_rating="", in_stock=False)
    first, second = lab.steps
    assert "def catalogue(" in first.code
    assert second.code == second.call == "catalogue(sort='title', min_price=Decimal('6'))"
    assert lab.headline_text == "5 books with no filters → 4 after 1 filter"


def test_selective_prediction_counts_the_primary_key(run_demo):
    lab = run_demo("orm.selective", trials=1)
    assert _grade(lab, "orm.selective", "3") == (True, "3")
    assert lab.headline_text.startswith("5 books: full objects pickle to ")
