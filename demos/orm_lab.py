"""The query lab: one report shape for every ORM demo.

`query_step` calls one named queryset or teaching function (sandbox/queries_orm.py,
sandbox/teaching/orm_*.py) as a step: its code panel is that function's source,
its call line the arguments it got, and the rows it returned are read *inside*
the step, so the SQL a lazy queryset sends is recorded where it belongs. The
step gets a table of the rows and three facts (`rows`, `queries`, `query_ms`);
with "Show EXPLAIN" ticked, the database's plan for every SELECT it sent.

`compare` runs two variants of the same question and adds a step listing their
differences: rows, query counts, and the SQL as a figure with the lines and
words that differ highlighted (lab/sqldiff.py).
"""

from __future__ import annotations

import functools
import inspect
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.db import DatabaseError, connections, transaction
from django.db.models import Model, QuerySet

from lab.recorder import Recorder, Step, call_text, paused, source_code
from lab.sqldiff import show_sql_diff

MAX_ROWS = 25  # rows shown in a table; the "rows" fact always counts them all
MAX_EXPLAINED = 8  # plans per step: enough for an N+1 loop's first queries

Errors = type[BaseException] | tuple[type[BaseException], ...]


class LabForm(forms.Form):
    """Every query-lab demo can show the database's plan for what it ran."""

    explain = forms.BooleanField(
        required=False, label="Show EXPLAIN", help_text="The plan the database chose, for SELECT queries only."
    )


def name_of(fn: Callable[..., Any]) -> str:
    target = fn.func if isinstance(fn, functools.partial) else fn
    return getattr(inspect.unwrap(target), "__name__", "query")


def query_step(
    lab: Recorder,
    label: str,
    fn: Callable[[], Any],
    *,
    key: str = "",
    columns: list[str] | None = None,
    explain: bool = False,
    expect: Errors = (),
    code: str | None = None,
    savepoint_on_error: bool = True,
) -> Step:
    """Call `fn` (a partial of a teaching function) as one step and tabulate what it returned.

    The rows are read inside the step: a queryset's SQL, and any query that
    reading an attribute causes (a deferred field, a lazy relation), belong to
    it. Errors of the `expect` types become the step's error (the lesson's
    point); when that may be a database error, a savepoint keeps the site's
    PostgreSQL transaction usable after it (`savepoint_on_error=False` when the
    statements run elsewhere). `code` replaces the function's source, e.g. with just the call when the
    step before showed the same function.
    """
    cols, rows = list(columns or []), []
    with lab.section(
        label, key=key or name_of(fn), code=source_code(fn) if code is None else code, expect=expect
    ) as step:
        step.call = call_text(fn)
        with savepoint() if savepoint_on_error and _database_error_expected(expect) else nullcontext():
            step.result = fn()
            cols, rows = tabulate(step.result, columns)
    rows = [[_cell(value) for value in row] for row in rows]
    step.fact("rows", len(rows), "rows")
    step.fact("queries", len(step.queries), "queries")
    step.fact("query_ms", round(step.query_ms, 3), "query time (ms)")
    step.table(cols, rows[:MAX_ROWS])
    if len(rows) > MAX_ROWS:
        step.note(f"Showing the first {MAX_ROWS} of {len(rows)} rows.")
    if explain and not step.error:
        explain_step(step)
    return step


def _database_error_expected(expect: Errors) -> bool:
    kinds = expect if isinstance(expect, tuple) else (expect,)
    return any(issubclass(kind, DatabaseError) or issubclass(DatabaseError, kind) for kind in kinds)


def sources(*fns: Callable[..., Any]) -> str:
    """The source of several teaching functions, for a step whose function calls the others."""
    return "\n\n".join(source_code(fn).rstrip() for fn in fns) + "\n"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def n_queries(n: int) -> str:
    return f"{n} quer{'y' if n == 1 else 'ies'}"


def rows_of(step: Step) -> list[list[Any]]:
    return step.tables[0].rows if step.tables else []


def column(step: Step, name: str) -> list[Any]:
    """One column of a step's table, by name."""
    table = step.tables[0]
    index = table.columns.index(name)
    return [row[index] for row in table.rows]


def tabulate(result: Any, columns: list[str] | None = None) -> tuple[list[str], list[list[Any]]]:
    """Turn what a queryset (or a teaching function) returned into table columns and rows."""
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
    """Attach the database's plan to each SELECT the step sent (EXPLAIN is never run on writes).

    Each statement is planned on the connection that ran it (the injection demo's
    throwaway database included, while it exists).
    """
    for query in [q for q in step.queries if is_select(q.sql)][:MAX_EXPLAINED]:
        database = connections[query.alias]
        with paused(), database.cursor() as cursor:
            cursor.execute(f"{database.ops.explain_query_prefix()} {query.sql}", query.params)
            query.plan = plan_lines(cursor.fetchall(), database.vendor)


def is_select(sql: str) -> bool:
    head = sql.lstrip().upper()
    return head.startswith("SELECT") and ";" not in sql


def plan_lines(rows: list[tuple], vendor: str) -> list[str]:
    if vendor == "sqlite":  # EXPLAIN QUERY PLAN rows: (id, parent, notused, detail)
        depth: dict[int, int] = {0: 0}
        lines = []
        for node, parent, _, detail in rows:
            depth[node] = depth.get(parent, 0) + 1
            lines.append("  " * (depth[node] - 1) + str(detail))
        return lines
    return [str(row[0]) for row in rows]


# Django 6.1 renames transaction.savepoint() to savepoint_create() (the old name is deprecated there).
savepoint_create = getattr(transaction, "savepoint_create", transaction.savepoint)


@contextmanager
def savepoint() -> Iterator[None]:
    """A savepoint around statements the lesson expects to fail.

    PostgreSQL aborts the whole transaction after an error; rolling back to a
    savepoint lets the demo carry on. The SAVEPOINT statements themselves are
    the lab's bookkeeping, so they are not recorded.
    """
    with paused():
        sid = savepoint_create()
    try:
        yield
    except Exception:
        with paused():
            transaction.savepoint_rollback(sid)
        raise
    with paused():
        transaction.savepoint_commit(sid)


def compare(
    lab: Recorder,
    label_a: str,
    fn_a: Callable[[], Any],
    label_b: str,
    fn_b: Callable[[], Any],
    *,
    key_a: str = "",
    key_b: str = "",
    key: str = "",
    columns: list[str] | None = None,
    explain: bool = False,
) -> Step:
    """Run two variants as steps, then add a step "label_a vs label_b" with their differences."""
    step_a = query_step(lab, label_a, fn_a, key=key_a, columns=columns, explain=explain)
    step_b = query_step(lab, label_b, fn_b, key=key_b, columns=columns, explain=explain)
    rows_a, rows_b = rows_of(step_a), rows_of(step_b)
    with lab.section(f"{label_a} vs {label_b}", key=key or f"{step_a.key}_vs_{step_b.key}") as diff:
        diff.fact("queries_a", len(step_a.queries), f"queries: {label_a}")
        diff.fact("queries_b", len(step_b.queries), f"queries: {label_b}")
        diff.fact("same_rows", _row_keys(rows_a) == _row_keys(rows_b), "same rows")
        only_a, only_b = _multiset_diff(rows_a, rows_b)
        if only_a:
            diff.fact("only_a", only_a, f"rows only in {label_a}")
        if only_b:
            diff.fact("only_b", only_b, f"rows only in {label_b}")
        changed = show_sql_diff(diff, "SQL, differences highlighted", label_a, step_a.queries, label_b, step_b.queries)
        diff.fact("sql_lines_differ", changed, "SQL lines that differ")
    return diff


def _row_keys(rows: list[Any]) -> list[str]:
    return sorted(_row_text(r) for r in rows)


def _row_text(row: Any) -> str:
    """A row as a learner reads it in the table: cells joined by ' | '."""
    return " | ".join(str(cell) for cell in row) if isinstance(row, (list, tuple)) else str(row)


def _multiset_diff(rows_a: list[Any], rows_b: list[Any]) -> tuple[list[str], list[str]]:
    a, b = Counter(_row_text(r) for r in rows_a), Counter(_row_text(r) for r in rows_b)
    return sorted((a - b).elements()), sorted((b - a).elements())


def measured(lab: Recorder, key: str, fact: str, default: str = "") -> Any:
    """A fact of a step (or `error_type`, the error it expected), for a prediction: `default` if no such step."""
    step = next((s for s in lab.steps if s.key == key), None)
    if step is None:
        return default
    return step.error_type if fact == "error_type" else step.facts.get(fact, default)
