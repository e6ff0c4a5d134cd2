"""ORM lesson 7: raw SQL and injection, plus the real view's 400 for bad input."""

from decimal import Decimal

import pytest

from sandbox.models import Book


def test_injection_through_params_finds_nothing_and_through_formatting_finds_everything(run_demo):
    lab = run_demo("orm.injection", title="x' OR '1'='1")
    assert lab.get("params (safe)").facts["rows"] == 0
    assert lab.get("string formatting (vulnerable)").facts["rows"] == 5
    assert lab.get("string formatting (vulnerable)").facts["books in the table"] == 5


def test_an_ordinary_title_finds_the_same_book_either_way(run_demo):
    lab = run_demo("orm.injection", title="A1")
    assert lab.get("params (safe)").facts["rows"] == 1
    assert lab.get("string formatting (vulnerable)").facts["rows"] == 1


def test_a_percent_sign_does_not_break_the_vulnerable_query(run_demo):
    lab = run_demo("orm.injection", title="100%")
    assert lab.get("string formatting (vulnerable)").facts["rows"] == 0


def test_the_injection_demo_runs_read_only(run_demo, db):
    from django.db import DatabaseError, connection

    from demos.orm_raw import read_only

    run_demo("orm.injection", title="x")
    with pytest.raises(DatabaseError), read_only(), connection.cursor() as cursor:
        cursor.execute("UPDATE sandbox_book SET stock = 0")
    assert Book.objects.filter(stock=0).count() == 1  # only B1, as seeded


def test_raw_cursor_and_rawsql(run_demo):
    lab = run_demo("orm.raw", min_price="10")
    assert [r[1] for r in lab.get("Book.objects.raw()").tables[0].rows] == ["A1", "A2", "C1"]
    assert lab.get("raw() without the primary key").error_type == "FieldDoesNotExist"
    assert lab.get("raw() without the primary key").error == "Raw query must include the primary key"
    assert lab.get("connection.cursor()").tables[0].rows == [["A", 2], ["C", 1]]
    vat = {r[0]: round(float(r[2]), 2) for r in lab.get("RawSQL inside an ORM query").tables[0].rows}
    assert vat == {"A1": 15.0, "A2": 18.0, "C1": 24.0}


def _post(client, slug, data):
    return client.post(f"/demos/{slug}/run/", data, HTTP_HX_REQUEST="true")


def test_a_stacked_statement_is_refused_with_a_400(client, seeded, settings):
    settings.LAB_RATE_LIMIT = 0
    response = _post(client, "orm.injection", {"title": "x'; DELETE FROM sandbox_book; --"})
    assert response.status_code == 400
    assert "would start a second statement" in response.content.decode()
    assert Book.objects.count() == 5


@pytest.mark.parametrize(
    ("slug", "data", "message"),
    [
        ("orm.raw", {"min_price": "ten"}, "Enter a number."),
        ("orm.case-when", {"premium_from": "1e999"}, "Ensure that there are no more than 6 digits in total."),
        ("orm.conditional-aggregation", {"threshold": "nan"}, "Enter a number."),
        (
            "orm.related-loading",
            {"strategy": "__import__", "books": "canonical", "limit": "5", "trials": "1"},
            "Select a valid choice.",
        ),
        ("orm.sql-console", {"query": "sandbox_book; DROP TABLE"}, "Select a valid choice."),
        ("orm.group-by", {"ordering": "password"}, "Select a valid choice."),
    ],
)
def test_bad_input_gets_a_message_and_a_400(client, seeded, settings, slug, data, message):
    settings.LAB_RATE_LIMIT = 0
    response = _post(client, slug, data)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_cursor_takes_a_dict_of_params_on_this_database_too(run_demo):
    step = run_demo("orm.raw", min_price="10").get("connection.cursor()")
    assert step.queries[0].params == {"min_price": Decimal("10")}
    assert "%(min_price)s" in step.queries[0].sql
    assert step.tables[0].rows == [["A", 2], ["C", 1]]


def test_raw_without_the_primary_key_fails_after_the_query_ran(run_demo):
    step = run_demo("orm.raw", min_price="10").get("raw() without the primary key")
    assert len(step.queries) == 1  # Django finds the missing pk in the result's columns


def test_only_the_safe_query_sends_the_input_as_a_parameter(run_demo):
    lab = run_demo("orm.injection", title="x' OR '1'='1")
    assert lab.get("params (safe)").queries[0].params == ("x' OR '1'='1",)
    assert not lab.get("string formatting (vulnerable)").queries[0].params
    assert "'1'='1'" in lab.get("string formatting (vulnerable)").queries[0].sql


def test_the_diff_shows_the_input_became_sql(run_demo):
    step = run_demo("orm.injection", title="x' OR '1'='1").get("params vs string formatting")
    html = step.figures[0].html
    removed = [chunk.split("</del>", 1)[0] for chunk in html.split("<del")[1:]]
    added = [chunk.split("</ins>", 1)[0] for chunk in html.split("<ins")[1:]]
    assert any("%s" in line for line in removed)
    assert any("&#x27;1&#x27;=&#x27;1&#x27;" in line for line in added)
    assert step.facts["SQL lines that differ"] == len(removed) + len(added)


def test_input_that_breaks_the_vulnerable_sql_is_shown_as_the_database_s_error(run_demo):
    lab = run_demo("orm.injection", title="x' OR 1=1")  # the template's closing quote is left dangling
    unsafe = lab.get("string formatting (vulnerable)")
    assert unsafe.error_type in ("OperationalError", "ProgrammingError")  # SQLite / PostgreSQL
    assert unsafe.facts["rows"] == 0
    assert lab.get("params (safe)").facts["rows"] == 0
    assert Book.objects.count() == 5


@pytest.mark.parametrize(
    "title",
    [
        "x' UNION SELECT 1,'',name,0,0,0,0,'',1,'',0,0,'' FROM sqlite_master --",
        "x' OR EXISTS(SELECT 1 FROM auth_user) OR '",
        "x' OR title = (SELECT password FROM auth_user LIMIT 1) OR '",
        "x' OR \"title\" = '",
        "x' OR upper(title) = 'A1",
        "x' OR learner = '",
        "x' OR ÄÖ = '",
        "x' OR\ttitle = '",
    ],
)
def test_the_vulnerable_query_cannot_be_made_to_read_another_table(client, seeded, settings, title):
    settings.LAB_RATE_LIMIT = 0
    response = _post(client, "orm.injection", {"title": title})
    assert response.status_code == 400
    assert "only lets your text compare the book&#x27;s own columns" in response.content.decode()


@pytest.mark.parametrize(
    ("title", "rows"),
    [("x' OR '1'='1", 5), ("x' OR stock = 0 OR 'a'='b", 1), ("O''Reilly", 0), ("x' OR title LIKE 'A%", 2)],
)
def test_comparisons_on_the_book_s_own_columns_still_inject(run_demo, title, rows):
    assert run_demo("orm.injection", title=title).get("string formatting (vulnerable)").facts["rows"] == rows


def test_code_outside_quotes_follows_sql_string_rules():
    from demos.orm_raw import code_outside_quotes

    assert code_outside_quotes("x' OR '1'='1").split() == ["OR", "="]
    assert code_outside_quotes("it''s all text").strip() == ""  # '' is a quote inside the string
    assert "UNION" in code_outside_quotes("x' UNION SELECT '")


def test_the_parameterised_statement_text_never_changes_with_the_input(run_demo):
    texts = {run_demo("orm.injection", title=t).get("params (safe)").queries[0].sql for t in ("A1", "x' OR '1'='1")}
    assert len(texts) == 1
