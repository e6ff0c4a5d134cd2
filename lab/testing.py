"""Helpers for tests of demos and of the lab itself (public API, so tests never poke private registries)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from . import registry
from .recorder import Recorder, recording


@contextmanager
def recorded(label: str = "test", *, learner: str = "", time_limit: float | None = None) -> Iterator[Recorder]:
    """A recorder that is active, with one step open: what the block does is recorded into it."""
    lab = Recorder(learner=learner, time_limit=time_limit)
    with recording(lab), lab.section(label, key="test"):
        yield lab


@contextmanager
def temporary_demo(slug: str, func: Callable[..., Any], **options: Any) -> Iterator[registry.Demo]:
    """Register `func` as the demo `slug` for the block only (the same options as `@demo`)."""
    options.setdefault("title", slug)
    registry.demo(slug, **options)(func)
    try:
        yield registry.get(slug)
    finally:
        registry.unregister(slug)
