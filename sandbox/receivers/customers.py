"""Notification on registration: a welcome email, sent once the customer is committed."""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from ..models import Customer
from ..shop import send_welcome_email


@receiver(post_save, sender=Customer, dispatch_uid="sandbox.welcome_new_customer")
def welcome_new_customer(sender, instance, created, raw, using, **kwargs):
    if not created or raw:
        return
    # post_save runs inside the caller's transaction. If that rolls back,
    # the customer never existed: the email waits for the commit, and is
    # dropped on rollback. Pass the pk, not the instance: the callback
    # loads the committed row, as a task queue worker would.
    transaction.on_commit(partial(send_welcome_email, instance.pk), using=using)
