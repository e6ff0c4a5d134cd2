"""ORM lesson 7: raw SQL, and the injection demo (issue 12.1: harmless by construction, on both databases)."""

from decimal import Decimal

import pytest
from django.db import connection

from sandbox.models import Book

CANONICAL = {(1, "A1"), (2, "A2"), (3, "B1"), (4, "B2"), (5, "C1")}


def _grade(lab, slug, given):
    from lab import registry

    (prediction,) = registry.get(slug).predictions
    return prediction.grade(lab, given)


def test_injection_through_params_finds_nothing_and_through_formatting_finds_everything(run_demo):
    lab = run_demo("orm.injection", title="x' OR '1'='1")
    assert lab.get("find_books").facts["rows"] == 0
    assert lab.get("find_books_unsafe").facts["rows"] == 5
    assert lab.get("find_books_unsafe").facts["books_in_table"] == 5
    assert {tuple(row) for row in lab.get("find_books_unsafe").tables[0].rows} == CANONICAL
    assert lab.headline_text == "params: 0 rows; string formatting: 5 rows (of 5 books)"
    assert _grade(lab, "orm.injection", "all 5") == (True, "all 5")


def test_an_ordinary_title_finds_the_same_book_either_way(run_demo):
    lab = run_demo("orm.injection", title="A1")
    assert lab.get("find_books").facts["rows"] == 1
    assert lab.get("find_books_unsafe").facts["rows"] == 1


def test_a_percent_sign_does_not_break_the_vulnerable_query(run_demo):
    lab = run_demo("orm.injection", title="100%")
    assert lab.get("find_books_unsafe").facts["rows"] == 0
    assert not lab.get("find_books_unsafe").error


def test_the_injection_demo_never_touches_the_site_s_database(run_demo):
    lab = run_demo("orm.injection", title="x' OR '1'='1")
    assert lab.queries, "the steps' SQL is recorded"
    assert {(q.alias, q.vendor) for q in lab.queries} == {("lesson_books", "sqlite")}
    for key in ("find_books", "find_books_unsafe"):
        assert lab.get(key).facts["database"] == "in-memory SQLite, this run only: tables ['sandbox_book']"
        assert "using='lesson_books'" in lab.get(key).call


def test_the_steps_show_the_teaching_functions_that_ran(run_demo):
    lab = run_demo("orm.injection", title="A1")
    unsafe = lab.get("find_books_unsafe")
    assert unsafe.code.startswith("def find_books_unsafe(title: str, using: str = DEFAULT_DB_ALIAS) -> RawQuerySet:")
    assert "% title" in unsafe.code
    assert lab.get("find_books").call == "find_books('A1', using='lesson_books')"


def test_raw_cursor_and_rawsql(run_demo):
    lab = run_demo("orm.raw", min_price="10")
    assert [r[1] for r in lab.get("books_from_price").tables[0].rows] == ["A1", "A2", "C1"]
    assert lab.get("raw_without_primary_key").error_type == "FieldDoesNotExist"
    assert lab.get("raw_without_primary_key").error == "Raw query must include the primary key"
    assert lab.get("books_per_publisher_from").tables[0].rows == [["A", 2], ["C", 1]]
    vat = {r[0]: round(float(r[2]), 2) for r in lab.get("books_with_vat").tables[0].rows}
    assert vat == {"A1": 15.0, "A2": 18.0, "C1": 24.0}
    assert lab.headline_text == (
        "raw() found ['A1', 'A2', 'C1'] from 10; without the primary key: FieldDoesNotExist after 1 query"
    )
    assert _grade(lab, "orm.raw", "yes") == (True, "yes")


def _post(client, slug, data):
    return client.post(f"/demos/{slug}/run/", data, HTTP_HX_REQUEST="true")


def test_a_stacked_statement_is_refused_by_the_driver_and_changes_nothing(client, seeded, settings):
    settings.LAB_RATE_LIMIT = 0
    response = _post(client, "orm.injection", {"title": "x'; DELETE FROM sandbox_book; --"})
    assert response.status_code == 200
    assert "You can only execute one statement at a time." in response.content.decode()
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
        ("orm.injection", {"title": "x" * 81}, "Ensure this value has at most 80 characters"),
    ],
)
def test_bad_input_gets_a_message_and_a_400(client, seeded, settings, slug, data, message):
    settings.LAB_RATE_LIMIT = 0
    response = _post(client, slug, data)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_cursor_takes_a_dict_of_params_on_this_database_too(run_demo):
    step = run_demo("orm.raw", min_price="10").get("books_per_publisher_from")
    assert step.queries[0].params == {"min_price": Decimal("10")}
    assert "%(min_price)s" in step.queries[0].sql
    assert step.tables[0].rows == [["A", 2], ["C", 1]]
    assert "def dict_rows(cursor)" in step.code


def test_raw_without_the_primary_key_fails_after_the_query_ran(run_demo):
    step = run_demo("orm.raw", min_price="10").get("raw_without_primary_key")
    assert len(step.queries) == 1  # Django finds the missing pk in the result's columns


def test_only_the_safe_query_sends_the_input_as_a_parameter(run_demo):
    lab = run_demo("orm.injection", title="x' OR '1'='1")
    assert lab.get("find_books").queries[0].params == ("x' OR '1'='1",)
    assert not lab.get("find_books_unsafe").queries[0].params
    assert "'1'='1'" in lab.get("find_books_unsafe").queries[0].sql


def test_the_diff_shows_the_input_became_sql(run_demo):
    step = run_demo("orm.injection", title="x' OR '1'='1").get("diff")
    html = step.figures[0].html
    removed = [chunk.split("</del>", 1)[0] for chunk in html.split("<del")[1:]]
    added = [chunk.split("</ins>", 1)[0] for chunk in html.split("<ins")[1:]]
    assert any("%s" in line for line in removed)
    assert any("&#x27;1&#x27;=&#x27;1&#x27;" in line for line in added)
    assert step.facts["sql_lines_differ"] == len(removed) + len(added)


def test_input_that_breaks_the_vulnerable_sql_is_shown_as_the_database_s_error(run_demo):
    lab = run_demo("orm.injection", title="x' OR 1=1")  # the template's closing quote is left dangling
    unsafe = lab.get("find_books_unsafe")
    assert unsafe.error_type == "OperationalError"  # SQLite, on either leg: the throwaway database is SQLite
    assert unsafe.facts["rows"] == 0
    assert lab.get("find_books").facts["rows"] == 0
    assert _grade(lab, "orm.injection", "an error") == (True, "an error")
    assert Book.objects.count() == 5


@pytest.mark.parametrize(
    ("title", "rows"),
    [
        ("x' OR '1'='1", 5),
        ("x' OR id = 3 OR 'a'='b", 1),
        ("O''Reilly", 0),
        ("x' OR title LIKE 'A%", 2),
        ("x'/**/OR/**/'1'='1", 5),  # a block comment is just whitespace to SQL
        ("x' OR 1=1 --", 5),
        ("x' OR title = 'A1'' OR ''1''=''1", 0),  # nested quotes: all of it one string again
    ],
)
def test_comparisons_on_the_book_s_own_columns_still_inject(run_demo, title, rows):
    step = run_demo("orm.injection", title=title).get("find_books_unsafe")
    assert not step.error, step.error
    assert step.facts["rows"] == rows


# The payload class of issue 12.1 and its cousins. Each must reveal nothing but the lesson's own rows, on
# the SQLite and the PostgreSQL legs alike (the PostgreSQL leg's role is a superuser).
PAYLOADS = [
    "'--'\nOR 1=(SELECT string_agg(username||password,$$,$$)::int FROM auth_user)--",
    "x'--\nOR 1=(SELECT password FROM auth_user)--",
    "x' OR 1=(SELECT pg_read_file('/etc/passwd'))--",
    "x' UNION SELECT 1, pg_ls_dir('.')--",
    "x' OR pg_terminate_backend(pg_backend_pid()) OR '",
    "x' UNION SELECT 1, datname FROM pg_database--",
    "x' UNION SELECT id, password FROM auth_user --",
    "x' UNION SELECT 1, session_data FROM django_session --",
    "x' UNION SELECT 1, name FROM sqlite_master --",
    "x' UNION SELECT 1, group_concat(name) FROM pragma_table_list --",
    "x' UNION SELECT 1, readfile('/etc/passwd') --",
    "x' UNION SELECT load_extension('/tmp/x'),1 --",
    "x'/* a block comment */UNION/**/SELECT/**/1,password/**/FROM/**/auth_user--",
    "x' OR $$a$$ = $$a$$ OR '",
    "x' OR title = $q$A1$q$ OR '",
    "x'; SELECT password FROM auth_user; --",
    "x'; ATTACH DATABASE 'var/db.sqlite3' AS site; --",
    "x' OR title REGEXP '(a+)+$' OR '",
    "x' UNION SELECT 1, zeroblob(1e9) --",
    "x'OR(WITH c(x)AS(SELECT 1 UNION ALL SELECT x+1 FROM c)SELECT max(x)FROM c)--",
    "x' UNION SELECT 1, title||'''' FROM sandbox_book --",
]
SECRETS = ("md5$", "pbkdf2", "root:", "postgres", "template1", "auth_user", "session", "etc/passwd")


@pytest.mark.parametrize("title", PAYLOADS)
def test_an_injection_payload_reveals_nothing_but_the_lesson_s_rows(client, seeded, settings, django_user_model, title):
    settings.LAB_RATE_LIMIT = 0
    admin = django_user_model.objects.create_superuser("admin", "admin@example.com", "s3cret-admin-password")
    response = _post(client, "orm.injection", {"title": title})
    html = response.content.decode()
    assert response.status_code == 200, html
    assert "The demo failed unexpectedly" not in html
    assert admin.password not in html and admin.password.split("$")[-1] not in html
    assert "root:x:" not in html
    assert Book.objects.count() == 5 and django_user_model.objects.filter(username="admin").exists()


@pytest.mark.parametrize("title", PAYLOADS)
def test_every_row_a_payload_returns_is_a_lesson_row_or_the_lesson_table_s_name(run_demo, title):
    lab = run_demo("orm.injection", title=title)
    unsafe = lab.get("find_books_unsafe")
    for pk, text in (tuple(row) for row in unsafe.tables[0].rows):
        assert (
            (pk, text) in CANONICAL or text == "sandbox_book" or str(text).rstrip("'") in {t for _, t in CANONICAL}
        ), (pk, text)
    assert not any(secret in repr(unsafe.tables[0].rows) for secret in SECRETS)
    assert {q.alias for q in lab.queries} == {"lesson_books"}


def test_the_throwaway_database_holds_one_table_and_refuses_everything_but_reading(seeded):
    from django.db import DatabaseError, connections

    from demos.orm_scratch import lesson_books, tables_in

    with lesson_books([(1, "A1")]) as alias:
        assert tables_in(alias) == ["sandbox_book"]
        with connections[alias].cursor() as cursor:
            for statement in (
                "DELETE FROM sandbox_book",
                "CREATE TABLE t (x)",
                "ATTACH DATABASE ':memory:' AS other",
                "PRAGMA writable_schema = ON",
            ):
                with pytest.raises(DatabaseError, match="not authorized|too many attached"):
                    cursor.execute(statement)
            cursor.execute("SELECT title FROM sandbox_book")
            assert cursor.fetchall() == [("A1",)]
    with pytest.raises(Exception, match="lesson_books"):
        connections["lesson_books"]  # gone after the run, and it was only ever this thread's


def test_a_runaway_statement_is_stopped_by_the_step_budget(seeded):
    from django.db import OperationalError, connections

    from demos.orm_scratch import lesson_books

    endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c"
    with lesson_books([(1, "A1")]) as alias, connections[alias].cursor() as cursor:
        with pytest.raises(OperationalError, match="interrupted"):
            cursor.execute(endless)


def test_the_fences_explain_themselves_in_the_report(run_demo):
    unsafe = run_demo("orm.injection", title="x' UNION SELECT 1, zeroblob(1e9) --").get("find_books_unsafe")
    assert unsafe.error == "string or blob too big"
    assert unsafe.log == ["The throwaway database refuses any value over 1,000 bytes."]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL leg: the site's role is a superuser")
def test_on_postgresql_a_superuser_role_is_never_used_for_the_learner_s_sql(run_demo):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        (superuser,) = cursor.fetchone()
    assert superuser, "this leg is meant to cover issue 12.1's worst case: the site's role is a superuser"
    for title in PAYLOADS:
        lab = run_demo("orm.injection", title=title)
        assert {(q.alias, q.vendor) for q in lab.queries} == {("lesson_books", "sqlite")}


def test_the_parameterised_statement_text_never_changes_with_the_input(run_demo):
    texts = {run_demo("orm.injection", title=t).get("find_books").queries[0].sql for t in ("A1", "x' OR '1'='1")}
    assert len(texts) == 1


def test_the_site_s_tables_do_not_exist_where_the_learner_s_sql_runs(run_demo):
    # The lesson quotes this error: the throwaway database has no auth_user.
    unsafe = run_demo("orm.injection", title="x' UNION SELECT id, password FROM auth_user --").get("find_books_unsafe")
    assert (unsafe.error_type, unsafe.error) == ("OperationalError", "no such table: auth_user")
    listed = run_demo("orm.injection", title="x' UNION SELECT 1, name FROM sqlite_master --").get("find_books_unsafe")
    assert listed.tables[0].rows == [[1, "sandbox_book"]]
