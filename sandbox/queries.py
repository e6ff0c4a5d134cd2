"""Named querysets that lessons show with `/// sql | <slug>`.

Each entry is a function returning an unevaluated QuerySet; the lesson engine
compiles it for the database in use and shows the SQL. Demos can run the same
function, so the SQL in the prose is the SQL the demo sends.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

_queries: dict[str, Callable[[], QuerySet]] = {}


def named_query(slug: str) -> Callable[[Callable[[], QuerySet]], Callable[[], QuerySet]]:
    def register(fn: Callable[[], QuerySet]) -> Callable[[], QuerySet]:
        if slug in _queries and _queries[slug] is not fn:
            raise ValueError(f"Named query {slug!r} is registered twice.")
        _queries[slug] = fn
        return fn

    return register


def unregister(slug: str) -> None:
    _queries.pop(slug, None)


def get(slug: str) -> Callable[[], QuerySet] | None:
    return _queries.get(slug)


def all_queries() -> dict[str, Callable[[], QuerySet]]:
    return dict(_queries)
