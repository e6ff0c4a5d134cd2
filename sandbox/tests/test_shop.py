"""The shop services that the signals track's receivers react to."""

from django.db.models import Avg, Count

from sandbox.models import Book, Customer, Review
from sandbox.shop import place_order, place_order_direct, register_customer


def test_register_customer_sends_one_welcome_email_after_commit(seeded, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        customer = register_customer("dan", "dan@example.com", learner="0123456789abcdef")
    assert customer.learner == "0123456789abcdef"
    assert [m.to for m in mailoutbox] == [["dan@example.com"]]
    assert "dan" in mailoutbox[0].body


def test_place_order_and_place_order_direct_take_the_same_stock(seeded):
    ann, a1 = Customer.objects.get(name="ann"), Book.objects.get(title="A1")
    order = place_order(ann, [(a1, 3)])
    assert Book.objects.get(pk=a1.pk).stock == 7
    assert order.total_price == a1.price * 3
    assert order.items.get().qty == 3
    place_order_direct(ann, [(a1, 3)])
    assert Book.objects.get(pk=a1.pk).stock == 4


def test_review_receivers_match_an_annotation_for_every_book(seeded):
    a1, bob = Book.objects.get(title="A1"), Customer.objects.get(name="bob")
    review = Review.objects.create(book=a1, customer=bob, stars=1, created=a1.updated)
    Review.objects.filter(pk=1).get().delete()
    review.stars = 4
    review.save()
    live = Book.objects.annotate(n=Count("reviews"), avg=Avg("reviews__stars")).order_by("pk")
    assert [(b.review_count, b.review_average) for b in live] == [(b.n, b.avg) for b in live]
    assert Book.objects.get(pk=a1.pk).review_count == 2
