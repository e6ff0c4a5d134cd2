"""Signals and transactions (lesson S4): receivers run inside the transaction, on_commit waits for it.

Two receivers here are the mistakes the lesson warns about. They are never
connected at import; the demo connects each one for a single run.
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.test import TestCase

from ..models import Book, Customer
from ..shop import register_customer


class PaymentDeclined(Exception):
    """Stands in for whatever makes a real checkout roll back."""


class SomethingLaterFailed(Exception):
    """Stands in for a later statement in the same transaction that fails."""


class CrmUnavailable(Exception):
    """Stands in for an outside service that is down."""


# -- registration emails ----------------------------------------------------------------


def welcome_immediately(sender, instance, created, **kwargs):
    # The mistake: email from post_save straight away. The row is written but
    # not committed, and may still roll back.
    if created:
        send_mail("Welcome to the bookshop", f"Hello {instance.name}!", None, [instance.email])


def register_then_decline(name: str, email: str, *, learner: str = "") -> Customer:
    with transaction.atomic():
        register_customer(name, email, learner=learner)
        raise PaymentDeclined("the card was declined, so the registration rolled back")


# -- a cover file -------------------------------------------------------------------------


def delete_cover_now(sender, instance, **kwargs):
    # The mistake: files are not transactional. If the delete rolls back,
    # the book is back and its file is gone.
    if instance.cover:
        instance.cover.storage.delete(instance.cover.name)


def delete_book_then_fail(book_pk: int) -> None:
    with transaction.atomic():
        Book.objects.get(pk=book_pk).delete()
        raise SomethingLaterFailed("a later statement failed, so the delete rolled back")


def delete_book_by_pk(book_pk: int) -> tuple[int, dict[str, int]]:
    return Book.objects.get(pk=book_pk).delete()


# -- when a callback fails ------------------------------------------------------------------


def sync_to_crm(email: str) -> None:
    raise CrmUnavailable(f"the CRM did not answer for {email}")


def register_with_crm(name: str, email: str, *, robust: bool, learner: str = "") -> Customer:
    with transaction.atomic():

        def tell_the_crm():
            sync_to_crm(email)

        # Registered first, so it runs first after COMMIT, before the
        # welcome email that the Customer receiver registers.
        transaction.on_commit(tell_the_crm, robust=robust)
        return register_customer(name, email, learner=learner)


def register_in_a_test(name: str, email: str, *, learner: str = "") -> list:
    # A TestCase test runs in a transaction that is rolled back at the end,
    # so on_commit callbacks never run by themselves. captureOnCommitCallbacks
    # collects the ones registered in its block and, with execute=True, runs
    # them when the block ends, as a commit would (robust ones included).
    with transaction.atomic():  # what TestCase wraps around each test
        with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
            register_customer(name, email, learner=learner)
        transaction.set_rollback(True)  # ...and how it ends: nothing was committed
    return callbacks
