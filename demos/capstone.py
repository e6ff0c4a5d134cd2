"""The capstone: make the slow bookshop page fast, one fix at a time, each measured.

Every visit is a real GET of /sandbox/capstone/books/ through a stack with the
site's ServerTimingMiddleware, so each step shows the SQL the lab recorded and
the Server-Timing and X-Lab-Queries headers the middleware measured. The
chosen fix and every fix before it are applied in turn; the run ends with the
page's query-budget test, run in-process (lab.testrun).
"""

from __future__ import annotations

import re
from functools import partial

from django import forms

from lab.recorder import paused, source_code
from lab.registry import Prediction, demo
from lab.testrun import run_tests
from sandbox.endpoints import capstone as page
from sandbox.middleware import ServerTimingMiddleware
from sandbox.teaching import capstone as t

from .middleware_kit import exchange, middleware_setting

STACK = ["sandbox.middleware.ServerTimingMiddleware"]
PATH = "/sandbox/capstone/books/"
FIXES = {
    "none": "No fixes: the page as first written",
    "loading": "Fix 1: select_related and prefetch_related",
    "annotate": "Fix 2: annotate the review count and average",
    "cache": "Fix 3: cache the finished rows",
    "invalidate": "Fix 4: forget the cached page when a review is added",
}
ORDER = list(FIXES)
NEW_REVIEW = {"book_id": 2, "customer_id": 3, "stars": 4}  # A2 has no review in the seed
QUERY_CHOICES = ("1", "6", "11", "16", "21")
APP_DUR = re.compile(r"app;dur=([0-9.]+)")


class CapstoneForm(forms.Form):
    fixes = forms.ChoiceField(
        choices=list(FIXES.items()), initial="none", label="Apply the fixes up to", widget=forms.RadioSelect
    )


def _slow_queries(lab) -> str:
    return str(lab.get("none").facts["queries"])


def _stale(lab) -> str:
    try:
        facts = lab.get("after_write").facts
    except KeyError:
        return ""  # not run: the write comes with Fix 3 and Fix 4
    return "Yes" if facts["a2_reviews"] == 1 else "No"


@demo(
    "capstone.slow-page",
    title="Make the slow bookshop page fast: apply the fixes one at a time",
    form=CapstoneForm,
    reports=("sql", "headers", "cache"),
    shows=(
        page.bookshop,
        t.rows_slow,
        t.rows_loaded,
        t.rows_annotated,
        t.rows_cached,
        t.add_review,
        t.add_review_and_forget_page,
        ServerTimingMiddleware,
        t.BookshopPageBudgetTests,
    ),
    predictions=(
        Prediction(
            "With no fixes, how many SQL queries does one visit to the page run (5 books)?",
            QUERY_CHOICES,
            answer=_slow_queries,
            explain="One for the books, then for each of the 5 books one for its publisher, one for its authors "
            "and one for its reviews: 1 + 3 × 5.",
            see="#diagnose-it",
        ),
        Prediction(
            "A review is added to A2 after the page was cached. Does the next visit show it?",
            ("Yes", "No"),
            answer=_stale,
            explain="Without invalidation the cached rows are served until they expire; the fix forgets them "
            "in the code that writes the review, so the next visit rebuilds them.",
            see="#fix-4-forget-the-page-when-it-changes",
        ),
    ),
)
def slow_page(lab, data):
    """Visit the page with each fix up to the chosen one, then pin its query count with a test."""
    chosen = ORDER.index(data["fixes"])
    # Set-up, not a step: every run starts cold (the cache outlives a run; its rows would be another run's).
    t.forget_page()
    for level in ORDER[: min(chosen, 3) + 1]:
        _visit(lab, level, FIXES[level], fixes=level)
    if chosen >= 3:
        _visit(lab, "second_visit", "Fix 3: a second visit, from the cache", fixes="cache")
        write = t.add_review_and_forget_page if chosen == 4 else t.add_review
        lab.step(f"A customer reviews A2: {write.__name__}()", partial(write, **NEW_REVIEW), key="write")
        _visit(lab, "after_write", "The next visit, after the review", fixes="cache")
    budget = _budget_test(lab, "cache" if chosen >= 3 else ORDER[chosen])
    _summary(lab, chosen)
    with paused():  # the last rows cached were read inside this run's transaction, which is rolled back
        t.forget_page()
    lab.headline(_headline(lab, chosen, budget), focus=lab.get("summary"))


def _visit(lab, key: str, label: str, *, fixes: str) -> None:
    with lab.section(label, key=key, code=middleware_setting(STACK)) as s:
        result = exchange(s, STACK, f"{PATH}?fixes={fixes}", draw=False)
    body = result.body.decode()
    s.fact("queries", len(s.queries), "SQL queries the lab recorded")
    s.fact("x_lab_queries", int(result.response["X-Lab-Queries"]), "X-Lab-Queries (counted by the middleware)")
    s.fact("server_timing", result.response["Server-Timing"], "Server-Timing")
    s.fact("app_ms", float(APP_DUR.search(result.response["Server-Timing"]).group(1)), "Time below the middleware (ms)")
    s.fact("cache_hit", s.cache_hits > 0, "Served from the cache")
    found = re.search(r"<td>A2</td><td>[^<]*</td><td>[^<]*</td><td>(\d+)</td>", body)
    s.fact("a2_reviews", int(found.group(1)) if found else None, "Reviews shown for A2")
    s.result = body


def _budget_test(lab, fixes: str):
    case = type("BookshopPageBudgetTests", (t.BookshopPageBudgetTests,), {"fixes": fixes})
    code = source_code(t.BookshopPageBudgetTests) + f'\n# run with: fixes = "{fixes}"'
    with lab.section("Pin the query count: run the page's budget test", key="budget", code=code) as s:
        s.result = run = run_tests(case)
    for outcome in run.outcomes:
        s.fact(outcome.name, outcome.status, outcome.name)
    s.fact("summary", run.summary, "Outcome")
    failed = next((o for o in run.outcomes if o.status != "passed"), None)
    if failed:
        s.fact("first_failure", f"{failed.name}: {failed.message.splitlines()[0]}", "First failure")
    s.table(
        ["Test", "Outcome", "Message"],
        [[o.name, o.status, o.message.splitlines()[0] if o.message else ""] for o in run.outcomes],
    )
    return run


def _summary(lab, chosen: int) -> None:
    keys = [k for k in [*ORDER[: min(chosen, 3) + 1], "second_visit", "after_write"] if _has(lab, k)]
    with lab.section("Every visit, measured", key="summary") as s:
        rows = [
            [
                lab.get(k).label,
                lab.get(k).facts["queries"],
                lab.get(k).facts["x_lab_queries"],
                lab.get(k).facts["app_ms"],
                "hit" if lab.get(k).facts["cache_hit"] else "",
                lab.get(k).facts["a2_reviews"],
            ]
            for k in keys
        ]
        s.table(["Visit", "Queries (lab)", "X-Lab-Queries", "Server-Timing app (ms)", "Cache", "A2 reviews"], rows)
        s.fact("queries", " → ".join(str(lab.get(k).facts["queries"]) for k in keys), "Queries per visit")


def _has(lab, key: str) -> bool:
    return any(s.key == key for s in lab.steps)


def _headline(lab, chosen: int, budget) -> str:
    levels = [f"{k}: {lab.get(k).facts['queries']}" for k in ORDER[: min(chosen, 3) + 1]]
    text = "Queries per visit: " + " → ".join(levels)
    if chosen >= 3:
        text += f", then {lab.get('second_visit').facts['queries']} from the cache"
        after = lab.get("after_write").facts
        text += (
            "; after a new review the page shows it"
            if after["a2_reviews"] == 1
            else ("; after a new review the page is stale")
        )
    return text + f"; the budget test: {budget.summary}"
