"""Keeping Book.review_count and Book.review_average current as reviews come and go."""

from django.db.models import Avg, Count
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ..models import Book, Review


@receiver(
    [post_save, post_delete],
    sender=Review,
    dispatch_uid="sandbox.update_review_stats",
)
def update_review_stats(sender, instance, raw=False, **kwargs):
    # loaddata: other rows may not be loaded yet, and the fixture has the numbers.
    if raw:
        return
    # Recompute rather than add or subtract: an edited or deleted review
    # cannot make the numbers drift.
    stats = Review.objects.filter(book_id=instance.book_id).aggregate(
        count=Count("pk"),
        average=Avg("stars"),
    )
    # update() sends no save signals, so this cannot recurse into Book receivers.
    Book.objects.filter(pk=instance.book_id).update(
        review_count=stats["count"],
        review_average=stats["average"],
    )
