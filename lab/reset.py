"""Removing what one learner's demos committed for real.

Rows a demo commits carry the learner's id in a `learner` field; the lab finds
those models through the app registry, so it needs to know nothing about the
bookshop.
"""

from __future__ import annotations

import shutil

from django.apps import apps
from django.conf import settings
from django.db import models

from .learners import LEARNER_RE


def learner_owned_models() -> list[type[models.Model]]:
    """Every concrete model with a `learner` field, children before parents (cascades take the rest)."""
    found = [
        model
        for model in apps.get_models()
        if not model._meta.proxy and any(f.name == "learner" for f in model._meta.concrete_fields)
    ]

    def depth(model: type[models.Model]) -> int:
        # A model that points at another learner-owned model is deleted first.
        return -sum(1 for f in model._meta.concrete_fields if f.is_relation and f.related_model in found)

    return sorted(found, key=depth)


def reset_learner(learner: str) -> int:
    if not learner or not LEARNER_RE.fullmatch(learner):
        return 0
    removed = 0
    for model in learner_owned_models():
        count, _ = model._default_manager.filter(learner=learner).delete()
        removed += count
    shutil.rmtree(settings.MEDIA_ROOT / "covers" / learner, ignore_errors=True)
    return removed
