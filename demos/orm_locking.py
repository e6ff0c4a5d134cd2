"""ORM lesson 8: select_for_update and its options, and a lost update shown with two real transactions.

The "SQL" choice runs on the run's own connection, in autocommit (the demo commits, so it is not
wrapped in the lab's rolled-back transaction): that is where select_for_update() without atomic()
fails. The races need two transactions at once, so each request runs in a thread with its own
database connection; those connections see the real tables, so the race uses a ReviewTally row
made for this run (no other lesson reads that table) and deletes it afterwards. On SQLite the
races are not run: it has no row locks, and the card says so.
"""

from __future__ import annotations

import re
import threading
import time
from functools import partial

from django import forms
from django.db import DatabaseError, connection, connections
from django.db.transaction import TransactionManagementError

from lab.recorder import Step, in_context, source_code
from lab.registry import Prediction, demo
from sandbox.models import ReviewTally
from sandbox.teaching.orm_locking import (
    add_review_locked,
    add_review_nowait,
    add_review_read_modify_write,
    add_review_with_f,
    hold_lock,
    lock_in_a_transaction,
    lock_outside_a_transaction,
    locked_books,
    next_unlocked_tally,
)

from .orm_lab import measured

PAUSE = 0.3  # seconds each request spends between its read and its write
RACES = {
    "read_modify_write": ("read, add 1 in Python, save", add_review_read_modify_write),
    "f_update": ("update(reviews=F('reviews') + 1)", add_review_with_f),
    "locked": ("select_for_update(), then add 1 and save", add_review_locked),
}
OPTIONS = {  # key -> select_for_update() arguments
    "plain": {},
    "nowait": {"nowait": True},
    "skip_locked": {"skip_locked": True},
    "of_self": {"of": ("self",)},
    "no_key": {"no_key": True},
}


class LockingForm(forms.Form):
    show = forms.ChoiceField(
        choices=[
            ("sql", "What select_for_update() sends, and where it is refused"),
            ("race", "Two reviews at once: read-modify-write, F() and select_for_update()"),
            ("options", "A row already locked: nowait and skip_locked"),
        ],
        initial="sql",
        label="Show",
    )


def for_update_clause(sql: str) -> str:
    """The locking clause a SELECT ends with ("" when the database has none)."""
    found = re.search(r" (FOR (NO KEY )?UPDATE.*)$", sql)
    return found.group(1) if found else ""


def _own_connection(fn, *args):
    """Run fn in a thread with its own connection, unrecorded (the run's set-up and clean-up)."""
    out: list = []
    thread = threading.Thread(target=lambda: (out.append(fn(*args)), connections.close_all()))
    thread.start()
    thread.join()
    return out[0] if out else None


def _new_tallies(learner: str, *titles: str) -> list[int]:
    return [ReviewTally.objects.create(title=t, learner=learner).pk for t in titles]


def _read(pk: int) -> int:
    return ReviewTally.objects.get(pk=pk).reviews


def _delete(ids: list[int]) -> None:
    ReviewTally.objects.filter(pk__in=ids).delete()


def at_once(*calls, delays=()):
    """Run each call in its own thread (own connection), recorded into this run: (result or error, seconds)."""
    outcomes: list = [None] * len(calls)

    def worker(i, fn):
        started = time.perf_counter()
        try:
            result = fn()
        except DatabaseError as exc:
            result = exc
        finally:
            connections.close_all()
        outcomes[i] = (result, time.perf_counter() - started)

    threads = [threading.Thread(target=in_context(partial(worker, i, fn))) for i, fn in enumerate(calls)]
    for i, thread in enumerate(threads):
        if i < len(delays) and delays[i]:
            time.sleep(delays[i])
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def show_sql(lab) -> Step:
    outside = lab.step(
        "select_for_update() in autocommit", lock_outside_a_transaction, expect=TransactionManagementError
    )
    outside.fact("database", connection.vendor, "database")
    outside.fact("raised", outside.error_type or "nothing", "raised")
    outside.fact("has_select_for_update", connection.features.has_select_for_update, "FOR UPDATE supported")
    outside.fact("clause", for_update_clause(outside.queries[0].sql) if outside.queries else "", "locking clause")
    for key, options in OPTIONS.items():
        step = lab.step(
            f"Inside atomic(): select_for_update({', '.join(f'{k}={v!r}' for k, v in options.items())})",
            partial(lock_in_a_transaction, **options),
            key=key,
        )
        step.code = source_code(locked_books) + "\n" + step.code
        selects = [q.sql for q in step.queries if q.sql.lstrip().upper().startswith("SELECT")]
        step.fact("clause", for_update_clause(selects[0]) if selects else "", "locking clause")
    both = lab.step(
        "nowait and skip_locked together",
        partial(lock_in_a_transaction, nowait=True, skip_locked=True),
        key="both",
        expect=ValueError,
    )
    both.fact("raised", both.error_type or "nothing", "raised")
    if outside.error:
        lab.headline(
            f"Outside a transaction: {outside.error_type}; inside atomic() the SELECT ends "
            f"{lab.get('plain').facts['clause']!r}",
            focus=outside,
        )
    else:
        lab.headline(
            f"{connection.vendor}: no error outside a transaction, and no FOR UPDATE in the SQL at all "
            "(select_for_update() does nothing here)",
            focus=outside,
        )
    return outside


def no_races_here(lab) -> None:
    with lab.section("Two transactions at once", key="not_run") as step:
        step.fact("database", connection.vendor, "database")
        step.fact("ran", False, "the race ran")
        step.note(
            "This site runs SQLite, which has no row locks (a writer locks the whole database file) and no FOR "
            "UPDATE, so the two transactions are run on PostgreSQL only. Run the site with DATABASE_URL set to a "
            "PostgreSQL database to see them."
        )
    lab.headline(f"Not run on {connection.vendor}: the race needs row locks (PostgreSQL)", focus=step)


def races(lab) -> None:
    ids = _own_connection(_new_tallies, lab.learner, *RACES)
    try:
        for (key, (label, fn)), pk in zip(RACES.items(), ids, strict=True):
            with lab.section(f"Two requests at once: {label}", key=key, code=source_code(fn)) as step:
                step.call = f"{fn.__name__}({pk}, pause={PAUSE}) in two threads, each its own connection"
                outcomes = at_once(partial(fn, pk, PAUSE), partial(fn, pk, PAUSE))
            final = _own_connection(_read, pk)
            step.fact("final", final, "reviews after both requests")
            step.fact("lost", 2 - final, "reviews lost")
            slowest = max(seconds for _, seconds in outcomes)
            step.fact("slowest_ms", round(slowest * 1000), "the slower request took (ms)")
            step.fact("waited", slowest > 1.6 * PAUSE, "one request waited for the other's lock")
    finally:
        _own_connection(_delete, ids)
    plain, f, locked = (lab.get(k).facts for k in RACES)
    lab.headline(
        f"Two reviews at once: read-modify-write ends at {plain['final']} ({plain['lost']} lost), F() at {f['final']}, "
        f"select_for_update() at {locked['final']}",
        focus=lab.get("read_modify_write"),
    )


def lock_options(lab) -> None:
    ids = _own_connection(_new_tallies, lab.learner, "first", "second")
    try:
        holder = partial(hold_lock, ids[0], 3 * PAUSE)
        with lab.section(
            "nowait=True while another transaction holds the row",
            key="nowait",
            code=source_code(hold_lock) + "\n\n" + source_code(add_review_nowait),
        ) as step:
            step.call = f"hold_lock({ids[0]}, {3 * PAUSE}) and, {PAUSE} s later, add_review_nowait({ids[0]})"
            _, (result, seconds) = at_once(holder, partial(add_review_nowait, ids[0]), delays=(0, PAUSE))
        step.fact("raised", type(result).__name__ if isinstance(result, Exception) else "nothing", "raised")
        step.fact("error", str(result).strip() if isinstance(result, Exception) else "", "error")
        step.fact("waited_ms", round(seconds * 1000), "time until the answer (ms)")
        with lab.section(
            "skip_locked=True while another transaction holds the first row",
            key="skip_locked",
            code=source_code(hold_lock) + "\n\n" + source_code(next_unlocked_tally),
        ) as skip:
            skip.call = f"hold_lock({ids[0]}, {3 * PAUSE}) and, {PAUSE} s later, next_unlocked_tally({ids})"
            _, (taken, _) = at_once(holder, partial(next_unlocked_tally, ids), delays=(0, PAUSE))
        skip.fact("taken", taken if not isinstance(taken, Exception) else repr(taken), "row taken")
    finally:
        _own_connection(_delete, ids)
    lab.headline(
        f"nowait: {step.facts['raised']} after {step.facts['waited_ms']} ms; skip_locked took the "
        f"{skip.facts['taken']!r} row",
        focus=step,
    )


def _raised(lab) -> str:
    raised = measured(lab, "lock_outside_a_transaction", "raised", None)
    return "(choose the SQL view to find out)" if raised is None else "no" if raised == "nothing" else "yes"


@demo(
    "orm.locking",
    title="select_for_update(), and two transactions adding a review at once",
    form=LockingForm,
    description="The races run two real transactions at once, each in a thread with its own database connection.",
    reports=("sql",),
    commits=True,  # autocommit on the run's connection, and threads that commit for real
    time_limit=20,
    shows=(add_review_read_modify_write, add_review_with_f, add_review_locked, lock_outside_a_transaction),
    predictions=(
        Prediction(
            "select_for_update() evaluated outside atomic(): does this database raise an error?",
            ("yes", "no"),
            answer=_raised,
            explain="PostgreSQL raises TransactionManagementError: in autocommit the lock would be released as soon "
            "as the SELECT ends. SQLite has no FOR UPDATE, so Django sends a plain SELECT and raises nothing.",
            see="#select_for_update",
        ),
    ),
)
def locking(lab, data):
    if data["show"] == "sql":
        show_sql(lab)
    elif connection.vendor != "postgresql":
        no_races_here(lab)
    elif data["show"] == "race":
        races(lab)
    else:
        lock_options(lab)
