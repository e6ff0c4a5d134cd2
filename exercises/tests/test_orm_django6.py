"""The version exercises' Run reports show, on whichever Django runs them, what the lessons' version notes say."""

import django

from exercises.orm_django6 import FETCH_PEERS_CODE
from lab import exercises


def steps(result):
    return {step["key"]: step for step in result.report["steps"]}


def test_fetch_peers_run_shows_two_queries_on_6_1_and_no_fetch_mode_on_5_2(seeded):
    ex = exercises.get("orm.fetch-peers")
    result = exercises.attempt(ex, ex.starter, "run")
    assert result.error is None
    yours, peers = steps(result)["yours"], steps(result)["peers"]
    assert len(yours["queries"]) == 6  # the plain loop: 1 for the books, 1 per book (5) for its publisher
    if django.VERSION >= (6, 1):
        assert len(peers["queries"]) == 2
        assert 'FROM "sandbox_publisher"' in peers["queries"][1] and " IN (" in peers["queries"][1]
        assert result.report["headline"].endswith(
            f"on Django {django.get_version()} the plain loop with FETCH_PEERS sends 2 queries"
        )
    else:
        assert peers["queries"] == []
        assert peers["facts"]["fetch_mode"] == repr(f"not in Django {django.get_version()}")
        assert result.report["headline"].endswith(
            f"fetch_mode() does not exist in Django {django.get_version()} (AttributeError)"
        )
    assert result.report["headline"].startswith("Your listing: 5 books in 6 queries;")


def test_learners_fetch_peers_passes_on_6_1_and_fails_naming_the_version_on_5_2(seeded):
    result = exercises.attempt(exercises.get("orm.fetch-peers"), FETCH_PEERS_CODE, "check")
    if django.VERSION >= (6, 1):
        assert result.ok, result.messages
        run = exercises.attempt(exercises.get("orm.fetch-peers"), FETCH_PEERS_CODE, "run")
        assert len(steps(run)["yours"]["queries"]) == 2
    else:
        assert not result.ok
        assert f"this is Django {django.get_version()}" in result.messages[0]


def test_restock_run_shows_f_applied_again_on_5_2_and_refreshed_on_6_x(seeded):
    ex = exercises.get("orm.restock-instance")
    result = exercises.attempt(ex, ex.solution, "run")
    assert result.error is None
    found = steps(result)
    assert found["yours"]["facts"]["stock"] == "5"  # B1: 0 + 5, the learner's restock
    if django.VERSION >= (6, 0):  # save() refreshes the field: the second save writes the same value
        assert found["f"]["facts"]["type_after_save"] == "'int'"
        assert found["again"]["facts"]["stock_in_db"] == "10"
        assert "RETURNING" in found["f"]["queries"][0]
        assert result.report["headline"].endswith(
            "type(book.stock) is int after save(), and the stock goes 5 → 10 → 10 over two saves"
        )
    else:  # the expression stays on the instance and a second save runs it again
        assert found["f"]["facts"]["type_after_save"] == "'CombinedExpression'"
        assert found["again"]["facts"]["stock_in_db"] == "15"
        assert "RETURNING" not in found["f"]["queries"][0]
        assert result.report["headline"].endswith(
            "type(book.stock) is CombinedExpression after save(), and the stock goes 5 → 10 → 15 over two saves"
        )


def test_leaving_out_refresh_from_db_fails_only_on_5_2(seeded):
    from exercises.orm_django6 import NO_REFRESH_CODE

    result = exercises.attempt(exercises.get("orm.restock-instance"), NO_REFRESH_CODE, "check")
    if django.VERSION >= (6, 0):
        assert result.ok, result.messages
    else:
        assert not result.ok
        assert f"on Django {django.get_version()} save() leaves the expression there" in result.messages[0]


def test_titles_run_shows_string_agg_sql_on_6_x_and_its_absence_on_5_2(seeded):
    ex = exercises.get("orm.titles-by-publisher")
    result = exercises.attempt(ex, ex.solution, "run")
    assert result.error is None
    found = steps(result)
    assert len(found["yours"]["queries"]) == 1
    assert result.report["headline"].startswith("Your titles_by_publisher(): 3 publishers in 1 query;")
    agg = found["string_agg"]
    if django.VERSION >= (6, 0):
        (sql,) = agg["queries"]
        function = "STRING_AGG" if "STRING_AGG(" in sql else "GROUP_CONCAT"  # GROUP_CONCAT before SQLite 3.44
        assert f"{function}(" in sql and "GROUP BY" in sql
        assert agg["facts"]["sql_function"] == repr(function)
        assert result.report["headline"].endswith(f"StringAgg joins the titles in the database ({function}, 1 query)")
    else:
        assert agg["queries"] == []
        assert result.report["headline"].endswith(
            f"django.db.models has no StringAgg on Django {django.get_version()} (AttributeError)"
        )


def test_learners_string_agg_passes_on_6_x_and_fails_naming_the_version_on_5_2(seeded):
    from exercises.orm_django6 import STRING_AGG_CODE

    code = STRING_AGG_CODE.format(delimiter='models.Value(", ")')
    result = exercises.attempt(exercises.get("orm.titles-by-publisher"), code, "check")
    if django.VERSION >= (6, 0):
        assert result.ok, result.messages
    else:
        assert not result.ok
        assert f"in Django 6.0, and this is Django {django.get_version()}" in result.messages[0]
