"""What the load test needs from the site, read with Django in the site's own environment.

    python bench/load/plan.py plan      > plan.json   lessons, their demos and each demo's default inputs
    python bench/load/plan.py snapshot  > snap.json   a digest of every bookshop table, and learner-owned rows

Run with the classroom's environment (DATABASE_URL...), so the snapshot reads the classroom's database.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402

from lab import registry  # noqa: E402
from lessons.catalogue import get_catalogue  # noqa: E402


def plan() -> dict:
    lessons = [
        {"url": lesson.url, "key": lesson.key, "demos": list(lesson.demos)} for lesson in get_catalogue().lessons
    ]
    demos = {demo.slug: demo.post_data() for demo in registry.all_demos()}
    return {"lessons": lessons, "demos": demos, "heaviest": {slug: heaviest(slug) for slug in demos}}


def heaviest(slug: str) -> dict:
    """The default inputs with every bounded number at its maximum: what an abusive client sends."""
    from django import forms

    demo = registry.get(slug)
    data = demo.post_data()
    for name, field in demo.form().fields.items():
        if (
            isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField)
            and field.max_value is not None
        ):
            data[name] = field.max_value
    return data


def snapshot() -> dict:
    """Every row of every bookshop table (sha256 per table), and the learner-owned rows in the real tables."""
    tables, learner_rows = {}, {}
    for model in apps.get_app_config("sandbox").get_models(include_auto_created=True):
        if model._meta.proxy:
            continue
        columns = [f.attname for f in model._meta.concrete_fields]
        rows = model._base_manager.order_by("pk").values_list(*columns)
        tables[model._meta.db_table] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
        if "learner" in columns:
            learner_rows[model._meta.db_table] = model._base_manager.exclude(learner="").count()
    return {"tables": tables, "learner_rows": learner_rows}


if __name__ == "__main__":
    print(json.dumps({"plan": plan, "snapshot": snapshot}[sys.argv[1]](), indent=1, default=str))
