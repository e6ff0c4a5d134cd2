"""Keeping related data current with receivers (lesson S2), and the receiver that calls itself."""

from __future__ import annotations

from django.utils import timezone

from ..models import Book, Customer, Review


def review_book(book: Book, customer: Customer, stars: int) -> Review:
    return Review.objects.create(book=book, customer=customer, stars=stars, created=timezone.now())


def delete_review(review: Review) -> tuple[int, dict[str, int]]:
    return review.delete()


def bulk_review(book: Book, customer: Customer, stars: int, count: int) -> list[Review]:
    reviews = [Review(book=book, customer=customer, stars=stars, created=timezone.now()) for _ in range(count)]
    return Review.objects.bulk_create(reviews)  # no post_save: no receiver recomputes the stats


# -- a receiver that saves its own instance ---------------------------------------------


def refresh_blurb(sender, instance, **kwargs):
    # The mistake: save() sends post_save again, which runs this receiver
    # again, which saves again...
    instance.blurb = f"{instance.title}: {instance.pages} pages"
    instance.save()


def refresh_blurb_with_update(sender, instance, **kwargs):
    # The fix: update() writes the column without calling save(), so it
    # sends no post_save and nothing runs again.
    blurb = f"{instance.title}: {instance.pages} pages"
    Book.objects.filter(pk=instance.pk).update(blurb=blurb)


def refresh_blurb_with_guard(sender, instance, update_fields=None, **kwargs):
    # The other fix: save only the column this receiver owns, and return
    # early when the save is its own (update_fields is exactly that column).
    # It still costs a second post_save and UPDATE; update() costs neither.
    if update_fields == {"blurb"}:
        return
    instance.blurb = f"{instance.title}: {instance.pages} pages"
    instance.save(update_fields=["blurb"])
