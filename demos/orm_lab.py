"""The query lab: one report shape for every ORM demo.

For each queryset a demo runs, `run_query` records a step with the Python that
ran (`code=`), the SQL Django sent (the lab's execute wrapper records it), the
rows that came back as a table, the query count and time, and, when the learner
ticks "Show EXPLAIN", the database's plan for every SELECT the step sent.

`compare` runs two variants of the same question side by side and adds a step
that lists their differences: rows, query counts, and the SQL as a figure with
the lines and words that differ highlighted (orm_diff.py).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.db import DatabaseError, connection, transaction
from django.db.models import Model, QuerySet

from lab.recorder import Recorder, Step, paused
from lab.sqldiff import show_sql_diff

MAX_ROWS = 25  # rows shown in a table; the "rows" fact always counts them all
MAX_EXPLAINED = 8  # plans per step: enough for an N+1 loop's first queries


class LabForm(forms.Form):
    """Every query-lab demo can show the database's plan for what it ran."""

    explain = forms.BooleanField(
        required=False, label="Show EXPLAIN", help_text="The plan the database chose, for SELECT queries only."
    )


def run_query(
    lab: Recorder,
    label: str,
    code: str,
    fn: Callable[[], Any],
    *,
    columns: list[str] | None = None,
    explain: bool = False,
    db_error_expected: bool = False,
) -> tuple[Step, list[Any]]:
    """Run `fn` (which returns a queryset, rows, a dict or a scalar) as one step and tabulate what it returned.

    With `db_error_expected`, an error from the database becomes the step's error instead of failing the demo.
    """

    def run() -> tuple[list[str], list[list[Any]]]:
        return tabulate(fn(), columns)  # a queryset's SQL runs here, while its rows are read

    with lab.step(label, code=code) as step:
        table = expect_db_error(step, run) if db_error_expected else run()
        cols, rows = table or (columns or [], [])
        rows = [[_cell(value) for value in row] for row in rows]
        step.fact("rows", len(rows))
        step.fact("queries", len(step.queries))
        step.fact("query time (ms)", round(step.query_ms, 3))
        step.table(cols, rows[:MAX_ROWS])
        if len(rows) > MAX_ROWS:
            step.note(f"Showing the first {MAX_ROWS} of {len(rows)} rows.")
    if explain and not step.error:
        explain_step(step)
    return step, rows


def code_of(fn: Callable[..., Any]) -> str:
    """The source of a named query (sandbox/queries_orm.py) without its decorator: the code that runs."""
    lines = inspect.getsource(fn).splitlines()
    return "\n".join(line for line in lines if not line.startswith("@")).strip()


def tabulate(result: Any, columns: list[str] | None = None) -> tuple[list[str], list[list[Any]]]:
    """Turn what a queryset (or a demo) returned into table columns and rows."""
    if isinstance(result, dict):  # aggregate() and friends
        return list(result), [list(result.values())]
    if isinstance(result, Model):
        result = [result]
    if not isinstance(result, (list, tuple, QuerySet)) and not hasattr(result, "__iter__"):
        return ["value"], [[result]]
    items = list(result)
    if not items:
        return columns or ["(no rows)"], []
    first = items[0]
    if isinstance(first, dict):
        cols = columns or list(first)
        return cols, [[item.get(c) for c in cols] for item in items]
    if isinstance(first, Model):
        # Reading attributes happens inside the step, so a deferred field's extra query shows up.
        name = [f for f in ("title", "name") if hasattr(first, f)][:1]
        annotations = list(result.query.annotation_select) if isinstance(result, QuerySet) else []
        cols = columns or ["pk", *name, *annotations]
        return cols, [[getattr(item, c) for c in cols] for item in items]
    if isinstance(first, (list, tuple)):
        return columns or [f"col{i + 1}" for i in range(len(first))], [list(item) for item in items]
    return columns or ["value"], [[item] for item in items]


def _cell(value: Any) -> Any:
    """Decimals and datetimes as a person writes them (12.50, 2025-11-01 00:00); everything else as repr."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def explain_step(step: Step) -> None:
    """Attach the database's plan to each SELECT the step sent (EXPLAIN is never run on writes)."""
    prefix = connection.ops.explain_query_prefix()
    for query in [q for q in step.queries if is_select(q.sql)][:MAX_EXPLAINED]:
        with paused(), connection.cursor() as cursor:
            cursor.execute(f"{prefix} {query.sql}", query.params)
            query.plan = plan_lines(cursor.fetchall())


def is_select(sql: str) -> bool:
    head = sql.lstrip().upper()
    return head.startswith("SELECT") and ";" not in sql


def plan_lines(rows: list[tuple]) -> list[str]:
    if connection.vendor == "sqlite":  # EXPLAIN QUERY PLAN rows: (id, parent, notused, detail)
        depth: dict[int, int] = {0: 0}
        lines = []
        for node, parent, _, detail in rows:
            depth[node] = depth.get(parent, 0) + 1
            lines.append("  " * (depth[node] - 1) + str(detail))
        return lines
    return [str(row[0]) for row in rows]


@contextmanager
def savepoint(rollback: bool = False) -> Iterator[None]:
    """A savepoint around statements the lesson expects to fail (or must undo: `rollback=True`).

    PostgreSQL aborts the whole transaction after an error; rolling back to a
    savepoint lets the demo carry on. The SAVEPOINT statements themselves are
    the lab's bookkeeping, so they are not recorded.
    """
    with paused():
        sid = transaction.savepoint()
    try:
        yield
    except Exception:
        with paused():
            transaction.savepoint_rollback(sid)
        raise
    with paused():
        if rollback:
            transaction.savepoint_rollback(sid)
        else:
            transaction.savepoint_commit(sid)


def compare(
    lab: Recorder,
    label_a: str,
    fn_a: Callable[[], Any],
    label_b: str,
    fn_b: Callable[[], Any],
    *,
    code_a: str = "",
    code_b: str = "",
    columns: list[str] | None = None,
    explain: bool = False,
) -> Step:
    """Run two variants as steps, then add a step "label_a vs label_b" with their differences."""
    step_a, rows_a = run_query(lab, label_a, code_a, fn_a, columns=columns, explain=explain)
    step_b, rows_b = run_query(lab, label_b, code_b, fn_b, columns=columns, explain=explain)
    with lab.step(f"{label_a} vs {label_b}") as diff:
        diff.fact(f"queries: {label_a}", len(step_a.queries))
        diff.fact(f"queries: {label_b}", len(step_b.queries))
        diff.fact("same rows", _row_keys(rows_a) == _row_keys(rows_b))
        only_a, only_b = _multiset_diff(rows_a, rows_b)
        if only_a:
            diff.fact(f"rows only in {label_a}", only_a)
        if only_b:
            diff.fact(f"rows only in {label_b}", only_b)
        changed = show_sql_diff(diff, "SQL, differences highlighted", label_a, step_a.queries, label_b, step_b.queries)
        diff.fact("SQL lines that differ", changed)
    return diff


def _row_keys(rows: list[Any]) -> list[str]:
    return sorted(_row_text(r) for r in rows)


def _row_text(row: Any) -> str:
    """A row as a learner reads it in the table: cells joined by ' | '."""
    return " | ".join(str(cell) for cell in row) if isinstance(row, (list, tuple)) else str(row)


def _multiset_diff(rows_a: list[Any], rows_b: list[Any]) -> tuple[list[str], list[str]]:
    from collections import Counter

    a, b = Counter(_row_text(r) for r in rows_a), Counter(_row_text(r) for r in rows_b)
    return sorted((a - b).elements()), sorted((b - a).elements())


def expect_db_error(step: Step, fn: Callable[[], Any]) -> Any:
    """Run `fn` in a savepoint; a database error becomes the step's error (what the lesson shows)."""
    try:
        with savepoint():
            return fn()
    except DatabaseError as exc:
        step.error_type = type(exc).__name__
        step.error = str(exc).strip()
        return None
