"""ORM lesson 1: laziness, the result cache, what SQL is shown, EXPLAIN."""

import django
import pytest
from django.db import connection


def test_count_after_evaluation_runs_no_query(run_demo):
    lab = run_demo("orm.lazy", trigger="list")
    assert lab.get("Build the queryset").facts["queries"] == 0
    assert lab.get("Evaluate it").facts["queries"] == 1
    assert lab.get("qs.count() afterwards").facts["queries"] == 0
    assert lab.get("qs.count() afterwards").facts["count"] == 3
    assert len(lab.queries) == 1 + 2 + 1  # list(qs), fresh[1] twice, list(fresh)


def test_indexing_an_unevaluated_queryset_twice_runs_two_queries(run_demo):
    lab = run_demo("orm.lazy", trigger="len")
    assert lab.get("Index an unevaluated queryset twice").facts["queries"] == 2
    assert lab.get("Index it after list()").facts["queries"] == 1


@pytest.mark.parametrize("trigger", ["list", "iterate", "len", "bool", "repr", "step-slice", "pickle"])
def test_every_trigger_sends_exactly_one_query(run_demo, trigger):
    lab = run_demo("orm.lazy", trigger=trigger)
    assert lab.get("Evaluate it").facts["queries"] == 1


def test_a_step_slice_evaluates_a_copy_so_count_still_queries(run_demo):
    lab = run_demo("orm.lazy", trigger="step-slice")
    assert lab.get("Evaluate it").facts["result cache filled"] is False
    assert lab.get("qs.count() afterwards").facts["queries"] == 1


def test_explain_attaches_a_plan_to_select_queries(run_demo):
    lab = run_demo("orm.sql-console", query="orm.top-per-publisher", explain=True)
    step = lab.get("orm.top-per-publisher")
    assert [row[0] for row in step.tables[0].rows] == [2, 4, 5]
    assert step.queries[0].plan


def test_display_sql_doubles_the_quotes_but_the_params_travel_separately(run_demo):
    lab = run_demo("orm.display-sql", title="x' OR '1'='1")
    facts = lab.get("Filter by your title").facts
    assert facts["rows"] == 0
    assert facts["params sent separately"] == ("x' OR '1'='1",)
    assert "%s" in facts["SQL sent (placeholders)"]
    assert "'x'' OR ''1''=''1'" in facts["display version (as in connection.queries)"]


def test_an_index_changes_the_plan(run_demo):
    lab = run_demo("orm.explain-index")
    before, after = lab.get("Without an index on title").facts, lab.get("With the index").facts
    assert before["uses the index"] is False
    if connection.vendor == "sqlite":
        assert before["plan, first line"].startswith("SCAN")
        assert after["uses the index"] is True
        assert (
            after["plan, first line"].startswith("SEARCH")
            and "USING INDEX lab_book_title_idx" in after["plan, first line"]
        )
    else:  # PostgreSQL may still prefer a sequential scan over five rows: the lesson says so
        assert before["plan, first line"].startswith("Seq Scan")
        assert after["plan, first line"]


@pytest.mark.parametrize(
    ("trigger", "fills_cache"),
    [
        ("list", True),
        ("iterate", True),
        ("len", True),
        ("bool", True),
        ("pickle", True),
        ("repr", False),  # repr() evaluates qs[:21], a sliced copy
        ("step-slice", False),
    ],
)
def test_which_triggers_fill_the_result_cache(run_demo, trigger, fills_cache):
    lab = run_demo("orm.lazy", trigger=trigger)
    assert lab.get("Evaluate it").facts["result cache filled"] is fills_cache
    assert lab.get("qs.count() afterwards").facts["queries"] == (0 if fills_cache else 1)


def test_explain_is_only_run_for_select_statements(seeded):
    from demos.orm_lab import explain_step
    from lab.recorder import Recorder, recording
    from sandbox.models import Book

    lab = Recorder()
    with recording(lab), lab.step("a write and a read") as step:
        Book.objects.filter(pk=1).update(stock=11)
        list(Book.objects.filter(pk=1))
    explain_step(step)
    update, select = step.queries
    assert update.sql.startswith("UPDATE") and update.plan is None
    assert select.sql.startswith("SELECT") and select.plan
    assert Book.objects.get(pk=1).stock == 11  # EXPLAIN ran nothing twice, and never on the UPDATE


def test_without_the_checkbox_no_plan_is_fetched(run_demo):
    lab = run_demo("orm.sql-console", query="orm.lazy", explain=False)
    assert all(q.plan is None for q in lab.queries)


@pytest.mark.skipif(
    django.VERSION < (6, 1), reason="QuerySet.totally_ordered is new in Django 6.1 (a version note on 5.2)"
)
def test_totally_ordered_needs_a_unique_ordering():
    from sandbox.models import Book

    assert Book.objects.order_by("title").totally_ordered is False
    assert Book.objects.order_by("pk").totally_ordered is True


def test_repr_fetches_at_most_21_rows_in_a_sliced_copy(run_demo):
    step = run_demo("orm.lazy", trigger="repr").get("Evaluate it")
    assert "LIMIT 21" in step.queries[0].display


def test_an_apostrophe_is_doubled_only_in_the_display_version(run_demo):
    facts = run_demo("orm.display-sql", title="O'Reilly").get("Filter by your title").facts
    assert facts["params sent separately"] == ("O'Reilly",)
    assert "'O''Reilly'" in facts["display version (as in connection.queries)"]


def test_the_console_shows_any_model_s_rows_with_their_annotations(run_demo):
    orders = run_demo("orm.sql-console", query="orm.concept-discounted").get("orm.concept-discounted")
    assert orders.tables[0].columns == ["pk"]  # Order has neither title nor name
    assert [row[0] for row in orders.tables[0].rows] == [1, 3]
    ranks = run_demo("orm.sql-console", query="orm.price-rank").get("orm.price-rank")
    assert ranks.tables[0].columns == ["pk", "title", "price_rank"]


def test_the_toolbar_offers_sel_and_expl_on_every_statement_with_params():
    # Lesson 1 warns that Sel/Expl re-run UPDATEs too; this pins that to the installed django-debug-toolbar.
    from pathlib import Path

    import debug_toolbar

    panel = (Path(debug_toolbar.__file__).parent / "templates/debug_toolbar/panels/sql.html").read_text()
    assert "{% if query.params is not None %}" in panel
    assert "is_select" not in panel
