"""Signals track, S4: receivers run inside the transaction; on_commit waits for it.

These demos need real commits (on_commit callbacks only run on COMMIT), so
they declare commits=True, tag every row with the learner's id, and delete
those rows in a finally block. The "mistake" receivers are connected for the
run only (lab.signals.for_this_run): other learners' registrations and deletes
never reach them.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.db.models.signals import post_delete, post_save

from lab.logs import capture_logs
from lab.recorder import Recorder, Step, paused
from lab.registry import Prediction, demo
from lab.run_receivers import for_this_run, switched_off
from lab.signals import callable_name
from sandbox.models import Book, Customer, Publisher
from sandbox.shop import register_customer
from sandbox.teaching.signals_transactions import (
    CrmUnavailable,
    PaymentDeclined,
    SomethingLaterFailed,
    delete_book_by_pk,
    delete_book_then_fail,
    delete_cover_now,
    register_in_a_test,
    register_then_decline,
    register_with_crm,
    welcome_immediately,
)

from .signals import answer, emails_sent, events, plural, receivers_ran

SHIPPED_RECEIVER = "sandbox.receivers.customers.welcome_new_customer"
DELETE_COVER_RECEIVER = "sandbox.receivers.books.delete_cover_file"


def domain_of(lab: Recorder) -> str:
    return f"{lab.learner or 'anonymous'}.signals.example"


def in_atomic_block(step: Step) -> bool | None:
    """Whether the first receiver of the step ran inside a transaction (the lab records it per receiver)."""
    ran = events(step, kind="receiver")
    return ran[0].details.get("in_atomic_block") if ran else None


def customer_facts(step: Step, email: str) -> None:
    step.fact("exists", Customer.objects.filter(email=email).exists(), "customer exists afterwards")
    step.fact("emails", emails_sent(step), "emails sent")
    step.fact("receivers", receivers_ran(step), "receivers that ran")
    step.fact("deferred", [e.name for e in events(step, kind="deferred")], "on_commit callbacks registered")
    step.fact("callbacks_ran", [e.name for e in events(step, kind="on_commit")], "on_commit callbacks that ran")


@demo(
    "signals.on-commit",
    title="Registration emails: inside the transaction, or after the commit",
    description="Register a customer in a transaction that rolls back, then one that commits; count the emails.",
    commits=True,
    reports=("signals", "sql"),
    predictions=(
        Prediction(
            "The welcome email waits in transaction.on_commit(), and the registration rolls back. How many emails go out?",
            ("0", "1"),
            answer=answer("on_commit_rollback", lambda s: str(s.facts["emails"])),
            explain="Callbacks registered in a block that rolls back are dropped: the receiver ran, the callback did not.",
            see="#use-case-a-welcome-email-on-registration",
        ),
    ),
)
def on_commit(lab: Recorder, data: dict[str, Any]) -> None:
    domain = domain_of(lab)
    try:
        # The mistake, for contrast: the shipped receiver off, one that emails straight away on.
        with switched_off(SHIPPED_RECEIVER), for_this_run(post_save, welcome_immediately, sender=Customer):
            mistake = lab.step(
                "The mistake: email from post_save, then a rollback",
                partial(register_then_decline, "dora", f"dora@{domain}", learner=lab.learner),
                key="mistake",
                expect=PaymentDeclined,
            )
        customer_facts(mistake, f"dora@{domain}")
        mistake.fact("in_atomic_block", in_atomic_block(mistake), "the receiver ran inside a transaction")

        rolled_back = lab.step(
            "on_commit, then a rollback",
            partial(register_then_decline, "eli", f"eli@{domain}", learner=lab.learner),
            key="on_commit_rollback",
            expect=PaymentDeclined,
        )
        customer_facts(rolled_back, f"eli@{domain}")
        committed = lab.step(
            "on_commit, and a commit", partial(register_customer, "fay", f"fay@{domain}", learner=lab.learner)
        )
        customer_facts(committed, f"fay@{domain}")
        lab.headline(
            f"Rolled back: the email sent from post_save went anyway ({plural(mistake.facts['emails'], 'email')}); "
            f"with on_commit the receiver ran and its callback did not ({rolled_back.facts['emails']} emails) "
            f"until a commit ({committed.facts['emails']})",
            focus=rolled_back,
        )
    finally:
        with paused():
            Customer.objects.filter(learner=lab.learner, email__endswith=f"@{domain}").delete()


# -- use case: clean-up on delete -------------------------------------------------------------


def cover_facts(step: Step, book_pk: int, storage: Any, name: str) -> None:
    step.fact("row", Book.objects.filter(pk=book_pk).exists(), "book row exists")
    step.fact("file", storage.exists(name), "cover file exists")
    step.fact("receivers", receivers_ran(step), "receivers that ran")


@demo(
    "signals.cover-cleanup",
    title="Clean-up on delete: a book's cover file",
    description="Delete a book with a cover inside a transaction that rolls back, then for real; check the file.",
    commits=True,
    reports=("signals", "sql"),
    predictions=(
        Prediction(
            "A post_delete receiver deletes the cover file at once, and the delete then rolls back. Is the file still there?",
            ("Yes", "No"),
            answer=answer("mistake", lambda s: "Yes" if s.facts["file"] else "No"),
            explain="Files are not transactional: the rollback brings the row back, not the file.",
            see="#use-case-clean-up-on-delete",
        ),
    ),
)
def cover_cleanup(lab: Recorder, data: dict[str, Any]) -> None:
    # Set-up: a book of your own with a cover file in MEDIA_ROOT/covers/<learner>/.
    publisher = Publisher.objects.create(name="Lab Press", learner=lab.learner)
    book = Book(title="Covered", price=Decimal("5.00"), pages=50, rating=3.0, publisher=publisher)
    book.learner = lab.learner
    book.cover.save("cover.txt", ContentFile(b"a cover"), save=True)
    storage, name = book.cover.storage, book.cover.name
    try:
        with switched_off(DELETE_COVER_RECEIVER), for_this_run(post_delete, delete_cover_now, sender=Book):
            mistake = lab.step(
                "The mistake: delete the file in post_delete, then a rollback",
                partial(delete_book_then_fail, book.pk),
                key="mistake",
                expect=SomethingLaterFailed,
            )
        mistake.fact("cover", name, "cover file")
        cover_facts(mistake, book.pk, storage, name)

        if not storage.exists(name):  # put the lost file back, so the next steps start where the first did
            Book.objects.filter(pk=book.pk).update(cover=storage.save(name, ContentFile(b"a cover")))
            name = Book.objects.get(pk=book.pk).cover.name
        rolled_back = lab.step(
            "post_delete + on_commit, then a rollback",
            partial(delete_book_then_fail, book.pk),
            expect=SomethingLaterFailed,
        )
        cover_facts(rolled_back, book.pk, storage, name)
        committed = lab.step("post_delete + on_commit, and a commit", partial(delete_book_by_pk, book.pk))
        cover_facts(committed, book.pk, storage, name)
        lab.headline(
            f"Rolled-back delete: the file deleted in post_delete is {'gone' if not mistake.facts['file'] else 'kept'}; "
            f"deleted in on_commit it is {'kept' if rolled_back.facts['file'] else 'gone'}",
            focus=mistake,
        )
    finally:
        with paused():
            Book.objects.filter(learner=lab.learner, publisher=publisher).delete()
            publisher.delete()
            if storage.exists(name):
                storage.delete(name)


# -- when a callback fails ---------------------------------------------------------------------


@demo(
    "signals.on-commit-robust",
    title="When an on_commit callback fails",
    description="A CRM callback that fails runs before the welcome email: without robust=True the email never goes.",
    commits=True,
    reports=("signals", "sql"),
    predictions=(
        Prediction(
            "Two callbacks wait for the commit and the first one raises. Does the second one (the welcome email) run?",
            ("Yes", "No"),
            answer=answer("not_robust", lambda s: "Yes" if s.facts["emails"] else "No"),
            explain="A callback that raises stops the ones after it, unless it was registered with robust=True.",
            see="#when-a-callback-fails",
        ),
    ),
)
def on_commit_robust(lab: Recorder, data: dict[str, Any]) -> None:
    domain = domain_of(lab)
    try:
        not_robust = lab.step(
            "A failing callback, robust=False",
            partial(register_with_crm, "gus", f"gus@{domain}", robust=False, learner=lab.learner),
            key="not_robust",
            expect=CrmUnavailable,
        )
        customer_facts(not_robust, f"gus@{domain}")
        with capture_logs("django.db.backends.base", level=logging.ERROR, to_report=True):
            robust = lab.step(
                "The same with robust=True",
                partial(register_with_crm, "hal", f"hal@{domain}", robust=True, learner=lab.learner),
                key="robust",
            )
        customer_facts(robust, f"hal@{domain}")
        robust.fact("logged", len(robust.log), "errors logged instead")
        in_test = lab.step(
            "In a test: captureOnCommitCallbacks(execute=True)",
            partial(register_in_a_test, "ida", f"ida@{domain}", learner=lab.learner),
            key="in_a_test",
        )
        customer_facts(in_test, f"ida@{domain}")
        in_test.fact("captured", [callable_name(c) for c in in_test.result], "callbacks captured")
        lab.headline(
            f"The failing callback stopped the welcome email ({not_robust.facts['emails']} sent) after the COMMIT; "
            f"with robust=True it was logged and the email went ({robust.facts['emails']} sent)",
            focus=not_robust,
        )
    finally:
        with paused():
            Customer.objects.filter(learner=lab.learner, email__endswith=f"@{domain}").delete()
