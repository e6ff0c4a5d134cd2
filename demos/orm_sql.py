"""ORM lesson 1: seeing the SQL. When a queryset runs, what it sends, and what the plan is."""

from __future__ import annotations

from functools import partial

from django import forms
from django.db import connection

from lab.registry import Prediction, demo
from sandbox import queries, queries_orm  # noqa: F401  (registers the orm.* named queries)
from sandbox.queries_orm import well_rated_books
from sandbox.teaching.orm_sql import (
    TITLE_INDEX,
    add_title_index,
    books_titled,
    count_books,
    evaluate_by_iterating,
    evaluate_with_bool,
    evaluate_with_len,
    evaluate_with_list,
    evaluate_with_pickle,
    evaluate_with_repr,
    evaluate_with_step_slice,
    second_book_twice,
    second_book_twice_after_list,
)

from .orm_lab import LabForm, explain_step, measured, n_queries, query_step

# How a queryset can be evaluated: choice -> (label, the teaching function that does it).
TRIGGERS = {
    "list": ("list(qs)", evaluate_with_list),
    "iterate": ("for book in qs", evaluate_by_iterating),
    "len": ("len(qs)", evaluate_with_len),
    "bool": ("bool(qs)", evaluate_with_bool),
    "repr": ("repr(qs)", evaluate_with_repr),
    "step-slice": ("qs[::2], a slice with a step", evaluate_with_step_slice),
    "pickle": ("pickle.dumps(qs)", evaluate_with_pickle),
}


class LazyForm(LabForm):
    trigger = forms.ChoiceField(
        choices=[(key, label) for key, (label, _) in TRIGGERS.items()],
        initial="list",
        label="Evaluate the queryset with",
    )


@demo(
    "orm.lazy",
    title="When does a queryset hit the database?",
    form=LazyForm,
    description="Build a queryset, evaluate it one way, then see which later calls reuse the result cache.",
    reports=("sql",),
    shows=(
        well_rated_books,
        *(fn for _, fn in TRIGGERS.values()),
        count_books,
        second_book_twice,
        second_book_twice_after_list,
    ),
    predictions=(
        Prediction(
            "After the queryset is evaluated the way you chose, how many queries does qs.count() send?",
            ("0", "1"),
            answer=lambda lab: str(measured(lab, "count", "queries")),
            explain="list(), iteration, len(), bool() and pickling fill the result cache and count() reads it; "
            "repr() and a step slice evaluate a copy, so count() still asks the database.",
            see="#what-evaluates-a-queryset",
        ),
    ),
)
def lazy(lab, data):
    build = lab.step("Build the queryset", well_rated_books, key="build")
    qs = build.result
    build.fact("queries", len(build.queries), "queries")
    build.fact("result_cache_filled", qs._result_cache is not None, "result cache filled")
    label, evaluate_with = TRIGGERS[data["trigger"]]
    evaluate = lab.step("Evaluate it", partial(evaluate_with, qs), key="evaluate")
    evaluate.fact("queries", len(evaluate.queries), "queries")
    # Slicing with a step and repr() evaluate a copy; only the other triggers fill qs's own cache.
    evaluate.fact("result_cache_filled", qs._result_cache is not None, "result cache filled")
    count = lab.step("qs.count() afterwards", partial(count_books, qs), key="count")
    count.fact("count", count.result, "count")
    count.fact("queries", len(count.queries), "queries")
    fresh = well_rated_books()
    for key, label_, fn in (
        ("index_twice", "Index an unevaluated queryset twice", second_book_twice),
        ("index_after_list", "Index it after list()", second_book_twice_after_list),
    ):
        step = lab.step(label_, partial(fn, fresh), key=key)
        step.fact("second_book", [str(book) for book in step.result], "fresh[1], twice")
        step.fact("queries", len(step.queries), "queries")
    if data["explain"]:
        for step in lab.steps:
            explain_step(step)
    cached = "the result cache answered" if not count.queries else "the cache was empty, so it asked the database"
    lab.headline(
        f"{label} sent {n_queries(len(evaluate.queries))}; qs.count() afterwards sent {len(count.queries)}: {cached}",
        focus=count,
    )


class ConsoleForm(LabForm):
    query = forms.ChoiceField(label="Named query", initial="orm.lazy")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the registered orm.* querysets: the console never runs SQL a learner typed.
        self.fields["query"].choices = [
            (slug, slug) for slug in sorted(queries.all_queries()) if slug.startswith("orm.")
        ]


@demo(
    "orm.sql-console",
    title="SQL console: one named queryset, its SQL, rows and plan",
    form=ConsoleForm,
    description="Pick one of the track's querysets. The lab shows the SQL Django sent, the rows, and EXPLAIN on request.",
    reports=("sql",),
)
def sql_console(lab, data):
    step = query_step(lab, data["query"], queries.get(data["query"]), key="query", explain=data["explain"])
    lab.headline(
        f"{data['query']}: {step.facts['rows']} rows from {n_queries(step.facts['queries'])}",
        focus=step,
    )


class DisplayForm(forms.Form):
    title = forms.CharField(max_length=60, initial="x' OR '1'='1", label="Title to look for")


@demo(
    "orm.display-sql",
    title="The SQL you read is not the SQL that ran",
    form=DisplayForm,
    description="Django sends SQL with placeholders and the value separately; what you read in logs is rebuilt for display.",
    reports=("sql",),
    predictions=(
        Prediction(
            "Does your title become part of the SQL text Django sends to the database?",
            ("yes", "no"),
            answer=lambda lab: "no" if measured(lab, "filter", "title_sent_separately") else "yes",
            explain="Django sends the statement with a %s placeholder and the title as a parameter; "
            "the driver binds it. The quoted version you read in logs is rebuilt for display.",
            see="#reading-the-sql-django-sent",
        ),
    ),
)
def display_sql(lab, data):
    title = data["title"]
    step = query_step(lab, "Filter by your title", partial(books_titled, title), key="filter")
    sent = step.queries[0]
    step.fact("sql_sent", sent.sql, "SQL sent (placeholders)")
    step.fact("params", sent.params, "params sent separately")
    step.fact("title_sent_separately", title in tuple(sent.params or ()), "your title travelled as a parameter")
    step.fact("display", sent.display, "display version (as in connection.queries)")
    # str(qs.query) pastes params in without the backend's quoting: never run it.
    step.fact("str_query", str(step.result.query), "str(qs.query)")
    how = "as a separate parameter" if step.facts["title_sent_separately"] else "inside the SQL"
    lab.headline(f"Your title travelled {how}; {step.facts['rows']} rows matched it", focus=step)


@demo(
    "orm.explain-index",
    title="EXPLAIN before and after an index",
    description="The same filter, planned twice: once as the table is, once after CREATE INDEX (rolled back afterwards).",
    reports=("sql",),
    predictions=(
        Prediction(
            "After CREATE INDEX on title, does this database use the index to find the book titled A1?",
            ("yes", "no"),
            answer=lambda lab: "yes" if measured(lab, "after", "uses_index") else "no",
            explain="SQLite searches with any usable index; PostgreSQL weighs costs and may still read all five "
            "rows of a tiny table.",
            see="#asking-the-database-for-its-plan",
        ),
    ),
)
def explain_index(lab, data):
    before = query_step(lab, "Without an index on title", partial(books_titled, "A1"), key="before", explain=True)
    _plan_facts(before)
    if connection.vendor == "postgresql":
        # The lab's set-up, not the lesson: PostgreSQL refuses DDL on a table with deferred constraint checks
        # pending in this transaction.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    index = lab.step("Add an index (inside the demo's transaction, so it is rolled back)", add_title_index)
    index.fact("statements", len(index.queries), "statements")
    after = query_step(lab, "With the index", partial(books_titled, "A1"), key="after", explain=True)
    _plan_facts(after)
    used = "uses the index" if after.facts["uses_index"] else "still does not use it"
    lab.headline(
        f"Plan before: {before.facts['plan_first_line']}. After CREATE INDEX this database {used}: "
        f"{after.facts['plan_first_line']}",
        focus=after,
    )


def _plan_facts(step) -> None:
    """The plan itself is shown under the SQL; the facts say what to look for in it."""
    plan = step.queries[0].plan or []
    step.fact("plan_first_line", plan[0].strip() if plan else "", "plan, first line")
    step.fact("uses_index", any(TITLE_INDEX in line for line in plan), "uses the index")
