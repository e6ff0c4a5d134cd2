"""Receivers on Book: the concept page's post_save example, corrected, and cover clean-up.

Connected when SandboxConfig.ready() imports this package; each has a
dispatch_uid, so importing the module twice can never connect it twice.
"""

import logging
from functools import partial

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from ..models import Book

logger = logging.getLogger(__name__)


@receiver(pre_save, sender=Book, dispatch_uid="sandbox.tidy_book_title")
def tidy_book_title(sender, instance, raw, **kwargs):
    # pre_save runs before the write: what we change here is what gets saved.
    if raw:  # loaddata: store the fixture exactly as written
        return
    instance.title = " ".join(instance.title.split())


@receiver(post_save, sender=Book, dispatch_uid="sandbox.log_book_saved")
def log_book_saved(sender, instance, created, update_fields, **kwargs):
    # The row is written, but the transaction may not be committed yet.
    # **kwargs is required: Django also passes signal, raw and using,
    # and may add arguments in later versions.
    action = "created" if created else "saved"
    fields = f" (fields: {', '.join(sorted(update_fields))})" if update_fields else ""
    logger.info("%s has been %s%s", instance, action, fields)


@receiver(
    m2m_changed,
    sender=Book.authors.through,
    dispatch_uid="sandbox.log_authors_changed",
)
def log_authors_changed(sender, instance, action, reverse, pk_set, **kwargs):
    # Only post_* actions see the final links. A ModelForm writes them
    # after post_save has already run.
    if not action.startswith("post_"):
        return
    # The links can change from either side. From the author's side
    # (author.book_set.add(book)), instance is the Author and pk_set holds
    # Book pks; after a reverse clear() it is None, so those books are unknown.
    books = [instance]
    if reverse:
        books = Book.objects.filter(pk__in=pk_set or ()).prefetch_related("authors")
    for book in books:
        names = [author.name for author in book.authors.all()]
        logger.info("%s now has authors %s", book, names)


@receiver(post_delete, sender=Book, dispatch_uid="sandbox.delete_cover_file")
def delete_cover_file(sender, instance, using, **kwargs):
    # Files are not transactional. Delete only once the row's deletion
    # is committed (on the database it was deleted from), so a
    # rolled-back delete keeps its cover.
    if instance.cover:
        storage, name = instance.cover.storage, instance.cover.name
        transaction.on_commit(partial(storage.delete, name), using=using)
