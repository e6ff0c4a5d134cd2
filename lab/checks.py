"""Deployment checks for a classroom (`manage.py check --deploy`)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register

PER_PROCESS_CACHES = ("locmem.LocMemCache", "dummy.DummyCache")


@register(Tags.caches, deploy=True)
def shared_rate_limit(app_configs, **kwargs) -> list[Warning]:
    """The demo rate limit counts in the default cache: per process unless it is shared (Redis)."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or not backend.endswith(PER_PROCESS_CACHES):
        return []
    return [
        Warning(
            "The default cache is local to each process, so every worker keeps its own demo rate limit "
            "(LAB_RATE_LIMIT) and a learner gets that many runs per worker.",
            hint="Set REDIS_URL so all workers share the default cache.",
            id="lab.W001",
        )
    ]
