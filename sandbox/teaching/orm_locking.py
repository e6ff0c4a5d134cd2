"""Locking and concurrency (ORM lesson 8): select_for_update, its options, and the lost update F() avoids.

Each `add_review_*` function is what one request does when a customer posts a review: add 1 to the
book's review count. The lesson runs two of them at the same moment, each in its own thread with its
own database connection, so they are two real transactions. `time.sleep(pause)` stands for the work a
request does between reading the row and writing it back (validating, rendering, calling a service).
"""

from __future__ import annotations

import time

from django.db import transaction
from django.db.models import F, QuerySet

from ..models import Book, ReviewTally


def add_review_read_modify_write(tally_id: int, pause: float) -> int:
    """Read the count into Python, add 1, save: two requests that read before either saves lose one."""
    with transaction.atomic():
        tally = ReviewTally.objects.get(pk=tally_id)
        time.sleep(pause)
        tally.reviews = tally.reviews + 1
        tally.save(update_fields=["reviews"])
    return tally.reviews


def add_review_with_f(tally_id: int, pause: float) -> int:
    """The database adds 1 to whatever the row holds when the UPDATE runs: nothing to lose."""
    with transaction.atomic():
        time.sleep(pause)
        return ReviewTally.objects.filter(pk=tally_id).update(reviews=F("reviews") + 1)


def add_review_locked(tally_id: int, pause: float) -> int:
    """select_for_update(): the second request waits at its SELECT until the first commits."""
    with transaction.atomic():
        tally = ReviewTally.objects.select_for_update().get(pk=tally_id)
        time.sleep(pause)
        tally.reviews = tally.reviews + 1
        tally.save(update_fields=["reviews"])
    return tally.reviews


def hold_lock(tally_id: int, pause: float) -> None:
    """Lock the row and keep it locked for `pause` seconds, as a slow request would."""
    with transaction.atomic():
        ReviewTally.objects.select_for_update().get(pk=tally_id)
        time.sleep(pause)


def add_review_nowait(tally_id: int) -> int:
    """nowait=True: if another transaction holds the row, fail at once instead of waiting."""
    with transaction.atomic():
        tally = ReviewTally.objects.select_for_update(nowait=True).get(pk=tally_id)
        tally.reviews = tally.reviews + 1
        tally.save(update_fields=["reviews"])
    return tally.reviews


def next_unlocked_tally(ids: list[int]) -> str | None:
    """skip_locked=True: take the first row nobody holds (a job queue's workers each take a different job)."""
    with transaction.atomic():
        tally = ReviewTally.objects.select_for_update(skip_locked=True).filter(pk__in=ids).order_by("pk").first()
        return tally.title if tally else None


# -- What select_for_update() sends, without another transaction --------------------------


def lock_outside_a_transaction() -> list[Book]:
    """In autocommit the lock would end with the statement: Django refuses (where FOR UPDATE exists)."""
    return list(Book.objects.select_for_update().filter(title="A1"))


def locked_books(**options) -> QuerySet:
    return Book.objects.select_related("publisher").select_for_update(**options).filter(title="A1")


def lock_in_a_transaction(**options) -> list[Book]:
    """Inside atomic(): the rows stay locked until the transaction ends."""
    with transaction.atomic():
        return list(locked_books(**options))
