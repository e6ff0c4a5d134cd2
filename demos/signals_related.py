"""Signals track, S2: keeping related data current with receivers, and a receiver that saves its own instance."""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.db import transaction
from django.db.models import Avg, Count
from django.db.models.signals import post_save

from lab.recorder import Recorder, Step
from lab.registry import Prediction, demo
from lab.run_receivers import for_this_run
from sandbox.models import Book, Customer
from sandbox.teaching.signals import save_book
from sandbox.teaching.signals_related import (
    bulk_review,
    delete_review,
    refresh_blurb,
    refresh_blurb_with_guard,
    refresh_blurb_with_update,
    review_book,
)

from .signals import ReceiverSwitchesForm, answer, apply_switches, events, plural, receivers_ran

# -- use case: related updates -------------------------------------------------------------


class ReviewStatsForm(ReceiverSwitchesForm):
    stars = forms.IntegerField(min_value=1, max_value=5, initial=1, help_text="Stars for the new review of A1.")
    field_order = ["stars", "disabled_receivers"]


def stats(book_pk: int) -> tuple[tuple[int, float | None], tuple[int, float | None]]:
    """(stored on the book by the receiver, computed from the reviews by annotate())."""
    stored = Book.objects.values_list("review_count", "review_average").get(pk=book_pk)
    live = Book.objects.annotate(n=Count("reviews"), avg=Avg("reviews__stars")).values_list("n", "avg").get(pk=book_pk)
    return tuple(stored), tuple(live)


def show_stats(step: Step, book_pk: int) -> None:
    stored, computed = stats(book_pk)
    step.table(
        ["", "review_count", "review_average"], [["stored on Book", *stored], ["computed by annotate()", *computed]]
    )
    step.fact("stored", stored, "stored (count, average)")
    step.fact("computed", computed, "computed (count, average)")
    step.fact("matches", stored == computed, "stored matches computed")
    step.fact("receivers", receivers_ran(step), "receivers that ran")


@demo(
    "signals.review-stats",
    title="Related updates: keeping a book's review stats current",
    form=ReviewStatsForm,
    description="Add and delete a review of A1: receivers on Review keep review_count and review_average current.",
    reports=("signals", "sql"),
    predictions=(
        Prediction(
            "You bulk_create() two reviews of A1. Does its stored review_count still match its reviews?",
            ("Yes", "No"),
            answer=answer("bulk_review", lambda s: "Yes" if s.facts["matches"] else "No"),
            explain="bulk_create() sends no post_save, so the receiver that recomputes the stats never runs.",
            see="#use-case-keeping-related-data-up-to-date",
        ),
    ),
)
def review_stats(lab: Recorder, data: dict[str, Any]) -> None:
    apply_switches(lab, data)
    a1 = Book.objects.get(title="A1", learner="")
    reviewer = Customer.objects.get(name="cat", learner="")  # canonical: a learner's rows may share the name
    before, _ = stats(a1.pk)

    add = lab.step("Add a review", partial(review_book, a1, reviewer, data["stars"]))
    add.fact("before", before, "stored before (count, average)")
    show_stats(add, a1.pk)
    delete = lab.step("Delete it", partial(delete_review, add.result))
    show_stats(delete, a1.pk)
    bulk = lab.step("bulk_create() two reviews", partial(bulk_review, a1, reviewer, data["stars"], 2))
    show_stats(bulk, a1.pk)

    stored, computed = bulk.facts["stored"][0], bulk.facts["computed"][0]
    lab.headline(
        f"After create() and delete() the stored stats match; after bulk_create() the book says "
        f"{plural(stored, 'review')}, its reviews say {computed}",
        focus=bulk,
    )


# -- the receiver that calls save() --------------------------------------------------------

# How deep the mistake may recurse before the lab stops it (Python's own limit would take
# dozens of saves and a RecursionError wherever the stack happened to run out).
MAX_DEPTH = 3


def recursion_facts(step: Step) -> None:
    step.fact("post_save", len(events(step, name="post_save")), "post_save sent")
    step.fact("updates", sum(q.sql.lstrip().upper().startswith("UPDATE") for q in step.queries), "UPDATE statements")
    step.fact("receivers", receivers_ran(step), "receivers that ran")


@demo(
    "signals.save-in-post-save",
    title="A post_save receiver that calls save()",
    description="Save A1 with a receiver that saves the instance again (the lab stops it), then with the two fixes: update(), and update_fields with a guard.",
    reports=("signals", "sql"),
    predictions=(
        Prediction(
            "A post_save receiver calls instance.save(). How many post_save signals does one save() send?",
            ("1", "2", "more, until something stops it"),
            answer=answer(
                "mistake", lambda s: {1: "1", 2: "2"}.get(s.facts["post_save"], "more, until something stops it")
            ),
            explain="Each save() sends post_save, which runs the receiver, which saves again.",
            see="#a-receiver-that-calls-save",
        ),
    ),
)
def save_in_post_save(lab: Recorder, data: dict[str, Any]) -> None:
    a1 = Book.objects.get(title="A1", learner="")
    # A savepoint of the run's own: the error marks it for rollback (save() does that inside a
    # transaction), and rolling it back lets the next step use the run's transaction.
    with transaction.atomic(), for_this_run(post_save, refresh_blurb, sender=Book, max_depth=MAX_DEPTH):
        mistake = lab.step(
            "save() with a receiver that saves again", partial(save_book, a1), key="mistake", expect=RecursionError
        )
    recursion_facts(mistake)
    with for_this_run(post_save, refresh_blurb_with_update, sender=Book):
        fixed = lab.step("save() with a receiver that uses update()", partial(save_book, a1), key="fixed")
    recursion_facts(fixed)
    with for_this_run(post_save, refresh_blurb_with_guard, sender=Book, max_depth=MAX_DEPTH):
        guarded = lab.step("save() with a guarded receiver: update_fields", partial(save_book, a1), key="guarded")
    recursion_facts(guarded)
    guarded.fact(
        "update_fields",
        [e.details.get("update_fields") for e in events(guarded, name="post_save")],
        "update_fields of each post_save",
    )
    lab.headline(
        f"One save() with save() in post_save: {plural(mistake.facts['post_save'], 'post_save')} before the lab "
        f"stopped it at depth {MAX_DEPTH}; with update(): {fixed.facts['post_save']}; "
        f"with update_fields and a guard: {guarded.facts['post_save']}",
        focus=mistake,
    )
