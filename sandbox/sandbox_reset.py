"""Removing what one learner's demos committed for real."""

from __future__ import annotations

import re
import shutil

from django.conf import settings

from .models import Book, Customer, Order, Publisher


def reset_learner(learner: str) -> int:
    if not learner or not re.fullmatch(r"[0-9a-f]{16}", learner):
        return 0
    removed = 0
    # Children first; cascades take their order items, reviews and links.
    for model in (Order, Book, Customer, Publisher):
        count, _ = model.objects.filter(learner=learner).delete()
        removed += count
    shutil.rmtree(settings.MEDIA_ROOT / "covers" / learner, ignore_errors=True)
    return removed
