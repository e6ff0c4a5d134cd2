"""ORM lesson 1: seeing the SQL. When a queryset runs, what it sends, and what the plan is."""

from __future__ import annotations

import pickle

from django import forms
from django.db import connection

from lab.registry import demo
from sandbox import queries, queries_orm  # noqa: F401  (registers the orm.* named queries)
from sandbox.models import Book
from sandbox.queries_orm import well_rated_books

from .orm_lab import LabForm, code_of, explain_step, run_query

# How a queryset can be evaluated: label -> (the code shown, what runs).
TRIGGERS = {
    "list": ("rows = list(qs)", list),
    "iterate": ("for book in qs: ...", lambda qs: [book for book in qs]),
    "len": ("len(qs)", len),
    "bool": ("bool(qs)", bool),
    "repr": ("repr(qs)", repr),
    "step-slice": ("qs[::2]  # a slice with a step evaluates", lambda qs: qs[::2]),
    "pickle": ("pickle.dumps(qs)", pickle.dumps),
}


class LazyForm(LabForm):
    trigger = forms.ChoiceField(
        choices=[(key, code) for key, (code, _) in TRIGGERS.items()],
        initial="list",
        label="Evaluate the queryset with",
    )


@demo(
    "orm.lazy",
    title="When does a queryset hit the database?",
    form=LazyForm,
    description="Build a queryset, evaluate it one way, then see which later calls reuse the result cache.",
    reports=("sql",),
)
def lazy(lab, data):
    with lab.step("Build the queryset", code=code_of(well_rated_books) + "\n\nqs = well_rated_books()") as s:
        qs = well_rated_books()
        s.fact("queries", len(s.queries))
        s.fact("result cache filled", qs._result_cache is not None)
    code, evaluate = TRIGGERS[data["trigger"]]
    with lab.step("Evaluate it", code=code) as s:
        evaluate(qs)
        s.fact("queries", len(s.queries))
        # Slicing with a step evaluates a copy; only the other triggers fill qs's own cache.
        s.fact("result cache filled", qs._result_cache is not None)
    with lab.step("qs.count() afterwards", code="qs.count()") as s:
        s.fact("count", qs.count())
        s.fact("queries", len(s.queries))
    with lab.step("Index an unevaluated queryset twice", code="fresh = well_rated_books()\nfresh[1]\nfresh[1]") as s:
        fresh = well_rated_books()
        s.fact("fresh[1]", [str(fresh[1]), str(fresh[1])])
        s.fact("queries", len(s.queries))
    with lab.step("Index it after list()", code="list(fresh)\nfresh[1]\nfresh[1]") as s:
        list(fresh)
        s.fact("fresh[1]", [str(fresh[1]), str(fresh[1])])
        s.fact("queries", len(s.queries))
    if data["explain"]:
        for step in lab.steps:
            explain_step(step)


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
    fn = queries.get(data["query"])
    run_query(lab, data["query"], code_of(fn), fn, explain=data["explain"])


class DisplayForm(forms.Form):
    title = forms.CharField(max_length=60, initial="x' OR '1'='1", label="Title to look for")


@demo(
    "orm.display-sql",
    title="The SQL you read is not the SQL that ran",
    form=DisplayForm,
    description="Django sends SQL with placeholders and the value separately; what you read in logs is rebuilt for display.",
    reports=("sql",),
)
def display_sql(lab, data):
    title = data["title"]
    with lab.step("Filter by your title", code="Book.objects.filter(title=title)") as s:
        qs = Book.objects.filter(title=title)
        s.fact("rows", len(qs))
        sent = s.queries[0]
        s.fact("SQL sent (placeholders)", sent.sql)
        s.fact("params sent separately", sent.params)
        s.fact("display version (as in connection.queries)", sent.display)
        # str(qs.query) pastes params in without the backend's quoting: never run it.
        s.fact("str(qs.query)", str(qs.query))


INDEX = "lab_book_title_idx"  # created inside the demo's transaction, so rolled back with it


@demo(
    "orm.explain-index",
    title="EXPLAIN before and after an index",
    description="The same filter, planned twice: once as the table is, once after CREATE INDEX (rolled back afterwards).",
    reports=("sql",),
)
def explain_index(lab, data):
    code = 'Book.objects.filter(title="A1")'
    step, _ = run_query(lab, "Without an index on title", code, lambda: Book.objects.filter(title="A1"), explain=True)
    _plan_facts(step)
    with (
        lab.step("Add an index (inside the demo's transaction, so it is rolled back)") as s,
        connection.cursor() as cur,
    ):
        if connection.vendor == "postgresql":
            # PostgreSQL refuses DDL on a table with deferred constraint checks pending in this transaction.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute(f'CREATE INDEX "{INDEX}" ON "sandbox_book" ("title")')
        s.fact("statements", len(s.queries))
    step, _ = run_query(lab, "With the index", code, lambda: Book.objects.filter(title="A1"), explain=True)
    _plan_facts(step)


def _plan_facts(step) -> None:
    """The plan itself is shown under the SQL; the facts say what to look for in it."""
    plan = step.queries[0].plan or []
    step.fact("plan, first line", plan[0].strip() if plan else "")
    step.fact("uses the index", any(INDEX in line for line in plan))
