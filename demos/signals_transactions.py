"""Signals track, S4: receivers run inside the transaction; on_commit waits for it.

Both demos here need real commits (on_commit callbacks only run on COMMIT), so
they declare commits=True, tag every row with the learner's id, and delete
those rows in a finally block.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from lab.recorder import Recorder, SignalEvent, Step, active, paused
from lab.registry import demo
from sandbox.models import Book, Customer, Publisher
from sandbox.shop import register_customer

from .signals import emails_sent, receivers_ran

SHIPPED_RECEIVER = "sandbox.receivers.customers.welcome_new_customer"


class PaymentDeclined(Exception):
    """Stands in for whatever makes a real checkout roll back."""


def check_mail_backend(lab: Recorder) -> None:
    if settings.EMAIL_BACKEND != "lab.mail.EmailBackend":
        lab.note(f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}: this run cannot show the emails it sends.")


def customer_facts(step: Step, email: str) -> None:
    step.fact("customer exists afterwards", Customer.objects.filter(email=email).exists())
    step.fact("emails sent", emails_sent(step))
    step.fact("receivers that ran", receivers_ran(step))


@demo(
    "signals.on-commit",
    title="Registration emails: inside the transaction, or after the commit",
    description="Register a customer in a transaction that rolls back, then one that commits; count the emails.",
    commits=True,
    reports=("signals", "sql"),
)
def on_commit(lab: Recorder, data: dict[str, Any]) -> None:
    check_mail_backend(lab)
    domain = f"{lab.learner or 'anonymous'}.signals.example"

    # The mistake, for contrast: a receiver that emails straight away. It is connected
    # only for this run and ignores other learners' customers.
    def welcome_immediately(sender, instance, created, **kwargs):
        if created and instance.learner == lab.learner and active() is lab:
            lab.record_signal(SignalEvent(kind="receiver", name="welcome_immediately (the mistake)", sender="Customer"))
            lab.fact("in_atomic_block when the receiver ran", connection.in_atomic_block)
            send_mail("Welcome to the bookshop", "Hello!", None, [instance.email])

    uid = f"lab.welcome_immediately.{lab.learner}.{id(lab)}"
    try:
        post_save.connect(welcome_immediately, sender=Customer, dispatch_uid=uid)
        lab.disabled_receivers.add(SHIPPED_RECEIVER)
        with lab.step(
            "The mistake: email from post_save, then a rollback",
            code="with transaction.atomic():\n    register_customer(...)\n    raise PaymentDeclined",
            expect=PaymentDeclined,
        ) as s:
            try:
                with transaction.atomic():
                    register_customer("dora", f"dora@{domain}", learner=lab.learner)
                    raise PaymentDeclined("the card was declined, so the registration rolled back")
            finally:
                customer_facts(s, f"dora@{domain}")
    finally:
        post_save.disconnect(sender=Customer, dispatch_uid=uid)
        lab.disabled_receivers.discard(SHIPPED_RECEIVER)

    try:
        with lab.step(
            "on_commit, then a rollback",
            code="with transaction.atomic():\n    register_customer(...)\n    raise PaymentDeclined",
            expect=PaymentDeclined,
        ) as s:
            try:
                with transaction.atomic():
                    register_customer("eli", f"eli@{domain}", learner=lab.learner)
                    waiting = [getattr(func, "func", func).__qualname__ for _, func, _ in connection.run_on_commit]
                    s.fact("on_commit callbacks waiting", waiting)
                    raise PaymentDeclined("the card was declined, so the registration rolled back")
            finally:
                customer_facts(s, f"eli@{domain}")
        with lab.step("on_commit, and a commit", code="register_customer(...)") as s:
            register_customer("fay", f"fay@{domain}", learner=lab.learner)
            customer_facts(s, f"fay@{domain}")
    finally:
        with paused():
            Customer.objects.filter(learner=lab.learner, email__endswith=f"@{domain}").delete()


# -- use case: clean-up on delete -------------------------------------------------------------


class SomethingLaterFailed(Exception):
    """Stands in for a later statement in the same transaction that fails."""


DELETE_COVER_RECEIVER = "sandbox.receivers.books.delete_cover_file"


def cover_facts(step: Step, book: Book, storage: Any, name: str) -> None:
    step.fact("book row exists", Book.objects.filter(pk=book.pk).exists())
    step.fact("cover file exists", storage.exists(name))
    step.fact("receivers that ran", receivers_ran(step))


@demo(
    "signals.cover-cleanup",
    title="Clean-up on delete: a book's cover file",
    description="Delete a book with a cover inside a transaction that rolls back, then for real; check the file.",
    commits=True,
    reports=("signals", "sql"),
)
def cover_cleanup(lab: Recorder, data: dict[str, Any]) -> None:
    with paused():  # setup: a book of your own with a cover file in MEDIA_ROOT/covers/<learner>/
        publisher = Publisher.objects.create(name="Lab Press", learner=lab.learner)
        book = Book(title="Covered", price=Decimal("5.00"), pages=50, rating=3.0, publisher=publisher)
        book.learner = lab.learner
        book.cover.save("cover.txt", ContentFile(b"a cover"), save=True)
    storage, name = book.cover.storage, book.cover.name

    # The mistake, for contrast: delete the file as soon as post_delete runs. Connected
    # only for this run, and it ignores other learners' books.
    def delete_cover_now(sender, instance, **kwargs):
        if instance.learner == lab.learner and active() is lab and instance.cover:
            lab.record_signal(SignalEvent(kind="receiver", name="delete_cover_now (the mistake)", sender="Book"))
            instance.cover.storage.delete(instance.cover.name)

    uid = f"lab.delete_cover_now.{lab.learner}.{id(lab)}"
    try:
        post_delete.connect(delete_cover_now, sender=Book, dispatch_uid=uid)
        lab.disabled_receivers.add(DELETE_COVER_RECEIVER)
        with lab.step(
            "The mistake: delete the file in post_delete, then a rollback",
            code="with transaction.atomic():\n    book.delete()\n    raise SomethingLaterFailed",
            expect=SomethingLaterFailed,
        ) as s:
            s.fact("cover file", name)
            try:
                with transaction.atomic():
                    Book.objects.get(pk=book.pk).delete()
                    raise SomethingLaterFailed("a later statement failed, so the delete rolled back")
            finally:
                cover_facts(s, book, storage, name)
    finally:
        post_delete.disconnect(sender=Book, dispatch_uid=uid)
        lab.disabled_receivers.discard(DELETE_COVER_RECEIVER)

    try:
        with paused():  # put the lost file back, so the next steps start where the first did
            if not storage.exists(name):
                Book.objects.filter(pk=book.pk).update(cover=storage.save(name, ContentFile(b"a cover")))
                name = Book.objects.get(pk=book.pk).cover.name
        with lab.step(
            "post_delete + on_commit, then a rollback",
            code="with transaction.atomic():\n    book.delete()\n    raise SomethingLaterFailed",
            expect=SomethingLaterFailed,
        ) as s:
            try:
                with transaction.atomic():
                    Book.objects.get(pk=book.pk).delete()
                    raise SomethingLaterFailed("a later statement failed, so the delete rolled back")
            finally:
                cover_facts(s, book, storage, name)
        with lab.step("post_delete + on_commit, and a commit", code="book.delete()") as s:
            Book.objects.get(pk=book.pk).delete()
            cover_facts(s, book, storage, name)
    finally:
        with paused():
            Book.objects.filter(learner=lab.learner, publisher=publisher).delete()
            publisher.delete()
            if storage.exists(name):
                storage.delete(name)
