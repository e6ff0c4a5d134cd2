"""Testing receivers (lesson S7): real Django tests, the kind a project keeps in tests/test_receivers.py.

They are TestCases like any other: `manage.py test` would run them if this
module were named test_*.py. The lesson runs them one at a time and shows the
outcome. Every receiver a test connects, it disconnects, whatever happens.
"""

from __future__ import annotations

from contextlib import contextmanager
from unittest import mock

from django.core import mail
from django.db.models.signals import post_save
from django.dispatch import Signal
from django.test import TestCase
from django.utils import timezone

from ..models import Book, Customer, Review
from ..receivers.reviews import update_review_stats
from ..shop import register_customer


@contextmanager
def connected(signal: Signal, receiver, *, sender=None, dispatch_uid: str):
    """Connect `receiver` for the block only; the dispatch_uid makes a second connect a no-op."""
    signal.connect(receiver, sender=sender, weak=False, dispatch_uid=dispatch_uid)
    try:
        yield receiver
    finally:
        signal.disconnect(sender=sender, dispatch_uid=dispatch_uid)


class ReviewReceiverTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.book = Book.objects.get(title="A1", learner="")
        cls.customer = Customer.objects.get(name="ann", learner="")

    def review(self, stars=5):
        return Review(book=self.book, customer=self.customer, stars=stars, created=timezone.now())

    def test_the_receiver_called_as_a_function(self):
        # No signal at all: bulk_create() sends none, then call the receiver yourself.
        (review,) = Review.objects.bulk_create([self.review(stars=1)])
        update_review_stats(sender=Review, instance=review)
        self.book.refresh_from_db()
        self.assertEqual(self.book.review_count, Review.objects.filter(book=self.book).count())

    def test_a_mock_receiver_sees_created(self):
        handler = mock.Mock()
        post_save.connect(handler, sender=Review, dispatch_uid="test.mock_handler")
        self.addCleanup(post_save.disconnect, sender=Review, dispatch_uid="test.mock_handler")
        self.review().save()
        handler.assert_called_once()
        self.assertIs(handler.call_args.kwargs["created"], True)

    def test_the_real_receiver_counts_the_review(self):
        before = self.book.review_count
        self.review().save()
        self.book.refresh_from_db()
        self.assertEqual(self.book.review_count, before + 1)

    def test_a_recorded_list_proves_which_saves_send_post_save(self):
        sent = []

        def record(sender, instance, created, **kwargs):
            sent.append(created)

        with connected(post_save, record, sender=Review, dispatch_uid="test.record"):
            # Imported twice, connected twice: the same dispatch_uid keeps one.
            post_save.connect(record, sender=Review, weak=False, dispatch_uid="test.record")
            Review.objects.bulk_create([self.review(), self.review()])
            self.assertEqual(sent, [])  # bulk_create() sends no post_save
            self.review().save()
            self.assertEqual(sent, [True])  # one save(), one post_save, one receiver call

    def test_bulk_create_leaves_the_stored_count_behind(self):
        before = self.book.review_count
        Review.objects.bulk_create([self.review(), self.review()])
        self.book.refresh_from_db()
        self.assertEqual(self.book.review_count, before)  # no signal, no update
        self.assertEqual(Review.objects.filter(book=self.book).count(), before + 2)


class WelcomeEmailTests(TestCase):
    def test_the_email_without_capturing(self):
        # Wrong on purpose: a TestCase never commits, so on_commit callbacks never run.
        register_customer("zoe", "zoe@example.com")
        self.assertEqual(len(mail.outbox), 1)

    def test_the_email_with_capture_on_commit_callbacks(self):
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            register_customer("zoe", "zoe@example.com")
        self.assertEqual(len(callbacks), 1)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["zoe@example.com"])
