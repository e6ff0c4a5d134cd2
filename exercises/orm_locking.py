"""ORM lesson 8 (locking): a review count that survives another request writing in between.

The browser has no threads, so the check plays the other request: just before the learner's UPDATE
reaches the row, another request's +1 is written (as a second transaction can commit in between).
"""

from contextlib import contextmanager

from lab.exercises import Fail, exercise

ex = exercise(
    "orm.review-count-no-lost-update",
    title="Add a review without losing another request's",
    lesson="orm/08-locking",
    prompt=(
        "`add_review(tally_id)` adds 1 to a `ReviewTally`'s `reviews`. It reads the row, adds 1 in Python and "
        "saves, so when another request adds a review between that read and that save, one review is lost. "
        "Rewrite it so that no review is ever lost, on the database the check runs on (SQLite, in your browser)."
    ),
    starter="""from sandbox.models import ReviewTally


def add_review(tally_id):
    tally = ReviewTally.objects.get(pk=tally_id)
    tally.reviews = tally.reviews + 1
    tally.save(update_fields=["reviews"])
""",
    solution="""from django.db.models import F
from sandbox.models import ReviewTally


def add_review(tally_id):
    ReviewTally.objects.filter(pk=tally_id).update(reviews=F("reviews") + 1)
""",
    hints=(
        "Press Check: the count ends at 1 although two reviews were added.",
        "Anything computed in Python from a value you read can be stale by the time you write it.",
        'Let the database add to whatever the row holds: `.update(reviews=F("reviews") + 1)`.',
    ),
    mistakes={
        """from django.db import transaction
from sandbox.models import ReviewTally


def add_review(tally_id):
    with transaction.atomic():
        tally = ReviewTally.objects.select_for_update().get(pk=tally_id)
        tally.reviews = tally.reviews + 1
        tally.save(update_fields=["reviews"])
""": "select_for_update() does nothing on SQLite",
    },
)


@contextmanager
def another_request_adds_a_review(tally_id):
    """Just before the first UPDATE of the tally table runs, another request's +1 lands on the row."""
    from django.db import connection

    from sandbox.models import ReviewTally

    table = connection.ops.quote_name(ReviewTally._meta.db_table)
    done = []

    def interleave(execute, sql, params, many, context):
        if not done and sql.lstrip().upper().startswith("UPDATE") and ReviewTally._meta.db_table in sql:
            done.append(True)
            execute(f'UPDATE {table} SET "reviews" = "reviews" + 1 WHERE "id" = %s', [tally_id], False, context)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(interleave):
        yield


def _tally():
    from sandbox.models import ReviewTally

    return ReviewTally.objects.create(title="A1", learner="exercise")


@ex.check("Adds exactly one review")
def adds_one(attempt):
    tally = _tally()
    attempt.learner.add_review(tally.pk)
    tally.refresh_from_db()
    if tally.reviews != 1:
        raise Fail(f"After one add_review() the count is {tally.reviews}, expected 1.")


@ex.check("No review is lost when another request writes in between")
def none_lost(attempt):
    tally = _tally()
    with another_request_adds_a_review(tally.pk):
        attempt.learner.add_review(tally.pk)
    tally.refresh_from_db()
    if tally.reviews != 2:
        raise Fail(
            f"The count is {tally.reviews}, expected 2: another request added a review between your read and your "
            "write, and your save() wrote back the value you computed in Python. Let the database add: "
            'update(reviews=F("reviews") + 1). (select_for_update() does nothing on SQLite, where this check runs; '
            "on PostgreSQL it would make the other request wait, see the lesson's demo.)"
        )


@ex.run
def show(lab, attempt):
    from functools import partial

    tally = _tally()
    with another_request_adds_a_review(tally.pk):
        lab.step(
            "add_review(tally_id), another request writing in between", partial(attempt.learner.add_review, tally.pk)
        )
    tally.refresh_from_db()
    lab.headline(f"Two reviews were added; the count is {tally.reviews}")
