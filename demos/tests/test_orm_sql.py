"""ORM lesson 1: laziness, the result cache, what SQL is shown, EXPLAIN."""

import django
import pytest
from django.db import connection


def test_count_after_evaluation_runs_no_query(run_demo):
    lab = run_demo("orm.lazy", trigger="list")
    assert lab.get("build").facts["queries"] == 0
    assert lab.get("evaluate").facts["queries"] == 1
    assert lab.get("count").facts["queries"] == 0
    assert lab.get("count").facts["count"] == 3
    assert len(lab.queries) == 1 + 2 + 1  # list(qs), fresh[1] twice, list(fresh)


def test_indexing_an_unevaluated_queryset_twice_runs_two_queries(run_demo):
    lab = run_demo("orm.lazy", trigger="len")
    assert lab.get("index_twice").facts["queries"] == 2
    assert lab.get("index_after_list").facts["queries"] == 1


@pytest.mark.parametrize("trigger", ["list", "iterate", "len", "bool", "repr", "step-slice", "pickle"])
def test_every_trigger_sends_exactly_one_query(run_demo, trigger):
    lab = run_demo("orm.lazy", trigger=trigger)
    assert lab.get("evaluate").facts["queries"] == 1


def test_a_step_slice_evaluates_a_copy_so_count_still_queries(run_demo):
    lab = run_demo("orm.lazy", trigger="step-slice")
    assert lab.get("evaluate").facts["result_cache_filled"] is False
    assert lab.get("count").facts["queries"] == 1


def test_explain_attaches_a_plan_to_select_queries(run_demo):
    lab = run_demo("orm.sql-console", query="orm.top-per-publisher", explain=True)
    step = lab.get("query")
    assert [row[0] for row in step.tables[0].rows] == [2, 4, 5]
    assert step.queries[0].plan


def test_display_sql_doubles_the_quotes_but_the_params_travel_separately(run_demo):
    lab = run_demo("orm.display-sql", title="x' OR '1'='1")
    facts = lab.get("filter").facts
    assert facts["rows"] == 0
    assert facts["params"] == ("x' OR '1'='1",)
    assert "%s" in facts["sql_sent"]
    assert "'x'' OR ''1''=''1'" in facts["display"]


def test_an_index_changes_the_plan(run_demo):
    lab = run_demo("orm.explain-index")
    before, after = lab.get("before").facts, lab.get("after").facts
    assert before["uses_index"] is False
    if connection.vendor == "sqlite":
        assert before["plan_first_line"].startswith("SCAN")
        assert after["uses_index"] is True
        assert (
            after["plan_first_line"].startswith("SEARCH")
            and "USING INDEX lab_book_title_idx" in after["plan_first_line"]
        )
    else:  # PostgreSQL may still prefer a sequential scan over five rows: the lesson says so
        assert before["plan_first_line"].startswith("Seq Scan")
        assert after["plan_first_line"]


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
    assert lab.get("evaluate").facts["result_cache_filled"] is fills_cache
    assert lab.get("count").facts["queries"] == (0 if fills_cache else 1)


def test_explain_is_only_run_for_select_statements(seeded):
    from demos.orm_lab import explain_step
    from lab.testing import recorded
    from sandbox.models import Book

    with recorded("a write and a read") as lab:
        Book.objects.filter(pk=1).update(stock=11)
        list(Book.objects.filter(pk=1))
    step = lab.get("test")
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
    step = run_demo("orm.lazy", trigger="repr").get("evaluate")
    assert "LIMIT 21" in step.queries[0].display


def test_an_apostrophe_is_doubled_only_in_the_display_version(run_demo):
    facts = run_demo("orm.display-sql", title="O'Reilly").get("filter").facts
    assert facts["params"] == ("O'Reilly",)
    assert "'O''Reilly'" in facts["display"]


def test_the_console_shows_any_model_s_rows_with_their_annotations(run_demo):
    orders = run_demo("orm.sql-console", query="orm.concept-discounted").get("query")
    assert orders.tables[0].columns == ["pk"]  # Order has neither title nor name
    assert [row[0] for row in orders.tables[0].rows] == [1, 3]
    ranks = run_demo("orm.sql-console", query="orm.price-rank").get("query")
    assert ranks.tables[0].columns == ["pk", "title", "price_rank"]


def test_the_toolbar_offers_sel_and_expl_on_every_statement_with_params():
    # Lesson 1 warns that Sel/Expl re-run UPDATEs too; this pins that to the installed django-debug-toolbar.
    from pathlib import Path

    import debug_toolbar

    panel = (Path(debug_toolbar.__file__).parent / "templates/debug_toolbar/panels/sql.html").read_text()
    assert "{% if query.params is not None %}" in panel
    assert "is_select" not in panel


def _grade(lab, slug, given):
    from lab import registry

    (prediction,) = registry.get(slug).predictions
    return prediction.grade(lab, given)


@pytest.mark.parametrize(("trigger", "answer"), [("list", "0"), ("repr", "1"), ("step-slice", "1"), ("pickle", "0")])
def test_the_count_prediction_is_graded_from_the_run(run_demo, trigger, answer):
    lab = run_demo("orm.lazy", trigger=trigger)
    assert _grade(lab, "orm.lazy", answer) == (True, answer)
    assert lab.focus_key == "count"
    assert f"qs.count() afterwards sent {answer}" in lab.headline_text


def test_each_lazy_step_shows_the_teaching_function_it_called(run_demo):
    lab = run_demo("orm.lazy", trigger="bool")
    assert lab.get("evaluate").code.startswith("def evaluate_with_bool(qs: QuerySet) -> bool:")
    assert lab.get("evaluate").call == "evaluate_with_bool(<QuerySet of Book>)"
    assert '@named_query("orm.lazy")' in lab.get("build").code
    assert lab.headline_text.startswith("bool(qs) sent 1 query;")


def test_the_display_headline_and_prediction_say_the_title_travelled_separately(run_demo):
    lab = run_demo("orm.display-sql", title="x' OR '1'='1")
    assert lab.headline_text == "Your title travelled as a separate parameter; 0 rows matched it"
    assert _grade(lab, "orm.display-sql", "no") == (True, "no")
    assert lab.get("filter").call == "books_titled(\"x' OR '1'='1\")"


def test_the_console_headline_counts_rows_and_queries(run_demo):
    lab = run_demo("orm.sql-console", query="orm.top-per-publisher")
    assert lab.headline_text == "orm.top-per-publisher: 3 rows from 1 query"
    assert "def top_book_per_publisher" in lab.get("query").code


def test_the_explain_prediction_reads_the_plan_this_database_chose(run_demo):
    lab = run_demo("orm.explain-index")
    used = lab.get("after").facts["uses_index"]
    assert _grade(lab, "orm.explain-index", "yes" if used else "no")[0] is True
    assert "CREATE INDEX" in lab.get("add_title_index").queries[0].sql
    assert lab.get("add_title_index").code.startswith("def add_title_index() -> None:")
