"""Signals exercises for transactions (S4) and reliable receivers (S5): an email after commit, a receiver connected twice.

A check runs in a transaction that is rolled back, so nothing ever commits:
like a TestCase, the checks use captureOnCommitCallbacks to run the callbacks
a commit would run.
"""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_save
from django.test import TestCase

from lab.exercises import Fail, exercise
from sandbox.models import Book, Customer, Publisher

from .signals_kit import learner_receivers_only

# -- S4: an email that waits for the commit ---------------------------------------------------------

welcome = exercise(
    "signals.welcome-after-commit",
    title="A welcome email, sent only after the commit",
    lesson="signals/04-transactions",
    prompt=(
        "The bookshop's own welcome email is switched off here. Write a `post_save` receiver for "
        "`Customer` that sends **one** email (subject `Welcome`, to the customer's address) to a **new** "
        "customer, and only once the transaction **commits**: no email for a registration that rolls back, "
        "none when an existing customer is saved again."
    ),
    starter="""from django.core.mail import send_mail
from django.db.models.signals import post_save
from django.dispatch import receiver

from sandbox.models import Customer


@receiver(post_save, sender=Customer)
def welcome(sender, instance, created, **kwargs):
    if created:
        send_mail("Welcome", f"Hello {instance.name}!", None, [instance.email])
""",
    solution="""from functools import partial

from django.core.mail import send_mail
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from sandbox.models import Customer


@receiver(post_save, sender=Customer, dispatch_uid="exercise.welcome")
def welcome(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        # The row is written, not committed: send once the commit happens, never on rollback.
        email = partial(send_mail, "Welcome", f"Hello {instance.name}!", None, [instance.email])
        transaction.on_commit(email)
""",
    hints=(
        "Press Run: when does the email go, before or after the commit?",
        "`transaction.on_commit(func)` runs `func` after the commit, and drops it if the block rolls back.",
        "`post_save` runs for every save: only a `created` customer gets the email.",
    ),
    mistakes={
        """from django.core.mail import send_mail
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from sandbox.models import Customer


@receiver(post_save, sender=Customer)
def welcome(sender, instance, **kwargs):
    transaction.on_commit(lambda: send_mail("Welcome", "Hello!", None, [instance.email]))
""": "Saving an existing customer sent",
    },
)


class RolledBack(Exception):
    pass


def register(name):
    with transaction.atomic():
        return Customer.objects.create(name=name, email=f"{name}@example.com")


def emails(attempt):
    return [(m.subject, m.to) for m in attempt.outbox()]


@welcome.check("No email before the commit")
def nothing_before(attempt):
    with learner_receivers_only(), TestCase.captureOnCommitCallbacks(execute=False):
        register("kim")
        sent = emails(attempt)
    if sent:
        raise Fail(
            f"{len(sent)} email(s) went out before the commit: the registration could still roll back. "
            "Send it from transaction.on_commit()."
        )


@welcome.check("One email once the registration commits")
def one_after(attempt):
    with learner_receivers_only(), TestCase.captureOnCommitCallbacks(execute=True):
        register("kim")
    if emails(attempt) != [("Welcome", ["kim@example.com"])]:
        raise Fail(f"After the commit the outbox holds {emails(attempt)!r}, expected one 'Welcome' to kim@example.com.")


@welcome.check("No email for a registration that rolls back")
def none_on_rollback(attempt):
    with learner_receivers_only(), TestCase.captureOnCommitCallbacks(execute=True):
        try:
            with transaction.atomic():
                register("lee")
                raise RolledBack
        except RolledBack:
            pass
    if emails(attempt):
        raise Fail(f"A registration that rolled back got {emails(attempt)!r}: the customer does not exist.")


@welcome.check("No email when an existing customer is saved")
def none_on_update(attempt):
    customer = Customer.objects.filter(learner="").first()
    with learner_receivers_only(), TestCase.captureOnCommitCallbacks(execute=True):
        customer.name = "renamed"
        customer.save()
    if emails(attempt):
        raise Fail(f"Saving an existing customer sent {emails(attempt)!r}: only created=True is a new customer.")


@welcome.run
def show_welcome(lab, attempt):
    with learner_receivers_only(), TestCase.captureOnCommitCallbacks(execute=True):
        step = lab.step("register('kim')", partial(register, "kim"))
        step.fact("before", len(attempt.outbox()), "emails before the commit")
    step.fact("after", len(attempt.outbox()), "emails after the commit")
    lab.headline(f"Emails before the commit: {step.facts['before']}; after it: {step.facts['after']}")


# -- S5: a receiver that survives being connected twice ---------------------------------------------

twice = exercise(
    "signals.connect-twice",
    title="A receiver that survives being connected twice",
    lesson="signals/05-reliable-receivers",
    prompt=(
        "`connect_audit(log)` connects a receiver that appends the pk of every saved `Book` to `log`. The "
        "project calls it from `AppConfig.ready()`, and `ready()` can run more than once (in tests, say), so "
        "it gets called twice. Make it safe: however often `connect_audit()` runs, one save of a book appends "
        "its pk once, and saves of other models append nothing."
    ),
    starter="""from django.db.models.signals import post_save

from sandbox.models import Book


def connect_audit(log):
    def audit(sender, instance, **kwargs):
        log.append(instance.pk)

    post_save.connect(audit, sender=Book, weak=False)
""",
    solution="""from django.db.models.signals import post_save

from sandbox.models import Book


def connect_audit(log):
    def audit(sender, instance, **kwargs):
        log.append(instance.pk)

    # Each call defines a new function: only the dispatch_uid says "the same receiver".
    post_save.connect(audit, sender=Book, weak=False, dispatch_uid="audit.book_saved")
""",
    hints=(
        "Press Run: how many pks does one save append after two calls?",
        "Each call makes a new `audit` function, so the dispatcher sees two receivers.",
        "`connect(..., dispatch_uid='...')` identifies a receiver by that name instead of by the object.",
    ),
    mistakes={
        """from django.db.models.signals import post_save

from sandbox.models import Book


def connect_audit(log):
    def audit(sender, instance, **kwargs):
        log.append(instance.pk)

    post_save.connect(audit, weak=False, dispatch_uid="audit.book_saved")
""": "connect with sender=Book",
    },
)


def a1():
    return Book.objects.get(title="A1", learner="")


@twice.check("Connected twice, one save appends once")
def once_per_save(attempt):
    log, book = [], a1()
    with learner_receivers_only(post_save):
        attempt.learner.connect_audit(log)
        attempt.learner.connect_audit(log)
        book.save()
    if len(log) > 1:
        raise Fail(
            f"One save appended {len(log)} pks: connect_audit() ran twice and each call connected a new "
            "function. Give connect() a dispatch_uid."
        )
    if log != [book.pk]:
        raise Fail(f"One save of A1 appended {log!r}, expected [{book.pk}].")


@twice.check("Only books are logged")
def only_books(attempt):
    log = []
    with learner_receivers_only(post_save):
        attempt.learner.connect_audit(log)
        Publisher.objects.filter(learner="").first().save()
    if log:
        raise Fail(f"Saving a Publisher appended {log!r}: connect with sender=Book.")


@twice.run
def show_twice(lab, attempt):
    log, book = [], a1()
    with learner_receivers_only(post_save):
        lab.step("connect_audit(log)", partial(attempt.learner.connect_audit, log), key="first")
        lab.step("connect_audit(log) again", partial(attempt.learner.connect_audit, log), key="second")
        step = lab.step("book.save()", book.save)
    step.fact("log", list(log), "log")
    lab.headline(f"One save after two connect_audit() calls appended {len(log)} pk(s)")
