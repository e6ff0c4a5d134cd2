"""Signals exercises for testing receivers (S7): the learner writes the tests, the checks run them.

A test proves something only if it fails when the behaviour breaks. So each
exercise runs the learner's TestCase (lab.testrun, in-process) as it is, then
against a broken world: a bulk_create() that does send post_save, a welcome
email sent before the commit, no receiver at all. It must pass the first and
fail the others.
"""

from contextlib import contextmanager
from unittest import mock

from django.core.mail import send_mail
from django.db.models.query import QuerySet
from django.db.models.signals import post_save

from lab.exercises import Fail, exercise
from lab.testrun import run_tests
from sandbox.models import Customer

from .signals_kit import learner_receivers_only

# -- a test that proves bulk_create() sends no post_save --------------------------------------------

bulk = exercise(
    "signals.test-bulk-create",
    title="A test that proves bulk_create() sends no post_save",
    lesson="signals/07-testing-receivers",
    prompt=(
        "Finish `BulkCreateTests.test_bulk_create_sends_no_post_save`: connect a receiver that records each "
        "`post_save` for `Review`, bulk-create the two reviews, and assert that nothing was recorded. The "
        "receiver must be disconnected whatever happens, a failing assertion included. The checks run your "
        "test as it is, then against a Django whose `bulk_create()` *does* send `post_save`: there it must fail."
    ),
    starter="""from django.db.models.signals import post_save
from django.test import TestCase
from django.utils import timezone

from sandbox.models import Book, Customer, Review


class BulkCreateTests(TestCase):
    def test_bulk_create_sends_no_post_save(self):
        book = Book.objects.get(title="A1", learner="")
        customer = Customer.objects.get(name="ann", learner="")
        reviews = [Review(book=book, customer=customer, stars=5, created=timezone.now()) for _ in range(2)]
        Review.objects.bulk_create(reviews)
""",
    solution="""from django.db.models.signals import post_save
from django.test import TestCase
from django.utils import timezone

from sandbox.models import Book, Customer, Review


class BulkCreateTests(TestCase):
    def test_bulk_create_sends_no_post_save(self):
        book = Book.objects.get(title="A1", learner="")
        customer = Customer.objects.get(name="ann", learner="")
        reviews = [Review(book=book, customer=customer, stars=5, created=timezone.now()) for _ in range(2)]
        sent = []

        def record(sender, instance, **kwargs):
            sent.append(instance)

        post_save.connect(record, sender=Review, dispatch_uid="test.record_reviews")
        self.addCleanup(post_save.disconnect, sender=Review, dispatch_uid="test.record_reviews")
        Review.objects.bulk_create(reviews)
        self.assertEqual(sent, [])
""",
    hints=(
        "A test without an assertion passes whatever Django does: record something, then assert on it.",
        "A local function appending to a list makes a good receiver: `post_save.connect(record, sender=Review, "
        "dispatch_uid=...)`.",
        "`self.addCleanup(post_save.disconnect, sender=Review, dispatch_uid=...)` runs even when the assertion fails.",
    ),
    mistakes={
        """from django.db.models.signals import post_save
from django.test import TestCase
from django.utils import timezone

from sandbox.models import Book, Customer, Review


class BulkCreateTests(TestCase):
    def test_bulk_create_sends_no_post_save(self):
        book = Book.objects.get(title="A1", learner="")
        customer = Customer.objects.get(name="ann", learner="")
        reviews = [Review(book=book, customer=customer, stars=5, created=timezone.now()) for _ in range(2)]
        sent = []

        def record(sender, instance, **kwargs):
            sent.append(instance)

        post_save.connect(record, sender=Review, dispatch_uid="test.record_reviews")
        Review.objects.bulk_create(reviews)
        self.assertEqual(sent, [])
        post_save.disconnect(sender=Review, dispatch_uid="test.record_reviews")
""": "its receiver was still connected",
    },
)


def sending_bulk_create(self, objs, *args, **kwargs):
    """A broken Django: bulk_create() that saves each object, so each sends post_save."""
    for obj in objs:
        obj.save()
    return list(objs)


@contextmanager
def bulk_create_sends_post_save():
    with mock.patch.object(QuerySet, "bulk_create", sending_bulk_create):
        yield


def the_tests(attempt, name):
    case = getattr(attempt.learner, name, None)
    if case is None:
        raise Fail(f"There is no class {name}: keep the TestCase's name.")
    return case


def verdict(run):
    return ", ".join(f"{o.name} {o.status}" + (f" ({o.message})" if o.message else "") for o in run.outcomes)


def output(run):
    """Each test's outcome, with the traceback of a failure (the learner's own test: worth reading)."""
    return "\n".join(f"{o.name} ... {o.status}" + (f"\n{o.detail}" if o.detail else "") for o in run.outcomes)


@bulk.check("Your test passes")
def passes(attempt):
    run = run_tests(the_tests(attempt, "BulkCreateTests"))
    if not run.passed:
        raise Fail(f"Your test should pass on this Django: {verdict(run) or 'no test ran'}.")


@bulk.check("It fails when bulk_create() sends post_save")
def catches_the_break(attempt):
    with bulk_create_sends_post_save():
        run = run_tests(the_tests(attempt, "BulkCreateTests"))
    if run.passed:
        raise Fail(
            "Your test still passes when bulk_create() sends post_save for each review: it proves nothing. "
            "Record post_save in a receiver and assert that the record is empty."
        )


@bulk.check("It disconnects its receiver, even when it fails")
def cleans_up(attempt):
    before = len(post_save.receivers)
    with bulk_create_sends_post_save():
        run_tests(the_tests(attempt, "BulkCreateTests"))
    left = len(post_save.receivers) - before
    if left:
        raise Fail(
            f"After your test failed, its receiver was still connected to post_save ({left} left): disconnect "
            "in self.addCleanup() or a finally block, which run when an assertion fails too."
        )


@bulk.run
def show_bulk(lab, attempt):
    case = the_tests(attempt, "BulkCreateTests")
    for label, key, broken in (
        ("Your test", "as_is", False),
        ("… where bulk_create() sends post_save", "broken", True),
    ):
        with lab.section(label, key=key) as step:
            if broken:
                with bulk_create_sends_post_save():
                    run = run_tests(case)
            else:
                run = run_tests(case)
        step.fact("summary", run.summary, "unittest says")
        step.note(output(run))
    lab.headline(
        f"Your test: {lab.get('as_is').facts['summary']}; with a broken bulk_create(): {step.facts['summary']}"
    )


# -- a test of the welcome email, with captureOnCommitCallbacks -------------------------------------

email = exercise(
    "signals.test-welcome-email",
    title="Test the welcome email: after the commit, and only then",
    lesson="signals/07-testing-receivers",
    prompt=(
        "Write `WelcomeEmailTests.test_one_email_after_the_commit`: register a customer with "
        "`register_customer(name, email)` (from `sandbox.shop`) and assert that **no** email has gone before "
        "the commit and exactly **one**, to that address, after it. A `TestCase` never commits: use "
        "`self.captureOnCommitCallbacks(execute=True)`. The checks run your test against the bookshop's "
        "receiver (it must pass), against one that emails straight from `post_save` and against none at "
        "all (it must fail both)."
    ),
    starter="""from django.core import mail
from django.test import TestCase

from sandbox.shop import register_customer


class WelcomeEmailTests(TestCase):
    def test_one_email_after_the_commit(self):
        register_customer("pat", "pat@example.com")
        self.assertEqual(len(mail.outbox), 1)
""",
    solution="""from django.core import mail
from django.test import TestCase

from sandbox.shop import register_customer


class WelcomeEmailTests(TestCase):
    def test_one_email_after_the_commit(self):
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            register_customer("pat", "pat@example.com")
            self.assertEqual(len(mail.outbox), 0)  # not before the commit
        self.assertEqual(len(callbacks), 1)
        self.assertEqual([m.to for m in mail.outbox], [["pat@example.com"]])
""",
    hints=(
        "Run it: with no commit, the on_commit callback that sends the email never runs.",
        "`with self.captureOnCommitCallbacks(execute=True):` runs the callbacks when the block ends.",
        "Inside the block nothing should have gone yet: assert that too, or an email sent straight from "
        "post_save passes your test.",
    ),
    mistakes={
        """from django.core import mail
from django.test import TestCase

from sandbox.shop import register_customer


class WelcomeEmailTests(TestCase):
    def test_one_email_after_the_commit(self):
        with self.captureOnCommitCallbacks(execute=True):
            register_customer("pat", "pat@example.com")
        self.assertEqual(len(mail.outbox), 1)
""": "still passes when the email goes out straight from post_save",
    },
)


def email_immediately(sender, instance, created, **kwargs):
    """The broken receiver: emails inside the transaction, before any commit."""
    if created:
        send_mail("Welcome to the bookshop", "Hello!", None, [instance.email])


def welcome_tests(attempt):
    return run_tests(the_tests(attempt, "WelcomeEmailTests"))


@email.check("It passes with the bookshop's receiver")
def passes_with_the_shipped_receiver(attempt):
    run = welcome_tests(attempt)
    if not run.passed:
        raise Fail(
            f"Your test should pass with the bookshop's on_commit receiver: {verdict(run) or 'no test ran'}. "
            "A TestCase never commits: captureOnCommitCallbacks(execute=True) runs the callbacks."
        )


@email.check("It fails when the email goes before the commit")
def fails_when_sent_early(attempt):
    with learner_receivers_only(post_save):
        post_save.connect(email_immediately, sender=Customer, dispatch_uid="exercise.email_immediately")
        run = welcome_tests(attempt)
    if run.passed:
        raise Fail(
            "Your test still passes when the email goes out straight from post_save, before the commit: "
            "assert that the outbox is empty inside the captureOnCommitCallbacks block."
        )


@email.check("It fails when no receiver sends it")
def fails_without_a_receiver(attempt):
    with learner_receivers_only(post_save):
        run = welcome_tests(attempt)
    if run.passed:
        raise Fail("Your test passes with no receiver at all: assert that one email went, to the new customer.")


@email.run
def show_email(lab, attempt):
    with lab.section("Your test, with the bookshop's receiver", key="shipped") as step:
        run = welcome_tests(attempt)
    step.fact("summary", run.summary, "unittest says")
    step.note(output(run))
    lab.headline(f"With the bookshop's receiver your test says {run.summary}")
