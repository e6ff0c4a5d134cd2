"""Receivers on a store's stock (Store.books): log each change, from either side."""

import logging

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from ..models import Store

logger = logging.getLogger(__name__)


@receiver(m2m_changed, sender=Store.books.through, dispatch_uid="sandbox.log_stock_changed")
def log_stock_changed(sender, instance, action, reverse, pk_set, **kwargs):
    # Django sends m2m_changed only when a receiver listens to this through
    # model: without this one, store.books.add() would send nothing at all.
    if not action.startswith("post_"):
        return
    # From the book's side (book.store_set.add(store)), instance is the Book
    # and pk_set holds Store pks.
    stores = Store.objects.filter(pk__in=pk_set or ()) if reverse else [instance]
    for store in stores:
        titles = list(store.books.order_by("pk").values_list("title", flat=True))
        logger.info("%s now stocks %s", store, titles)
