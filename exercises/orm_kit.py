"""Shared checks for the ORM exercises: rows compared with the reference's, query budgets that teach.

Shipped to the browser with the exercises: Django and lab.exercises only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lab.exercises import Fail


def n_queries(n: int) -> str:
    return f"{n} quer{'y' if n == 1 else 'ies'}"


def same_rows(got: Any, want: Any, what: str = "rows") -> None:
    """Fail at the first row that differs from the reference's, saying what was expected there."""
    got, want = list(got), list(want)
    if got == want:
        return
    first = next((i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b), min(len(got), len(want)))
    yours = repr(got[first]) if first < len(got) else "nothing"
    theirs = repr(want[first]) if first < len(want) else "nothing"
    raise Fail(
        f"Your {what} differ from the reference at row {first + 1}: you returned {yours}, expected {theirs} "
        f"({len(got)} rows, expected {len(want)})."
    )


def within_budget(attempt: Any, fn: Callable[[], Any], budget: int, hint: str) -> tuple[Any, list[str]]:
    """Run fn; fail with `hint` when it sends more than `budget` queries."""
    result, sql = attempt.queries(fn)
    if len(sql) > budget:
        raise Fail(f"{n_queries(len(sql))}, the budget is {budget}: {hint}")
    return result, sql


def rows_of(fn: Callable[[], Any]) -> Callable[[], list[Any]]:
    """A function that calls fn and reads every row inside the call (so a lazy queryset's SQL is counted)."""
    return lambda: list(fn())
