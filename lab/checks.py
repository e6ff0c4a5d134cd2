"""System checks for a classroom: a shared rate limit (`check --deploy`), and private tables that stay private."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

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


@register(Tags.database)
def private_tables_stay_private(app_configs, **kwargs) -> list[Error]:
    """Committing demos shadow tables with temporary copies (lab.private): a prepared statement would not see them.

    PostgreSQL keeps a prepared statement's plan pointing at the table it was planned for, even after a
    temporary table of the same name appears. Django prepares nothing by default; these options change that.
    """
    errors = []
    for alias, database in settings.DATABASES.items():
        options = database.get("OPTIONS", {})
        if database["ENGINE"].endswith("postgresql") and (
            options.get("server_side_binding") or options.get("prepare_threshold") is not None
        ):
            errors.append(
                Error(
                    f"DATABASES[{alias!r}] prepares statements on the server (server_side_binding or "
                    "prepare_threshold), so a committing demo's statements could reach the real tables "
                    "instead of its private copies.",
                    hint="Remove server_side_binding and prepare_threshold from OPTIONS.",
                    id="lab.E001",
                )
            )
    return errors


@register()
def exercises_are_complete(app_configs, **kwargs) -> list[Error]:
    """Each exercise's declaration: checks, a Run, hints, code that compiles (lab.exercises.problems), at file:line."""
    from pathlib import Path

    from . import exercises

    errors = []
    for ex in exercises.all_exercises():
        filename, line = ex.defined_in
        try:
            filename = str(Path(filename).relative_to(settings.BASE_DIR))
        except ValueError:
            pass
        for problem in exercises.problems(ex):
            errors.append(Error(f"{filename}:{line}: {problem}", id="lab.E002"))
    return errors
