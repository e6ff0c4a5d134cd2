"""The bestsellers widget: a cached query, and the receivers that evict it after a commit.

Why `transaction.on_commit`: if the receiver deleted the key straight away, a
reader could re-cache the old rows before the writer's transaction commits, and
a write that is rolled back would still evict. Deleting after COMMIT avoids both.

Signals only fire for `save()` and `delete()`: `QuerySet.update()`,
`bulk_create()`/`bulk_update()` and raw SQL leave the widget stale, so code that
uses them must invalidate explicitly.
"""

from __future__ import annotations

from functools import partial

from django.core.cache import caches
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ..models import Book

WIDGET_CACHE = "locmem"
BESTSELLERS_KEY = "bestsellers"


def bestsellers(limit: int = 5) -> list[dict]:
    """The expensive part: units sold per book, best first."""
    return list(
        Book.objects.annotate(units=Coalesce(Sum("order_items__qty"), 0))
        .order_by("-units", "pk")
        .values("pk", "title", "price", "units")[:limit]
    )


def cached_bestsellers() -> list[dict]:
    return caches[WIDGET_CACHE].get_or_set(BESTSELLERS_KEY, bestsellers, 300)


@receiver(post_delete, sender=Book, dispatch_uid="caching.evict_bestsellers.delete")
@receiver(post_save, sender=Book, dispatch_uid="caching.evict_bestsellers.save")
def evict_bestsellers(sender, instance, using, **kwargs):
    """A book changed: forget the widget, once the change is committed."""
    transaction.on_commit(partial(caches[WIDGET_CACHE].delete, BESTSELLERS_KEY), using=using)
